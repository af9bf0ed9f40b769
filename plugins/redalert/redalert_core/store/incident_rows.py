"""Reading incident rows inside a transaction: the helpers every repository that touches an incident shares."""

from __future__ import annotations

import sqlalchemy as sa

from ..domain.incident import Incident, Phase
from .errors import IncidentNotFound
from .tables import incidents


def incident_from_row(row: sa.Row) -> Incident:
    return Incident(
        number=row.number,
        severity=row.severity,
        description=row.description,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        phase=Phase(row.phase),
        channel_id=row.channel_id,
        channel_name=row.channel_name,
        origin_channel=row.origin_channel,
        is_private=bool(row.is_private),
        dedup_key=row.dedup_key,
        steps_done=list(row.steps_done or []),
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        resolution=row.resolution,
        summary_ts=row.summary_ts,
        incident_type=row.incident_type,
    )


def load(connection: sa.Connection, number: int, *, for_update: bool = False) -> Incident | None:
    query = sa.select(incidents).where(incidents.c.number == number)
    if for_update:
        query = query.with_for_update()  # row lock on PostgreSQL; SQLite's IMMEDIATE already serialises
    row = connection.execute(query).one_or_none()
    return None if row is None else incident_from_row(row)


def require(connection: sa.Connection, number: int, *, for_update: bool = False) -> Incident:
    """The incident, or IncidentNotFound."""
    incident = load(connection, number, for_update=for_update)
    if incident is None:
        raise IncidentNotFound(number)
    return incident
