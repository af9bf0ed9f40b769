"""The page body of Confluence's v2 API: its accepted shapes, and storage format's well-formedness check."""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET
from typing import Any

REPRESENTATIONS = ("storage", "atlas_doc_format", "wiki")
ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def parse_body(body: Any) -> tuple[str, str]:
    """Accept {"representation","value"} or {"storage": {...}}; storage must be well-formed XHTML."""
    if isinstance(body, dict) and "representation" not in body and len(body) == 1:
        body = next(iter(body.values()))
    if not isinstance(body, dict) or not isinstance(body.get("value"), str):
        raise ValueError("body must have a representation and a string value")
    representation = body.get("representation")
    if representation not in REPRESENTATIONS:
        raise ValueError(f"body.representation must be one of {', '.join(REPRESENTATIONS)}")
    if representation == "storage":
        _check_storage(body["value"])
    return body["value"], representation


def _check_storage(value: str) -> None:
    def entity(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in ("amp", "lt", "gt", "quot", "apos"):
            return m.group(0)
        if name in html.entities.name2codepoint:
            return f"&#{html.entities.name2codepoint[name]};"
        return m.group(0)  # unknown entity: left for the parser to reject

    wrapped = ('<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">'
               + ENTITY.sub(entity, value) + "</root>")  # fmt: skip
    try:
        ET.fromstring(wrapped)
    except ET.ParseError as exc:
        raise ValueError(f"Error parsing xhtml: {exc}") from None
