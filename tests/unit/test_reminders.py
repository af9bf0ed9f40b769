"""due_reminders: a pure function of incidents, event logs, the time and the settings."""

from datetime import UTC, datetime, timedelta

from redalert_core.domain.incident import Event, EventKind, Incident, Phase
from redalert_core.domain.reminders import CLOSE, UPDATE, due_reminders
from redalert_core.domain.settings import validate

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SETTINGS = validate({})


def incident(number=1, severity="sev1", **kw) -> Incident:
    fields = dict(number=number, severity=severity, description="x", opened_by="U0OPENER", opened_at=T0)
    fields.update({"phase": Phase.OPEN, "channel_id": f"C{number}", **kw})
    return Incident(**fields)


def event(kind, minutes, **data) -> Event:
    return Event(incident_number=1, kind=kind, at=T0 + timedelta(minutes=minutes), data=data)


def test_update_reminder_after_the_severity_delay_once_per_gap():
    assert due_reminders([incident()], {}, T0 + timedelta(minutes=29), SETTINGS) == []
    [due] = due_reminders([incident()], {}, T0 + timedelta(minutes=30), SETTINGS)
    assert (due.kind, due.gap_start, due.commander) == (UPDATE, T0, "U0OPENER")
    sent = [event(EventKind.REMINDED, 30, reminder=UPDATE, gap_start=T0.isoformat(), to="U0OPENER")]
    assert due_reminders([incident()], {1: sent}, T0 + timedelta(hours=5), SETTINGS) == []
    log = [*sent, event(EventKind.UPDATE_POSTED, 40, text="x")]
    assert due_reminders([incident()], {1: log}, T0 + timedelta(minutes=69), SETTINGS) == []
    [due] = due_reminders([incident()], {1: log}, T0 + timedelta(minutes=70), SETTINGS)
    assert due.gap_start == T0 + timedelta(minutes=40)


def test_severities_without_minutes_closed_and_channelless_incidents_are_skipped():
    now = T0 + timedelta(days=3)
    quiet = [incident(2, "sev3"), incident(3, phase=Phase.CLOSED), incident(4, channel_id=None)]
    assert due_reminders(quiet, {}, now, SETTINGS) == []


def test_the_commander_is_reminded_and_resolved_incidents_get_the_close_nudge():
    log = [
        event(EventKind.ROLE_ASSIGNED, 1, role="commander", user="U0LEAD"),
        event(EventKind.STATUS_CHANGED, 10, to="resolved", resolved=True),
    ]
    assert due_reminders([incident()], {1: log}, T0 + timedelta(hours=20), SETTINGS) == []
    [due] = due_reminders([incident()], {1: log}, T0 + timedelta(hours=24, minutes=10), SETTINGS)
    assert (due.kind, due.commander, due.gap_start) == (CLOSE, "U0LEAD", T0 + timedelta(minutes=10))
