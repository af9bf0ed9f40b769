"""Parsing `!incident publish [<component>=<state> …] [title="…"] <public text>`; ParseError on bad input."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .commands import ParseError, plain_text
from .incident_form import FormErrors
from .status_page import COMPONENT_STATES, MAX_BODY, MAX_TITLE

USAGE = '!incident publish [<number>] [<component>=<state> …] [title="…"] <public text>'
_PAIR = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)=([a-z_]+)\Z")
_TITLE = re.compile(r'^title=(?:"([^"]*)"|\u201c([^\u201d]*)\u201d)\s*', re.IGNORECASE)
_SMART = str.maketrans({"\u2018": "'", "\u2019": "'"})


@dataclass
class PublishRequest:
    components: dict[str, str] = field(default_factory=dict)  # name -> state, as given
    title: str | None = None
    text: str = ""


def parse_publish(raw: str, known: tuple[str, ...]) -> PublishRequest:
    """Leading `name=state` pairs and an optional `title="…"`, in any order, then the public text."""
    rest = raw.translate(_SMART).strip()
    request = PublishRequest()
    while rest:
        title = _TITLE.match(rest)
        if title:
            if request.title is not None:
                raise ParseError('Give title="…" once.')
            request.title = plain_text(title.group(1) if title.group(1) is not None else title.group(2))
            if not request.title:
                raise ParseError('The title is empty: title="Elevated API errors".')
            if len(request.title) > MAX_TITLE:
                raise ParseError(f"The title is {len(request.title)} characters long; keep it under {MAX_TITLE}.")
            rest = rest[title.end() :]
            continue
        word, _, after = rest.partition(" ")
        pair = _PAIR.match(word)
        if not pair:
            if "=" in word and not word.startswith(("http", "<")):
                raise ParseError(f'"{word[:60]}" is not <component>=<state>. States: {", ".join(COMPONENT_STATES)}.')
            break
        name, state = pair.groups()
        if name not in known:
            listed = ", ".join(known) or "none (set STATUS_COMPONENTS)"
            raise ParseError(f'"{name[:40]}" is not a status page component. Components: {listed}.')
        if state not in COMPONENT_STATES:
            raise ParseError(f'"{state[:40]}" is not a component state. States: {", ".join(COMPONENT_STATES)}.')
        request.components[name] = state
        rest = after.strip()
    request.text = plain_text(rest)
    if not request.text:
        raise ParseError(f"Usage: {USAGE} (the text the public reads is missing).")
    if len(request.text) > MAX_BODY:
        raise ParseError(f"That is {len(request.text)} characters long; keep it under {MAX_BODY}.")
    return request


def from_form(text: str, pairs: list[str], title: str, known: tuple[str, ...]) -> PublishRequest | None:
    """The Update modal's publish fields: None when all are blank, else a request; FormErrors by field."""
    if not text and not pairs and not title:
        return None
    errors: dict[str, str] = {}
    request = PublishRequest(title=plain_text(title) or None, text=plain_text(text))
    if not request.text:
        errors["public"] = "Write the text the public reads (components and a title are published with it)."
    for pair in pairs:
        name, _, state = pair.partition("=")
        if name not in known or state not in COMPONENT_STATES:
            errors["components"] = f'"{pair[:60]}" is no longer a component state; pick again.'
        elif name in request.components:
            errors["components"] = f"Pick one state for {name}."
        else:
            request.components[name] = state
    if errors:
        raise FormErrors(errors)
    return request
