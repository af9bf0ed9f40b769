"""The modals RedAlert shows (Block Kit views) and reading back what people entered in them.

Limits kept here (Slack refuses a view that breaks them): title, submit and close at most 24 characters, at most
100 blocks, private_metadata at most 3,000 characters, at most 100 options of at most 75 characters each.
Input block ids are the form's field names, so validation errors (keyed by field) map straight onto the blocks.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.commands import MAX_DESCRIPTION
from ..domain.incident import Incident
from ..domain.incident_form import MAX_UPDATE, OpenForm, UpdateForm
from ..domain.settings import Settings
from ..domain.text import clip
from .status_modal import publish_blocks
from .type_form import TypeView, field_blocks, read_fields, read_type, type_block

OPEN_CALLBACK = "incident_open"
UPDATE_CALLBACK = "incident_update"

TITLE_LIMIT = 24
BLOCK_LIMIT = 100
METADATA_LIMIT = 3000
OPTION_LIMIT = 100
OPTION_TEXT_LIMIT = 75
# Block Kit caps a plain_text_input at 3,000 characters; a longer description can still be typed with !incident open.
INPUT_LIMIT = 3000
PRIVATE_OPTION = "private"


class MetadataTooLarge(ValueError):
    """What a modal must carry does not fit Slack's 3,000 characters of private_metadata."""


def encode_metadata(data: dict[str, Any]) -> str:
    """Context a modal carries to its submission (where /incident was typed, the response_url, the incident)."""
    text = json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":"))
    if len(text) > METADATA_LIMIT:
        raise MetadataTooLarge(f"private_metadata would be {len(text)} characters")
    return text


def decode_metadata(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _plain(text: str, limit: int | None = None) -> dict:
    return {"type": "plain_text", "text": clip(text, limit) if limit else text, "emoji": True}


def _option(label: str, value: str) -> dict:
    return {"text": _plain(label, OPTION_TEXT_LIMIT), "value": value[:150]}


def _input(block_id: str, label: str, element: dict, *, optional: bool = False, hint: str | None = None) -> dict:
    block: dict[str, object] = {"type": "input", "block_id": block_id, "label": _plain(label, 2000), "element": element}
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict], metadata: str, **extra: Any) -> dict:
    return {
        **extra,
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, TITLE_LIMIT),
        "submit": _plain(submit, TITLE_LIMIT),
        "close": _plain("Cancel", TITLE_LIMIT),
        "private_metadata": metadata,
        "blocks": blocks[:BLOCK_LIMIT],
    }


def open_incident(settings: Settings, metadata: str, shown: TypeView | None = None) -> dict:
    """The "Open an incident" modal: severity, description, people, user groups, private; with a workflows file
    that has types (`shown`), first the type and after the description that type's fields.

    The severity and Private inputs take the type's name in their action_id: Slack keeps what was entered in an
    input only while its block_id and action_id stay, so a new type's preselection shows (type_form.preselect
    decides whether the person's own choice is carried over instead)."""
    severities = [_option(s.label, s.value) for s in settings.severities[:OPTION_LIMIT]]
    suffix = f".{shown.kind.name}" if shown else ""
    severity: dict[str, Any] = {
        "type": "static_select",
        "action_id": "severity" + suffix,
        "placeholder": _plain("How bad is it?"),
        "options": severities,
    }
    preselected = next((o for o in severities if shown and o["value"] == shown.severity), None)
    if preselected:
        severity["initial_option"] = preselected
    private_option = {
        "text": _plain("Private channel"),
        "description": _plain("Not announced; listed only to its members and admins."),
        "value": PRIVATE_OPTION,
    }
    private: dict[str, Any] = {"type": "checkboxes", "action_id": "private" + suffix, "options": [private_option]}
    if shown and shown.private:
        private["initial_options"] = [private_option]
    if settings.form_groups:
        groups = _input(
            "groups",
            "User groups",
            {
                "type": "multi_static_select",
                "action_id": "groups",
                "placeholder": _plain("Invite these groups' members"),
                "options": [_option(g, g) for g in settings.form_groups[:OPTION_LIMIT]],
            },
            optional=True,
        )
    else:
        groups = _input(
            "groups",
            "User groups",
            {"type": "plain_text_input", "action_id": "groups", "placeholder": _plain("@sre @dba-team")},
            optional=True,
            hint="Their handles, separated by spaces; every member is invited.",
        )
    blocks = [
        *([type_block(shown)] if shown else []),
        _input("severity", "Severity", severity),
        _input(
            "description",
            "What is happening?",
            {
                "type": "plain_text_input",
                "action_id": "description",
                "multiline": True,
                "max_length": min(MAX_DESCRIPTION, INPUT_LIMIT),
                "placeholder": _plain("Checkout fails for every customer since 14:02"),
            },
        ),
        *(field_blocks(shown) if shown else []),
        _input(
            "people",
            "People",
            {"type": "multi_users_select", "action_id": "people", "placeholder": _plain("Invite them to the channel")},
            optional=True,
        ),
        groups,
        _input("private", "Visibility", private, optional=True, hint=_always_private(shown)),
    ]
    return _modal(OPEN_CALLBACK, "Open an incident", "Open incident", blocks, metadata)


def _always_private(shown: TypeView | None) -> str | None:
    """A type private by default stays private whatever the box says (as in chat and the API): the form says so."""
    return f"Every {shown.kind.name} incident is private." if shown and shown.kind.private else None


def update_incident(incident: Incident, settings: Settings, status: str, metadata: str) -> dict:
    """The Update modal: a new status (the current one preselected) and the update's text."""
    options = [_option(s, s) for s in settings.statuses[:OPTION_LIMIT]]
    current = next((o for o in options if o["value"] == status), None)
    select: dict = {"type": "static_select", "action_id": "status", "options": options}
    if current:
        select["initial_option"] = current
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": clip(f"*Incident {incident.number}*: {incident.description}", 3000)},
        },
        _input("status", "Status", select, optional=True),
        _input(
            "text",
            "Update",
            {
                "type": "plain_text_input",
                "action_id": "text",
                "multiline": True,
                "max_length": min(MAX_UPDATE, INPUT_LIMIT),
                "placeholder": _plain("What is happening now, and what comes next?"),
            },
            optional=True,
            hint="Posted in the incident channel and its announcement thread.",
        ),
    ]
    if not incident.is_private:  # a private incident is never published
        blocks += publish_blocks(settings.status_page)
    # notify_on_close: a cancelled Update form is reported, so that the button works again at once.
    title = f"Update incident {incident.number}"
    return _modal(UPDATE_CALLBACK, title, "Post update", blocks, metadata, notify_on_close=True)


# --- reading a submission --------------------------------------------------------------------------------------
def _state(view: dict) -> dict[str, dict]:
    values = ((view.get("state") or {}).get("values")) or {}
    return {block: next(iter(actions.values()), {}) for block, actions in values.items() if actions}


def _selected(entry: dict) -> str | None:
    option = entry.get("selected_option")
    return option.get("value") if isinstance(option, dict) else None


def _selected_values(entry: dict) -> list[str]:
    return [o["value"] for o in entry.get("selected_options") or [] if isinstance(o, dict) and o.get("value")]


def read_open_form(view: dict) -> OpenForm:
    """The form as entered (user groups picked from the list, or typed when the field is a text field)."""
    state = _state(view)
    groups = state.get("groups", {})
    return OpenForm(
        severity=_selected(state.get("severity", {})),
        description=state.get("description", {}).get("value"),
        people=[u for u in state.get("people", {}).get("selected_users") or [] if isinstance(u, str)],
        groups=_selected_values(groups),
        is_private=PRIVATE_OPTION in _selected_values(state.get("private", {})),
        typed_groups=groups.get("value") if groups.get("type") == "plain_text_input" else None,
        incident_type=read_type(state),
        fields=read_fields(state),
    )


def read_update_form(view: dict) -> UpdateForm:
    state = _state(view)
    return UpdateForm(status=_selected(state.get("status", {})), text=state.get("text", {}).get("value"))


def errors(field_errors: dict[str, str], view: dict | None = None) -> dict:
    """The view_submission ack that shows each message under its field. With the `view` submitted, a message for
    a field it does not show (the workflows file changed while the form was open) goes under the first input:
    Slack refuses errors that name no block of the view."""
    shown = [b.get("block_id") for b in (view or {}).get("blocks") or [] if b.get("type") == "input"]
    placed: dict[str, str] = {}
    for block, text in field_errors.items():
        where = block if view is None or block in shown or not shown else shown[0]
        placed[where] = f"{placed[where]} {text}" if where in placed else text
    return {"response_action": "errors", "errors": {block: clip(text, 2000) for block, text in placed.items()}}
