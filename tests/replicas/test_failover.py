"""Two replicas, one PostgreSQL: a killed replica's work is taken over, and configuration is shared."""

from __future__ import annotations

import signal

import pytest
from replica_cluster import bot_texts
from slack_workspace import ALICE, BOB

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

LATENCY = 0.3  # slows Slack enough to kill a replica between two steps of an open


def test_leader_killed_in_a_reminder_window_the_survivor_reminds_once(cluster):
    slack = cluster.slack
    ops = slack.channel_by_name("ops").id
    ts = slack.post_user_message(ALICE, ops, "!incident open sev1 Reminder across replicas")
    slack.wait_for_message(ops, lambda m: "is open in" in m["text"], after_ts=ts, timeout=20)
    incident = cluster.store.incidents.list(include_closed=True)[0][0]
    leader = cluster.leader()
    survivor = next(rid for rid in cluster.replicas if rid != leader)
    assert cluster[leader].stop(signal.SIGKILL) == -signal.SIGKILL
    # sev1 reminds after 30 quiet minutes: the window opens now, while the leadership is orphaned.
    cluster.execute(
        "UPDATE incidents SET opened_at = opened_at - interval '31 minutes' WHERE number = :n", n=incident.number
    )
    reminder = slack.wait_for_message(incident.channel_id, lambda m: ":alarm_clock:" in m["text"], timeout=20)
    assert f"incident {incident.number} has had no update for 31m" in reminder["text"]
    cluster[survivor].wait_for_log(f"Replica {survivor} now leads")
    assert cluster.leader() == survivor
    events = [e for e in cluster.store.events.list(incident.number) if e.kind.value == "reminded"]
    assert len(events) == 1
    assert cluster.execute("SELECT count(*) FROM reminders_sent").scalar() == 1
    assert len([t for t in bot_texts(slack, incident.channel_id) if ":alarm_clock:" in t]) == 1


def test_replica_killed_in_the_middle_of_an_open_is_finished_once_by_the_survivor(cluster):
    slack = cluster.slack
    ops = slack.channel_by_name("ops").id
    seen = len(slack.calls)
    slack.latency = LATENCY
    slack.post_user_message(ALICE, ops, f"!incident open sev2 Killed mid open <@{BOB}>")

    def channel_created() -> bool:
        return any(c.method == "conversations.create" and c.http_status == 200 for c in slack.calls[seen:])

    slack.wait_for(channel_created, timeout=20)
    owner = cluster.execute("SELECT replica_id FROM open_owners").scalar_one()
    assert cluster[owner].stop(signal.SIGKILL) == -signal.SIGKILL
    slack.latency = 0
    survivor = next(rid for rid in cluster.replicas if rid != owner)

    notice = slack.wait_for_message(ops, lambda m: "Incident 1 " in m["text"], timeout=20)["text"]
    channels = [c for c in slack.channels() if "killed-mid-open" in c.name]
    assert len(channels) == 1, [c.name for c in channels]
    channel = channels[0]
    assert f"<#{channel.id}>" in notice and "interrupted" in notice, notice
    assert channel.topic.endswith("| Killed mid open")
    assert {ALICE, BOB} <= channel.members
    slack.wait_for(lambda: len(slack.pins(channel.id)) == 1)
    slack.wait_for(lambda: cluster.store.incidents.get(1).phase.value == "open")  # marked once the notice is out
    incident = cluster.store.incidents.get(1)
    assert incident.phase.value == "open" and incident.channel_id == channel.id
    assert cluster.execute("SELECT count(*) FROM open_owners").scalar() == 0
    assert "Resumed interrupted incident 1" in cluster[survivor].log
    assert len([t for t in bot_texts(slack, ops) if "Incident 1 " in t]) == 1
