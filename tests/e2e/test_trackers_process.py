"""Trackers both ways in the real `errbot -c config.py` process: a task added in an incident channel becomes a Jira
issue (a Trello card); a person moves it to done in Jira (Trello), the tracker's signed webhook reaches the bot's HTTP
API, and the task is done in RedAlert with exactly one message in the channel."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from bot_process import BotProcess
from chat import channel_id, say
from ports import free_port
from slack_workspace import ADMIN, ALICE

from outside_emulators import JiraEmulator, TrelloEmulator

pytestmark = pytest.mark.e2e

JIRA_EMAIL, JIRA_TOKEN, JIRA_SECRET = "redalert@example.com", "jira-e2e-token-8Hq2", "jira-e2e-hook-secret-Vb7"
TRELLO_KEY, TRELLO_TOKEN = "fedcba9876543210fedcba9876543210", "ATTA" + "e2e7" * 15


@pytest.fixture
def jira() -> Iterator[JiraEmulator]:
    with JiraEmulator(email=JIRA_EMAIL, api_token=JIRA_TOKEN, projects=("OPS",)) as emulator:
        emulator.alice = emulator.add_user("Alice Jira", "alice-in-jira@example.com")
        yield emulator


def start_bot(slack, tmp_path, port: int | None = None, **env: str) -> tuple[BotProcess, str]:
    """The bot with its HTTP API on `port` (else a free one); returns it and the API's base URL."""
    port = port or free_port()
    env = {"REDALERT_WEB_PORT": str(port), "REDALERT_WEB_HOST": "127.0.0.1", "ALLOW_PRIVATE_URLS": "1", **env}
    bot = BotProcess(slack.api_url, tmp_path / "data", **env).start()
    bot.wait_for_log("HTTP API on port")
    return bot, f"http://127.0.0.1:{port}/redalert/api/v1"


def configure(slack, config: str) -> None:
    assert say(slack, ADMIN, slack.open_dm(ADMIN), f"!plugin config RedAlert {config}") == "Plugin configuration done."


def open_incident(slack) -> str:
    reply = say(slack, ALICE, channel_id(slack, "ops"), "!incident open sev3 Checkout is slow")
    found = re.search(r"is open in <#(C\w+)", reply)
    assert found, reply
    return found.group(1)


def texts(slack, channel: str, needle: str) -> list[str]:
    return [m["text"] for m in slack.messages(channel) if needle in m["text"]]


def test_done_in_jira_reaches_the_bot_and_is_done_with_one_message(emulator, jira, tmp_path):
    slack = emulator
    env = {"JIRA_URL": jira.url, "JIRA_EMAIL": JIRA_EMAIL, "JIRA_API_TOKEN": JIRA_TOKEN,
           "JIRA_WEBHOOK_SECRET": JIRA_SECRET}  # fmt: skip
    bot, api = start_bot(slack, tmp_path, **env)
    try:
        jira.register_webhook(f"{api}/hooks/jira", JIRA_SECRET)
        configure(slack, "{'JIRA_PROJECT_KEY': 'OPS'}")
        channel = open_incident(slack)
        ts = slack.post_user_message(ALICE, channel, "!task add Add a retry budget")
        reply = slack.wait_for_message(channel, lambda m: "added" in m["text"], timeout=15, after_ts=ts)["text"]
        task = re.search(r"Task (T\d+) added", reply)  # the issue's link may come first: the outbox is quick
        assert task, reply
        issue = jira.wait_for_issue(lambda i: "Add a retry budget" in str(i.fields.get("summary")), timeout=30)
        # RedAlert links the task to its issue once the create is answered (it says so); a person acts after that.
        slack.wait_for(lambda: texts(slack, channel, f"Jira issue for task {task.group(1)}"), timeout=20)
        jira.transition_as(issue.key, "done", jira.alice)
        jira.wait_for(lambda: [h for h in jira.webhooks.sent if h.status == 200], timeout=20)
        slack.wait_for(lambda: texts(slack, channel, "done in Jira by"), timeout=20)
        listed = say(slack, ALICE, channel, "!task list all")
        assert f"- {task.group(1)} · done · Add a retry budget" in listed, listed
        assert texts(slack, channel, "done in Jira by") == [f"{task.group(1)} done in Jira by Alice Jira."]
        assert not [c for c in jira.calls if c.method == "POST" and c.path.endswith("/transitions")]
    finally:
        assert bot.stop() == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log
    assert JIRA_TOKEN not in bot.log and JIRA_SECRET not in bot.log


def test_card_moved_to_done_in_trello_reaches_the_bot_and_is_done_with_one_message(emulator, tmp_path):
    slack = emulator
    with TrelloEmulator(api_key=TRELLO_KEY, token=TRELLO_TOKEN) as trello:
        board = "b0" * 12
        todo, done = trello.add_list(name="To do", board_id=board), trello.add_list(name="Done", board_id=board)
        alice = trello.add_member(username="alice", full_name="Alice Smith")
        port = free_port()
        env = {"TRELLO_API_URL": trello.url, "TRELLO_API_KEY": TRELLO_KEY, "TRELLO_TOKEN": TRELLO_TOKEN,
               "TRELLO_APP_SECRET": trello.app_secret, "REDALERT_WEB_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
        bot, _ = start_bot(slack, tmp_path, port=port, **env)
        try:
            configure(slack, f"{{'TRELLO_LIST_ID': '{todo}', 'TRELLO_DONE_LIST_ID': '{done}'}}")
            trello.wait_for(lambda: trello.webhooks, timeout=30)  # registered by the bot once it has the board
            channel = open_incident(slack)
            ts = slack.post_user_message(ALICE, channel, "!task add Add a retry budget")
            reply = slack.wait_for_message(channel, lambda m: "added" in m["text"], timeout=15, after_ts=ts)["text"]
            task = re.search(r"Task (T\d+) added", reply)  # the card's link may come first: the outbox is quick
            assert task, reply
            card = trello.wait_for_card(lambda c: c.name.endswith("Add a retry budget"), timeout=30)
            slack.wait_for(lambda: texts(slack, channel, f"Trello card for task {task.group(1)}"), timeout=20)
            assert trello.act(card.id, alice, idList=done) == [200]
            slack.wait_for(lambda: texts(slack, channel, "done in Trello by"), timeout=20)
            listed = say(slack, ALICE, channel, "!task list all")
            assert f"- {task.group(1)} · done · Add a retry budget" in listed, listed
            done_by = f"{task.group(1)} done in Trello by Alice Smith: Add a retry budget"
            assert texts(slack, channel, "done in Trello by") == [done_by]
            assert len(trello.webhooks) == 1
        finally:
            assert bot.stop() == 0, bot.log[-3000:]
        assert "Traceback" not in bot.log
        assert TRELLO_TOKEN not in bot.log and trello.app_secret not in bot.log
