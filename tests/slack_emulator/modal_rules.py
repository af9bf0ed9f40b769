"""Block Kit modal validation with Slack's answer shape: invalid_arguments + response_metadata.messages.

Limits are from slack-interactivity.md §4 (Slack's Block Kit reference); each message names the JSON pointer of the
offending field, as Slack does: "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]".
"""

from __future__ import annotations

import json
from typing import Any

MAX_BUTTON_TEXT = 24
MAX_MODAL_BLOCKS = 100
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255
MAX_OPTIONS = 100
MAX_VIEW_BYTES = 250_000
INPUT_ELEMENTS = {
    "static_select",
    "multi_static_select",
    "plain_text_input",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "timepicker",
    "number_input",
    "email_text_input",
    "url_text_input",
}


class ModalInvalid(Exception):
    def __init__(self, error: str, messages: list[str]) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages


def _text_len(obj: Any) -> int | None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return len(obj["text"])
    return None


def _check_text_object(view: dict[str, Any], key: str, required: bool, problems: list[str]) -> None:
    obj = view.get(key)
    if obj is None:
        if required:
            problems.append(f"[ERROR] missing required field: {key} [json-pointer:/view]")
        return
    length = _text_len(obj)
    if length is None or obj.get("type") != "plain_text":
        problems.append(f"[ERROR] must be a plain_text text object [json-pointer:/view/{key}]")
    elif length > MAX_BUTTON_TEXT:
        problems.append(f"[ERROR] must be less than {MAX_BUTTON_TEXT + 1} characters [json-pointer:/view/{key}/text]")


def _check_blocks(blocks: Any, problems: list[str]) -> None:
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view]")
        return
    if len(blocks) > MAX_MODAL_BLOCKS:
        problems.append(f"[ERROR] no more than {MAX_MODAL_BLOCKS} items allowed [json-pointer:/view/blocks]")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:/view/blocks/{i}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not 0 < len(block_id) <= MAX_ID:
                problems.append(f"[ERROR] must be 1-{MAX_ID} characters [json-pointer:/view/blocks/{i}/block_id]")
            elif block_id in seen:
                problems.append(f"[ERROR] duplicate block_id [json-pointer:/view/blocks/{i}/block_id]")
            seen.add(str(block_id))
        if block["type"] == "input":
            element = block.get("element")
            if not isinstance(element, dict) or element.get("type") not in INPUT_ELEMENTS:
                problems.append(f"[ERROR] missing or unsupported element [json-pointer:/view/blocks/{i}/element]")
            elif len(str(element.get("action_id", ""))) > MAX_ID:
                problems.append(f"[ERROR] must be 1-{MAX_ID} characters [json-pointer:/view/blocks/{i}/element]")
            else:
                _check_element(element, f"/view/blocks/{i}/element", problems)
            if _text_len(block.get("label")) is None:
                problems.append(f"[ERROR] missing required field: label [json-pointer:/view/blocks/{i}]")
            if "dispatch_action" in block and not isinstance(block["dispatch_action"], bool):
                problems.append(f"[ERROR] must be a boolean [json-pointer:/view/blocks/{i}/dispatch_action]")


def _check_element(element: dict[str, Any], pointer: str, problems: list[str]) -> None:
    """What Block Kit's element reference requires: number_input's is_decimal_allowed; a select's at most 100
    options, its initial option(s) exactly one of them."""
    kind = element.get("type")
    if kind == "number_input" and not isinstance(element.get("is_decimal_allowed"), bool):
        problems.append(f"[ERROR] missing required field: is_decimal_allowed [json-pointer:{pointer}]")
    if kind not in ("static_select", "multi_static_select", "checkboxes", "radio_buttons"):
        return
    options = element.get("options")
    if not isinstance(options, list) and not element.get("option_groups"):
        problems.append(f"[ERROR] missing required field: options [json-pointer:{pointer}]")
        return
    options = list(options or []) + [o for g in element.get("option_groups") or [] for o in g.get("options") or []]
    if len(options) > MAX_OPTIONS:
        problems.append(f"[ERROR] no more than {MAX_OPTIONS} items allowed [json-pointer:{pointer}/options]")
    initial = element.get("initial_options") or ([element["initial_option"]] if element.get("initial_option") else [])
    for n, chosen in enumerate(initial):
        if chosen not in options:
            key = "initial_option" if "initial_option" in element else f"initial_options/{n}"
            problems.append(f"[ERROR] must match one of the options [json-pointer:{pointer}/{key}]")


def validate_modal(view: Any) -> dict[str, Any]:
    """Return the view as a dict, or raise ModalInvalid (view_too_large / invalid_arguments)."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            raise ModalInvalid("invalid_arguments", ["[ERROR] invalid JSON [json-pointer:/view]"]) from None
    if not isinstance(view, dict):
        raise ModalInvalid("invalid_arguments", ["[ERROR] missing required field: view [json-pointer:/]"])
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        raise ModalInvalid("view_too_large", [])
    problems: list[str] = []
    if view.get("type") != "modal":
        problems.append("[ERROR] must be one of: modal [json-pointer:/view/type]")
    _check_text_object(view, "title", True, problems)
    has_input = isinstance(view.get("blocks"), list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in view["blocks"]
    )
    _check_text_object(view, "submit", has_input, problems)
    _check_text_object(view, "close", False, problems)
    _check_blocks(view.get("blocks"), problems)
    for key, limit in (("private_metadata", MAX_PRIVATE_METADATA), ("callback_id", MAX_ID), ("external_id", MAX_ID)):
        value = view.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            problems.append(f"[ERROR] must be a string of at most {limit} characters [json-pointer:/view/{key}]")
    if problems:
        raise ModalInvalid("invalid_arguments", problems)
    return view
