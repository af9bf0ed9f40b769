"""Which webhook endpoints are disabled (their receiver answered 410 Gone), durable across restarts and replicas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import disabled_webhooks


@dataclass(frozen=True)
class DisabledWebhook:
    endpoint: str  # SHA-256 of the URL (domain/webhook_rules.endpoint_key)
    name: str
    reason: str
    disabled_at: datetime


class WebhookStates:
    def __init__(self, db: Database) -> None:
        self._db = db
        # A row comes back only when this insert landed (rowcount is not reliable for ON CONFLICT on every driver).
        self._insert = (
            db.insert(disabled_webhooks)
            .on_conflict_do_nothing(index_elements=["endpoint"])
            .returning(disabled_webhooks.c.endpoint)
        )

    def disable(self, endpoint: str, name: str, reason: str, at: datetime) -> bool:
        """Disable the endpoint; True only for the call that disabled it (one notice, however many rows failed)."""
        row = {"endpoint": endpoint, "name": name[:100], "reason": reason, "disabled_at": at}
        with self._db.write() as connection:
            return connection.execute(self._insert, row).first() is not None

    def enable(self, endpoint: str) -> bool:
        """Enable it again; False when it was not disabled."""
        with self._db.write() as connection:
            query = sa.delete(disabled_webhooks).where(disabled_webhooks.c.endpoint == endpoint)
            return connection.execute(query).rowcount == 1

    def get(self, endpoint: str) -> DisabledWebhook | None:
        with self._db.read() as connection:
            row = connection.execute(
                sa.select(disabled_webhooks).where(disabled_webhooks.c.endpoint == endpoint)
            ).first()
        return None if row is None else DisabledWebhook(row.endpoint, row.name, row.reason, row.disabled_at)

    def all(self) -> list[DisabledWebhook]:
        with self._db.read() as connection:
            rows = connection.execute(sa.select(disabled_webhooks).order_by(disabled_webhooks.c.disabled_at)).all()
        return [DisabledWebhook(r.endpoint, r.name, r.reason, r.disabled_at) for r in rows]
