"""A workflow's `webhook` action (docs/workflows.md) against the Standard Webhooks receiver emulator: queued in the
outbox with the run, delivered once and signed, retried after a receiver failure, never for a private incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from outbox_support import make_core, webhook_config
from slack_workspace import ADMIN

from redalert_core.domain.outbox import WEBHOOK, State
from redalert_core.domain.requester import Requester

FILE = """
fields:
  - {name: team, kind: select, options: [payments, search]}
workflows:
  - name: tell-audit
    when: opened
    if: {severity: sev1}
    do:
      - post: "Audit told about {number}"
      - webhook: audit
  - name: later
    when: status_changed
    after: 5m
    do:
      - webhook: audit
"""


@pytest.fixture
def core(emulator, tmp_path, hooks):
    (tmp_path / "workflows.yaml").write_text(FILE)
    # Subscribed to no incident event: the action names the webhook, whatever its `events`.
    hook = {**webhook_config(hooks, ["task.done"]), "name": "audit"}
    core = make_core(emulator, tmp_path, config={"WEBHOOKS": [hook]}, workflows_file=str(tmp_path / "workflows.yaml"))
    hooks.clock = lambda: core.clock.now.timestamp()  # signatures are timed by the bot's clock
    yield core
    core.app.drain()
    core.incidents.shutdown()
    core.store.dispose()


def workflow_deliveries(hooks) -> list:
    return [d for d in hooks.deliveries if (d.type or "").startswith("workflow.")]


def test_the_webhook_action_is_delivered_once_signed_with_the_incident(core, hooks):
    incident = core.open(severity="sev1")
    core.app.set_field(Requester(ADMIN, here=incident.channel_id), incident.number, "team", "payments")
    assert core.app.run_workflows() == 2
    assert hooks.deliveries == []  # queued with the run, delivered off the path
    [run] = [r for r in core.store.workflow_runs.of_incident(incident.number) if r.action_index == 1]
    assert (run.state, run.detail) == ("done", "webhook audit: queued")
    core.deliver()
    core.app.run_workflows()  # nothing asks for it twice
    core.deliver()
    [delivery] = workflow_deliveries(hooks)
    assert delivery.verified and not delivery.duplicate
    assert delivery.webhook_id == f"workflow-{run.key}"
    body = delivery.json()
    assert body["type"] == "workflow.tell-audit"
    data = body["data"]
    assert data["workflow"] == {"name": "tell-audit", "trigger": "opened", "run": run.key}
    assert (data["number"], data["severity"], data["description"]) == (incident.number, "sev1", "Checkout is down")
    assert (data["status"], data["channel_id"], data["fields"]) == (
        "investigating",
        incident.channel_id,
        {"team": "payments"},
    )
    assert [d.type for d in hooks.deliveries] == ["workflow.tell-audit"]  # no incident.* event: not subscribed
    assert [r.state for r in core.rows(WEBHOOK)] == [State.DELIVERED]


def test_a_receiver_failure_is_retried_and_still_delivered_once(core, hooks):
    incident = core.open(severity="sev1")
    hooks.fail_next(1, status=503)
    core.app.run_workflows()
    core.deliver()
    [row] = core.rows(WEBHOOK)
    assert row.state is State.RETRYING and row.error_reason == "HTTP 503 (Service Unavailable)"
    assert [c.status for c in hooks.calls] == [503] and workflow_deliveries(hooks) == []
    core.deliver_until_quiet(step=timedelta(seconds=10))
    [delivery] = workflow_deliveries(hooks)
    assert delivery.verified and delivery.json()["data"]["number"] == incident.number
    assert [c.status for c in hooks.calls] == [503, 200]
    assert {c.headers["webhook-id"] for c in hooks.calls} == {delivery.webhook_id}  # the retry is the same message


def test_a_delayed_webhook_waits_for_its_delay(core, hooks):
    incident = core.open(severity="sev2")
    core.status(incident.number, "identified")
    core.app.run_workflows()
    core.deliver()
    assert workflow_deliveries(hooks) == []
    core.clock.advance(timedelta(minutes=5).total_seconds())
    core.app.run_workflows()
    core.deliver()
    [delivery] = workflow_deliveries(hooks)
    assert delivery.type == "workflow.later" and delivery.json()["data"]["workflow"]["trigger"] == "status_changed"


def test_the_same_run_queues_one_delivery_however_often_it_runs(core, hooks):
    incident = core.open(severity="sev1")
    core.app.run_workflows()
    [run] = [r for r in core.store.workflow_runs.of_incident(incident.number) if r.action_index == 1]
    engine = core.app.engine
    fresh = core.store.incidents.get(incident.number)
    again = engine.actions.send_webhook(fresh, "audit", run, engine.facts(fresh))  # a replica taking it over
    assert again == "webhook audit: queued (already queued)"
    core.deliver()
    assert len(core.rows(WEBHOOK)) == 1 and len(workflow_deliveries(hooks)) == 1


def test_a_private_incident_is_never_sent_and_a_removed_webhook_fails_the_run(core, hooks):
    private = core.open(severity="sev1", private=True)
    core.app.run_workflows()
    [run] = [r for r in core.store.workflow_runs.of_incident(private.number) if r.action_index == 1]
    assert run.state == "done" and "is private" in (run.detail or "")
    core.configure(WEBHOOKS=[])
    public = core.open("Search is down", severity="sev1")
    core.app.run_workflows()
    [run] = [r for r in core.store.workflow_runs.of_incident(public.number) if r.action_index == 1]
    assert run.state == "failed" and "no webhook of that name" in (run.detail or "")
    core.deliver()
    assert core.rows(WEBHOOK) == [] and hooks.deliveries == []


def test_the_delivery_commits_with_the_run_and_a_failed_commit_is_retried_next_round(core, hooks, monkeypatch):
    incident = core.open(severity="sev1")
    runs = core.store.workflow_runs
    finish = runs.finish

    def database_fails_once(key, state, detail, at):
        if not key.endswith(":1"):  # the post's run finishes; the webhook's, inside its transaction, fails once
            return finish(key, state, detail, at)
        monkeypatch.setattr(runs, "finish", finish)
        raise sa.exc.OperationalError("UPDATE workflow_runs", {}, Exception("the database went away"))

    core.app.run_workflows()
    [run] = [r for r in runs.of_incident(incident.number) if r.action_index == 1]
    assert run.state == "done"
    second = core.open("Search is down", severity="sev1")
    monkeypatch.setattr(runs, "finish", database_fails_once)
    core.app.run_workflows()
    [run] = [r for r in runs.of_incident(second.number) if r.action_index == 1]
    assert run.state == "running" and [r.incident_number for r in core.rows(WEBHOOK)] == [incident.number]
    core.app.run_workflows()  # the next round takes it again: queued once, with its outcome
    [run] = [r for r in runs.of_incident(second.number) if r.action_index == 1]
    assert (run.state, run.detail) == ("done", "webhook audit: queued")
    core.deliver()
    assert sorted(d.json()["data"]["number"] for d in workflow_deliveries(hooks)) == [incident.number, second.number]
