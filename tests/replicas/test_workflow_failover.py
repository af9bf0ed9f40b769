"""Workflows on two replicas (issue 22): a delayed action claimed by the leader, which is killed (SIGKILL) in the
middle of it, is taken over and run exactly once by the survivor."""

from __future__ import annotations

import signal

import pytest
from replica_cluster import Cluster, bot_texts
from slack_workspace import ALICE

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

NUDGE = "has been open a minute"
FILE = f"""
workflows:
  - name: nudge
    when: opened
    after: 1m
    do:
      - post: "Incident {{number}} {NUDGE}: time for an update"
"""


@pytest.fixture
def cluster(tmp_path, request) -> Cluster:
    (tmp_path / "workflows.yaml").write_text(FILE)  # before the replicas start
    return request.getfixturevalue("workflows_cluster")


def nudge_run(cluster: Cluster) -> tuple[str, str | None]:
    return tuple(cluster.execute("SELECT state, claimed_by FROM workflow_runs WHERE workflow = 'nudge'").one())


def test_a_delayed_action_whose_leader_dies_mid_action_runs_once_on_the_survivor(cluster):
    slack = cluster.slack
    ops = slack.channel_by_name("ops").id
    ts = slack.post_user_message(ALICE, ops, "!incident open sev2 Delayed across replicas")
    slack.wait_for_message(ops, lambda m: "is open in" in m["text"], after_ts=ts, timeout=20)
    incident = cluster.store.incidents.list(include_closed=True)[0][0]
    assert nudge_run(cluster) == ("pending", None)  # stored with the open, due in a minute

    # The leader's post will hang in Slack, not carried out; then the minute passes (the due time moves back).
    held = slack.hold_request("chat.postMessage", lambda args: NUDGE in str(args.get("text", "")))
    cluster.execute("UPDATE workflow_runs SET due_at = due_at - interval '61 seconds' WHERE workflow = 'nudge'")
    assert held.wait_arrived(timeout=20)
    leader = cluster.leader()
    instances = {row.replica_id: row.instance for row in cluster.store.replicas.all()}
    assert nudge_run(cluster) == ("running", instances[leader])  # claimed by the leader, in the middle of it

    assert cluster[leader].stop(signal.SIGKILL) == -signal.SIGKILL
    assert held.wait_dropped(timeout=10)  # the dead leader's post never reached Slack
    survivor = next(rid for rid in cluster.replicas if rid != leader)
    slack.wait_for_message(incident.channel_id, lambda m: NUDGE in m["text"], timeout=20)
    cluster[survivor].wait_for_log(f"Replica {survivor} now leads")
    slack.wait_for(lambda: nudge_run(cluster)[0] == "done", timeout=10)
    assert nudge_run(cluster) == ("done", instances[survivor])
    assert len([t for t in bot_texts(slack, incident.channel_id) if NUDGE in t]) == 1
    assert "is gone, running it here" in cluster[survivor].log
