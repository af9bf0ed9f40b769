"""Property-based tests: any text given to `!incident stats` / `!incident export`, and any set of incident times,
gives a clear refusal or sound figures, never a crash. Derandomised, like test_hostile_input.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from redalert_core.domain.metrics import IncidentFacts, PeriodError, compute, parse_period
from redalert_core.domain.settings import validate
from redalert_core.domain.workflow_file import parse_workflows
from redalert_core.services.analysis import AnalysisService
from redalert_core.services.incidents import ServiceError

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SETTINGS = validate({})
PROFILE = settings(max_examples=150, derandomize=True, deadline=None)


class _Incidents:  # what AnalysisService reads of the incident service when it only parses
    store = gateway = None
    settings = SETTINGS


ANALYSIS = AnalysisService(_Incidents(), clock=lambda: NOW)
words = st.lists(
    st.one_of(
        st.sampled_from(["7d", "30d", "all", "sev1", "SEV2", "csv", "json", "2026-01-01..2026-01-31", "2026-13-01..x"]),
        st.text(min_size=1, max_size=20).filter(lambda w: not any(c.isspace() for c in w)),
    ),
    max_size=4,
)


@PROFILE
@given(words)
def test_stats_and_export_arguments_parse_or_refuse_clearly(args):
    for parse in (ANALYSIS.parse_stats_args, ANALYSIS.parse_export_args):
        try:
            first, second = parse(args)
        except ServiceError as refused:
            assert str(refused).startswith('"') and "Usage: !incident" in str(refused)
            continue
        for value in (first, second):
            if value is not None and value not in ("csv", "json") and SETTINGS.severity(value) is None:
                try:
                    parse_period(value, NOW)
                except PeriodError as exc:
                    message = str(exc)
                    assert any(w in message for w in ("is not", "ends before", "ten years", "outside 1970–2100"))


durations = st.one_of(st.none(), st.integers(min_value=0, max_value=40 * 86400))


@PROFILE
@given(st.lists(st.tuples(st.integers(0, 120 * 86400), durations, durations, durations), max_size=40))
def test_figures_are_sound_for_any_history(history):
    period = parse_period("90d", NOW)
    start = NOW - timedelta(days=100)
    facts = [
        IncidentFacts(
            n,
            "sev1" if n % 2 else "sev3",
            start + timedelta(seconds=offset),
            None if a is None else start + timedelta(seconds=offset + a),
            None if r is None else start + timedelta(seconds=offset + r),
            None if c is None else start + timedelta(seconds=offset + c),
        )
        for n, (offset, a, r, c) in enumerate(history)
    ]
    figures = compute(period, facts, SETTINGS.severity_values)
    inside = [f for f in facts if period.contains(f.opened_at)]
    assert figures.incidents == len(inside) == sum(sum(week.by_severity.values()) for week in figures.weeks)
    assert figures.tta.count + figures.not_acknowledged == len(inside)
    for summary in (figures.tta, figures.ttr, figures.time_to_close):
        if summary.count:
            assert summary.median <= summary.p90 * (1 + 1e-9) + 1e-9
            assert summary.median >= 0
        else:
            assert summary.median is None


FIELDS_FILE = parse_workflows((Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml").read_text())
WITH_FIELDS = AnalysisService(_Incidents(), clock=lambda: NOW, workflows_file=lambda: FIELDS_FILE)
filter_texts = st.lists(
    st.one_of(
        st.sampled_from(["90d", "sev1", "team=payments", "team=", 'impact="a b"', 'impact="x', "customers=1.5"]),
        st.builds(lambda n, v: f"{n}={v}", st.sampled_from(["team", "colour", "reporter", "ticket"]), st.text()),
        st.text(max_size=12),
    ),
    max_size=5,
).map(" ".join)


@PROFILE
@given(filter_texts)
def test_field_filters_parse_or_refuse_clearly(text):
    try:
        words, filters = WITH_FIELDS.field_filters(text)
    except ServiceError as refused:
        assert str(refused).rstrip().endswith(".") and len(str(refused)) < 300
        return
    assert all(FIELDS_FILE.field_named(item.name) is not None and item.value for item in filters)
    assert all(word.strip() for word in words)
