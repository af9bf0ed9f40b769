"""domain/visibility.py's rule as a SQL condition, for queries that filter many incidents at once."""

from __future__ import annotations

import sqlalchemy as sa

from ..domain.visibility import Viewer
from .tables import incidents, participants


def visible(viewer: Viewer) -> sa.ColumnElement[bool]:
    """The incidents `viewer` may see (see domain.visibility.may_see, which this mirrors)."""
    if viewer.is_admin:
        return sa.true()
    allowed: list[sa.ColumnElement[bool]] = [incidents.c.is_private.is_(False)]
    if viewer.channel is not None:
        allowed.append(incidents.c.channel_id == viewer.channel)
    if viewer.user is not None:
        member = sa.exists().where(
            participants.c.incident_number == incidents.c.number, participants.c.user_id == viewer.user
        )
        allowed += [incidents.c.opened_by == viewer.user, member]
    return sa.or_(*allowed)
