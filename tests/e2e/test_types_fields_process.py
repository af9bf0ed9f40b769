"""Incident types and custom fields in the real `errbot -c config.py` process with REDALERT_WORKFLOWS_FILE (issue 22):
the /incident modal's type switch over Socket Mode (acked, then views.update within Slack's 3 s), its refusals shown
in the form, and the HTTP API's `type`, `fields` and POST /incidents/{number}/fields — with schemathesis run against
this bot too, so the new operations keep the contract with a file in force."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from bot_process import BotProcess, serving_api
from chat import channel_id, say
from slack_workspace import ADMIN, ALICE, BOB
from test_api_process import call, schemathesis
from workflow_files import TYPES_AND_FIELDS

pytestmark = pytest.mark.e2e
TOKEN = re.compile(r"ra_[A-Za-z0-9_-]{43}")


@pytest.fixture(scope="module")
def typed_bot(slack, tmp_path_factory) -> Iterator[BotProcess]:
    data = tmp_path_factory.mktemp("data")
    path = data / "workflows.yaml"
    path.write_text(TYPES_AND_FIELDS)
    with serving_api(slack.api_url, data, REDALERT_WORKFLOWS_FILE=str(path)) as process:
        yield process


@pytest.fixture(scope="module")
def token(typed_bot, slack) -> str:
    found = TOKEN.search(say(slack, ADMIN, slack.open_dm(ADMIN), "!incident token create typed write private"))
    assert found
    return found.group(0)


def test_the_modal_switches_type_within_three_seconds_and_opens_a_typed_incident(typed_bot, slack):
    ops = channel_id(slack, "ops")
    envelope = slack.send_slash_command(ALICE, ops, "/incident", "")
    assert slack.wait_for_ack(envelope, timeout=10) == {}
    slack.wait_for(lambda: slack.open_views(ALICE) != [])
    [view] = slack.open_views(ALICE)
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs[:3] == ["type", "severity", "description"] and "fields.customers" in inputs
    slack.enter_in_view(ALICE, view["id"], "description", "Logins from abroad")
    slack.enter_in_view(ALICE, view["id"], "fields.team", "identity")

    updates_before = len(slack.calls_to("views.update"))
    sent = time.monotonic()
    picked = slack.enter_in_view(ALICE, view["id"], "type", "security")
    assert picked is not None and slack.wait_for_ack(picked, timeout=3) == {}  # acked, empty, in time
    assert not slack.ack(picked).late
    slack.wait_for(lambda: len(slack.calls_to("views.update")) > updates_before, timeout=3)
    update = slack.calls_to("views.update")[-1]
    assert update.response["ok"] and update.at - sent < 3.0  # inside Slack's 3-second window
    assert update.args["view_id"] == view["id"] and update.args["hash"] == view["hash"]
    shown = slack.view(view["id"])
    inputs = [b["block_id"] for b in shown["blocks"] if b["type"] == "input"]
    assert "fields.reporter" in inputs and "fields.customers" not in inputs

    # the team emptied: refused under its field, in the chat words; then filled in, the incident opens
    bad = slack.submit_view(ALICE, view["id"], {"fields.team": None})
    errors = slack.wait_for_ack(bad, timeout=10)["errors"]
    assert errors == {"fields.team": "Cannot open without team."}
    assert slack.view_errors(view["id"]) == errors  # Slack shows it under the field
    done = slack.submit_view(ALICE, view["id"], {"fields.team": "identity", "fields.reporter": ALICE})
    assert slack.wait_for_ack(done, timeout=10) == {}
    slack.wait_for(lambda: len(slack.responses_for(envelope)) == 1, timeout=15)
    answer = slack.responses_for(envelope)[0]["body"]["text"]
    assert answer.startswith("Incident 1 (SEV1")  # the type's default severity, preselected
    cid = answer.split("<#")[1].split(">")[0]
    assert slack.channel(cid).is_private and BOB in slack.channel(cid).members
    shown_in_chat = say(slack, ALICE, slack.open_dm(ALICE), "!incident show 1")
    assert "Type: security" in shown_in_chat and "team: identity" in shown_in_chat


def test_the_api_opens_with_a_type_and_fields_and_sets_fields_naming_the_token(typed_bot, token):
    base = typed_bot.api_url
    status, _, refused = call(f"{base}/incidents", token, {"severity": "sev2", "description": "Slow", "type": "x"})
    assert status == 422 and refused["fields"] == {"type": '"x" is not an incident type. Use one of: outage, security.'}
    body = {"severity": "sev2", "description": "Search slow", "fields": {"team": "search", "customers": 12}}
    status, _, opened = call(f"{base}/incidents", token, body)
    assert status == 201 and opened["type"] == "outage"
    assert opened["fields"] == {"customers": "12", "team": "search"}
    status, _, changed = call(f"{base}/incidents/{opened['number']}/fields", token, {"impact": "EU only"})
    assert status == 200 and changed["fields"]["impact"] == "EU only"
    timeline = [e["text"] for e in call(f"{base}/incidents/{opened['number']}", token)[2]["timeline"]]
    assert "impact set to EU only by token 'typed'" in timeline


def test_schemathesis_keeps_the_contract_with_types_and_fields_in_force(typed_bot, token, tmp_path):
    checks = (
        "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
        "negative_data_rejection"
    )
    run = schemathesis(
        typed_bot,
        token,
        tmp_path,
        checks,
        "--max-examples",
        "15",
        "--seed",
        "22",
        "--include-path-regex",
        "^/incidents",
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "setFields" in run.stdout or "/incidents/{number}/fields" in run.stdout, run.stdout[-3000:]
