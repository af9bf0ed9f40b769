"""`!incident set type <name>` through the application (issue 22): the type changes with a timeline entry,
`when: type_changed` workflows fire, the new type's people are invited, and a bad type changes nothing."""

from __future__ import annotations

import pytest
from slack_workspace import ALICE, BOB, CAROL

from redalert_core.application.app import RedAlertApp
from redalert_core.application.errors import ServiceError
from redalert_core.application.results import OpenRequest
from redalert_core.domain.incident import EventKind
from redalert_core.domain.requester import Requester

WORKFLOWS = f"""
types:
  - name: outage
  - name: security
    private: true
    invite: [{CAROL}]
workflows:
  - name: escalated
    when: type_changed
    if: {{type: security}}
    do:
      - post: "Incident {{number}} is a {{type}} incident now"
"""


def opened(app: RedAlertApp):
    return app.open_incident(
        OpenRequest(severity="sev2", description="Odd logins", opened_by=ALICE, incident_type="outage")
    ).incident


def test_a_type_change_is_in_the_timeline_fires_type_changed_and_invites_the_types_people(app, emulator) -> None:
    incident = opened(app)
    assert CAROL not in emulator.channel(incident.channel_id).members
    changed = app.set_type(Requester(BOB, here=incident.channel_id), None, "Security")
    assert changed.kind is not None and changed.kind.name == "security"
    assert app.store.incidents.get(incident.number).incident_type == "security"
    assert CAROL in emulator.channel(incident.channel_id).members
    assert any("stays public" in w for w in changed.warnings)  # Slack lets no bot make a channel private
    [event] = [e for e in app.store.events.list(incident.number) if e.kind is EventKind.TYPE_CHANGED]
    assert (event.data, event.actor) == ({"from": "outage", "to": "security"}, BOB)
    app.run_workflows()
    said = [m.get("text", "") for m in emulator.messages(incident.channel_id)]
    assert f"Incident {incident.number} is a security incident now" in said


def test_the_same_type_again_changes_nothing(app) -> None:
    incident = opened(app)
    again = app.set_type(Requester(ALICE, here=incident.channel_id), incident.number, "outage")
    assert again.kind is None
    assert not [e for e in app.store.events.list(incident.number) if e.kind is EventKind.TYPE_CHANGED]


def test_an_unknown_type_or_a_closed_incident_is_refused_and_changes_nothing(app) -> None:
    incident = opened(app)
    asker = Requester(ALICE, here=incident.channel_id)
    with pytest.raises(ServiceError, match=r'"breach" is not an incident type\. Types: outage, security\.'):
        app.set_type(asker, incident.number, "breach")
    app.close(asker, incident.number, "fixed")
    with pytest.raises(ServiceError, match="is closed"):
        app.set_type(asker, incident.number, "security")
    assert app.store.incidents.get(incident.number).incident_type == "outage"
