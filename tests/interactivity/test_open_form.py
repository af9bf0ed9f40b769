"""`/incident` → the "Open an incident" modal → submission: validation, opening, answers, repeats, failures."""

from __future__ import annotations

from slack_workspace import ADMIN, ALICE, BOB, CAROL, SRE_GROUP

from redalert_core.domain.incident_form import validate_open
from redalert_core.services.incidents import OpenRequest
from redalert_core.slack import modals

from .conftest import DAVE, Stack


def open_form(stack: Stack, user: str = ALICE, channel_name: str = "ops") -> tuple[str, dict]:
    """Run /incident; return (the slash envelope id, the modal now open for the user)."""
    channel = stack.emu.channel_by_name(channel_name).id
    before = {v["id"] for v in stack.emu.open_views(user)}  # no app acks here, so submitted forms stay open
    envelope_id, ack = stack.slash(user, channel)
    assert ack is None  # an empty ack: the modal is the answer
    [view] = [v for v in stack.emu.open_views(user) if v["id"] not in before]
    return envelope_id, view


def test_the_form_lists_the_configured_severities_and_remembers_where_it_was_opened(stack):
    envelope_id, view = open_form(stack)
    assert view["title"]["text"] == "Open an incident" and view["callback_id"] == "incident_open"
    severity = next(b for b in view["blocks"] if b.get("block_id") == "severity")["element"]
    assert [o["value"] for o in severity["options"]] == ["sev1", "sev2", "sev3", "sev4", "sev5"]
    assert {b.get("block_id") for b in view["blocks"]} >= {"severity", "description", "people", "groups", "private"}
    slash = stack.payload(envelope_id)
    assert slash["channel_id"] in view["private_metadata"] and slash["response_url"] in view["private_metadata"]
    # views.open was the first and only Slack call: nothing may spend the trigger's 3 seconds before it
    assert [c.method for c in stack.emu.calls] == ["views.open"]
    # without a workflows file: no type select, no custom fields, nothing preselected
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == ["severity", "description", "people", "groups", "private"]
    assert "initial_option" not in severity and severity["action_id"] == "severity"
    assert not any(b.get("dispatch_action") for b in view["blocks"])


def test_an_expired_trigger_is_not_retried_and_the_person_is_told(stack):
    channel = stack.emu.channel_by_name("ops").id
    envelope_id = stack.emu.send_slash_command(ALICE, channel, "/incident", "")
    stack.emu.advance_clock(4)  # Slack sent it more than 3 s ago
    payload = stack.payload(envelope_id)
    ack = stack.interactions.show_open_form(
        trigger_id=payload["trigger_id"], user=ALICE, channel=channel, response_url=payload["response_url"]
    )
    assert ack["response_type"] == "ephemeral"
    assert ack["text"].startswith("I could not open the form: Slack took too long")
    assert "/incident open <severity> <description>" in ack["text"]
    assert len(stack.emu.calls_to("views.open")) == 1  # one try: a retry could only fail again
    assert stack.emu.open_views(ALICE) == []


def test_a_redelivered_command_does_not_answer_twice(stack):
    channel = stack.emu.channel_by_name("ops").id
    envelope_id = stack.emu.send_slash_command(ALICE, channel, "/incident", "")
    payload = stack.payload(envelope_id)
    kwargs = dict(trigger_id=payload["trigger_id"], user=ALICE, channel=channel, response_url=payload["response_url"])
    assert stack.interactions.show_open_form(**kwargs) is None
    assert stack.interactions.show_open_form(**kwargs) is None  # exchanged_trigger_id: the form is already open
    assert len(stack.emu.open_views(ALICE)) == 1


def test_submission_errors_are_shown_in_the_form_and_change_nothing(stack):
    _, view = open_form(stack)
    ack = stack.handle(stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "   "}))
    assert ack == {"response_action": "errors", "errors": {"description": "Say what is happening."}}
    ack = stack.handle(stack.emu.submit_view(ALICE, view["id"], {"description": "DB slow", "groups": "sre"}))
    assert ack["errors"] == {"severity": "Pick a severity.", "groups": "Give user groups as @handles: sre is not one."}
    # the severity list changed while the form was open
    stack.config["SEVERITY_LEVELS"] = [{"label": "P1", "value": "p1"}]
    ack = stack.handle(stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "DB slow"}))
    assert ack["response_action"] == "errors"
    assert ack["errors"]["severity"] == '"sev2" is no longer a severity. Pick one of: p1.'
    stack.done()
    assert stack.incidents.store.incidents.list(include_closed=True, limit=10)[1] == 0
    assert stack.emu.calls_to("conversations.create") == []


def test_a_submission_opens_the_incident_with_the_people_and_the_group(stack):
    envelope_id, view = open_form(stack)
    values = {"severity": "sev2", "description": "DB slow", "people": [BOB, DAVE], "groups": "@sre"}
    assert stack.handle(stack.emu.submit_view(ALICE, view["id"], values)) is None  # the modal closes
    # recorded before the ack: a crash from here on cannot lose it (a restart finishes the channel)
    assert stack.incidents.store.incidents.get(1).description == "DB slow"
    stack.done()
    [incident], _ = stack.incidents.store.incidents.list(include_closed=True, limit=10)
    assert (incident.severity, incident.description, incident.opened_by) == ("sev2", "DB slow", ALICE)
    assert not incident.is_private and incident.origin_channel == stack.emu.channel_by_name("ops").id
    members = set(stack.emu.channel(incident.channel_id).members)
    assert {ALICE, BOB, DAVE, CAROL} <= members and ADMIN not in members  # @sre is bob and carol
    [answer] = stack.emu.responses_for(envelope_id)  # the slash command's response_url: only alice sees it
    assert answer["applied"] == "ephemeral"
    assert answer["body"]["text"] == f"Incident {incident.number} (SEV2 - Major) is open in <#{incident.channel_id}>."
    assert stack.incidents.store.incidents.get(incident.number).pending_steps() == []  # the reply step is done


def test_configured_groups_are_picked_from_a_list_and_private_is_honoured(stack):
    stack.config["FORM_GROUPS"] = [SRE_GROUP]
    _, view = open_form(stack)
    values = {"severity": "sev3", "description": "Secret stuff", "groups": [SRE_GROUP], "private": ["private"]}
    assert stack.handle(stack.emu.submit_view(ALICE, view["id"], values)) is None
    stack.done()
    [incident], _ = stack.incidents.store.incidents.list(include_closed=True, limit=10)
    assert incident.is_private and stack.emu.channel(incident.channel_id).is_private
    assert {ALICE, BOB, CAROL} <= set(stack.emu.channel(incident.channel_id).members)


def test_the_same_submission_twice_opens_one_incident(stack):
    envelope_id, view = open_form(stack)
    submission = stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "DB slow"})
    assert stack.handle(submission) is None
    assert stack.handle(submission) is None  # redelivered
    stack.done()
    assert stack.incidents.store.incidents.list(include_closed=True, limit=10)[1] == 1
    assert len(stack.emu.calls_to("conversations.create")) == 1
    assert len(stack.emu.responses_for(envelope_id)) == 1


def test_a_slack_failure_after_submission_is_reported_like_a_failed_open(stack):
    envelope_id, view = open_form(stack)
    stack.emu.inject_fault("conversations.create", "error", error="restricted_action")
    assert (
        stack.handle(stack.emu.submit_view(ALICE, view["id"], {"severity": "sev1", "description": "DB down"})) is None
    )
    stack.done()
    [answer] = stack.emu.responses_for(envelope_id)
    assert answer["body"]["text"] == (
        "Incident 1 (SEV1 - Critical) is recorded, but its channel could not be created.\n"
        ":warning: I could not create the channel: a workspace setting does not let the bot do this.\n"
        "Run `!incident retry 1` to try again."
    )


def test_opened_from_a_dm_the_answer_comes_in_the_dm(stack):
    dm = stack.emu.open_dm(ALICE)
    envelope_id, ack = stack.slash(ALICE, dm)
    assert ack is None
    [view] = stack.emu.open_views(ALICE)
    stack.handle(stack.emu.submit_view(ALICE, view["id"], {"severity": "sev4", "description": "Typo on the site"}))
    stack.done()
    [answer] = stack.emu.responses_for(envelope_id)
    assert answer["body"]["text"].startswith("Incident 1 (SEV4 - Low) is open in <#")
    assert stack.private_answers(ALICE) == [answer["body"]["text"]]


def test_an_open_interrupted_after_the_ack_is_finished_with_its_people_and_group(stack):
    _, view = open_form(stack)
    values = {"severity": "sev2", "description": "DB slow", "people": [DAVE], "groups": "@sre @nosuch"}
    form = stack.payload(stack.emu.submit_view(ALICE, view["id"], values))["view"]
    # what a crash right after the ack leaves: the incident recorded, no Slack step done
    severity, description, mentions = validate_open(modals.read_open_form(form), stack.settings)
    request = OpenRequest(severity, description, ALICE, mentions=mentions, dedup_key=f"modal:{form['id']}")
    number = stack.incidents.record(request).incident.number
    report = stack.incidents.resume(number)
    stack.done()
    assert {ALICE, DAVE, BOB, CAROL} <= set(stack.emu.channel(report.incident.channel_id).members)
    assert "There is no user group @nosuch; nobody was invited for it." in report.warnings


def test_the_same_incident_from_a_second_form_moments_later_points_to_the_first(stack):
    _, view = open_form(stack)
    stack.handle(stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "DB slow"}))
    stack.done()
    second, view = open_form(stack)
    stack.handle(stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "DB slow"}))
    stack.done()
    cid = stack.incidents.store.incidents.get(1).channel_id
    assert [p["body"]["text"] for p in stack.emu.responses_for(second)] == [
        f"You opened this a moment ago: Incident 1 in <#{cid}>."
    ]
    assert stack.incidents.store.incidents.list(include_closed=True, limit=10)[1] == 1
