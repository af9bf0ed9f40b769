"""A hand-built incident history whose figures are known by construction (docs/metrics.md), for the metrics tests.

The period 2026-02-02..2026-02-15 (two ISO weeks) holds incidents 2, 3, 4, 5, 8 in public and 6 in private;
1 opened before it and closed inside it, 7 opened right at its end. Expected values are spelled out in EXPECTED.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redalert_core.domain.incident import EventKind
from redalert_core.store import Store

ADMIN, ALICE, BOB, CAROL = "U0ADMIN", "U0ALICE", "U0BOB", "U0CAROL"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PERIOD = "2026-02-02..2026-02-15"
EMPTY_PERIOD = "2025-01-01..2025-01-31"
STATUSES = ("investigating", "identified", "monitoring", "resolved")
M = timedelta(minutes=1)

# The public figures of PERIOD (what a channel, the digest or a non-member sees).
EXPECTED = {
    "incidents": 5,
    "by_severity": {"sev1": 2, "sev2": 2, "sev4": 1},
    "tta": (750.0, 1530.0, 900.0),  # of 300, 600, 900, 1800 s: median, p90, mean
    "ttr": (4500.0, 11700.0, 6525.0),  # of 2700, 3600, 5400, 14400 s
    "ttc": (9000.0, 13320.0, 8850.0),  # of 3000, 7200, 10800, 14400 s
    "not_acknowledged": 1,
    "not_resolved": 1,
    "open_at_end": 1,
    "severity_changed": 1,
    "weeks": [{"sev1": 1, "sev2": 1, "sev4": 0}, {"sev1": 1, "sev2": 1, "sev4": 1}],
    "tasks": (2, 1),
    "per_problem": [(1, "flaky database", 2)],
}
# What an admin (or Alice, who opened the private incident 6) sees besides: one more sev2, acknowledged after 1200 s.
EXPECTED_ADMIN = {"incidents": 6, "by_severity": {"sev1": 2, "sev2": 3, "sev4": 1}, "open_at_end": 2}


def _open(store: Store, severity: str, at: datetime, description: str, *, by: str = BOB, private: bool = False) -> int:
    incident = store.incidents.create(
        severity=severity,
        description=description,
        opened_by=by,
        opened_at=at,
        origin_channel="C0OPS",
        is_private=private,
    )
    store.participants.add(incident.number, [by], source="opener")
    return incident.number


def _status(store: Store, number: int, status: str, at: datetime, note: str | None = None) -> None:
    store.response.set_status(
        number,
        status=status,
        resolved=status == STATUSES[-1],
        actor=BOB,
        note=note,
        at=at,
        implicit_previous=STATUSES[0],
    )


def build(store: Store) -> None:
    """Write the history through the store's repositories, with explicit times."""
    t1 = datetime(2026, 1, 31, 22, 0, tzinfo=UTC)  # 1: before the period, closed inside it
    n = _open(store, "sev1", t1, "crossed the edge")
    _status(store, n, "identified", t1 + 30 * M)
    store.incidents.close(n, closed_by=BOB, closed_at=datetime(2026, 2, 3, 1, 0, tzinfo=UTC), resolution="edge")

    t2 = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)  # 2: acknowledged by a status change, resolved, closed
    n = _open(store, "sev1", t2, "checkout down")
    _status(store, n, "identified", t2 + 10 * M)
    _status(store, n, "resolved", t2 + 60 * M)
    store.incidents.close(n, closed_by=BOB, closed_at=t2 + 120 * M, resolution="rolled back")

    t3 = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)  # 3: acknowledged by an update; resolved, reopened, resolved again
    n = _open(store, "sev2", t3, "search slow <script>alert(1)</script>")
    store.events.add(n, EventKind.UPDATE_POSTED, actor=BOB, data={"text": "looking"}, at=t3 + 5 * M)
    _status(store, n, "resolved", t3 + 30 * M)
    _status(store, n, "monitoring", t3 + 40 * M)
    _status(store, n, "resolved", t3 + 90 * M)
    store.incidents.close(n, closed_by=BOB, closed_at=t3 + 180 * M, resolution="index rebuilt")

    t4 = datetime(2026, 2, 9, 8, 0, tzinfo=UTC)  # 4: sev3 raised to sev1; a new lead acknowledges; closed unresolved
    n = _open(store, "sev3", t4, "payments failing")
    store.response.assign_role(n, role="commander", user_id=CAROL, actor=BOB, at=t4 + 15 * M)
    store.incidents.change_severity(n, severity="sev1", actor=CAROL, at=t4 + 20 * M)
    store.incidents.close(n, closed_by=CAROL, closed_at=t4 + 240 * M, resolution="provider fixed it")

    t5 = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)  # 5: nobody on it, still open
    _open(store, "sev2", t5, "emails delayed")

    t6 = datetime(2026, 2, 11, 9, 0, tzinfo=UTC)  # 6: private (Alice's), acknowledged after 20 minutes, still open
    n = _open(store, "sev2", t6, "secret breach", by=ALICE, private=True)
    _status(store, n, "identified", t6 + 20 * M)

    t7 = datetime(2026, 2, 16, 0, 0, tzinfo=UTC)  # 7: opened at the period's end: outside it
    _open(store, "sev3", t7, "after the edge")

    t8 = datetime(2026, 2, 12, 10, 0, tzinfo=UTC)  # 8: the opener made lead and a same-status note do not acknowledge
    n = _open(store, "sev4", t8, "typo on the status page")
    store.response.assign_role(n, role="commander", user_id=BOB, actor=BOB, at=t8 + 1 * M)
    _status(store, n, "investigating", t8 + 2 * M, note="having a look")
    store.events.add(n, EventKind.UPDATE_POSTED, actor=BOB, data={"text": "fixing"}, at=t8 + 30 * M)
    _status(store, n, "resolved", t8 + 45 * M)
    store.incidents.close(n, closed_by=BOB, closed_at=t8 + 50 * M, resolution="fixed")

    task = store.tasks.add(text="add a canary", created_by=BOB, at=t2 + 120 * M, incident_number=2)
    store.tasks.done(task.number, actor=BOB, note=None, at=datetime(2026, 2, 4, 9, 0, tzinfo=UTC))
    store.tasks.add(text="tune the index", created_by=BOB, at=t3 + 200 * M, incident_number=3)
    problem = store.problems.create(title="flaky database", opened_by=BOB, at=t4 + 300 * M, incidents=[2, 4])
    store.tasks.add(
        text="replace the disk", created_by=BOB, at=datetime(2026, 2, 20, tzinfo=UTC), problem_number=problem.number
    )
