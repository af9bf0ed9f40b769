"""Problem management through the real `errbot -c config.py` process (slackv3, Socket Mode) and the emulator.

Two incidents, linked; one problem with both; three tasks, one of which falls overdue and nudges its owner exactly
once; cause and workaround; known-error; the post-mortem lists it all; closing lists the open tasks.

Time passing is simulated by moving the task's due date to yesterday in the bot's database; the bot checks its
reminders every 0.2 s and logs each round at DEBUG, which is what the test waits on (no sleeping).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from bot_process import BotProcess
from chat import channel_id, say
from slack_workspace import ALICE, BOB, CAROL

pytestmark = pytest.mark.e2e
ROUND = "Problem-management reminders checked"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def bot(slack, data_dir) -> Iterator[BotProcess]:
    process = BotProcess(slack.api_url, data_dir, REDALERT_REMINDER_INTERVAL="0.2", REDALERT_LOG_LEVEL="DEBUG").start()
    try:
        yield process
    finally:
        process.stop()


def rounds(bot: BotProcess) -> int:
    return bot.log.count(ROUND)


def wait_rounds(bot: BotProcess, slack, more: int) -> None:
    target = rounds(bot) + more
    slack.wait_for(lambda: rounds(bot) >= target, timeout=20)


def content(upload: dict) -> str:
    data = upload["content"]
    return data.decode() if isinstance(data, bytes) else data


def test_linked_incidents_a_problem_and_its_tasks(bot, slack, data_dir):
    ops = channel_id(slack, "ops")
    first = re.search(
        r"Incident (\d+) .* is open in <#(C\w+)>", say(slack, ALICE, ops, "!incident open sev2 Checkout errors")
    )
    second = re.search(
        r"Incident (\d+) .* is open in <#(C\w+)>", say(slack, ALICE, ops, "!incident open sev3 Card timeouts")
    )
    n1, c1 = int(first.group(1)), first.group(2)
    n2, c2 = int(second.group(1)), second.group(2)

    # link: n2 was caused by n1, read both ways
    assert (
        say(slack, ALICE, c2, f"!incident link {n1} caused-by") == f"Linked: incident {n2} was caused by incident {n1}."
    )
    assert f"Links: caused incident {n2}" in say(slack, ALICE, c1, "!incident show")

    # one problem with both incidents (the channel's incident is linked without naming it)
    reply = say(slack, ALICE, c1, f"!problem open Card processor pool too small {n2}")
    assert reply == f"Problem P1 is open: Card processor pool too small\nLinked incidents: {n1}, {n2}."

    # three tasks: on this incident, on the problem, on the other incident
    reply = say(slack, ALICE, c1, f"!task add Alert on pool usage <@{BOB}> due in 1d")
    assert re.fullmatch(rf"Task T1 added to incident {n1}: Alert on pool usage \(owner <@{BOB}>, due [\d-]+\)\.", reply)
    assert say(slack, ALICE, c1, f"!task add P1 Raise the pool size <@{CAROL}> due in 7d").startswith(
        "Task T2 added to problem P1: Raise the pool size"
    )
    assert say(slack, ALICE, c2, f"!task add Write the runbook <@{ALICE}>").startswith(
        f"Task T3 added to incident {n2}: Write the runbook"
    )
    slack.wait_for(lambda: len(slack.pins(c1)) == 1)  # the pin runs alongside the reply
    summary_ts = slack.pins(c1)[0]
    slack.wait_for(lambda: "*Open tasks*\\n1" in repr(next(m for m in slack.messages(c1) if m["ts"] == summary_ts)))

    # cause, workaround, known-error (Alice opened both incidents: she is their commander)
    assert say(slack, BOB, c1, "!problem cause P1 the pool holds 10 connections") == "Cause of problem P1 recorded."
    assert say(slack, BOB, c1, "!problem workaround p1 restart the gateway") == "Workaround for problem P1 recorded."
    assert say(slack, BOB, c1, "!problem status P1 known-error").startswith("Only whoever opened problem P1")
    reply = say(slack, ALICE, c1, "!problem status 1 known-error pool size confirmed")
    assert reply == "Problem P1 is now known-error (was investigating)."
    assert say(slack, ALICE, c2, "!task done T3 written") == "Task T3 is done: Write the runbook."

    # T1 falls overdue: its owner hears about it once, in a DM, and never twice that day
    bob_dm = slack.open_dm(BOB)
    engine = sa.create_engine(f"sqlite:///{data_dir / 'redalert.sqlite3'}")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE tasks SET due = :due WHERE number = 1"), {"due": yesterday.isoformat()})
    engine.dispose()
    nudge = slack.wait_for_message(bob_dm, lambda m: "task T1" in m["text"], timeout=20)
    assert nudge["text"].startswith(f":alarm_clock: <@{BOB}>, task T1 (Alert on pool usage, incident {n1}) was due")
    wait_rounds(bot, slack, 3)
    assert len([m for m in slack.messages(bob_dm) if "task T1" in m["text"]]) == 1
    assert not [m for m in slack.messages(slack.open_dm(CAROL)) if ":alarm_clock:" in m["text"]]

    # the timeline and the post-mortem tell it all
    timeline = say(slack, ALICE, c1, "!incident timeline")
    for expected in ("caused incident", "Linked to problem P1", "known-error", "Task T1 added", "task T1 is overdue"):
        assert expected in timeline, expected
    ts = slack.post_user_message(ALICE, c1, "!incident postmortem")
    slack.wait_for_message(
        c1, lambda m: m["text"].startswith(f"Post-mortem draft for incident {n1} uploaded"), after_ts=ts
    )
    document = content(slack.files(c1)[-1])
    for expected in (
        f"## Related incidents\n\n- Caused incident {n2}",
        "- **P1:** Card processor pool too small (known-error)",
        "- **Cause:** the pool holds 10 connections",
        "- **Workaround:** restart the gateway",
        f"- **Other incidents:** {n2}",
        f"- [ ] T1 Alert on pool usage (@{BOB}, due {yesterday.isoformat()} (overdue))",
        f"- [ ] T2 Raise the pool size (@{CAROL}, due ",
        "[problem P1]",
        f"- [x] T3 Write the runbook (@{ALICE}; done ",
        f"[incident {n2}]",
    ):
        assert expected in document, expected

    # closing with open tasks is allowed and names them with their owners
    ts = slack.post_user_message(ALICE, c1, "!incident close Pool raised by hand")
    closing = slack.wait_for_message(c1, lambda m: m["text"].startswith(f"Incident {n1} closed by"), after_ts=ts)
    assert f"Still open (1): T1 Alert on pool usage (<@{BOB}>, due {yesterday.isoformat()})" in closing["text"]
    slack.wait_for(lambda: slack.channel(c1).is_archived)
    assert "Tasks of problem P1 and its incidents (3)" in say(slack, ALICE, c2, "!task list P1")
