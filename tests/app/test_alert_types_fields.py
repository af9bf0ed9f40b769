"""An alert's incident and the workflows file (issue 22): the file's first type with what it brings, and the fields
its alerts' common labels give; a label value a field cannot hold, or a required field no label gives, never
refuses the alert."""

from __future__ import annotations

import copy

from slack_workspace import BOB
from test_alert_intake import payload, receive

WORKFLOWS = f"""
types:
  - name: outage
    invite: [{BOB}]
fields:
  - name: team
    kind: select
    options: [payments, search]
    required: open
  - name: instance
    kind: text
  - name: dev
    kind: text
"""


def test_an_alerts_incident_gets_the_first_type_its_people_and_the_common_labels_fields(app, emulator) -> None:
    body = payload("alertmanager_firing")
    for alert in body["alerts"]:
        alert["labels"]["team"] = "payments"
    received = receive(app, body)
    incident = app.store.incidents.get(received.incident)
    assert incident.incident_type == "outage"
    assert BOB in emulator.channel(incident.channel_id).members
    # `dev` differs between the two alerts: not a common label, so not a field value
    assert app.store.incident_fields.values(incident.number) == {"instance": "example1", "team": "payments"}


def test_a_label_value_the_field_cannot_hold_or_a_missing_required_field_never_refuses_the_alert(app) -> None:
    body = copy.deepcopy(payload("alertmanager_firing"))
    for alert in body["alerts"]:
        alert["labels"]["team"] = "billing"  # not an option of team, which is required at open
    received = receive(app, body)
    assert received.opened
    assert app.store.incident_fields.values(received.incident) == {"instance": "example1"}
