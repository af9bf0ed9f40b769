"""What an app's ack payload does in Slack (slack-interactivity.md §2), applied to the emulator's state.

A slash command's ack text is the immediate reply (ephemeral by default, or in_channel); a view_submission's
response_action shows errors, updates or pushes a view, clears the stack, or (when absent) closes the view.
"""

from __future__ import annotations

from typing import Any

from .modal_rules import ModalInvalid, validate_modal
from .views import ViewStore
from .workspace import Workspace


def apply_ack(ws: Workspace, views: ViewStore, envelope: dict[str, Any], payload: dict[str, Any]) -> None:
    """Called under the emulator lock, once per envelope that accepts a response payload."""
    body = envelope["payload"]
    if envelope["type"] == "slash_commands":
        _show_slash_reply(ws, body, payload)
    elif body.get("type") == "view_submission":
        _apply_response_action(views, body["view"]["id"], body["user"]["id"], payload)


def _show_slash_reply(ws: Workspace, body: dict[str, Any], payload: dict[str, Any]) -> None:
    if not payload.get("text") and not payload.get("blocks"):
        return  # an empty ack shows nothing
    channel, text = body["channel_id"], str(payload.get("text", ""))
    if payload.get("response_type") == "in_channel":
        ws.store_message(channel, ws.bot_user_id, text, payload.get("blocks"), None, ws.bot_id)
    else:
        ws.ephemeral.append(
            {
                "channel": channel,
                "user": body["user_id"],
                "text": text,
                "blocks": payload.get("blocks"),
                "ts": ws.new_ts(),
            }
        )


def _apply_response_action(views: ViewStore, view_id: str, user: str, payload: dict[str, Any]) -> None:
    action = payload.get("response_action")
    if action == "errors":
        errors = dict(payload.get("errors") or {})
        shown = {b.get("block_id") for b in views.views[view_id].get("blocks") or [] if b.get("type") == "input"}
        unknown = sorted(set(errors) - shown)
        # Slack refuses errors naming no input block of the view: the person sees none of them.
        views.errors_shown[view_id] = {"response_action": f"no input block {unknown}"} if unknown else errors
    elif action in ("update", "push"):
        try:
            spec = validate_modal(payload.get("view"))
        except ModalInvalid as bad:
            views.errors_shown[view_id] = {"response_action": f"{bad.error}: {bad.messages}"}
            return
        if action == "update":
            views.update(view_id, spec)
        else:
            views.push(user, spec, view_id)
    else:
        views.close(view_id, clear=action == "clear")
