"""The workflow actions not covered elsewhere, run through the application on the Slack emulator (issue 22):
`invite` (people and a user group), `assign_role`, `task` (owner by role, due), and a ping typed into a field value
that a `post` template shows stays inert."""

from __future__ import annotations

from datetime import timedelta

from slack_workspace import ALICE, BOB, CAROL, SRE_GROUP

from redalert_core.application.results import OpenRequest
from redalert_core.domain.requester import Requester

WORKFLOWS = f"""
fields:
  - name: impact
    kind: text
workflows:
  - name: staff-it
    when: opened
    do:
      - invite: [{BOB}, {SRE_GROUP}]
      - assign_role: {{role: commander, user: {CAROL}}}
      - task: {{text: "Write the timeline of {{number}}", owner: commander, due: 48h}}
  - name: say-impact
    when: field_changed
    field: impact
    do:
      - post: "Impact of {{number}} now: {{field.impact}}"
"""


def test_invite_assign_role_and_task_run_once(app, emulator) -> None:
    incident = app.open_incident(OpenRequest(severity="sev2", description="Slow search", opened_by=ALICE)).incident
    assert app.run_workflows() == 3
    members = emulator.channel(incident.channel_id).members
    assert BOB in members and CAROL in members  # Carol also through the SRE group
    assert app.store.response.get(incident.number).roles["commander"] == CAROL
    [task] = app.store.tasks.for_incident(incident.number)
    assert task.text == f"Write the timeline of {incident.number}" and task.owner == CAROL
    assert task.due == (app.clock() + timedelta(hours=48)).date()
    assert app.run_workflows() == 0 and len(app.store.tasks.for_incident(incident.number)) == 1


def test_a_ping_typed_into_a_field_value_stays_inert_in_a_post(app, emulator) -> None:
    incident = app.open_incident(OpenRequest(severity="sev2", description="Slow search", opened_by=ALICE)).incident
    app.run_workflows()
    asker = Requester(ALICE, here=incident.channel_id)
    app.set_field(asker, incident.number, "impact", f"<!channel> <@{BOB}> see <https://evil.example.com|here>")
    app.run_workflows()
    [said] = [m["text"] for m in emulator.messages(incident.channel_id) if m.get("text", "").startswith("Impact of")]
    assert "<!channel>" not in said and f"<@{BOB}>" not in said and "<https://" not in said
