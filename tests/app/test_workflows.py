"""Workflows (issue 22) through the application: triggers, conditions, actions, delays across a restart, the dry
run, whoever is on call (PagerDuty's REST emulator) and inert template values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from app_support import build_app, stop_app
from reliability.service_support import ManualClock
from slack_workspace import ALICE, BOB, CAROL

from outside_emulators import PagerDutyRestEmulator
from redalert_core.application.app import RedAlertApp
from redalert_core.application.results import OpenRequest
from redalert_core.domain.requester import Requester

FILE = """
types:
  - name: outage
    description: Customers cannot use something
    oncall: {escalation_policies: [PEP1234]}
workflows:
  - name: sev1-heads-up
    when: opened
    if: {severity: sev1}
    do:
      - post: "Heads-up for incident {number} ({severity}): {description}"
  - name: nudge
    when: opened
    after: 1m
    do:
      - post: "Incident {number} has been open a minute: time for an update"
  - name: on-status
    when: status_changed
    if: {status: [identified, monitoring]}
    do:
      - post: "Status of {number} is now {status}"
      - bookmark: {title: "Runbook", link: "https://runbooks.example.com/{number}"}
  - name: on-severity
    when: severity_changed
    do:
      - remind: {role: commander, text: "Incident {number} is {severity} now"}
  - name: quiet
    when: quiet
    after: 30m
    do:
      - post: "No update on {number} for 30 minutes"
  - name: on-close
    when: closed
    do:
      - post: "Closed {number}"
"""
REQUESTER = Requester(ALICE, here="D0ALICE")


def workflows_app(emulator, path, clock, text: str = FILE) -> RedAlertApp:
    if "users:read.email" not in emulator.scopes:  # the on-call lookup finds people by email
        emulator.scopes = (*emulator.scopes, "users:read.email")
    (path / "workflows.yaml").write_text(text)
    return build_app(emulator, path, clock=clock, workflows_file=str(path / "workflows.yaml"))


@pytest.fixture
def pagerduty(monkeypatch) -> Iterator[PagerDutyRestEmulator]:
    with PagerDutyRestEmulator(tokens=["tok"]) as pd:
        pd.add_user("PBOB", "Bob", "bob@example.com")
        pd.add_user("PGHOST", "Ghost <!here>", "ghost@example.com")
        pd.add_oncall("PEP1234", "PBOB")
        monkeypatch.setenv("PAGERDUTY_API_URL", pd.url)
        monkeypatch.setenv("PAGERDUTY_API_TOKEN", "tok")
        yield pd


@pytest.fixture
def wapp(emulator, tmp_path, pagerduty) -> Iterator[RedAlertApp]:
    app = workflows_app(emulator, tmp_path, ManualClock())
    yield app
    stop_app(app)


def texts(emulator, channel: str) -> list[str]:
    return [m.get("text", "") for m in emulator.messages(channel)]


def open_one(app: RedAlertApp, severity: str = "sev1", description: str = "Checkout is down"):
    report = app.open_incident(OpenRequest(severity=severity, description=description, opened_by=ALICE))
    return report.incident


def test_opened_fires_only_where_the_condition_holds(wapp, emulator):
    sev1, sev2 = open_one(wapp, "sev1"), open_one(wapp, "sev2")
    assert wapp.run_workflows() >= 1
    assert any(t.startswith(f"Heads-up for incident {sev1.number} (sev1)") for t in texts(emulator, sev1.channel_id))
    assert not any(t.startswith("Heads-up") for t in texts(emulator, sev2.channel_id))
    assert wapp.run_workflows() == 0  # once per trigger


def test_a_delay_waits_runs_once_and_survives_a_restart(emulator, tmp_path, pagerduty):
    clock = ManualClock()
    app = workflows_app(emulator, tmp_path, clock)
    incident = open_one(app)
    app.run_workflows()
    assert not any("open a minute" in t for t in texts(emulator, incident.channel_id))
    stop_app(app)
    again = workflows_app(emulator, tmp_path, clock)  # a restart: the delayed action is in the store
    clock.advance(timedelta(seconds=61))
    again.run_workflows()
    again.run_workflows()
    assert sum("open a minute" in t for t in texts(emulator, incident.channel_id)) == 1
    stop_app(again)


def test_a_run_whose_claimer_died_is_taken_over_once_and_a_live_claimers_is_left_alone(wapp, emulator):
    incident = open_one(wapp)
    wapp.run_workflows()
    wapp.clock.advance(timedelta(seconds=61))
    runs, engine = wapp.store.workflow_runs, wapp.engine

    def nudge():
        return next(r for r in runs.of_incident(incident.number) if r.workflow == "nudge")

    assert runs.claim(nudge().key, "other-replica")  # another replica claimed it and is running it
    engine.live = lambda: {engine.instance, "other-replica"}
    wapp.run_workflows()
    assert (nudge().state, nudge().claimed_by) == ("running", "other-replica")
    engine.live = lambda: {engine.instance}  # its heartbeat went stale: it died before finishing
    wapp.run_workflows()
    wapp.run_workflows()
    assert sum("open a minute" in t for t in texts(emulator, incident.channel_id)) == 1
    assert (nudge().state, nudge().claimed_by) == ("done", engine.instance)


def test_a_run_left_running_by_a_previous_process_is_run_after_a_restart(emulator, tmp_path, pagerduty):
    clock = ManualClock()
    app = workflows_app(emulator, tmp_path, clock)
    incident = open_one(app)
    app.run_workflows()
    [nudge] = [r for r in app.store.workflow_runs.of_incident(incident.number) if r.workflow == "nudge"]
    assert app.store.workflow_runs.claim(nudge.key, app.engine.instance)  # claimed, then the process died
    stop_app(app)
    again = workflows_app(emulator, tmp_path, clock)
    clock.advance(timedelta(seconds=61))
    again.run_workflows()
    again.run_workflows()
    assert sum("open a minute" in t for t in texts(emulator, incident.channel_id)) == 1
    stop_app(again)


def test_a_delay_is_cancelled_when_the_incident_closed(wapp, emulator):
    incident = open_one(wapp)
    wapp.run_workflows()
    wapp.close(Requester(ALICE, here=incident.channel_id), incident.number, "fixed")
    wapp.clock.advance(timedelta(minutes=2))
    wapp.run_workflows()
    assert not any("open a minute" in t for t in texts(emulator, incident.channel_id))
    runs = {r.workflow: r.state for r in wapp.store.workflow_runs.of_incident(incident.number)}
    assert runs["nudge"] == "cancelled" and runs["on-close"] == "done"


def test_status_changed_posts_and_bookmarks_when_the_status_matches(wapp, emulator):
    incident = open_one(wapp, "sev2")
    asker = Requester(ALICE, here=incident.channel_id)
    wapp.set_status(asker, incident.number, "identified", None)
    wapp.run_workflows()
    assert f"Status of {incident.number} is now identified" in texts(emulator, incident.channel_id)
    assert [b["link"] for b in emulator.bookmarks(incident.channel_id)] == [
        f"https://runbooks.example.com/{incident.number}"
    ]


def test_severity_changed_reminds_the_commander_by_dm(wapp, emulator):
    incident = open_one(wapp, "sev2")
    wapp.change_severity(Requester(ALICE, here=incident.channel_id), incident.number, "sev1")
    wapp.run_workflows()
    dms = [c for c in emulator.calls if c.method == "chat.postMessage" and "is sev1 now" in str(c.args)]
    assert dms and not str(dms[0].args.get("channel", "")).startswith("C")


def test_quiet_fires_after_no_update_for_the_duration(wapp, emulator):
    incident = open_one(wapp, "sev2")
    wapp.clock.advance(timedelta(minutes=31))
    wapp.run_workflows()
    wapp.run_workflows()
    assert sum("No update on" in t for t in texts(emulator, incident.channel_id)) == 1


def test_quiet_counts_from_the_latest_update_and_fires_once_per_quiet_spell(wapp, emulator):
    incident = open_one(wapp, "sev2")
    asker = Requester(ALICE, here=incident.channel_id)
    wapp.clock.advance(timedelta(minutes=20))
    wapp.post_update(asker, incident.number, "Rolling back")
    wapp.clock.advance(timedelta(minutes=20))  # 40 minutes since the open, 20 since the update
    wapp.run_workflows()
    assert not any("No update on" in t for t in texts(emulator, incident.channel_id))
    wapp.clock.advance(timedelta(minutes=11))
    wapp.run_workflows()
    wapp.run_workflows()
    assert sum("No update on" in t for t in texts(emulator, incident.channel_id)) == 1
    wapp.post_update(asker, incident.number, "Still rolling back")
    wapp.clock.advance(timedelta(minutes=31))  # a second quiet spell: asked for again, once
    wapp.run_workflows()
    wapp.run_workflows()
    assert sum("No update on" in t for t in texts(emulator, incident.channel_id)) == 2


def test_quiet_reads_the_latest_updates_of_all_open_incidents_in_one_query(wapp):
    statements: list[str] = []
    engine = wapp.store.db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def queries_of_a_round() -> list[str]:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            wapp.engine.run_due()
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return [s for s in statements if "FROM events" in s]

    open_one(wapp, "sev2")
    wapp.run_workflows()  # the opening's own actions are done: the rounds below only look
    one = queries_of_a_round()
    for n in range(5):
        open_one(wapp, "sev2", f"Incident {n}")
    wapp.run_workflows()
    assert len(one) == 1 and len(queries_of_a_round()) == 1


def test_actions_due_together_run_in_the_files_order(emulator, tmp_path, pagerduty):
    many = "\n".join(f'      - post: "step {n}"' for n in range(1, 13))
    text = f"workflows:\n  - name: zeta\n    when: opened\n    do:\n{many}\n"
    text += '  - name: alpha\n    when: opened\n    do:\n      - post: "alpha"\n'
    app = workflows_app(emulator, tmp_path, ManualClock(), text)
    incident = open_one(app)
    app.run_workflows()
    posted = [t for t in texts(emulator, incident.channel_id) if t.startswith("step") or t == "alpha"]
    assert posted == [f"step {n}" for n in range(1, 13)] + ["alpha"]
    stop_app(app)


def test_a_ping_typed_into_the_description_stays_inert(wapp, emulator):
    incident = open_one(wapp, "sev1", "Down <!channel> @here <@U0BOB> see http://evil.example.com")
    wapp.run_workflows()
    heads_up = next(t for t in texts(emulator, incident.channel_id) if t.startswith("Heads-up"))
    assert "<!channel>" not in heads_up and "<@U0BOB>" not in heads_up and "@here" not in heads_up
    assert "http://evil" not in heads_up


def test_dry_run_says_what_would_fire_without_doing_it(wapp, emulator):
    incident = open_one(wapp, "sev1")
    before = len(emulator.messages(incident.channel_id))
    fired = wapp.dry_run_workflows(Requester(ALICE, here=incident.channel_id), incident.number)
    names = [wf.name for wf, _ in fired]
    assert "sev1-heads-up" in names and "on-status" not in names
    said = dict((wf.name, lines) for wf, lines in fired)
    assert said["sev1-heads-up"] == [f"post: Heads-up for incident {incident.number} (sev1): Checkout is down"]
    assert len(emulator.messages(incident.channel_id)) == before


def test_the_types_oncall_is_invited_at_open(wapp, emulator, pagerduty):
    incident = open_one(wapp, "sev2")
    assert BOB in emulator.channel(incident.channel_id).members
    assert any(c.path == "/oncalls" for c in pagerduty.calls)


def test_pagerduty_down_never_blocks_the_open_and_the_channel_is_told(wapp, emulator, pagerduty):
    pagerduty.outage(True)
    incident = open_one(wapp, "sev2")
    assert incident.channel_id and BOB not in emulator.channel(incident.channel_id).members
    assert any("PagerDuty could not be reached" in t for t in texts(emulator, incident.channel_id))


def test_oncall_answers_anyone_by_type_or_policy(wapp, pagerduty):
    pagerduty.add_oncall("PEP9999", "PGHOST")
    anyone = Requester(CAROL, here="D0CAROL")
    assert wapp.who_is_on_call(anyone, "outage").found == [BOB]
    ghost = wapp.who_is_on_call(anyone, "PEP9999")
    assert ghost.found == [] and "not found in Slack" in ghost.missing[0]
