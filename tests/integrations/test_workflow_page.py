"""A workflow's `page` action (issue 22) through the outbox to the PagerDuty Events emulator: its own routing key and
summary template, or the severity's key; a severity without one fails the run and sends nothing."""

from __future__ import annotations

import pytest
from outbox_support import ROUTING_KEY, make_core

from outside_emulators import PagerDutyEmulator

WORKFLOW_KEY = "W" * 32
FILE = f"""
workflows:
  - name: page-security
    when: opened
    if: {{severity: sev2}}
    do:
      - page: {{routing_key: {WORKFLOW_KEY}, summary: "Security: {{description}} <!here>"}}
  - name: page-plain
    when: opened
    if: {{severity: [sev1, sev3]}}
    do:
      - page:
"""


@pytest.fixture
def pd():
    with PagerDutyEmulator(routing_keys=[ROUTING_KEY, WORKFLOW_KEY]) as emulator:
        yield emulator


@pytest.fixture
def core(emulator, tmp_path, pd):
    path = tmp_path / "workflows.yaml"
    path.write_text(FILE)
    config = {"PAGERDUTY_ROUTING_KEYS": {"sev1": ROUTING_KEY}}
    return make_core(emulator, tmp_path, pagerduty=pd, config=config, workflows_file=str(path))


def run_and_deliver(core) -> None:
    core.app.run_workflows()
    core.deliver()


def test_the_actions_own_key_and_summary_are_what_pagerduty_gets(core, pd):
    incident = core.open("Leaked key", severity="sev2")
    run_and_deliver(core)
    [event] = pd.events_for(f"redalert-incident-{incident.number}")
    assert (event.event_action, event.routing_key) == ("trigger", WORKFLOW_KEY)
    assert event.payload["summary"] == "Security: Leaked key <!here>"  # PagerDuty shows plain text
    timeline = core.app.timeline(core.asker(), incident.number)
    assert WORKFLOW_KEY not in str(timeline)


def test_without_its_own_key_the_severitys_key_pages_and_a_severity_without_one_fails_the_run(core, pd):
    sev1 = core.open("Checkout is down", severity="sev1")
    sev3 = core.open("Slow search", severity="sev3")
    run_and_deliver(core)
    actions = [e.event_action for e in pd.events_for(f"redalert-incident-{sev1.number}")]
    assert actions == ["trigger", "trigger"]  # the open's page, then the action's, as `!incident page` does: one alert
    assert pd.events_for(f"redalert-incident-{sev3.number}") == []
    [run] = [r for r in core.store.workflow_runs.of_incident(sev3.number) if r.workflow == "page-plain"]
    assert run.state == "failed" and "no routing key for sev3" in run.detail
