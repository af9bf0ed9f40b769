"""The "Open an incident" modal's incident type and custom fields (a workflows file with types or fields).

The type select is an input block with `dispatch_action`: choosing a type sends block_actions, and RedAlert answers
with views.update showing that type's fields. Block ids are the keys validation names (`type`, `fields.<name>`), so
a refusal lands under its field; a field keeps its block_id and action_id across types, so Slack keeps what was
entered in it. Each kind has its Block Kit element: select → static_select, multi_select → multi_static_select,
text → plain_text_input, number → number_input, user → users_select, url → url_text_input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.incident_fields import MAX_VALUE, TYPE_KEY, open_key
from ..domain.text import clip
from ..domain.workflow_model import FieldKind, FieldSpec, IncidentType, Required, WorkflowsFile

TYPE_ACTION = "type"
OPTION_LIMIT = 100
OPTION_TEXT_LIMIT = 75
FIELD_PREFIX = open_key("")


@dataclass(frozen=True)
class TypeView:
    """What the form shows for a type: the file's types and this type's fields, and what is preselected."""

    file: WorkflowsFile
    kind: IncidentType
    severity: str | None = None  # preselected; None: the person picks
    private: bool = False


def _plain(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def _option(label: str, value: str, description: str = "") -> dict:
    option: dict[str, Any] = {"text": _plain(label, OPTION_TEXT_LIMIT), "value": value[:150]}
    if description:
        option["description"] = _plain(description, OPTION_TEXT_LIMIT)
    return option


def type_block(shown: TypeView) -> dict:
    options = [_option(kind.name, kind.name, kind.description) for kind in shown.file.types[:OPTION_LIMIT]]
    chosen = next((o for o in options if o["value"] == shown.kind.name), options[0])
    return {
        "type": "input",
        "block_id": TYPE_KEY,
        "dispatch_action": True,  # a choice is sent at once: the form then shows that type's fields
        "label": _plain("Type", 2000),
        "hint": _plain("Each type has its own fields; choosing one shows them.", 2000),
        "element": {"type": "static_select", "action_id": TYPE_ACTION, "options": options, "initial_option": chosen},
    }


def field_blocks(shown: TypeView) -> list[dict]:
    return [_field_block(spec) for spec in shown.file.fields_of(shown.kind.name)]


def _field_block(spec: FieldSpec) -> dict:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": open_key(spec.name),
        "label": _plain(spec.name, 2000),
        "element": _element(spec),
    }
    if spec.required != Required.OPEN:  # required at close: may be left empty now
        block["optional"] = True
    if spec.description:
        block["hint"] = _plain(spec.description, 2000)
    return block


def _element(spec: FieldSpec) -> dict:
    action = {"action_id": spec.name}
    options = [_option(value, value) for value in spec.options[:OPTION_LIMIT]]
    match spec.kind:
        case FieldKind.SELECT:
            return {"type": "static_select", **action, "options": options}
        case FieldKind.MULTI_SELECT:
            return {"type": "multi_static_select", **action, "options": options}
        case FieldKind.NUMBER:
            return {"type": "number_input", **action, "is_decimal_allowed": True}
        case FieldKind.USER:
            return {"type": "users_select", **action}
        case FieldKind.URL:
            return {"type": "url_text_input", **action}
    return {"type": "plain_text_input", **action, "max_length": MAX_VALUE}


def read_type(state: dict[str, dict]) -> str | None:
    option = state.get(TYPE_KEY, {}).get("selected_option")
    return option.get("value") if isinstance(option, dict) else None


def read_fields(state: dict[str, dict]) -> dict[str, str]:
    """The custom fields given a value, by name, as the validation reads chat words (a multi_select's choices
    separated by commas); an empty one is left out (a required one is then named as missing)."""
    values: dict[str, str] = {}
    for block, entry in state.items():
        if not block.startswith(FIELD_PREFIX):
            continue
        value = _entered(entry)
        if value:
            values[block[len(FIELD_PREFIX) :]] = value
    return values


def _entered(entry: dict) -> str:
    kind = entry.get("type")
    if kind == "static_select":
        option = entry.get("selected_option")
        return str(option.get("value", "")) if isinstance(option, dict) else ""
    if kind == "multi_static_select":
        chosen = [o.get("value", "") for o in entry.get("selected_options") or [] if isinstance(o, dict)]
        return ",".join(v for v in chosen if v)
    if kind == "users_select":
        return str(entry.get("selected_user") or "")
    return str(entry.get("value") or "").strip()
