"""Every implemented method answers with (at least) the top-level keys of the reference `success` example."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from slack_emulator import DEFAULT_BOT_SCOPES, SlackEmulator

from .conftest import APP_TOKEN, BOT_TOKEN, REF_DIR, load_ref
from .test_views import OPEN_MODAL, plain, trigger_from_command

EXTRA_SCOPES = ("pins:read", "bookmarks:read", "users:read.email")


@pytest.fixture
def world() -> Iterator[tuple[SlackEmulator, WebClient, dict[str, Any]]]:
    emu = SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN, scopes=DEFAULT_BOT_SCOPES + EXTRA_SCOPES)
    emu.start()
    emu.add_user("U0ALICE", "alice", "Alice A")
    emu.add_user("U0BOB", "bob", "Bob B")
    emu.add_usergroup("S0ONCALL", "oncall", ["U0ALICE", "U0BOB"])
    client = WebClient(base_url=emu.api_url, token=BOT_TOKEN)
    cid = client.conversations_create(name="inc-shapes")["channel"]["id"]
    ts = client.chat_postMessage(channel=cid, text="summary")["ts"]
    ids: dict[str, Any] = {"channel": cid, "ts": ts, "public": emu.add_channel("public-x", members=["U0ALICE"])}
    ids["trigger"] = lambda: trigger_from_command(emu, cid)
    try:
        yield emu, client, ids
    finally:
        emu.stop()


def _open_view(c: WebClient, i: dict[str, Any]) -> Any:
    return c.views_open(trigger_id=i["trigger"](), view=OPEN_MODAL)


def _update_view(c: WebClient, i: dict[str, Any]) -> Any:
    opened = _open_view(c, i)["view"]
    return c.views_update(view_id=opened["id"], hash=opened["hash"], view={**OPEN_MODAL, "title": plain("Step 2")})


Call = Callable[[WebClient, dict[str, Any]], Any]

CALLS: dict[str, Call] = {
    "auth.test": lambda c, i: c.auth_test(),
    "apps.connections.open": lambda c, i: c.apps_connections_open(app_token=APP_TOKEN),
    "bookmarks.add": lambda c, i: c.bookmarks_add(
        channel_id=i["channel"], title="Runbook", type="link", link="https://example.com/runbook"
    ),
    "bookmarks.list": lambda c, i: (
        c.bookmarks_add(channel_id=i["channel"], title="R", type="link", link="http://x.example"),
        c.bookmarks_list(channel_id=i["channel"]),
    )[1],
    "chat.delete": lambda c, i: c.chat_delete(channel=i["channel"], ts=i["ts"]),
    "chat.postEphemeral": lambda c, i: (
        c.conversations_invite(channel=i["channel"], users="U0ALICE"),
        c.chat_postEphemeral(channel=i["channel"], user="U0ALICE", text="psst"),
    )[1],
    "chat.postMessage": lambda c, i: c.chat_postMessage(channel=i["channel"], text="hello"),
    "chat.update": lambda c, i: c.chat_update(channel=i["channel"], ts=i["ts"], text="updated"),
    "conversations.archive": lambda c, i: c.conversations_archive(channel=i["channel"]),
    "conversations.create": lambda c, i: c.conversations_create(name="another-one", is_private=True),
    "conversations.history": lambda c, i: c.conversations_history(channel=i["channel"]),
    "conversations.info": lambda c, i: c.conversations_info(channel=i["channel"], include_num_members=True),
    "conversations.invite": lambda c, i: c.conversations_invite(channel=i["channel"], users=["U0ALICE", "U0BOB"]),
    "conversations.join": lambda c, i: c.conversations_join(channel=i["public"]),
    "conversations.kick": lambda c, i: (
        c.conversations_invite(channel=i["channel"], users="U0BOB"),
        c.conversations_kick(channel=i["channel"], user="U0BOB"),
    )[1],
    "conversations.list": lambda c, i: c.conversations_list(types="public_channel,private_channel"),
    "conversations.members": lambda c, i: c.conversations_members(channel=i["channel"]),
    "conversations.open": lambda c, i: c.conversations_open(users="U0ALICE"),
    "conversations.rename": lambda c, i: c.conversations_rename(channel=i["channel"], name="inc-renamed"),
    "conversations.replies": lambda c, i: (
        c.chat_postMessage(channel=i["channel"], text="in thread", thread_ts=i["ts"]),
        c.conversations_replies(channel=i["channel"], ts=i["ts"]),
    )[1],
    "conversations.setPurpose": lambda c, i: c.conversations_setPurpose(channel=i["channel"], purpose="db down"),
    "conversations.setTopic": lambda c, i: c.conversations_setTopic(channel=i["channel"], topic="SEV1 | open"),
    "conversations.unarchive": lambda c, i: (
        c.conversations_archive(channel=i["channel"]),
        c.conversations_unarchive(channel=i["channel"]),
    )[1],
    "files.completeUploadExternal": lambda c, i: c.files_upload_v2(
        channel=i["channel"], content=b"log lines", filename="log.txt", title="Log"
    ),
    "files.getUploadURLExternal": lambda c, i: c.files_getUploadURLExternal(filename="a.txt", length=3),
    "pins.add": lambda c, i: c.pins_add(channel=i["channel"], timestamp=i["ts"]),
    "pins.list": lambda c, i: (
        c.pins_add(channel=i["channel"], timestamp=i["ts"]),
        c.pins_list(channel=i["channel"]),
    )[1],
    "pins.remove": lambda c, i: (
        c.pins_add(channel=i["channel"], timestamp=i["ts"]),
        c.pins_remove(channel=i["channel"], timestamp=i["ts"]),
    )[1],
    "reactions.add": lambda c, i: c.reactions_add(channel=i["channel"], timestamp=i["ts"], name="eyes"),
    "reactions.get": lambda c, i: (
        c.reactions_add(channel=i["channel"], timestamp=i["ts"], name="eyes"),
        c.reactions_get(channel=i["channel"], timestamp=i["ts"]),
    )[1],
    "team.info": lambda c, i: c.team_info(),
    "usergroups.list": lambda c, i: c.usergroups_list(include_users=True),
    "usergroups.users.list": lambda c, i: c.usergroups_users_list(usergroup="S0ONCALL"),
    "users.conversations": lambda c, i: c.users_conversations(),
    "users.info": lambda c, i: c.users_info(user="U0ALICE"),
    "users.list": lambda c, i: c.users_list(),
    "users.lookupByEmail": lambda c, i: c.users_lookupByEmail(email="alice@example.com"),
    "views.open": lambda c, i: _open_view(c, i),
    "views.update": lambda c, i: _update_view(c, i),
    "views.push": lambda c, i: (
        _open_view(c, i),
        c.views_push(trigger_id=i["trigger"](), view={**OPEN_MODAL, "callback_id": "pushed"}),
    )[1],
}


def test_every_reference_method_is_exercised() -> None:
    methods = {p.name[4:-5] for p in REF_DIR.glob("ref_*.json")}
    assert methods == set(CALLS)


@pytest.mark.parametrize("method", sorted(CALLS))
def test_success_shape_matches_reference(method: str, world: Any) -> None:
    emu, client, ids = world
    ref = load_ref(method)
    resp = CALLS[method](client, ids)
    assert resp["ok"] is True
    example = ref["examples"]["success"]["example"]
    # `warning`/`response_metadata` only appear in some examples (e.g. join's "already_in_channel").
    missing = set(example) - set(resp.data) - {"ok", "warning", "response_metadata"}
    assert not missing, f"{method} lacks {missing}: {resp.data}"
    # The emulator's own recording saw the call succeed with the same body.
    last = [c for c in emu.calls_to(method) if c.response.get("ok")][-1]
    assert last.http_status == 200
    assert set(last.response) <= set(resp.data)  # files_upload_v2 adds "file" client-side


def test_backend_required_fields(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0ALICE", "alice", "Alice A")
    auth = client.auth_test()
    assert {"url", "team", "user", "team_id", "user_id", "bot_id"} <= set(auth.data)
    assert auth["user_id"] == "U0BOT" and auth["bot_id"] == "B0BOT"
    user = client.users_info(user="U0ALICE")["user"]
    assert user["id"] == "U0ALICE" and user["team_id"] == "T0TEAM" and user["name"] == "alice"
    assert {"real_name", "display_name", "email"} <= set(user["profile"])
    assert client.bots_info(bot="B0BOT")["bot"]["name"] == "redalert"
    assert {"id", "name", "domain"} <= set(client.team_info()["team"])
    dm = client.conversations_open(users="U0ALICE")["channel"]["id"]
    assert dm.startswith("D") and client.conversations_open(users="U0ALICE")["channel"]["id"] == dm
    assert emulator.open_dm("U0ALICE") == dm
    info = client.conversations_info(channel=dm)["channel"]
    assert info["id"] == dm and info["is_im"] is True and info["user"] == "U0ALICE"
    for key in ("name", "topic", "purpose", "is_private", "is_mpim", "is_member"):
        assert key in info
    assert client.users_setPresence(presence="auto")["ok"]
