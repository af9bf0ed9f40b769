"""Field filters (`!incident stats 90d team=payments`, the web report's `field.<name>`) and the export's field
columns, pure."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from redalert_core.domain import export
from redalert_core.domain.commands import ParseError
from redalert_core.domain.field_filters import FieldFilter, describe, parse_filters, split_filter_words
from redalert_core.domain.metrics import IncidentFacts
from redalert_core.domain.workflow_file import parse_workflows
from redalert_core.domain.workflow_model import EMPTY

FILE = parse_workflows((Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml").read_text())


def test_field_words_are_split_from_the_other_words_quotes_kept_together() -> None:
    words, pairs = split_filter_words('90d team=payments sev1 impact="EU cards" ticket=“https://t.example/1”')
    assert words == ["90d", "sev1"]
    assert pairs == [("team", "payments"), ("impact", "EU cards"), ("ticket", "https://t.example/1")]
    assert split_filter_words("2026-01-01..2026-01-31 x:y=z") == (["2026-01-01..2026-01-31", "x:y=z"], [])
    with pytest.raises(ParseError, match=re.escape("The value of impact opens a quote that does not close")):
        split_filter_words('impact="EU cards')


def test_filters_are_checked_against_the_file() -> None:
    pairs = [("Team", "payments"), ("customers", "12"), ("reporter", "<@U0ALICE>")]
    assert parse_filters(pairs, FILE) == (
        FieldFilter("team", "payments"),
        FieldFilter("customers", "12"),
        FieldFilter("reporter", "U0ALICE"),
    )


@pytest.mark.parametrize(
    ("pairs", "error"),
    [
        ([("colour", "red")], '"colour" is not a field. Fields: team, impact, customers, reporter, ticket.'),
        ([("team", "billing")], "team is one of payments, search, identity."),
        ([("customers", "many")], "customers is a number, like 42 or 2.5."),
        ([("team", "")], "team needs a value."),
    ],
)
def test_an_unknown_field_or_a_value_it_cannot_hold_is_refused(pairs, error) -> None:
    with pytest.raises(ParseError, match=re.escape(error)):
        parse_filters(pairs, FILE)


def test_without_fields_any_filter_is_refused_saying_why() -> None:
    with pytest.raises(ParseError, match=re.escape('"team" is not a field: the workflows file in force')):
        parse_filters([("team", "payments")], EMPTY)


def test_a_multi_select_filter_is_one_containment_per_choice() -> None:
    file = parse_workflows("fields:\n  - name: regions\n    kind: multi_select\n    options: [eu, us, apac]\n")
    filters = parse_filters([("regions", "us,eu"), ("regions", "eu")], file)
    assert filters == (FieldFilter("regions", "us", contains=True), FieldFilter("regions", "eu", contains=True))
    assert describe(filters) == "regions=us, regions=eu"
    assert FieldFilter("team", "payments core").describe() == 'team="payments core"'


T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _facts(number: int) -> IncidentFacts:
    return IncidentFacts(number, "sev2", T0, None, None, None, status="investigating", description="d")


def test_the_export_has_a_field_column_per_field_empty_where_unset() -> None:
    rows = [_facts(1), _facts(2)]
    values = {1: {"team": "payments", "regions": "eu,us"}, 2: {"impact": "=1+1"}}
    fields = ["team", "regions", "impact"]
    table = list(csv.reader(io.StringIO(export.render(rows, "csv", fields, values))))
    assert table[0] == [*export.COLUMNS, "field_team", "field_regions", "field_impact"]
    assert table[1][-3:] == ["payments", "eu,us", ""] and table[2][-3:] == ["", "", "'=1+1"]
    items = json.loads(export.render(rows, "json", fields, values))
    assert [item["field_regions"] for item in items] == ["eu,us", None]
    assert next(csv.reader(io.StringIO(export.render(rows, "csv")))) == list(export.COLUMNS)
