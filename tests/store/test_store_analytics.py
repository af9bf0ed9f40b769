"""The metrics of a hand-built history (tests/analysis_history.py), aggregated in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import analysis_history as history
import pytest

from redalert_core.domain.metrics import compute, parse_period
from redalert_core.store.analytics import Scope, Viewer

SEVERITIES = ["sev1", "sev2", "sev3", "sev4", "sev5"]


def figures(store, period_text: str, viewer: Viewer, severity: str | None = None):
    period = parse_period(period_text, history.NOW)
    analytics = store.analytics
    scope = Scope(period.start, period.end, severity)
    return compute(
        period,
        analytics.durations(scope, viewer, statuses=history.STATUSES),
        SEVERITIES,
        severity=severity,
        open_at_end=analytics.open_at(period.end, viewer, severity),
        tasks=analytics.task_counts(period.start, period.end, viewer),
        per_problem=analytics.incidents_per_problem(scope, viewer),
    )


@pytest.fixture
def built(store):
    history.build(store)
    return store


def test_public_figures_match_the_construction(built):
    expected = history.EXPECTED
    got = figures(built, history.PERIOD, Viewer(None, False))
    assert got.incidents == expected["incidents"]
    assert got.by_severity == expected["by_severity"]
    for name, summary in (("tta", got.tta), ("ttr", got.ttr), ("ttc", got.time_to_close)):
        assert (summary.median, summary.p90, summary.mean) == pytest.approx(expected[name]), name
    assert got.not_acknowledged == expected["not_acknowledged"]
    assert got.not_resolved == expected["not_resolved"]
    assert got.open_at_end == expected["open_at_end"]
    assert got.severity_changed == expected["severity_changed"]
    assert [week.by_severity for week in got.weeks] == expected["weeks"]
    assert [week.start.day for week in got.weeks] == [2, 9]
    assert got.weeks[0].ttr_median == pytest.approx(4500.0)  # 3600 and 5400
    assert (got.tasks_opened, got.tasks_done) == expected["tasks"]
    assert got.per_problem == expected["per_problem"]


def test_private_incident_counts_for_its_people_and_admins_only(built):
    for viewer in (Viewer(history.ADMIN, True), Viewer(history.ALICE, False)):
        got = figures(built, history.PERIOD, viewer)
        assert got.incidents == history.EXPECTED_ADMIN["incidents"]
        assert got.by_severity == history.EXPECTED_ADMIN["by_severity"]
        assert got.open_at_end == history.EXPECTED_ADMIN["open_at_end"]
        assert got.tta.count == 5
    assert figures(built, history.PERIOD, Viewer(history.CAROL, False)).incidents == 5


def test_per_incident_times(built):
    period = parse_period(history.PERIOD, history.NOW)
    rows = {
        row.number: row
        for row in built.history.incidents(
            Scope(period.start, period.end), Viewer(None, True), statuses=history.STATUSES
        )
    }
    assert sorted(rows) == [2, 3, 4, 5, 6, 8]
    assert rows[3].ttr == 5400 and rows[3].tta == 300  # the last resolution counts; an update acknowledges
    assert rows[4].severity == "sev1" and rows[4].severity_changes == 1 and rows[4].commander == history.CAROL
    assert rows[4].resolved_at == rows[4].closed_at  # never resolved: resolved at close
    assert (
        rows[5].acknowledged_at is None and rows[5].resolved_at is None and rows[5].status == "opening"
    )  # never finished opening (built in the store)
    assert rows[8].tta == 1800  # neither the opener as lead nor a same-status note acknowledges
    assert rows[2].problem == 1 and (rows[2].tasks_open, rows[2].tasks_done) == (0, 1)
    assert rows[3].tasks_open == 1 and rows[3].status == "closed"


def test_severity_filter_and_empty_period(built):
    got = figures(built, history.PERIOD, Viewer(None, False), "sev1")
    assert got.incidents == 2 and got.by_severity == {"sev1": 2}
    assert got.ttr.median == pytest.approx((3600 + 14400) / 2)
    empty = figures(built, history.EMPTY_PERIOD, Viewer(None, False))
    assert empty.empty and empty.tta.count == 0 and empty.tta.median is None
    assert all(not any(week.by_severity.values()) for week in empty.weeks)


def test_open_at_counts_incidents_crossing_the_edge(built):
    inside = parse_period("2026-02-02..2026-02-02", history.NOW)
    # At the end of Feb 2: incident 1 (opened Jan 31, closed Feb 3) and incident 2 (closed at 12:00) -> only 1 open.
    assert built.analytics.open_at(inside.end, Viewer(None, False)) == 1
    assert built.analytics.open_at(inside.end - timedelta(hours=13), Viewer(None, False)) == 2


def test_all_starts_at_the_first_incident(built):
    got = figures(built, "all", Viewer(None, False))
    assert got.incidents == 7  # every public incident
    assert got.weeks[0].start.date().isoformat() == "2026-01-26"


def test_lean_durations_agree_with_the_full_rows(built):
    scope = Scope(None, history.NOW)
    viewer = Viewer(None, True)
    full = {row.number: row for row in built.history.incidents(scope, viewer, statuses=history.STATUSES)}
    lean = {row.number: row for row in built.analytics.durations(scope, viewer, statuses=history.STATUSES)}
    assert sorted(full) == sorted(lean) == list(range(1, 9))
    for number, row in full.items():
        other = lean[number]
        assert (other.severity, other.opened_at, other.problem) == (row.severity, row.opened_at, row.problem)
        for mine, theirs in ((other.tta, row.tta), (other.ttr, row.ttr), (other.time_to_close, row.time_to_close)):
            assert (mine is None) == (theirs is None), number
            assert mine is None or abs(mine - theirs) < 0.001, number
        assert other.severity_changes == row.severity_changes
