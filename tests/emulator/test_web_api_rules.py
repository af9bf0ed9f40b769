"""Validation rules and error codes of the Web API methods, through the real slack_sdk WebClient."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_emulator import SlackEmulator

from .conftest import APP_TOKEN, BOT_TOKEN, assert_error_vocabulary


def error_of(fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as info:
        fn(*args, **kwargs)
    return info.value.response.data


def raw_post(emu: SlackEmulator, method: str, body: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
    req = urllib.request.Request(emu.api_url + method, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("a" * 81, "invalid_name_maxlength"),
        ("---", "invalid_name_punctuation"),
        ("!!", "invalid_name_punctuation"),
        ("Incident-1", "invalid_name_specials"),
        ("inc 1", "invalid_name_specials"),
        ("inc.1", "invalid_name_specials"),
        ("café", "invalid_name_specials"),
        ("inc#1", "invalid_name"),
    ],
)
def test_channel_name_rules(client: WebClient, name: str, error: str) -> None:
    assert error_of(client.conversations_create, name=name)["error"] == error


def test_channel_names_taken_even_when_archived(client: WebClient, emulator: SlackEmulator) -> None:
    ok = client.conversations_create(name="a" * 80)["channel"]
    assert ok["is_member"] is True and ok["creator"] == "U0BOT"
    assert emulator.channel(ok["id"]).members == {"U0BOT"}
    cid = client.conversations_create(name="inc-7_x")["channel"]["id"]
    client.conversations_archive(channel=cid)
    assert error_of(client.conversations_create, name="inc-7_x")["error"] == "name_taken"
    other = client.conversations_create(name="inc-8", is_private=True)["channel"]
    assert other["is_private"] is True and other["id"] != cid and other["id"].startswith("C")
    assert error_of(client.conversations_rename, channel=other["id"], name="inc-7_x")["error"] == "name_taken"
    assert error_of(client.conversations_rename, channel=other["id"], name="Bad")["error"] == "invalid_name_specials"
    renamed = client.conversations_rename(channel=other["id"], name="inc-9")["channel"]
    assert renamed["name"] == "inc-9" and emulator.channel_by_name("inc-9") is not None


def test_invite_without_force_is_all_or_nothing(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0ALICE", "alice")
    emulator.add_user("U0GONE", "gone", deleted=True)
    cid = client.conversations_create(name="inc-invite")["channel"]["id"]
    body = error_of(client.conversations_invite, channel=cid, users=["U0ALICE", "U0BAD", "U0BOT", "U0GONE"])
    assert body["error"] == "user_not_found"
    assert body["errors"] == [
        {"user": "U0BAD", "ok": False, "error": "user_not_found"},
        {"user": "U0BOT", "ok": False, "error": "cant_invite_self"},
        {"user": "U0GONE", "ok": False, "error": "user_not_found"},
    ]
    assert "U0ALICE" not in emulator.channel(cid).members
    assert emulator.calls_to("conversations.invite")[-1].args["users"] == "U0ALICE,U0BAD,U0BOT,U0GONE"


def test_invite_with_force_invites_the_valid_ones(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0ALICE", "alice")
    emulator.add_user("U0BOB", "bob")
    cid = client.conversations_create(name="inc-force")["channel"]["id"]
    body = error_of(client.conversations_invite, channel=cid, users="U0ALICE,U0BAD", force=True)
    assert body["error"] == "user_not_found" and len(body["errors"]) == 1
    assert "U0ALICE" in emulator.channel(cid).members
    assert emulator.calls_to("conversations.invite")[-1].args["force"] == "1"
    assert client.conversations_invite(channel=cid, users="U0BOB", force=True)["ok"] is True
    again = error_of(client.conversations_invite, channel=cid, users="U0ALICE")
    assert again["error"] == "already_in_channel"
    assert again["errors"] == [{"user": "U0ALICE", "ok": False, "error": "already_in_channel"}]


def test_invite_channel_level_errors(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0ALICE", "alice")
    foreign = emulator.add_channel("not-mine", members=["U0ALICE"])
    assert error_of(client.conversations_invite, channel=foreign, users="U0ALICE")["error"] == "not_in_channel"
    assert error_of(client.conversations_invite, channel="C0NOPE", users="U0ALICE")["error"] == "channel_not_found"
    many = [f"U{i:04d}" for i in range(101)]
    cid = client.conversations_create(name="inc-many")["channel"]["id"]
    assert error_of(client.conversations_invite, channel=cid, users=many)["error"] == "too_many_users"
    assert error_of(client.conversations_invite, channel=cid, users="")["error"] == "no_user"
    client.conversations_archive(channel=cid)
    assert error_of(client.conversations_invite, channel=cid, users="U0ALICE")["error"] == "is_archived"


def test_topic_purpose_archive(client: WebClient, emulator: SlackEmulator) -> None:
    cid = client.conversations_create(name="inc-topic")["channel"]["id"]
    client.conversations_setTopic(channel=cid, topic="t" * 250)
    assert error_of(client.conversations_setTopic, channel=cid, topic="t" * 251)["error"] == "too_long"
    client.conversations_setPurpose(channel=cid, purpose="db down")
    info = client.conversations_info(channel=cid)["channel"]
    assert info["topic"]["value"] == "t" * 250 and info["topic"]["creator"] == "U0BOT"
    assert info["purpose"]["value"] == "db down" and emulator.channel(cid).purpose == "db down"
    foreign = emulator.add_channel("public-other")
    assert error_of(client.conversations_setTopic, channel=foreign, topic="x")["error"] == "not_in_channel"
    assert error_of(client.conversations_archive, channel=foreign)["error"] == "not_in_channel"
    assert error_of(client.conversations_setPurpose, channel="C0NOPE", purpose="x")["error"] == "channel_not_found"
    general = emulator.add_channel("general", members=["U0BOT"], is_general=True)
    assert error_of(client.conversations_archive, channel=general)["error"] == "cant_archive_general"
    assert error_of(client.conversations_unarchive, channel=cid)["error"] == "not_archived"
    client.conversations_archive(channel=cid)
    assert emulator.channel(cid).is_archived
    assert error_of(client.conversations_archive, channel=cid)["error"] == "already_archived"
    assert error_of(client.conversations_setTopic, channel=cid, topic="x")["error"] == "is_archived"
    assert error_of(client.chat_postMessage, channel=cid, text="x")["error"] == "is_archived"
    client.conversations_unarchive(channel=cid)
    assert client.chat_postMessage(channel=cid, text="back")["ok"]


def test_join_kick_and_private_visibility(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0ALICE", "alice")
    pub = emulator.add_channel("public-1", members=["U0ALICE"])
    secret = emulator.add_channel("secret", members=["U0ALICE"], is_private=True)
    assert error_of(client.conversations_info, channel=secret)["error"] == "channel_not_found"
    listed = {c["id"] for c in client.conversations_list(types="public_channel,private_channel")["channels"]}
    assert pub in listed and secret not in listed
    assert error_of(client.conversations_join, channel=secret)["error"] == "channel_not_found"
    assert client.conversations_join(channel=pub)["channel"]["is_member"] is True
    assert client.conversations_kick(channel=pub, user="U0ALICE")["ok"]
    assert error_of(client.conversations_kick, channel=pub, user="U0BOT")["error"] == "cant_kick_self"
    assert error_of(client.conversations_kick, channel=pub, user="U0ALICE")["error"] == "not_in_channel"
    archived = emulator.add_channel("old", is_archived=True)
    assert error_of(client.conversations_join, channel=archived)["error"] == "is_archived"


def test_list_paging_and_limits(client: WebClient, emulator: SlackEmulator) -> None:
    for i in range(5):
        emulator.add_channel(f"c-{i}", is_archived=(i == 4))
    seen: list[str] = []
    cursor = None
    while True:
        page = client.conversations_list(limit=2, cursor=cursor, exclude_archived=True)
        seen += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if cursor == "":
            break
    assert seen == ["c-0", "c-1", "c-2", "c-3"]
    assert error_of(client.conversations_list, limit=1000)["error"] == "invalid_limit"
    assert error_of(client.conversations_list, cursor="garbage!")["error"] == "invalid_cursor"
    assert error_of(client.conversations_list, types="bogus")["error"] == "invalid_types"
    cid = emulator.add_channel("big", members=[f"U{i:03d}" for i in range(7)])
    members: list[str] = []
    cursor = None
    while cursor != "":
        page = client.conversations_members(channel=cid, limit=3, cursor=cursor)
        members += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
    assert len(members) == 7
    for i in range(3):
        emulator.add_user(f"U9{i}", f"user{i}")
    users = client.users_list(limit=2)
    assert len(users["members"]) == 2 and users["response_metadata"]["next_cursor"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_chat_rules(client: WebClient, emulator: SlackEmulator) -> None:
    cid = client.conversations_create(name="inc-chat")["channel"]["id"]
    assert error_of(client.chat_postMessage, channel=cid)["error"] == "no_text"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51
    assert error_of(client.chat_postMessage, channel=cid, blocks=blocks)["error"] == "invalid_blocks"
    long = client.chat_postMessage(channel=cid, text="x" * 40_010)
    assert len(long["message"]["text"]) == 40_000
    assert error_of(client.chat_postMessage, channel="C0NOPE", text="x")["error"] == "channel_not_found"
    foreign = emulator.add_channel("foreign")
    assert error_of(client.chat_postMessage, channel=foreign, text="x")["error"] == "not_in_channel"
    first = client.chat_postMessage(channel=cid, text="one", as_user=True, link_names=True)
    second = client.chat_postMessage(channel=cid, text="two", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    call = emulator.calls_to("chat.postMessage")[-2]
    assert call.content_type.startswith("application/json") and call.args["as_user"] is True
    msgs = emulator.messages(cid)
    assert msgs[-1]["thread_ts"] == first["ts"] and msgs[-1]["blocks"] is None
    upd = client.chat_update(channel=cid, ts=first["ts"], text="one!")
    assert upd["text"] == "one!" and emulator.messages(cid)[-2]["edited"] is True
    assert error_of(client.chat_update, channel=cid, ts="1.000001", text="x")["error"] == "message_not_found"
    emulator.add_user("U0ALICE", "alice")
    user_ts = emulator.post_user_message("U0ALICE", cid, "human")
    assert error_of(client.chat_update, channel=cid, ts=user_ts, text="x")["error"] == "cant_update_message"
    assert error_of(client.chat_delete, channel=cid, ts=user_ts)["error"] == "cant_delete_message"
    assert client.chat_delete(channel=cid, ts=second["ts"])["ts"] == second["ts"]
    eph = error_of(client.chat_postEphemeral, channel=cid, user="U0ALICE", text="x")
    assert eph["error"] == "user_not_in_channel"
    dm_post = client.chat_postMessage(channel="U0ALICE", text="dm")
    assert dm_post["channel"].startswith("D")


def test_pins_reactions_bookmarks(client: WebClient, emulator: SlackEmulator) -> None:
    cid = client.conversations_create(name="inc-pins")["channel"]["id"]
    ts = client.chat_postMessage(channel=cid, text="summary")["ts"]
    client.pins_add(channel=cid, timestamp=ts)
    assert emulator.pins(cid) == [ts]
    assert error_of(client.pins_add, channel=cid, timestamp=ts)["error"] == "already_pinned"
    assert error_of(client.pins_add, channel=cid, timestamp="1.000002")["error"] == "message_not_found"
    assert error_of(client.pins_add, channel=cid)["error"] == "no_item_specified"
    assert error_of(client.pins_list, channel=cid)["error"] == "missing_scope"  # pins:read not granted
    client.pins_remove(channel=cid, timestamp=ts)
    assert error_of(client.pins_remove, channel=cid, timestamp=ts)["error"] == "not_pinned"
    client.reactions_add(channel=cid, timestamp=ts, name="eyes")
    assert error_of(client.reactions_add, channel=cid, timestamp=ts, name="eyes")["error"] == "already_reacted"
    got = client.reactions_get(channel=cid, timestamp=ts)["message"]["reactions"]
    assert got == [{"name": "eyes", "users": ["U0BOT"], "count": 1}]
    client.reactions_remove(channel=cid, timestamp=ts, name="eyes")
    assert error_of(client.reactions_remove, channel=cid, timestamp=ts, name="eyes")["error"] == "no_reaction"
    bm = client.bookmarks_add(channel_id=cid, title="Runbook", type="link", link="https://example.com/rb")
    assert bm["bookmark"]["link"] == "https://example.com/rb"
    assert emulator.bookmarks(cid)[0]["title"] == "Runbook"
    bad = error_of(client.bookmarks_add, channel_id=cid, title="x", type="link", link="ftp://example.com")
    assert bad["error"] == "invalid_link"
    assert error_of(client.bookmarks_add, channel_id=cid, title="x", type="file")["error"] == "invalid_bookmark_type"


def test_users_and_usergroups(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0ALICE", "alice", "Alice A")
    emulator.add_user("W0CAROL", "carol")
    emulator.add_usergroup("S0ONCALL", "oncall", ["U0ALICE", "W0CAROL"], name="On call")
    emulator.add_usergroup("S0OLD", "old", ["U0ALICE"], disabled=True)
    groups = client.usergroups_list()["usergroups"]
    assert [(g["id"], g["handle"], g["date_delete"], g["user_count"]) for g in groups] == [("S0ONCALL", "oncall", 0, 2)]
    assert "users" not in groups[0]
    full = client.usergroups_list(include_users=True, include_disabled=True)["usergroups"]
    assert full[0]["users"] == ["U0ALICE", "W0CAROL"] and full[1]["date_delete"] > 0
    assert client.usergroups_users_list(usergroup="S0ONCALL")["users"] == ["U0ALICE", "W0CAROL"]
    assert error_of(client.usergroups_users_list, usergroup="S0NOPE")["error"] == "no_such_subteam"
    assert error_of(client.users_info, user="U0NOPE")["error"] == "user_not_found"
    assert error_of(client.users_lookupByEmail, email="alice@example.com")["error"] == "missing_scope"
    emu2 = SlackEmulator(scopes=("users:read.email",)).start()
    try:
        emu2.add_user("U0ALICE", "alice")
        c2 = WebClient(base_url=emu2.api_url, token=BOT_TOKEN)
        assert c2.users_lookupByEmail(email="alice@example.com")["user"]["id"] == "U0ALICE"
        assert error_of(c2.users_lookupByEmail, email="nobody@example.com")["error"] == "users_not_found"
        assert_error_vocabulary(emu2.calls)
    finally:
        emu2.stop()


def test_files_upload_v2(client: WebClient, emulator: SlackEmulator) -> None:
    cid = client.conversations_create(name="inc-files")["channel"]["id"]
    resp = client.files_upload_v2(
        channel=cid, content=b"timeline\n", filename="timeline.md", title="Timeline", initial_comment="here"
    )
    assert resp["file"]["title"] == "Timeline"
    files = emulator.files(cid)
    assert files == [
        {"id": resp["file"]["id"], "title": "Timeline", "filename": "timeline.md", "content": b"timeline\n"}
    ]
    assert [c.method for c in emulator.calls][-3:] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    assert emulator.messages(cid)[-1]["text"] == "here"
    bogus = '[{"id": "F0NOPE", "title": "x"}]'
    assert error_of(client.api_call, "files.completeUploadExternal", params={"files": bogus})["error"] == (
        "file_not_found"
    )


def test_auth_tokens_scopes_and_wire_formats(emulator: SlackEmulator) -> None:
    anon = WebClient(base_url=emulator.api_url)
    assert error_of(anon.auth_test)["error"] == "not_authed"
    assert error_of(WebClient(base_url=emulator.api_url, token="xoxb-wrong").auth_test)["error"] == "invalid_auth"
    bot = WebClient(base_url=emulator.api_url, token=BOT_TOKEN)
    assert error_of(bot.apps_connections_open, app_token=BOT_TOKEN)["error"] == "not_allowed_token_type"
    app = WebClient(base_url=emulator.api_url, token=APP_TOKEN)
    assert error_of(app.auth_test)["error"] == "not_allowed_token_type"
    # apps.connections.open wants the app token in the header; a form token does not count.
    body = raw_post(emulator, "apps.connections.open", f"token={APP_TOKEN}".encode(), {})
    assert body == {"ok": False, "error": "not_authed"}
    # Form token, query-string token and GET all work for bot methods.
    assert raw_post(emulator, "auth.test", f"token={BOT_TOKEN}".encode(), {})["ok"]
    with urllib.request.urlopen(f"{emulator.api_url}users.info?token={BOT_TOKEN}&user=U0BOT", timeout=5) as r:
        assert json.loads(r.read())["user"]["is_bot"] is True
    empty_json = raw_post(
        emulator,
        "auth.test",
        None,
        {"Authorization": f"Bearer {BOT_TOKEN}", "Content-Type": "application/json"},
    )
    assert empty_json["ok"]
    bad_json = raw_post(
        emulator,
        "auth.test",
        b"{nope",
        {"Authorization": f"Bearer {BOT_TOKEN}", "Content-Type": "application/json"},
    )
    assert bad_json["error"] == "invalid_json"
    assert error_of(bot.api_call, "nonexistent.method")["error"] == "unknown_method"
    resp = bot.auth_test()
    assert "x-oauth-scopes" in resp.headers and "X-OAuth-Scopes" not in resp.headers
    assert "chat:write" in resp.headers["x-oauth-scopes"].split(",")
    call = emulator.calls_to("auth.test")[-1]
    assert call.token == BOT_TOKEN and call.args == {}


def test_missing_scope_reports_needed_and_provided() -> None:
    emu = SlackEmulator(scopes=("chat:write",)).start()
    try:
        client = WebClient(base_url=emu.api_url, token=BOT_TOKEN)
        body = error_of(client.conversations_create, name="x")
        assert body["error"] == "missing_scope"
        assert "channels:manage" in body["needed"].split(",") and body["provided"] == "chat:write"
        assert client.auth_test().headers["x-oauth-scopes"] == "chat:write"
        assert_error_vocabulary(emu.calls)
    finally:
        emu.stop()


def test_error_vocabulary_over_recorded_calls(client: WebClient, emulator: SlackEmulator) -> None:
    """Provoke a broad set of errors, then check each recorded code against the reference lists."""
    cid = client.conversations_create(name="inc-vocab")["channel"]["id"]
    attempts = [
        lambda: client.conversations_create(name="inc-vocab"),
        lambda: client.conversations_info(channel="C0NOPE"),
        lambda: client.conversations_members(channel="C0NOPE"),
        lambda: client.conversations_history(channel=emulator.add_channel("h-foreign")),
        lambda: client.conversations_replies(channel=cid, ts="1.000009"),
        lambda: client.conversations_open(users="U0NOPE"),
        lambda: client.chat_postEphemeral(channel=cid, user="U0NOPE", text="x"),
        lambda: client.reactions_get(channel=cid, timestamp="1.000009"),
        lambda: client.bots_info(bot="B0NOPE"),
        lambda: client.users_setPresence(presence="busy"),
        lambda: client.usergroups_users_list(usergroup="S0NOPE"),
        lambda: client.bookmarks_add(channel_id="C0NOPE", title="t", type="link", link="https://x"),
        lambda: client.files_getUploadURLExternal(filename="x", length=None),
        lambda: client.team_info(team="T0OTHER"),
    ]
    for attempt in attempts:
        with pytest.raises(SlackApiError):
            attempt()
    errors = [c for c in emulator.calls if c.response.get("error")]
    assert len(errors) == len(attempts)
    assert_error_vocabulary(emulator.calls)
