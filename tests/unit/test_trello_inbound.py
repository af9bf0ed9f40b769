"""Trello's webhooks read (domain/trello_inbound.py): the signature, what an action means, the no-echo rule."""

from __future__ import annotations

import base64
import hashlib
import hmac

from redalert_core.domain.trello_inbound import CardChange, Verdict, callback_url, card_change, decide, verify

DONE, TODO, ME, CAROL = "d" * 24, "f" * 24, "e" * 24, "c" * 24
CALLBACK = "https://redalert.example.com/redalert/api/v1/hooks/trello"


def action(kind: str, **data: object) -> dict:
    card = {"id": "1" * 24, "dueComplete": False, "idList": TODO, **data.pop("card", {})}  # type: ignore[dict-item]
    member = {"id": CAROL, "fullName": "Carol Jones", "username": "carol"}
    return {"action": {"id": "a1", "type": kind, "idMemberCreator": CAROL, "memberCreator": member,
                       "data": {"card": card, **data}}}  # fmt: skip


def test_the_signature_is_trellos_hmac_sha1_of_body_and_callback():
    body = b'{"action": {}}'
    expected = base64.b64encode(hmac.new(b"secret", body + CALLBACK.encode(), hashlib.sha1).digest()).decode()
    assert verify(body, CALLBACK, "secret", expected)
    assert not verify(body, CALLBACK + "x", "secret", expected)
    assert not verify(body + b" ", CALLBACK, "secret", expected)
    assert not verify(body, CALLBACK, "other", expected)
    assert not verify(body, CALLBACK, "secret", None) and not verify(body, CALLBACK, "", expected)
    assert callback_url("https://redalert.example.com/") == CALLBACK


def test_what_an_action_says():
    marked = card_change(action("updateCard", card={"dueComplete": True}, old={"dueComplete": False}), DONE)
    assert marked == CardChange("a1", "1" * 24, CAROL, "Carol Jones", done=True)
    unmarked = card_change(action("updateCard", old={"dueComplete": True}), DONE)
    assert unmarked is not None and unmarked.done is False
    moved = action("updateCard", card={"idList": DONE}, old={"idList": TODO}, listAfter={"id": DONE})
    assert card_change(moved, DONE).done is True  # type: ignore[union-attr]
    assert card_change(moved, "") is None  # no done list: a move means nothing
    back = action("updateCard", old={"idList": DONE}, listBefore={"id": DONE}, listAfter={"id": TODO})
    assert card_change(back, DONE).done is False  # type: ignore[union-attr]
    sideways = action("updateCard", card={"idList": "9" * 24}, old={"idList": TODO})
    assert card_change(sideways, DONE) is None
    added = card_change(action("addMemberToCard", idMember="b" * 24), DONE)
    assert added is not None and added.member_added == "b" * 24
    assert card_change(action("commentCard", text="hi"), DONE) is None
    assert card_change({"action": "nonsense"}, DONE) is None and card_change([], DONE) is None


def test_echoes_and_held_states_change_nothing():
    done = CardChange("a", "c", CAROL, "Carol", done=True)
    assert decide(done, is_open=True, owner=None, members={}, me=ME) == (Verdict.DONE, None)
    assert decide(done, is_open=False, owner=None, members={}, me=ME) is None
    assert decide(CardChange("a", "c", ME, "RedAlert", done=True), is_open=True, owner=None, members={}, me=ME) is None
    reopen = CardChange("a", "c", CAROL, "Carol", done=False)
    assert decide(reopen, is_open=False, owner=None, members={}, me=None) == (Verdict.REOPEN, None)
    assert decide(reopen, is_open=True, owner=None, members={}, me=None) is None
    added = CardChange("a", "c", CAROL, "Carol", member_added="b" * 24)
    members = {"U0BOB": "b" * 24}
    assert decide(added, is_open=True, owner=None, members=members, me=ME) == (Verdict.ASSIGN, "U0BOB")
    assert decide(added, is_open=True, owner="U0BOB", members=members, me=ME) is None
    assert decide(added, is_open=True, owner=None, members={}, me=ME) is None
