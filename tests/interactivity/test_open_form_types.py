"""The "Open an incident" modal with a workflows file (issue 22): a type select whose choice updates the form with
that type's fields (views.update within Slack's 3 s, acked first), each kind as its Block Kit element, the type's
defaults preselected, and a submission checked as chat checks an open — refusals under their fields, in the same
words, and nothing created."""

from __future__ import annotations

import threading
import time

from slack_workspace import ADMIN, ALICE, BOB
from workflow_files import TYPES_AND_FIELDS

from redalert_core.domain.requester import Requester

from .conftest import Stack

WORKFLOWS = TYPES_AND_FIELDS


def open_form(stack: Stack) -> dict:
    _, ack = stack.slash(ALICE, stack.emu.channel_by_name("ops").id)
    assert ack is None
    [view] = stack.emu.open_views(ALICE)
    return view


def blocks(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def pick_type(stack: Stack, view: dict, kind: str) -> tuple[float, float]:
    """Choose `kind` in the form and hand the block_actions to RedAlert; (when it was sent, how long the ack took)."""
    sent = time.monotonic()
    envelope_id = stack.emu.enter_in_view(ALICE, view["id"], "type", kind)
    assert envelope_id is not None  # the type select dispatches its choice
    started = time.monotonic()
    assert stack.handle(envelope_id) is None  # an empty ack
    return sent, time.monotonic() - started


def test_the_form_opens_on_the_first_type_with_its_fields_as_their_block_kit_elements(stack):
    view = open_form(stack)
    shown = blocks(view)
    assert list(shown) == ["type", "severity", "description", "fields.team", "fields.regions", "fields.impact",
                           "fields.customers", "fields.ticket", "people", "groups", "private"]  # fmt: skip
    chooser = shown["type"]
    assert chooser["dispatch_action"] is True and chooser["element"]["initial_option"]["value"] == "outage"
    assert [o["value"] for o in chooser["element"]["options"]] == ["outage", "security"]
    assert shown["severity"]["element"]["initial_option"]["value"] == "sev2"  # the type's default
    assert "initial_options" not in shown["private"]["element"]
    kinds = {block: b["element"]["type"] for block, b in shown.items() if block.startswith("fields.")}
    assert kinds == {
        "fields.team": "static_select",
        "fields.regions": "multi_static_select",
        "fields.impact": "plain_text_input",
        "fields.customers": "number_input",
        "fields.ticket": "url_text_input",
    }
    assert [o["value"] for o in shown["fields.team"]["element"]["options"]] == ["payments", "search", "identity"]
    assert not shown["fields.team"].get("optional")  # required at open
    assert shown["fields.impact"]["optional"] and shown["fields.regions"]["optional"]  # at close, or never
    assert shown["fields.customers"]["element"]["is_decimal_allowed"] is True


def test_choosing_a_type_is_acked_then_the_form_shows_its_fields_within_three_seconds(stack):
    view = open_form(stack)
    stack.emu.enter_in_view(ALICE, view["id"], "description", "Logins from abroad")
    stack.emu.enter_in_view(ALICE, view["id"], "fields.team", "identity")
    sent, ack_took = pick_type(stack, view, "security")
    assert ack_took < 0.5  # the ack does not wait for Slack: the update runs after it
    stack.emu.wait_for(lambda: stack.emu.calls_to("views.update") != [], timeout=3)
    [update] = stack.emu.calls_to("views.update")
    assert update.at - sent < 3.0 and update.response["ok"]
    assert (update.args["view_id"], update.args["hash"]) == (view["id"], view["hash"])  # the payload's hash
    stack.done()

    updated = stack.emu.view(view["id"])
    shown = blocks(updated)
    assert shown["type"]["element"]["initial_option"]["value"] == "security"
    assert "fields.reporter" in shown and "fields.customers" not in shown
    assert shown["fields.reporter"]["element"]["type"] == "users_select"
    assert shown["severity"]["element"]["initial_option"]["value"] == "sev1"  # the new type's defaults
    assert shown["private"]["element"]["initial_options"][0]["value"] == "private"
    assert shown["private"]["hint"]["text"] == "Every security incident is private."  # as in chat: it stays private

    # what alice entered stays (same blocks); she adds the reporter and submits
    assert stack.handle(stack.emu.submit_view(ALICE, view["id"], {"fields.reporter": ALICE})) is None
    stack.done()
    incident = stack.incidents.store.incidents.get(1)
    assert (incident.incident_type, incident.is_private, incident.severity) == ("security", True, "sev1")
    assert incident.description == "Logins from abroad"
    assert stack.incidents.store.incident_fields.values(1) == {"reporter": ALICE, "team": "identity"}
    assert BOB in stack.emu.channel(incident.channel_id).members  # the type's people
    assert stack.emu.channel(incident.channel_id).is_private


def test_a_type_change_never_waits_behind_opens_that_wait_for_slack(stack):
    view = open_form(stack)
    slack_answers = threading.Event()
    for _ in range(8):  # every thread of the answers' pool busy, and more queued
        stack.interactions._background(lambda: slack_answers.wait(10) and None)
    try:
        sent, _ = pick_type(stack, view, "security")
        stack.emu.wait_for(lambda: stack.emu.calls_to("views.update") != [], timeout=3)
        assert stack.emu.calls_to("views.update")[0].at - sent < 3.0
    finally:
        slack_answers.set()


def test_a_severity_chosen_by_the_person_survives_a_type_change(stack):
    view = open_form(stack)
    stack.emu.enter_in_view(ALICE, view["id"], "severity", "sev4")
    pick_type(stack, view, "security")
    stack.done()
    shown = blocks(stack.emu.view(view["id"]))
    assert shown["severity"]["element"]["initial_option"]["value"] == "sev4"
    assert shown["private"]["element"]["initial_options"][0]["value"] == "private"  # that one she left alone


def test_two_quick_picks_end_on_the_last_one(stack):
    view = open_form(stack)
    first = stack.emu.enter_in_view(ALICE, view["id"], "type", "security")
    second = stack.emu.enter_in_view(ALICE, view["id"], "type", "outage")
    assert stack.handle(first) is None and stack.handle(second) is None  # both carry the hash the form opened with
    stack.done()
    updated = stack.emu.view(view["id"])
    assert '"type":"outage"' in updated["private_metadata"]
    assert "fields.customers" in blocks(updated) and "fields.reporter" not in blocks(updated)


def test_missing_and_bad_values_are_refused_under_their_fields_in_the_chat_words(stack):
    view = open_form(stack)
    values = {
        "severity": "sev2",
        "description": "Checkout slow",
        "fields.customers": "many",
        "fields.ticket": "ftp://x",
    }
    ack = stack.handle(stack.emu.submit_view(ALICE, view["id"], values))
    assert ack == {
        "response_action": "errors",
        "errors": {
            "fields.team": "Cannot open without team.",
            "fields.customers": "customers is a number, like 42 or 2.5.",
            "fields.ticket": "ticket is a link starting with http:// or https://.",
        },
    }
    assert set(ack["errors"]) <= set(blocks(view))  # each names a block of the form (else Slack shows none)
    # an option no longer offered: the file changed while the form was open
    with open(stack.app.workflows.path, "w") as changed:
        changed.write(WORKFLOWS.replace("options: [payments, search, identity]", "options: [payments, search]"))
    stack.app.reload_workflows(Requester(ADMIN, is_admin=True))
    values = {"severity": "sev2", "description": "Checkout slow", "fields.team": "identity"}
    ack = stack.handle(stack.emu.submit_view(ALICE, view["id"], values))
    assert ack["errors"] == {"fields.team": "team is one of payments, search."}
    stack.done()
    assert stack.incidents.store.incidents.get(1) is None and stack.emu.calls_to("conversations.create") == []


def test_a_submission_before_the_chosen_type_is_shown_is_sent_back(stack):
    view = open_form(stack)
    stack.emu.enter_in_view(ALICE, view["id"], "type", "security")  # its block_actions not handled yet
    values = {"severity": "sev2", "description": "Leak", "fields.team": "identity"}
    ack = stack.handle(stack.emu.submit_view(ALICE, view["id"], values))
    assert list(ack["errors"]) == ["type"] and "this type's fields" in ack["errors"]["type"]
    assert stack.incidents.store.incidents.get(1) is None


def test_an_outage_opens_with_its_fields(stack):
    view = open_form(stack)
    values = {
        "severity": "sev3",
        "description": "Search slow",
        "fields.team": "search",
        "fields.regions": ["eu", "us"],
        "fields.customers": "1200",
        "fields.ticket": "https://tickets.example/42",
    }
    assert stack.handle(stack.emu.submit_view(ALICE, view["id"], values)) is None
    stack.done()
    incident = stack.incidents.store.incidents.get(1)
    assert (incident.incident_type, incident.is_private) == ("outage", False)
    assert stack.incidents.store.incident_fields.values(1) == {
        "customers": "1200",
        "regions": "eu,us",
        "team": "search",
        "ticket": "https://tickets.example/42",
    }
