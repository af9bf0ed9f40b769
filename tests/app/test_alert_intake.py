"""Alert intake: Alertmanager and Grafana notifications through `app.receive_alerts`, one incident per alert group.

Payloads are Alertmanager's and Grafana's (tests/alert_payloads/, sources in SOURCES.md).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from slack_workspace import ADMIN, ALICE, BOB, CAROL, SRE_GROUP

from redalert_core.application.app import RedAlertApp
from redalert_core.application.results import InvalidAlerts
from redalert_core.domain.requester import FrontEnd, Requester

PAYLOADS = Path(__file__).resolve().parent.parent / "alert_payloads"
TOKEN = Requester("api:alertmanager-prod", front_end=FrontEnd.API)


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def receive(app: RedAlertApp, body: dict, source: str = "alertmanager"):
    received = app.receive_alerts(TOKEN, source, body)
    app.drain()
    return received


def timeline(app: RedAlertApp, number: int) -> list[str]:
    return [text for _, text in app.timeline(Requester(ADMIN, here="D0ADMIN", is_admin=True), number)[1]]


def alert_posts(emulator, channel_id: str) -> list[str]:
    return [m["text"] for m in emulator.messages(channel_id) if "Firing:" in m["text"] or "Resolved:" in m["text"]]


def test_a_firing_group_opens_one_incident_with_one_message_per_alert(app, emulator):
    received = receive(app, payload("alertmanager_firing"))
    assert received.opened and received.new_alerts == 2 and received.incident is not None
    incident = app.store.incidents.get(received.incident)
    assert incident.description == "please check the instance example1"
    assert incident.severity == "sev3"  # no severity label: ALERT_DEFAULT_SEVERITY
    assert incident.channel_id and incident.opened_by == TOKEN.user
    posts = alert_posts(emulator, incident.channel_id)
    assert len(posts) == 2 and all("DiskRunningFull" in p for p in posts)
    assert any("dev=sda2" in p for p in posts)
    assert all("<http://prometheus.example:9090/graph?g0.expr=" in p for p in posts)
    assert sum("Alert DiskRunningFull firing" in line for line in timeline(app, incident.number)) == 2
    assert "token 'alertmanager-prod'" in timeline(app, incident.number)[0]


def test_a_repeat_changes_nothing(app, emulator):
    first = receive(app, payload("alertmanager_firing"))
    incident = app.store.incidents.get(first.incident)
    before = (len(emulator.messages(incident.channel_id)), len(timeline(app, incident.number)))
    again = receive(app, payload("alertmanager_firing"))
    assert again.incident == first.incident and not again.opened
    assert (again.new_alerts, again.repeats, again.changed, again.status) == (0, 2, 0, None)
    assert (len(emulator.messages(incident.channel_id)), len(timeline(app, incident.number))) == before
    assert len(app.store.incidents.list(include_closed=True, limit=50, viewer=None)[0]) == 1


def test_a_new_alert_in_the_group_adds_one_entry_and_one_message(app, emulator):
    body = payload("alertmanager_firing")
    first = receive(app, body)
    incident = app.store.incidents.get(first.incident)
    entries = len(timeline(app, incident.number))
    more = copy.deepcopy(body)
    third = {**body["alerts"][0], "labels": {**body["alerts"][0]["labels"], "dev": "sdc1"}, "fingerprint": "00c0ffee"}
    more["alerts"].append(third)
    again = receive(app, more)
    assert (again.new_alerts, again.repeats) == (1, 2)
    assert len(timeline(app, incident.number)) == entries + 1
    assert len(alert_posts(emulator, incident.channel_id)) == 3


def test_all_resolved_sets_the_resolved_status_and_firing_again_goes_back(app, emulator):
    first = receive(app, payload("alertmanager_firing"))
    number = first.incident
    resolved = receive(app, payload("alertmanager_resolved"))
    assert resolved.status == app.settings.resolved_status == "resolved"
    assert app.current_status(number) == "resolved"
    assert not app.store.incidents.get(number).is_closed  # a person still closes it
    assert any("resolved" in line and "every alert resolved" in line for line in timeline(app, number))
    channel = app.store.incidents.get(number).channel_id
    app.integrations.dispatcher.deliver_due(app.clock())  # the notice waits in the outbox: it survives a crash
    assert any("Every alert of incident" in m["text"] for m in emulator.messages(channel))
    assert receive(app, payload("alertmanager_resolved")).status is None  # a repeat of the resolution: nothing
    firing = receive(app, payload("alertmanager_firing"))
    assert firing.incident == number and not firing.opened and firing.status == app.settings.statuses[0]
    assert app.current_status(number) == "investigating"
    assert any("firing again" in line for line in timeline(app, number))


def test_firing_after_the_close_opens_a_new_incident_linked_to_the_previous(app):
    first = receive(app, payload("alertmanager_firing"))
    receive(app, payload("alertmanager_resolved"))
    app.close(Requester(ADMIN, is_admin=True), first.incident, "disk cleaned")
    again = receive(app, payload("alertmanager_firing"))
    assert again.opened and again.incident != first.incident and again.previous_incident == first.incident
    links = app.store.links.for_incident(again.incident)
    assert [link.other(again.incident) for link in links] == [first.incident]
    assert receive(app, payload("alertmanager_firing")).incident == again.incident


def test_resolved_alerts_of_an_unknown_group_open_nothing(app):
    received = receive(app, payload("alertmanager_resolved"))
    assert received.incident is None and not received.opened
    assert app.store.incidents.list(include_closed=True, limit=5, viewer=None)[1] == 0


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "sev1"),  # critical and warning: the most severe
        ({"ALERT_SEVERITY_MAP": {"critical": "sev2", "warning": "sev4"}}, "sev2"),
        ({"ALERT_IGNORE": ["critical"]}, "sev3"),  # the critical alert is ignored; warning → sev3
    ],
)
def test_severity_from_the_label_through_the_map(app, config, overrides, expected):
    config.update(overrides)
    received = receive(app, payload("alertmanager_severities"))
    assert app.store.incidents.get(received.incident).severity == expected
    # No summary: the alert's name is the description.
    assert app.store.incidents.get(received.incident).description == "DiskRunningFull"


def test_ignored_values_open_nothing(app, config):
    config.update({"ALERT_IGNORE": ["critical", "warning"]})
    received = receive(app, payload("alertmanager_severities"))
    assert received.incident is None and received.ignored == 2


def test_invites_by_label_and_grafana_payload(app, emulator, config):
    config.update({"ALERT_INVITE_BY_LABEL": {"team=payments": ["@sre", ALICE], "team=other": [ADMIN]}})
    received = receive(app, payload("grafana_firing"), source="grafana")
    incident = app.store.incidents.get(received.incident)
    assert incident.severity == "sev1" and incident.description == "Memory pressure in eu-west-1"
    members = set(emulator.channel(incident.channel_id).members)
    assert {ALICE, BOB, CAROL} <= members and ADMIN not in members
    assert SRE_GROUP  # @sre is the group S0SRE (BOB, CAROL)
    posts = alert_posts(emulator, incident.channel_id)
    assert len(posts) == 1 and "<https://grafana.example/alerting/grafana/bdk2t7/view|Open in Grafana>" in posts[0]


def test_label_and_annotation_values_are_inert(app, emulator):
    body = payload("alertmanager_firing")
    body["commonAnnotations"] = {}
    body["alerts"] = body["alerts"][:1]
    body["alerts"][0]["labels"]["team"] = "<!channel> @here <https://evil.example|click>"
    body["alerts"][0]["annotations"] = {"summary": "[x](https://evil.example) <!subteam^S0SRE> <@U0BOB>"}
    received = receive(app, body)
    channel = app.store.incidents.get(received.incident).channel_id
    (post,) = alert_posts(emulator, channel)
    for live in ("<!channel>", "<!subteam^", "<https://evil", "](", "<@U0BOB>", "@here"):
        assert live not in post
    assert "<http://prometheus.example:9090/graph" in post  # the URL field is the one link


def test_a_malformed_payload_names_each_field(app):
    with pytest.raises(InvalidAlerts) as refused:
        app.receive_alerts(TOKEN, "alertmanager", {"status": "burning", "alerts": [{"labels": "x"}]})
    faults = refused.value.faults
    assert {"groupKey", "status", "alerts[0].status", "alerts[0].labels"} <= set(faults)
    with pytest.raises(InvalidAlerts) as refused:
        app.receive_alerts(TOKEN, "alertmanager", [])
    assert "body" in refused.value.faults


def test_every_alert_is_counted_by_source_and_status(app):
    counted: list[tuple[str, str]] = []
    app.count_alerts_with(lambda source, status: counted.append((source, status)))
    receive(app, payload("alertmanager_firing"))
    receive(app, payload("alertmanager_resolved"))
    assert counted == [("alertmanager", "firing")] * 2 + [("alertmanager", "resolved")] * 2


def storm_notification(group: int, alert: int) -> dict:
    body = payload("alertmanager_firing")
    body["groupKey"] = f'{{}}:{{alertname="Storm{group}"}}'
    body["commonAnnotations"] = {"summary": f"Storm {group % 5}"}  # groups alike: still one incident each
    one = body["alerts"][0]
    one["labels"] = {"alertname": f"Storm{group}", "instance": f"node-{alert}"}
    one["fingerprint"] = f"{group:04x}{alert:012x}"
    body["alerts"] = [one]
    return body


def test_a_storm_makes_one_incident_per_group_and_records_each_alert_once(app, emulator):
    from concurrent.futures import ThreadPoolExecutor

    bodies = [storm_notification(i % 100, i) for i in range(1000)]
    bodies += bodies[:200]  # Alertmanager repeats some notifications
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda body: app.receive_alerts(TOKEN, "alertmanager", body), bodies))
    app.drain()
    assert sum(r.opened for r in results) == 100 and sum(r.new_alerts for r in results) == 1000
    assert sum(r.repeats for r in results) == 200
    incidents, count = app.store.incidents.list(include_closed=True, limit=1000)
    assert count == 100 and all(i.channel_id for i in incidents)
    assert app.store.alert_groups.count_alerts() == 1000
    events = [e for i in incidents for e in app.store.events.list(i.number) if e.kind == "alert_received"]
    assert len(events) == 1000 and len({e.data["fingerprint"] for e in events}) == 1000
    posts = [c for c in emulator.calls_to("chat.postMessage") if "Firing:" in str(c.args.get("text", ""))]
    assert len(posts) == 1000 and len({(c.args["channel"], c.args["text"]) for c in posts}) == 1000
