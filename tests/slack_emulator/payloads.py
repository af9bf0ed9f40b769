"""Slack's interactivity payload shapes (slack-interactivity.md §3): slash commands, block_actions, view_submission,
view_closed, and view.state.values built from what a test "typed" into a modal."""

from __future__ import annotations

import copy
import time
from typing import Any

from .workspace import Workspace

MULTI_OPTION_ELEMENTS = ("multi_static_select", "checkboxes")


def user_ref(ws: Workspace, user: str) -> dict[str, Any]:
    known = ws.users.get(user)
    name = known.name if known else user
    return {"id": user, "username": name, "name": name, "team_id": ws.team_id}


def _common(ws: Workspace, user: str, kind: str) -> dict[str, Any]:
    return {
        "type": kind,
        "user": user_ref(ws, user),
        "api_app_id": ws.app_id,
        "token": "verification-token",
        "team": {"id": ws.team_id, "domain": ws.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def slash_command(
    ws: Workspace, user: str, channel: str, command: str, text: str, response_url: str, trigger_id: str
) -> dict[str, Any]:
    ch = ws.channels.get(channel)
    known = ws.users.get(user)
    return {
        "token": "verification-token",
        "team_id": ws.team_id,
        "team_domain": ws.team_domain,
        "channel_id": channel,
        "channel_name": ("directmessage" if ch.is_im else ch.name) if ch else channel,
        "user_id": user,
        "user_name": known.name if known else user,
        "command": command,
        "text": text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def find_element(blocks: list[dict[str, Any]], action_id: str, block_id: str | None) -> tuple[str, dict[str, Any]]:
    """The interactive element with action_id (in actions, section accessory or input blocks); KeyError if absent."""
    for block in blocks or []:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        elements = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    raise KeyError(f"no element with action_id {action_id!r} (block_id {block_id!r})")


def block_actions(
    ws: Workspace,
    user: str,
    container: dict[str, Any],
    action: dict[str, Any],
    trigger_id: str,
    *,
    channel: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    payload = _common(ws, user, "block_actions")
    payload.update(container=container, trigger_id=trigger_id, actions=[action], state={"values": {}})
    if channel is not None:
        ch = ws.channels.get(channel)
        payload["channel"] = {"id": channel, "name": ("directmessage" if ch.is_im else ch.name) if ch else channel}
    if message is not None:
        payload["message"] = message
    if view is not None:
        payload["view"] = view
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def button_action(block_id: str, element: dict[str, Any], value: str | None) -> dict[str, Any]:
    action: dict[str, Any] = {
        "action_id": element["action_id"],
        "block_id": block_id,
        "type": element.get("type", "button"),
        "action_ts": f"{time.time():.6f}",
    }
    if "text" in element:
        action["text"] = element["text"]
    chosen = value if value is not None else element.get("value")
    if chosen is not None:
        action["value"] = chosen
    if element.get("style"):
        action["style"] = element["style"]
    return action


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    raise KeyError(f"{element.get('action_id')!r} has no option with value {value!r}")


def _initial(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind == "static_select" and element.get("initial_option"):
        return element["initial_option"]["value"]
    if kind in MULTI_OPTION_ELEMENTS:
        return [o["value"] for o in element.get("initial_options") or []]
    if kind == "multi_users_select":
        return list(element.get("initial_users") or [])
    if kind == "users_select":
        return element.get("initial_user")
    if kind == "conversations_select":
        return element.get("initial_conversation")
    return element.get("initial_value")


def element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """One view.state.values entry, in Slack's shape for the element type."""
    kind = element.get("type")
    if kind == "static_select":
        return {"type": kind, "selected_option": _option(element, value) if value else None}
    if kind in MULTI_OPTION_ELEMENTS:
        return {"type": kind, "selected_options": [_option(element, v) for v in value or []]}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value or [])}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": list(value or [])}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    return {"type": kind, "value": value if value not in ("", None) else None}


def input_block(view: dict[str, Any], key: str) -> tuple[str, dict[str, Any]]:
    """(block_id, element) of the input block whose block_id, or else whose element's action_id, is key."""
    inputs = [b for b in view.get("blocks") or [] if b.get("type") == "input" and isinstance(b.get("element"), dict)]
    for block in inputs:
        if block["block_id"] == key:
            return block["block_id"], block["element"]
    for block in inputs:
        if block["element"].get("action_id") == key:
            return block["block_id"], block["element"]
    raise KeyError(f"no input block or action_id {key!r} in view {view.get('id')}")


def state_values(
    view: dict[str, Any], values: dict[str, Any], entered: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """values maps an input's block_id (or its action_id) to what the user entered; others keep what was entered
    before (`entered`, by block_id) or else their initial value."""
    out: dict[str, dict[str, Any]] = {}
    unused = set(values)
    entered = entered or {}
    for block in view.get("blocks") or []:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        block_id, action_id = block["block_id"], element.get("action_id", "")
        key = block_id if block_id in values else action_id if action_id in values else None
        if key is not None:
            unused.discard(key)
            value = values[key]
        else:
            value = entered[block_id] if block_id in entered else _initial(element)
        out[block_id] = {action_id: element_state(element, value)}
    if unused:
        raise KeyError(f"no input block or action_id {sorted(unused)} in view {view['id']}")
    return out


def entry_action(block_id: str, element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The block_actions `actions[0]` for a value entered in an element that dispatches it (a select picked, a
    dispatching text input's Enter): its state entry plus where it is and when."""
    action = element_state(element, value)
    action.update(action_id=element.get("action_id", ""), block_id=block_id, action_ts=f"{time.time():.6f}")
    if element.get("placeholder"):
        action["placeholder"] = element["placeholder"]
    return action


def view_payload(ws: Workspace, user: str, kind: str, view: dict[str, Any], **extra: Any) -> dict[str, Any]:
    payload = _common(ws, user, kind)
    payload["view"] = view
    payload.update(extra)
    return payload
