"""Block Kit pieces RedAlert posts: the summary's buttons and ephemeral answers (within Slack's limits).

The action ids are the contract with services/interactions.py, which handles the clicks; a button's value is the
incident number, so a click on an old summary still names its incident.
"""

from __future__ import annotations

from ..domain.text import clip

JOIN = "incident_join"
UPDATE = "incident_update"
RESOLVE = "incident_resolve"
CLOSE = "incident_close"
SUMMARY_ACTIONS = (JOIN, UPDATE, RESOLVE, CLOSE)

BUTTON_TEXT_LIMIT = 24  # shorter than Slack's 75: a button must read at a glance on a phone


def button(action_id: str, text: str, value: str, *, style: str | None = None, confirm: dict | None = None) -> dict:
    element: dict = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": clip(text, BUTTON_TEXT_LIMIT), "emoji": True},
        "value": value,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def close_confirmation(number: int) -> dict:
    """The dialog Slack shows before a Close click is sent: closing archives the channel."""
    return {
        "title": {"type": "plain_text", "text": f"Close incident {number}?"},
        "text": {
            "type": "mrkdwn",
            "text": "This posts the closing message and *archives this channel*. "
            "Type `!incident close <resolution>` instead to record how it was resolved.",
        },
        "confirm": {"type": "plain_text", "text": "Close incident"},
        "deny": {"type": "plain_text", "text": "Keep it open"},
        "style": "danger",
    }


def summary_actions(number: int, *, resolved: bool) -> dict:
    """The summary's buttons: Join, Update, Resolve (until resolved), Close (after a confirmation)."""
    value = str(number)
    elements = [
        button(JOIN, "Join", value),
        button(UPDATE, "Update", value, style="primary"),
    ]
    if not resolved:
        elements.append(button(RESOLVE, "Resolve", value))
    elements.append(button(CLOSE, "Close", value, style="danger", confirm=close_confirmation(number)))
    return {"type": "actions", "block_id": f"incident-{number}-actions", "elements": elements}


def ephemeral(text: str) -> dict:
    """An answer only the person sees: a slash command's ack or a response_url post."""
    return {"response_type": "ephemeral", "text": text}
