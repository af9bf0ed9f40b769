"""Trello's webhooks coming back (pure): is a request Trello's, and what a card's action means for its task.

Trello signs each webhook request with `X-Trello-Webhook`: base64 of HMAC-SHA1, keyed with the application's secret
(TRELLO_APP_SECRET), over the raw body followed by the callback URL the webhook was registered with. A card moved to
the done list or marked complete is done; moved out of the done list or unmarked, reopened; a member added, the
task's owner when TRELLO_MEMBERS maps that member back to a Slack user. What RedAlert did itself (its own Trello
member) or a state the task already has changes nothing: that is how an echo of RedAlert's own update stops.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

HOOK_PATH = "/redalert/api/v1/hooks/trello"
WEBHOOK_LINK = "trello:webhook"  # store.remote: the registered webhook's id, board, callback and RedAlert's member


def callback_url(web_url: str) -> str:
    return web_url.rstrip("/") + HOOK_PATH


def card_key(card_id: str) -> str:
    """store.remote: which task a card belongs to."""
    return f"trello:card:{card_id}"


def signature(body: bytes, callback: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), body + callback.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(body: bytes, callback: str, secret: str, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(body, callback, secret), header.strip())


@dataclass(frozen=True)
class CardChange:
    """One Trello action about a card: who did it and what it says about done and members."""

    action_id: str
    card_id: str
    by_member: str
    by_name: str
    done: bool | None = None  # True: now done; False: no longer done; None: not about that
    member_added: str | None = None


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def card_change(payload: object, done_list_id: str) -> CardChange | None:
    """The card change a webhook body describes, or None when it is about something else."""
    action = _dict(_dict(payload).get("action"))
    data, kind = _dict(action.get("data")), action.get("type")
    card = _dict(data.get("card"))
    action_id, card_id = action.get("id"), card.get("id")
    if not isinstance(action_id, str) or not isinstance(card_id, str):
        return None
    creator = _dict(action.get("memberCreator"))
    by_member = str(action.get("idMemberCreator") or creator.get("id") or "")
    by_name = str(creator.get("fullName") or creator.get("username") or "someone")
    done: bool | None = None
    added: str | None = None
    if kind == "updateCard":
        old = _dict(data.get("old"))
        if "dueComplete" in old:
            done = bool(card.get("dueComplete"))
        elif "idList" in old and done_list_id:
            after = _dict(data.get("listAfter")).get("id") or card.get("idList")
            before = _dict(data.get("listBefore")).get("id") or old.get("idList")
            done = True if after == done_list_id else False if before == done_list_id else None
    elif kind == "addMemberToCard":
        member = data.get("idMember") or _dict(data.get("member")).get("id")
        added = member if isinstance(member, str) else None
    if done is None and added is None:
        return None
    return CardChange(action_id, card_id, by_member, by_name, done, added)


class Verdict(StrEnum):
    DONE = "done"
    REOPEN = "reopen"
    ASSIGN = "assign"


def decide(
    change: CardChange, *, is_open: bool, owner: str | None, members: dict[str, str], me: str | None
) -> tuple[Verdict, str | None] | None:
    """What the task should do (and its new owner), or None for an echo or a state it already has.

    `members`: Slack user id -> Trello member id (TRELLO_MEMBERS), read backwards; `me`: RedAlert's own member."""
    if me and change.by_member == me:
        return None
    if change.done is True and is_open:
        return Verdict.DONE, None
    if change.done is False and not is_open:
        return Verdict.REOPEN, None
    if change.member_added:
        back = {member: user for user, member in members.items()}
        user = back.get(change.member_added)
        if user and user != owner:
            return Verdict.ASSIGN, user
    return None
