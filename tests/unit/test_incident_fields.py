"""Types and custom field values in commands: `!incident open security sev2 Suspicious logins team=identity`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redalert_core.domain.commands import ParseError
from redalert_core.domain.incident_fields import (
    FieldsRefused,
    check_fields,
    check_open,
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


@pytest.mark.parametrize(
    "text",
    [
        "sev2 Suspicious logins team=identity <@U0ALICE>",
        "sev2 Suspicious logins <@U0ALICE> team=identity",
        "sev2 Suspicious logins <@U0ALICE|alice> team=identity <!subteam^S0SRE|@sre>",
        'sev2 Suspicious logins team=identity <@U0ALICE> impact="a few users" <!subteam^S0SRE|@sre>',
    ],
)
def test_field_words_and_mentions_mix_in_any_order_after_the_description(text: str) -> None:
    rest, values = split_fields(text, FILE, "security")
    assert values["team"] == "identity" and set(values) <= {"team", "impact"}
    assert rest.startswith("sev2 Suspicious logins <@U0ALICE")  # the mentions stay, in their order
    assert "team=" not in rest and "impact=" not in rest
    assert rest.endswith("<!subteam^S0SRE|@sre>") == ("subteam" in text)


def test_a_trailing_word_that_is_not_a_field_of_the_type_is_refused_naming_its_fields() -> None:
    with pytest.raises(ParseError, match=re.escape('"ratio" is not a field of outage incidents. Fields: team, impact')):
        split_fields("sev1 Disk ratio=3", FILE, "outage")
    with pytest.raises(ParseError, match=re.escape('"customers" is not a field of security incidents. Fields: team')):
        split_fields("sev1 Leak customers=3 <@U0ALICE>", FILE, "security")  # customers: outage only
    assert split_fields("sev1 Disk ratio=3 on db-2", FILE, "outage") == ("sev1 Disk ratio=3 on db-2", {})


def test_without_fields_in_the_file_a_word_with_equals_is_description() -> None:
    types_only = parse_workflows("types:\n  - name: outage\n    description: Down\n")
    assert split_fields("sev1 Disk ratio=3 <@U0ALICE>", types_only, "outage") == ("sev1 Disk ratio=3 <@U0ALICE>", {})


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('sev1 Down team="payments core', 'The value of team opens a quote that does not close: team="two words".'),
        (
            "sev1 Down impact=EU cards fail",
            "impact= is followed by other words: field words go at the end, and a value of several words in quotes",
        ),
        ("sev1 team=payments Checkout down", "team= is followed by other words"),
    ],
)
def test_a_field_word_left_inside_the_description_is_refused(text: str, error: str) -> None:
    with pytest.raises(ParseError, match=re.escape(error)):
        split_fields(text, FILE, "outage")


def test_quotes_as_slack_clients_type_them_and_slack_markup_in_values() -> None:
    rest, values = split_fields(
        "sev1 Down impact=“EU cards &amp; wallets” ticket=<https://t.example/1>", FILE, "outage"
    )
    assert (rest, values) == ("sev1 Down", {"impact": "EU cards & wallets", "ticket": "https://t.example/1"})
    assert split_fields("sev1 Down Team=search", FILE, "outage") == ("sev1 Down", {"team": "search"})


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
    assert (typed.incident_type, typed.fields) == ("security", {"team": "identity"})
    outage = read_open('sev3 Search slow team=search ticket="https://x.example/1"', FILE, SEVERITIES)
    assert (outage.text, outage.incident_type) == ("sev3 Search slow", "outage")
    with pytest.raises(ParseError, match="Cannot open without team"):
        read_open("sev2 Checkout slow", FILE, SEVERITIES)


def test_read_open_without_types_or_fields_leaves_the_text_alone() -> None:
    empty = parse_workflows("workflows: []\n")
    assert read_open("sev2 Checkout slow team=x", empty, SEVERITIES).text == "sev2 Checkout slow team=x"


def test_check_open_names_every_bad_value_by_its_key_in_the_chat_words() -> None:
    with pytest.raises(FieldsRefused) as refused:
        check_open(FILE, "outage", {"customers": "many", "ticket": "ftp://x", "reporter": "U0ALICE", "colour": "red"})
    assert refused.value.fields == {
        "fields.customers": "customers is a number, like 42 or 2.5.",
        "fields.ticket": "ticket is a link starting with http:// or https://.",
        "fields.reporter": '"reporter" is not a field of this incident. Fields: team, impact, customers, ticket.',
        "fields.colour": '"colour" is not a field of this incident. Fields: team, impact, customers, ticket.',
        "fields.team": "Cannot open without team.",  # required at open
    }
    assert isinstance(refused.value, ParseError) and str(refused.value).startswith("customers is a number")


def test_check_open_takes_the_named_type_or_the_first_and_refuses_an_unknown_one_alone() -> None:
    kind, values = check_open(FILE, "Security", {"team": "identity", "reporter": "<@U0ALICE>"})
    assert (kind.name, values) == ("security", {"team": "identity", "reporter": "U0ALICE"})
    assert check_open(FILE, None, {"team": "search"})[0].name == "outage"
    with pytest.raises(FieldsRefused) as refused:
        check_open(FILE, "billing", {"team": "nope"})
    assert refused.value.fields == {"type": '"billing" is not an incident type. Use one of: outage, security.'}
    empty = parse_workflows("workflows: []\n")
    assert check_open(empty, None, {}) == (None, {})
    with pytest.raises(FieldsRefused, match="There are no incident types"):
        check_open(empty, "outage", {})


def test_check_fields_keys_by_name_and_checks_only_what_is_given() -> None:
    assert check_fields(FILE, "outage", {"Customers": "12"}) == {"customers": "12"}
    with pytest.raises(FieldsRefused) as refused:
        check_fields(FILE, "outage", {"team": "billing", "impact": " "})
    assert refused.value.fields == {
        "team": "team is one of payments, search, identity.",
        "impact": "impact needs a value.",
    }
