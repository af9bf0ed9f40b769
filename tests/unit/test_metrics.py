"""Pure metric computations: periods, percentiles, weeks, the digest schedule, web links and the export format."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from redalert_core.domain import export
from redalert_core.domain.digest import digest_key, digest_weeks, parse_schedule
from redalert_core.domain.metrics import (
    IncidentFacts,
    PeriodError,
    change,
    compute,
    parse_period,
    percentile,
    short_duration,
    weeks_between,
)
from redalert_core.domain.settings import ConfigError, validate
from redalert_core.domain.web_access import check_token, make_token, token_user

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday


def test_periods():
    assert parse_period(None, NOW).start == NOW - timedelta(days=30)
    assert parse_period("7d", NOW).start == NOW - timedelta(days=7)
    assert parse_period("365D", NOW).end == NOW
    assert parse_period("all", NOW).start is None
    span = parse_period("2026-02-02..2026-02-15", NOW)
    assert span.start == datetime(2026, 2, 2, tzinfo=UTC) and span.end == datetime(2026, 2, 16, tzinfo=UTC)
    assert span.describe() == "2026-02-02 to 2026-02-15"
    for bad, words in (
        ("14d", "is not a period"),
        ("2026-02-30..2026-03-01", "not a real date"),
        ("2026-03-01..2026-02-01", "ends before it starts"),
        ("1990-01-01..2026-01-01", "longer than ten years"),
        ("9999-12-31..9999-12-31", "outside 1970–2100"),
        ("1969-12-31..1970-01-02", "outside 1970–2100"),
    ):
        with pytest.raises(PeriodError, match=words):
            parse_period(bad, NOW)


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([5], 0.9) == 5
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46)


def test_weeks_are_iso_weeks_in_utc():
    weeks = weeks_between(datetime(2026, 2, 4, tzinfo=UTC), datetime(2026, 2, 16, tzinfo=UTC))
    assert [w.day for w in weeks] == [2, 9]
    assert all(w.weekday() == 0 for w in weeks)


def test_compute_ignores_incidents_outside_the_period():
    period = parse_period("2026-02-02..2026-02-08", NOW)
    inside = datetime(2026, 2, 3, tzinfo=UTC)
    facts = [
        IncidentFacts(1, "sev1", inside, inside + timedelta(minutes=5), inside + timedelta(hours=1), None),
        IncidentFacts(2, "sev9", inside, None, None, None),  # a severity no longer configured still counts
        IncidentFacts(3, "sev1", datetime(2026, 2, 8, 23, 59, tzinfo=UTC) + timedelta(minutes=1), None, None, None),
    ]
    figures = compute(period, facts, ["sev1", "sev2"])
    assert figures.incidents == 2 and figures.by_severity == {"sev1": 1, "sev9": 1}
    assert figures.tta.count == 1 and figures.not_resolved == 1
    assert len(figures.weeks) == 1 and figures.weeks[0].ttr_median == 3600


def test_durations_and_changes_read_well():
    assert [short_duration(s) for s in (None, 45, 750, 4500, 200000)] == ["–", "45s", "12m", "1h 15m", "2d 7h"]
    assert change(3, 2) == "+50%" and change(2, 2) == "=" and change(1, 0) == "+1" and change(None, 2) == ""


def test_digest_schedule_and_weeks():
    schedule = parse_schedule("mon 09:00 UTC")
    assert schedule.latest_due(NOW) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert schedule.latest_due(NOW.replace(hour=8)) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    paris = parse_schedule("Friday 16:30 Europe/Paris")
    assert paris.latest_due(NOW) == datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # CET is UTC+1 in November
    last, before = digest_weeks(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert (last.start.day, last.end.day, before.start.day) == (23, 30, 16)
    assert digest_key(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) == "2026-W48"
    for bad in ("someday 09:00", "mon 25:00", "mon 09:00 Mars/Olympus"):
        with pytest.raises(ValueError):
            parse_schedule(bad)


def test_digest_configuration():
    settings = validate({"DIGEST_CHANNEL": "<#C0OPS|ops>", "DIGEST_SCHEDULE": "tue 08:15 UTC"})
    assert settings.digest_channel == "C0OPS" and settings.digest_schedule.describe() == "tue 08:15 UTC"
    assert validate({}).digest_channel is None
    with pytest.raises(ConfigError) as refused:
        validate({"DIGEST_CHANNEL": "#ops", "DIGEST_SCHEDULE": "daily"})
    assert len(refused.value.faults) == 2


def test_web_tokens():
    secret = "s3cret-s3cret-s3cret"
    token = make_token(secret, "U0ALICE", NOW)
    access = check_token(secret, token, NOW + timedelta(hours=11, minutes=59))
    assert access is not None and access.user == "U0ALICE"
    assert check_token(secret, token, NOW + timedelta(hours=12)) is None  # expired
    assert check_token("another-secret-entirely", token, NOW) is None
    user, expiry, signature = token.split(".")
    assert check_token(secret, f"U0BOB.{expiry}.{signature}", NOW) is None  # someone else's name
    assert check_token(secret, f"{user}.{int(expiry) + 3600}.{signature}", NOW) is None  # a longer life
    assert check_token(secret, None, NOW) is None and check_token(secret, "garbage", NOW) is None


def test_a_web_token_is_bound_to_the_users_salt():
    secret = "s" * 16
    before = make_token(secret, "U0ALICE", NOW)
    after = make_token(secret, "U0ALICE", NOW, salt="fresh")
    assert token_user(before) == "U0ALICE" and token_user("garbage") is None
    assert check_token(secret, before, NOW, salt="fresh") is None  # revoked
    assert check_token(secret, after, NOW, salt="fresh").user == "U0ALICE"
    assert check_token(secret, after, NOW) is None


def test_export_rows():
    opened = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
    row = IncidentFacts(
        3,
        "sev2",
        opened,
        opened + timedelta(minutes=5),
        opened + timedelta(minutes=90),
        opened + timedelta(hours=3),
        status="closed",
        description='=HYPERLINK("x"), a, "quoted"',
        channel="sev2-search",
        opened_by="U0BOB",
        commander="U0BOB",
        closed_by="U0BOB",
        resolution="index rebuilt",
        problem=1,
        tasks_open=1,
    )
    text = export.render([row], "csv")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert tuple(parsed[0]) == export.COLUMNS
    assert parsed[0]["opened_at"] == "2026-02-03T09:00:00Z" and parsed[0]["tta_seconds"] == "300"
    assert parsed[0]["ttr_seconds"] == "5400" and parsed[0]["private"] == "false"
    assert parsed[0]["description"].startswith("'=HYPERLINK")  # never a formula in a spreadsheet
    [item] = json.loads(export.render([row], "json"))
    assert list(item) == list(export.COLUMNS) and item["problem"] == 1 and item["description"].startswith("=")
