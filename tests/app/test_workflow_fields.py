"""Custom fields through the application (issue 22): `set_field` checks and stores a value that workflows
`when: field_changed` follow, and a close waits for the fields required at close."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from app_support import build_app, stop_app
from slack_workspace import ALICE

from redalert_core.application.app import RedAlertApp
from redalert_core.application.errors import ServiceError
from redalert_core.application.results import OpenRequest
from redalert_core.domain.requester import Requester

FILE = """
types:
  - name: outage
fields:
  - name: team
    kind: select
    options: [payments, search]
  - name: impact
    kind: text
    required: close
workflows:
  - name: team-set
    when: field_changed
    if: {field.team: payments}
    do:
      - post: "Payments now owns incident {number}"
      - set_field: {field: impact, value: "see the payments team"}
"""
ALICE_HERE = Requester(ALICE, here="D0ALICE")


ONE_FIELD = """
fields:
  - {name: team, kind: select, options: [payments, search]}
  - {name: impact, kind: text}
workflows:
  - name: on-team
    when: field_changed
    field: team
    do:
      - post: "Team of {number} is now {field.team}"
  - name: on-any
    when: field_changed
    do:
      - post: "A field of {number} changed"
"""


@pytest.fixture
def fapp(request, emulator, tmp_path) -> Iterator[RedAlertApp]:
    (tmp_path / "workflows.yaml").write_text(getattr(request, "param", FILE))
    app = build_app(emulator, tmp_path, workflows_file=str(tmp_path / "workflows.yaml"))
    yield app
    stop_app(app)


def test_a_field_set_fires_field_changed_and_a_close_waits_for_required_fields(fapp, emulator) -> None:
    request = OpenRequest(severity="sev2", description="Checkout slow", opened_by=ALICE, incident_type="outage")
    incident = fapp.open_incident(request).incident
    with pytest.raises(ServiceError, match="team is one of payments, search"):
        fapp.set_field(ALICE_HERE, incident.number, "team", "billing")
    with pytest.raises(ServiceError, match="Cannot close without impact"):
        fapp.close(ALICE_HERE, incident.number, "fixed")

    fapp.set_field(ALICE_HERE, incident.number, "team", "payments")
    assert fapp.run_workflows() >= 1
    posted = [m.get("text", "") for m in emulator.messages(incident.channel_id)]
    assert f"Payments now owns incident {incident.number}" in posted
    assert fapp.field_values(incident.number) == {"impact": "see the payments team", "team": "payments"}
    # Its own set_field is a field change too (once): setting the same value again is none, so it settles.
    assert [fapp.run_workflows() for _ in range(3)][-1] == 0
    assert fapp.close(ALICE_HERE, incident.number, "fixed").incident.is_closed


@pytest.mark.parametrize("fapp", [ONE_FIELD], indirect=True)
def test_field_restricts_field_changed_to_changes_of_that_field(fapp, emulator) -> None:
    incident = fapp.open_incident(OpenRequest(severity="sev2", description="Slow", opened_by=ALICE)).incident

    def posted(text: str) -> int:
        return sum(m.get("text", "") == text for m in emulator.messages(incident.channel_id))

    fapp.set_field(ALICE_HERE, incident.number, "impact", "EU customers")
    fapp.run_workflows()
    assert posted(f"Team of {incident.number} is now payments") == 0
    assert posted(f"A field of {incident.number} changed") == 1
    fapp.set_field(ALICE_HERE, incident.number, "team", "payments")
    fapp.run_workflows()
    assert posted(f"Team of {incident.number} is now payments") == 1
    assert posted(f"A field of {incident.number} changed") == 2
    runs = [r.workflow for r in fapp.store.workflow_runs.of_incident(incident.number)]
    assert sorted(runs) == ["on-any", "on-any", "on-team"]  # the impact change asked nothing of on-team
