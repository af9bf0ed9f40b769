"""Incident types and custom fields through the HTTP API (issue 22): `type` and `fields` on POST /incidents, both in
every incident the API shows, and POST /incidents/{number}/fields — refusals worded as in chat, one per field, and
every answer checked against openapi.json."""

from __future__ import annotations

import pytest
from slack_workspace import BOB
from workflow_files import TYPES_AND_FIELDS

WORKFLOWS = TYPES_AND_FIELDS


def open_body(**extra) -> dict:
    return {"severity": "sev2", "description": "Checkout slow", **extra}


def test_open_with_a_type_and_fields_shows_them_everywhere(api, app, tokens, emulator):
    body = open_body(fields={"team": "payments", "regions": ["eu", "us"], "customers": 1200, "ticket": "https://t.x/1"})
    status, opened, _ = api.call("POST", "/incidents", tokens["writer"], json=body)
    assert status == 201 and opened["type"] == "outage"  # none named: the file's first, as in chat
    assert opened["fields"] == {"customers": "1200", "regions": "eu,us", "team": "payments", "ticket": "https://t.x/1"}
    shown = api.call("GET", f"/incidents/{opened['number']}", tokens["reader"])[1]
    assert (shown["type"], shown["fields"]) == (opened["type"], opened["fields"])
    [listed] = api.call("GET", "/incidents", tokens["reader"])[1]["items"]
    assert (listed["type"], listed["fields"]) == (opened["type"], opened["fields"])
    # comma text for a multi_select is the same as a list
    again = api.call(
        "POST", "/incidents", tokens["writer"], json=open_body(fields={"team": "search", "regions": "us,apac"})
    )
    assert again[1]["fields"]["regions"] == "us,apac"


def test_a_private_type_needs_the_private_scope_and_invites_its_people(api, app, tokens, emulator):
    body = open_body(type="security", fields={"team": "identity"})
    status, refused, _ = api.call("POST", "/incidents", tokens["writer"], json=body)
    assert status == 403 and "private scope" in refused["message"]
    assert app.store.incidents.get(1) is None
    status, opened, _ = api.call("POST", "/incidents", tokens["secret"], json=body)
    assert status == 201 and (opened["type"], opened["private"]) == ("security", True)
    assert BOB in emulator.channel(opened["channel"]["id"]).members


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({}, {"fields.team": "Cannot open without team."}),
        ({"type": "billing"}, {"type": '"billing" is not an incident type. Use one of: outage, security.'}),
        ({"type": 7}, {"type": "Must be a string: the name of an incident type."}),
        (
            {"fields": {"team": "billing", "customers": "many", "ticket": "ftp://x", "colour": "red"}},
            {
                "fields.team": "team is one of payments, search, identity.",
                "fields.customers": "customers is a number, like 42 or 2.5.",
                "fields.ticket": "ticket is a link starting with http:// or https://.",
                "fields.colour": '"colour" is not a field of this incident. Fields: team, regions, impact, customers, '
                "ticket.",
            },
        ),
        (
            {"fields": {"team": ["payments"], "regions": ["eu", "mars"], "impact": True}},
            {
                "fields.team": "team takes one value, not a list.",
                "fields.regions": "regions takes any of eu, us, apac, separated by commas.",
                "fields.impact": "Must be text, a number, or (a multi_select) a list of strings.",
            },
        ),
        ({"fields": ["team"]}, {"fields": "Must be an object: field names and their values."}),
        (
            {"severity": "sev9", "fields": {"team": "x"}},
            {
                "severity": '"sev9" is not a severity. Use one of: sev1, sev2, sev3, sev4, sev5.',
                "fields.team": "team is one of payments, search, identity.",
            },
        ),
    ],
)
def test_bad_types_and_fields_are_422_one_message_per_field_in_the_chat_words(api, app, tokens, extra, fields):
    status, answer, _ = api.call("POST", "/incidents", tokens["writer"], json=open_body(**extra))
    assert status == 422
    for name, message in fields.items():
        assert answer["fields"][name] == message
    assert app.store.incidents.get(1) is None


def test_setting_fields_checks_every_value_first_and_names_the_token_on_the_timeline(api, app, tokens):
    number = api.call("POST", "/incidents", tokens["writer"], json=open_body(fields={"team": "search"}))[1]["number"]
    path = f"/incidents/{number}/fields"
    status, answer, _ = api.call("POST", path, tokens["writer"], json={"impact": "EU only", "customers": "lots"})
    assert status == 422 and answer["fields"] == {"customers": "customers is a number, like 42 or 2.5."}
    assert app.field_values(number) == {"team": "search"}  # nothing changed, impact included
    assert api.call("POST", path, tokens["reader"], json={"impact": "x"})[0] == 403
    assert api.call("POST", path, tokens["writer"], json={})[1]["fields"] == {
        "body": 'Give at least one field and its value, like {"team": "payments"}.'
    }
    status, refused, _ = api.call("POST", f"/incidents/{number}/close", tokens["writer"], json={})
    assert status == 409 and refused["message"].startswith("Cannot close without impact")  # required at close
    status, changed, _ = api.call("POST", path, tokens["writer"], json={"impact": "EU only", "customers": 40})
    assert status == 200 and changed["fields"] == {"customers": "40", "impact": "EU only", "team": "search"}
    lines = [e["text"] for e in api.call("GET", f"/incidents/{number}", tokens["reader"])[1]["timeline"]]
    assert "impact set to EU only by token 'writer'" in lines and "customers set to 40 by token 'writer'" in lines
    assert api.call("POST", "/incidents/999/fields", tokens["writer"], json={"impact": "x"})[0] == 404
    assert api.call("POST", f"/incidents/{number}/close", tokens["writer"], json={})[0] == 200
    status, closed, _ = api.call("POST", path, tokens["writer"], json={"impact": "later"})
    assert status == 409 and "closed" in closed["message"]
