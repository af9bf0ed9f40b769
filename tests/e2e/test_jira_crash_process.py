"""Jira and a SIGKILLed `errbot -c config.py`: a webhook the process was handling when it died is applied once, on
Jira's retry after the restart; an issue Jira created just before the process died is adopted, not made twice."""

from __future__ import annotations

import re
import signal

import pytest
from chat import say
from slack_workspace import ALICE
from test_trackers_process import JIRA_EMAIL, JIRA_SECRET, JIRA_TOKEN, configure, jira, open_incident, start_bot, texts

pytestmark = pytest.mark.e2e
__all__ = ["jira"]  # the fixture, shared with test_trackers_process

ENV = {"JIRA_URL": "", "JIRA_EMAIL": JIRA_EMAIL, "JIRA_API_TOKEN": JIRA_TOKEN, "JIRA_WEBHOOK_SECRET": JIRA_SECRET}


def add_task(slack, channel: str, text: str) -> str:
    ts = slack.post_user_message(ALICE, channel, f"!task add {text}")
    reply = slack.wait_for_message(channel, lambda m: "added" in m["text"], timeout=15, after_ts=ts)["text"]
    found = re.search(r"Task (T\d+) added", reply)
    assert found, reply
    return found.group(1)


def test_a_sigkill_while_a_jira_webhook_is_handled_is_applied_once_on_jiras_retry(emulator, jira, tmp_path):
    """Dana moves the issue to Done and gives it to Alice in one change. The bot, handling that webhook, asks Slack
    who has Alice's email (before it applies anything): it dies there. Jira got no answer and retries; the restarted
    bot applies the change once and says so once."""
    slack = emulator
    jira.webhooks.delays = (0.5, 1.0, 2.0, 4.0, 8.0)
    jira.webhooks.pause_retries()  # Jira's retry waits until the bot is back
    dana = jira.add_user("Dana Jira", "dana@example.com")
    alice = jira.add_user("Alice in Jira", "alice@example.com")  # Alice's Slack email: found with users.lookupByEmail
    bot, api = start_bot(slack, tmp_path, **{**ENV, "JIRA_URL": jira.url})
    try:
        jira.register_webhook(f"{api}/hooks/jira", JIRA_SECRET)
        configure(slack, "{'JIRA_PROJECT_KEY': 'OPS'}")
        channel = open_incident(slack)
        task = add_task(slack, channel, "Add a retry budget")
        slack.wait_for(lambda: texts(slack, channel, f"Jira issue for task {task}"), timeout=30)
        [issue] = jira.issues.values()
        held = slack.hold_response("users.lookupByEmail")
        jira.transition_as(issue.key, "done", dana, fields={"assignee": {"accountId": alice}})
        assert held.wait_arrived(20), "the bot never looked up the new assignee"
        assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
        held.release()
        [hook] = jira.wait_for(lambda: [h for h in jira.webhooks.sent if h.statuses], timeout=20)
        assert hook.statuses == [0]  # no answer: the connection died with the process
        assert not texts(slack, channel, "in Jira by")

        bot.start()
        bot.wait_for_log("HTTP API on port")
        jira.webhooks.resume_retries()
        jira.wait_for(lambda: hook.status == 200, timeout=40)
        said = f"{task} done in Jira by Dana Jira. {task} assigned to <@{ALICE}> in Jira by Dana Jira."
        slack.wait_for(lambda: texts(slack, channel, "in Jira by"), timeout=20)
        listed = say(slack, ALICE, channel, "!task list all")
        assert f"- {task} · done · Add a retry budget · owner <@{ALICE}>" in listed, listed
        assert texts(slack, channel, "in Jira by") == [said]
        timeline = say(slack, ALICE, channel, "!incident timeline")
        assert timeline.count(f"Task {task} done in Jira by Dana Jira") == 1, timeline
        assert timeline.count(f"Task {task} assigned to <@{ALICE}> in Jira by Dana Jira") == 1, timeline
        assert jira.issue(issue.key).category == "done" and len(jira.issues) == 1
        assert not [c for c in jira.calls if c.method in ("PUT", "POST") and "/issue/" in c.path]  # no echo
    finally:
        assert bot.stop() == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log
    assert JIRA_TOKEN not in bot.log and JIRA_SECRET not in bot.log


def test_a_sigkill_after_jira_created_the_issue_makes_no_second_issue(emulator, jira, tmp_path):
    """Jira carries out the create, but the bot dies before the answer arrives (so before it stored the key). The
    restarted bot's outbox retries the create, finds the issue by its marker label and adopts it."""
    slack = emulator
    bot, _ = start_bot(slack, tmp_path, **{**ENV, "JIRA_URL": jira.url})
    try:
        configure(slack, "{'JIRA_PROJECT_KEY': 'OPS'}")
        channel = open_incident(slack)
        held = jira.hold_next(method="POST", path="/rest/api/3/issue")
        task = add_task(slack, channel, "Rotate the keys")
        assert held.wait_arrived(20), "the outbox never created the issue"
        assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
        held.drop()
        assert list(jira.issues) == ["OPS-1"] and not texts(slack, channel, "Jira issue for task")

        bot.start()
        slack.wait_for(lambda: texts(slack, channel, f"Jira issue for task {task}"), timeout=30)
        assert list(jira.issues) == ["OPS-1"]
        assert len(texts(slack, channel, "Jira issue for task")) == 1
        assert [c.json()["jql"] for c in jira.calls if c.path.endswith("/search/jql")][-1].endswith(
            'labels = "redalert-task-1" ORDER BY created ASC'
        )
        assert say(slack, ALICE, channel, f"!task done {task}").startswith(f"Task {task} is done")
        jira.wait_for(lambda: jira.issue("OPS-1").category == "done", timeout=20)
    finally:
        assert bot.stop() == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log
