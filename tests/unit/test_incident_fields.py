"""Types and custom field values in commands: `!incident open security sev2 Suspicious logins team=identity`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redalert_core.domain.commands import ParseError
from redalert_core.domain.incident_fields import (
    check_value,
    missing,
    pick_type,
    read_open,
    refuse_missing,
    split_fields,
)
from redalert_core.domain.workflow_file import parse_workflows
from redalert_core.domain.workflow_model import Required

FILE = parse_workflows((Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml").read_text())


def test_the_first_word_names_a_type_else_the_first_type() -> None:
    kind, rest = pick_type("security sev2 Suspicious logins team=identity", FILE)
    assert (kind.name, rest) == ("security", "sev2 Suspicious logins team=identity")
    kind, rest = pick_type("sev1 Checkout is down", FILE)
    assert (kind.name, rest) == ("outage", "sev1 Checkout is down")


def test_trailing_field_words_are_taken_and_checked() -> None:
    rest, values = split_fields("sev2 Suspicious logins team=identity ticket=https://t.example/1", FILE, "security")
    assert (rest, values) == ("sev2 Suspicious logins", {"team": "identity", "ticket": "https://t.example/1"})
    rest, values = split_fields('sev1 Checkout down impact="EU cards fail" customers=1200', FILE, "outage")
    assert (rest, values) == ("sev1 Checkout down", {"impact": "EU cards fail", "customers": "1200"})


def test_words_that_are_not_fields_of_the_type_stay_in_the_description() -> None:
    assert split_fields("sev1 Disk ratio=3", FILE, "outage") == ("sev1 Disk ratio=3", {})
    assert split_fields("sev1 Leak customers=3", FILE, "security") == ("sev1 Leak customers=3", {})  # outage only


@pytest.mark.parametrize(
    ("name", "raw", "error"),
    [
        ("team", "billing", "team is one of payments, search, identity."),
        ("customers", "many", "customers is a number, like 42 or 2.5."),
        ("ticket", "javascript:alert(1)", "ticket is a link starting with http:// or https://."),
        ("reporter", "@alice", "reporter is a Slack user: mention them (@name)."),
    ],
)
def test_values_must_fit_their_kind(name: str, raw: str, error: str) -> None:
    with pytest.raises(ParseError, match=re.escape(error)):
        check_value(FILE.field_named(name), raw)


def test_a_user_mention_keeps_the_id_and_a_ping_stays_text() -> None:
    assert check_value(FILE.field_named("reporter"), "<@U0ALICE|alice>") == "U0ALICE"
    assert check_value(FILE.field_named("impact"), "<!channel> all down") == "<!channel> all down"  # inert when shown


def test_required_fields_at_open_and_close_are_named() -> None:
    assert missing(FILE, "outage", {}, Required.OPEN) == ["team"]
    assert missing(FILE, "outage", {"team": "search"}, Required.CLOSE) == ["impact"]
    with pytest.raises(ParseError, match=re.escape("Cannot open without team: add team=<value>.")):
        refuse_missing(["team"], Required.OPEN)


SEVERITIES = frozenset({"sev1", "sev2", "sev3"})


def test_read_open_gives_the_type_its_defaults_and_the_fields() -> None:
    typed = read_open("--private security Leaked key team=identity", FILE, SEVERITIES)
    assert typed.text == "--private sev1 Leaked key"  # the type's default severity
    assert (typed.incident_type, typed.fields, typed.private) == ("security", {"team": "identity"}, True)
    assert typed.invite_users == ("U012AB3CD",) and typed.invite_groups == ("S0SECURITY",)
    outage = read_open('sev3 Search slow team=search ticket="https://x.example/1"', FILE, SEVERITIES)
    assert (outage.text, outage.incident_type, outage.private) == ("sev3 Search slow", "outage", False)
    with pytest.raises(ParseError, match="Cannot open without team"):
        read_open("sev2 Checkout slow", FILE, SEVERITIES)


def test_read_open_without_types_or_fields_leaves_the_text_alone() -> None:
    empty = parse_workflows("workflows: []\n")
    assert read_open("sev2 Checkout slow team=x", empty, SEVERITIES).text == "sev2 Checkout slow team=x"
