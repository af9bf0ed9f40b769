"""Block Kit built by RedAlert stays within Slack's limits; the summary's buttons; reading modal submissions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from redalert_core.domain.incident import Incident, Phase
from redalert_core.domain.incident_form import preselect
from redalert_core.domain.settings import validate
from redalert_core.domain.workflow_file import parse_workflows
from redalert_core.slack import blocks, messages, modals
from redalert_core.slack.type_form import TypeView

SETTINGS = validate({})


def incident(**changes) -> Incident:
    fields = {
        "number": 7,
        "severity": "sev2",
        "description": "Checkout is down " * 20,
        "opened_by": "U0ALICE",
        "opened_at": datetime(2026, 1, 1, tzinfo=UTC),
        "channel_id": "C0INC",
        "phase": Phase.OPEN,
    }
    fields.update(changes)
    return Incident(**fields)


def check_view(view: dict) -> None:
    for key in ("title", "submit", "close"):
        assert len(view[key]["text"]) <= 24, key
    assert len(view["blocks"]) <= 100
    assert len(view["private_metadata"]) <= 3000
    ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert len(ids) == len(set(ids))
    for block in view["blocks"]:
        for option in (block.get("element") or {}).get("options", []):
            assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150


def buttons(summary_blocks: list[dict]) -> dict[str, dict]:
    actions = [b for b in summary_blocks if b["type"] == "actions"]
    return {e["action_id"]: e for a in actions for e in a["elements"]}


def test_open_summary_has_join_update_resolve_close():
    _, summary_blocks = messages.summary(incident(), SETTINGS, ["U0ALICE"])
    found = buttons(summary_blocks)
    assert list(found) == [blocks.JOIN, blocks.UPDATE, blocks.RESOLVE, blocks.CLOSE]
    assert all(len(b["text"]["text"]) <= 24 and b["value"] == "7" for b in found.values())
    confirm = found[blocks.CLOSE]["confirm"]
    assert confirm["title"]["text"] == "Close incident 7?" and len(confirm["confirm"]["text"]) <= 30
    assert len(summary_blocks) <= 50


def test_resolved_summary_drops_resolve_and_closed_summary_has_no_buttons():
    live = dict(roles={}, commander="U0ALICE", participants=[], last_update=None)
    _, resolved = messages.live_summary(incident(), SETTINGS, status="resolved", **live)
    assert blocks.RESOLVE not in buttons(resolved) and blocks.CLOSE in buttons(resolved)
    closed = incident(phase=Phase.CLOSED, closed_at=datetime(2026, 1, 2, tzinfo=UTC), closed_by="U0BOB")
    _, closed_blocks = messages.live_summary(closed, SETTINGS, status="closed", **live)
    assert buttons(closed_blocks) == {}


def test_open_modal_lists_the_severities_and_carries_its_metadata():
    metadata = modals.encode_metadata({"channel": "C0OPS", "response_url": "http://127.0.0.1/r", "unused": None})
    view = modals.open_incident(SETTINGS, metadata)
    check_view(view)
    severity = next(b for b in view["blocks"] if b["block_id"] == "severity")["element"]
    assert [o["value"] for o in severity["options"]] == SETTINGS.severity_values
    assert modals.decode_metadata(view["private_metadata"]) == {
        "channel": "C0OPS",
        "response_url": "http://127.0.0.1/r",
    }
    groups = next(b for b in view["blocks"] if b["block_id"] == "groups")
    assert groups["element"]["type"] == "plain_text_input" and groups["optional"]


def test_configured_groups_become_a_multi_select():
    view = modals.open_incident(validate({"FORM_GROUPS": ["@sre", "S0DBA"]}), "{}")
    groups = next(b for b in view["blocks"] if b["block_id"] == "groups")["element"]
    assert groups["type"] == "multi_static_select"
    assert [o["value"] for o in groups["options"]] == ["@sre", "S0DBA"]


def test_many_long_severities_stay_within_limits():
    levels = [{"label": f"Level {i} " + "x" * 90, "value": f"l{i}"} for i in range(120)]
    view = modals.open_incident(validate({"SEVERITY_LEVELS": levels}), "{}")
    check_view(view)
    severity = next(b for b in view["blocks"] if b["block_id"] == "severity")["element"]
    assert len(severity["options"]) == 100


def test_update_modal_preselects_the_current_status():
    view = modals.update_incident(incident(number=123456789), SETTINGS, "identified", "{}")
    check_view(view)
    assert view["notify_on_close"] is True
    status = next(b for b in view["blocks"] if b.get("block_id") == "status")["element"]
    assert status["initial_option"]["value"] == "identified"


def test_metadata_that_does_not_fit_is_refused():
    with pytest.raises(modals.MetadataTooLarge):
        modals.encode_metadata({"response_url": "x" * 3000})


def state(**values) -> dict:
    return {"state": {"values": {block: {block: value} for block, value in values.items()}}}


def test_reading_an_open_submission():
    view = state(
        severity={"type": "static_select", "selected_option": {"text": {}, "value": "sev1"}},
        description={"type": "plain_text_input", "value": "DB slow"},
        people={"type": "multi_users_select", "selected_users": ["U1", "U2"]},
        groups={"type": "plain_text_input", "value": "@sre"},
        private={"type": "checkboxes", "selected_options": [{"value": "private"}]},
    )
    form = modals.read_open_form(view)
    assert (form.severity, form.description, form.people, form.is_private) == ("sev1", "DB slow", ["U1", "U2"], True)
    assert form.typed_groups == "@sre"
    empty = modals.read_open_form(state(severity={"type": "static_select", "selected_option": None}))
    assert (empty.severity, empty.description, empty.people, empty.is_private) == (None, None, [], False)


def test_errors_are_keyed_by_block():
    assert modals.errors({"description": "Say what is happening."}) == {
        "response_action": "errors",
        "errors": {"description": "Say what is happening."},
    }
    json.dumps(modals.errors({"x": "y" * 5000}))  # clipped, still serialisable
    assert len(modals.errors({"x": "y" * 5000})["errors"]["x"]) <= 2000


TYPED = parse_workflows(
    """
types:
  - name: outage
    severity: sev2
  - name: security
    description: A very long description that does not fit in a select option's seventy-five characters at all
    severity: sev1
    private: true
fields:
  - name: team
    kind: select
    options: [payments, search]
    required: open
  - name: regions
    kind: multi_select
    options: [eu, us]
  - name: reporter
    kind: user
    types: [security]
"""
)


def test_a_typed_open_modal_keeps_slacks_limits_and_reads_back_its_fields():
    kind = TYPED.type_named("security")
    view = modals.open_incident(SETTINGS, "{}", TypeView(TYPED, kind, "sev1", True))
    check_view(view)
    chooser = view["blocks"][0]
    assert chooser["block_id"] == "type" and chooser["dispatch_action"] is True
    assert all(len(o.get("description", {}).get("text", "")) <= 75 for o in chooser["element"]["options"])
    assert chooser["element"]["initial_option"] in chooser["element"]["options"]
    severity = next(b for b in view["blocks"] if b["block_id"] == "severity")["element"]
    assert severity["action_id"] == "severity.security" and severity["initial_option"]["value"] == "sev1"
    form = modals.read_open_form(
        state(
            type={"type": "static_select", "selected_option": {"value": "security"}},
            **{
                "fields.team": {"type": "static_select", "selected_option": {"value": "search"}},
                "fields.regions": {
                    "type": "multi_static_select",
                    "selected_options": [{"value": "eu"}, {"value": "us"}],
                },
                "fields.reporter": {"type": "users_select", "selected_user": "U1"},
                "fields.ticket": {"type": "url_text_input", "value": None},
            },
        )
    )
    assert form.incident_type == "security"
    assert form.fields == {"team": "search", "regions": "eu,us", "reporter": "U1"}  # an empty one is left out


def test_a_new_type_brings_its_defaults_unless_the_person_chose_otherwise():
    outage, security = TYPED.types
    assert preselect(None, security, None, False) == ("sev1", True)
    assert preselect(outage, security, "sev2", False) == ("sev1", True)  # outage's defaults, untouched
    assert preselect(outage, security, "sev4", False) == ("sev4", True)  # a severity picked by hand stays
    assert preselect(security, outage, "sev1", True) == ("sev2", False)
    assert preselect(security, outage, None, False) == ("sev2", False)  # unticked by hand: stays unticked


def test_errors_for_fields_the_form_does_not_show_go_under_its_first_input():
    view = {"blocks": [{"type": "input", "block_id": "type"}, {"type": "input", "block_id": "severity"}]}
    answer = modals.errors({"fields.new": "Cannot open without new.", "severity": "Pick a severity."}, view)
    assert answer["errors"] == {"type": "Cannot open without new.", "severity": "Pick a severity."}
