"""Two replicas, one PostgreSQL: every command answered once, whichever replica Slack hands it to.

The tests share one cluster and run in file order: the configuration change and the rolling restart come last.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter

import pytest
from replica_cluster import bot_texts, not_found_answers
from slack_workspace import ADMIN, ALICE, BOB

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PEOPLE = [f"U0PERSON{i}" for i in range(1, 6)]


def test_fifty_commands_from_five_people_are_answered_once_each(shared_cluster):
    cluster = shared_cluster
    slack = cluster.slack
    for person in PEOPLE:
        slack.add_user(person, person.lower())
    room = slack.add_channel("war-room", members=[*PEOPLE, slack.bot_user_id])
    slack.ack_drop_next(6)  # six acks get lost: Slack sends those envelopes again, to the other connection

    def send(person_index: int) -> None:
        for i in range(10):
            n = 100 + person_index * 10 + i
            text = "!incident list" if i % 5 == 0 else f"!incident retry {n}"
            slack.post_user_message(PEOPLE[person_index], room, text)

    senders = [threading.Thread(target=send, args=(p,)) for p in range(5)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    retried = {100 + p * 10 + i for p in range(5) for i in range(10) if i % 5}
    slack.wait_for(lambda: set(not_found_answers(slack, room)) == retried, timeout=30)
    slack.wait_for(lambda: bot_texts(slack, room).count("No open incidents.") >= 10, timeout=10)
    slack.wait_for(lambda: cluster.skipped_redeliveries() >= 6, timeout=15)  # the redeliveries were seen and dropped

    assert not_found_answers(slack, room) == Counter(dict.fromkeys(retried, 1))
    refused = [c for c in slack.calls if c.method == "chat.postMessage" and c.args.get("channel") == room]
    assert [c.http_status for c in refused if c.http_status == 429] == []  # 50 answers, paced under the limit
    assert bot_texts(slack, room).count("No open incidents.") == 10
    assert len(bot_texts(slack, room)) == 50
    first_attempts = [conn for _, conn, attempt in slack.deliveries() if attempt == 0]
    assert len(set(first_attempts)) == 2, "Slack spread the envelopes over both replicas"
    by_envelope: dict[str, list[str]] = {}
    for envelope, conn, _ in slack.deliveries():
        by_envelope.setdefault(envelope, []).append(conn)
    redelivered = [conns for conns in by_envelope.values() if len(conns) > 1]
    assert len(redelivered) >= 6 and all(conns[0] != conns[1] for conns in redelivered)


def test_two_people_sending_the_same_ten_opens_at_once_get_twenty_incidents_and_repeats_add_none(shared_cluster):
    cluster = shared_cluster
    slack = cluster.slack
    general = slack.channel_by_name("general").id
    texts = [f"!incident open sev3 Payments outage {k}" for k in range(10)]
    barrier = threading.Barrier(2)

    def send(person: str) -> None:
        barrier.wait()
        for text in texts:
            slack.post_user_message(person, general, text)

    for round_ in ("first", "again"):
        senders = [threading.Thread(target=send, args=(person,)) for person in (ALICE, BOB)]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join()
        if round_ == "first":
            slack.wait_for(lambda: sum("is open in" in t for t in bot_texts(slack, general)) == 20, timeout=60)
        else:
            slack.wait_for(
                lambda: sum("You opened this a moment ago" in t for t in bot_texts(slack, general)) == 20, timeout=30
            )

    incidents, total = cluster.store.incidents.list(include_closed=True, limit=100)
    assert total == 20, cluster.logs()
    assert len({i.channel_id for i in incidents}) == 20 and None not in {i.channel_id for i in incidents}
    assert Counter(i.opened_by for i in incidents) == {ALICE: 10, BOB: 10}
    created = [c for c in slack.calls_to("conversations.create") if c.response.get("ok")]
    assert len(created) == 20, "no channel was created twice or left behind"
    assert sum("is open in" in t for t in bot_texts(slack, general)) == 20
    assert len(bot_texts(slack, general)) == 40
    assert len({conn for _, conn, _ in slack.deliveries()}) == 2


def test_configuration_changed_on_one_replica_is_in_force_on_the_other(shared_cluster):
    cluster = shared_cluster
    slack = cluster.slack
    dm = slack.open_dm(ADMIN)
    ops = slack.channel_by_name("ops").id
    config = "{'SEVERITY_LEVELS': [{'label': 'Red alert', 'value': 'redalert'}]}"
    ts = slack.post_user_message(ADMIN, dm, f"!plugin config RedAlert {config}")
    assert slack.wait_for_message(dm, after_ts=ts, timeout=15)["text"] == "Plugin configuration done."
    slack.wait_for(lambda: any("changed on another replica" in bot.log for bot in cluster.replicas.values()), timeout=5)
    seen = len(slack.deliveries())
    ts = None
    for i in range(10):
        sent = slack.post_user_message(ALICE, ops, f"!incident open sev1 Old severity {i}")
        ts = ts or sent
    refusal = "is not a severity. Use one of: redalert."
    slack.wait_for(lambda: sum(refusal in t for t in bot_texts(slack, ops, after_ts=ts)) == 10, timeout=20)
    assert len({conn for _, conn, _ in slack.deliveries()[seen:]}) == 2, "both replicas answered some"
    assert not [
        i for i in cluster.store.incidents.list(include_closed=True, limit=100)[0] if "Old severity" in i.description
    ]

    ts = slack.post_user_message(ADMIN, dm, "!incident doctor")
    report = slack.wait_for_message(dm, after_ts=ts, timeout=15)["text"]
    assert "Replicas" in report
    assert report.count(": leader,") == 1 and report.count(": follower,") == 1, report
    assert "`r1`" in report and "`r2`" in report


def test_a_rename_seen_by_one_replica_clears_the_cached_channel_on_the_other(shared_cluster):
    cluster = shared_cluster
    slack = cluster.slack
    ops = slack.channel_by_name("ops").id
    slack.rename_channel(ops, "ops-renamed")  # Slack tells one connection only
    forgot = f"Forgot the cached channel {ops}: another replica saw it change"
    slack.wait_for(lambda: any(forgot in bot.log for bot in cluster.replicas.values()), timeout=5)
    assert sum(forgot in bot.log for bot in cluster.replicas.values()) == 1, "only the replica that missed the event"
    slack.rename_channel(ops, "ops")


def test_rolling_sigterm_restart_of_both_replicas_loses_no_command(shared_cluster):
    cluster = shared_cluster
    slack = cluster.slack
    ops = slack.channel_by_name("ops").id
    sent: list[int] = []
    stop = threading.Event()

    def stream() -> None:
        n = 1000
        while not stop.is_set():
            slack.post_user_message(ALICE, ops, f"!incident retry {n}")
            sent.append(n)
            n += 1
            stop.wait(0.1)

    streamer = threading.Thread(target=stream)
    streamer.start()
    try:
        for replica_id in ("r1", "r2"):
            bot = cluster[replica_id]
            before = len(sent)
            slack.wait_for(lambda before=before: len(sent) >= before + 10)  # commands flow to both meanwhile
            assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
            bot.start()
            slack.wait_for(lambda: len(slack.connection_ids()) == 2, timeout=20)
        before = len(sent)
        slack.wait_for(lambda: len(sent) >= before + 10)
    finally:
        stop.set()
        streamer.join()
    slack.wait_for(lambda: set(not_found_answers(slack, ops)) == set(sent), timeout=30)
    assert not_found_answers(slack, ops) == Counter(dict.fromkeys(sent, 1)), cluster.logs()
    assert "Traceback" not in cluster["r1"].log + cluster["r2"].log
