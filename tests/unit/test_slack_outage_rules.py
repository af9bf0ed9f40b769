"""The rules of waiting for Slack: which opens are stuck on it, and how long to wait between checks."""

from __future__ import annotations

from datetime import UTC, datetime

from redalert_core.domain.incident import Event, EventKind
from redalert_core.services.slack_outage import pause_after, waits_for_slack

AT = datetime(2030, 1, 1, tzinfo=UTC)


def failed(error: str) -> Event:
    return Event(1, EventKind.STEP_FAILED, AT, data={"step": "channel", "error": error})


def test_an_open_waits_for_slack_when_its_last_failure_was_transient():
    assert waits_for_slack([failed("internal_error")])
    assert waits_for_slack([failed("missing_scope"), failed("connection_error")])
    assert not waits_for_slack([failed("connection_error"), failed("missing_scope")])  # retrying will not help
    assert not waits_for_slack([Event(1, EventKind.SLACK_PENDING, AT)])  # its own attempt is still running
    assert not waits_for_slack([])


def test_the_pause_doubles_from_the_interval_and_stays_within_the_bound():
    assert [pause_after(n, 10.0, 20.0) for n in (1, 2, 3, 9)] == [10.0, 20.0, 20.0, 20.0]
    assert [pause_after(n, 0.5, 3.0) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
