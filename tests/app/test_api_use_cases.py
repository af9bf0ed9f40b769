"""The HTTP API's use cases, one call each: tokens (hashed, scoped, revoked) and incidents opened, listed, shown,
updated and closed by a token."""

from __future__ import annotations

import pytest
from plugin_support import eventually
from slack_workspace import ADMIN, ALICE, BOB

from redalert_core.application.errors import Forbidden, NoSuchIncident, ServiceError
from redalert_core.domain import api_tokens
from redalert_core.domain.api_requests import FieldErrors, ListQuery, OpenFields
from redalert_core.domain.requester import FrontEnd, Requester
from redalert_core.store.api_tokens import api_tokens as table

IN_DM = Requester(ADMIN, here="D0ADMIN", is_admin=True)


def token(app, args: str = "ci write"):
    made, secret = app.create_api_token(IN_DM, args)
    return app.api_requester(made), secret


def test_a_token_is_shown_once_and_stored_only_as_its_hash(app):
    made, secret = app.create_api_token(IN_DM, "ci-deploys write private")
    assert secret.startswith("ra_") and api_tokens.SHAPE.fullmatch(secret)
    with app.store.db.read() as connection:
        rows = [tuple(row) for row in connection.execute(table.select())]
    assert secret not in repr(rows) and api_tokens.digest(secret) in repr(rows)
    assert made.scope_text() == "read, write, private"
    assert app.authenticate(secret).name == "ci-deploys"
    assert app.authenticate(secret + "x") is None and app.authenticate(None) is None and app.authenticate("") is None


def test_listing_records_the_last_use_and_revoking_ends_the_token(app):
    _, secret = token(app, "reader")
    assert app.list_api_tokens(IN_DM)[0].last_used_at is None
    app.authenticate(secret)
    listed = app.list_api_tokens(IN_DM)
    assert [t.name for t in listed] == ["reader"] and listed[0].last_used_at is not None
    assert listed[0].scopes == frozenset({api_tokens.Scope.READ})
    app.revoke_api_token(IN_DM, "reader")
    assert app.authenticate(secret) is None and app.list_api_tokens(IN_DM) == []


@pytest.mark.parametrize(
    ("requester", "args", "refusal"),
    [
        (Requester(ALICE, here="D0ALICE"), "ci", "Only admins may manage API tokens."),
        (IN_DM, "", "Usage: !incident token create"),
        (IN_DM, "CI!", "is not a token name"),
        (IN_DM, "ci read write", "Usage: !incident token create"),
    ],
)
def test_token_creation_refusals(app, requester, args, refusal):
    with pytest.raises(ServiceError, match=refusal):
        app.create_api_token(requester, args)


def test_a_duplicate_name_and_an_unknown_one_are_refused(app):
    token(app, "ci")
    with pytest.raises(ServiceError, match="already a token named ci"):
        app.create_api_token(IN_DM, "ci write")
    with pytest.raises(ServiceError, match="There is no token named nope"):
        app.revoke_api_token(IN_DM, "nope")


def test_the_api_requester_is_the_token_never_a_person(app):
    requester, _ = token(app, "ci-deploys write")
    assert requester.user == "api:ci-deploys" and requester.front_end is FrontEnd.API
    assert requester.token == "ci-deploys" and not requester.sees_private


def test_open_waits_for_the_channel_invites_as_chat_and_names_the_token(app, emulator, config):
    config["INCLUDE_IN_INCIDENT"] = {"always": [BOB]}
    requester, _ = token(app, "ci-deploys write")
    opened = app.open_from_api(requester, OpenFields("sev2", "Checkout is down", emails=["alice@example.com"]))
    incident = opened.view.incident
    assert opened.created and incident.channel_id and opened.view.status == "investigating"
    members = emulator.channel(incident.channel_id).members
    assert ALICE in members and BOB in members and "api:ci-deploys" not in members
    shown = app.api_incident(requester, incident.number)
    lines = [text for _, text in shown.timeline]
    assert "Opened through the API by token 'ci-deploys' as sev2: Checkout is down" in lines


def test_an_unknown_email_is_refused_on_its_field(app):
    requester, _ = token(app)
    with pytest.raises(FieldErrors) as refused:
        app.open_from_api(requester, OpenFields("sev2", "x", emails=["nobody@example.com"]))
    assert refused.value.fields == {"people": "There is no Slack user with the email nobody@example.com."}


def test_slack_slower_than_the_wait_answers_pending_and_the_channel_follows(app, emulator):
    requester, _ = token(app)
    emulator.latency = 0.3
    opened = app.open_from_api(requester, OpenFields("sev3", "Slow Slack"), wait_seconds=0.05)
    assert opened.created and opened.view.incident.channel_id is None
    emulator.latency = 0.0
    number = opened.view.incident.number
    eventually(lambda: app.store.incidents.get(number).channel_id is not None, timeout=10)


def test_a_dedup_key_of_an_open_incident_returns_it_and_after_the_close_opens_anew(app):
    requester, _ = token(app)
    first = app.open_from_api(requester, OpenFields("sev2", "Disk full", dedup_key="disk-1"))
    again = app.open_from_api(requester, OpenFields("sev1", "Disk full again", dedup_key="disk-1"))
    assert not again.created and again.view.incident.number == first.view.incident.number
    app.api_close(requester, first.view.incident.number, "cleaned")
    third = app.open_from_api(requester, OpenFields("sev2", "Disk full", dedup_key="disk-1"))
    assert third.created and third.view.incident.number != first.view.incident.number


def test_private_incidents_need_the_private_scope(app):
    public, _ = token(app, "public write")
    private, _ = token(app, "secret write private")
    with pytest.raises(Forbidden):
        app.open_from_api(public, OpenFields("sev2", "Hidden", private=True))
    hidden = app.open_from_api(private, OpenFields("sev2", "Hidden", private=True)).view.incident
    shown = app.open_from_api(public, OpenFields("sev2", "Shown")).view.incident
    with pytest.raises(NoSuchIncident):
        app.api_incident(public, hidden.number)
    for verb in (
        lambda: app.api_update(public, hidden.number, "x", None),
        lambda: app.api_change_severity(public, hidden.number, "sev1"),
        lambda: app.api_close(public, hidden.number, None),
    ):
        with pytest.raises(NoSuchIncident, match=f"There is no incident {hidden.number}"):
            verb()
    listed = app.list_api_incidents(public, ListQuery("all"))
    assert [i.incident.number for i in listed.items] == [shown.number]
    assert len(app.list_api_incidents(private, ListQuery("all")).items) == 2


def test_pages_follow_the_cursor_and_a_resolved_incident_is_still_open(app):
    requester, _ = token(app)
    numbers = [app.open_from_api(requester, OpenFields("sev3", f"Incident {i}")).view.incident.number for i in range(5)]
    app.api_update(requester, numbers[0], "Fixed", "resolved")
    app.api_close(requester, numbers[1], None)
    first = app.list_api_incidents(requester, ListQuery("open", limit=2))
    assert [i.incident.number for i in first.items] == numbers[:1:-1][:2] and first.next_cursor
    rest = app.list_api_incidents(requester, ListQuery("open", limit=2, before=int(first.next_cursor)))
    assert [i.incident.number for i in rest.items] == [numbers[2], numbers[0]] and rest.next_cursor is None
    assert rest.items[-1].status == "resolved"
    closed = app.list_api_incidents(requester, ListQuery("closed"))
    assert [(i.incident.number, i.status) for i in closed.items] == [(numbers[1], "closed")]
    assert app.list_api_incidents(requester, ListQuery("all", severity="sev1")).items == []


def test_update_severity_and_close_are_on_the_timeline_as_the_token(app):
    requester, _ = token(app, "ci-deploys write")
    number = app.open_from_api(requester, OpenFields("sev3", "Queue backlog")).view.incident.number
    assert app.api_update(requester, number, "Scaling workers", "identified").status == "identified"
    assert app.api_change_severity(requester, number, "sev2").incident.severity == "sev2"
    closed = app.api_close(requester, number, "Workers scaled")
    assert closed.status == "closed" and closed.incident.resolution == "Workers scaled"
    lines = [text for _, text in app.api_incident(requester, number).timeline]
    assert "Update by token 'ci-deploys': Scaling workers" in lines
    assert "Severity sev3 → sev2 by token 'ci-deploys'" in lines
    assert "Closed by token 'ci-deploys': Workers scaled" in lines
    with pytest.raises(ServiceError, match="closed"):
        app.api_update(requester, number, "late", None)
