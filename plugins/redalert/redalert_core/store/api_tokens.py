"""API tokens (migration 0015): looked up by the SHA-256 of the token; the token itself is never stored."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..domain.api_tokens import ApiToken, Scope
from .database import Database
from .tables import UtcDateTime, metadata

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("name", sa.String(48), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.String(64), nullable=False),  # space-separated Scope values
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_used_at", UtcDateTime),
)


class DuplicateToken(Exception):
    """A token of that name exists."""


def _token(row: sa.Row) -> ApiToken:
    scopes = frozenset(Scope(s) for s in row.scopes.split())
    return ApiToken(row.name, scopes, row.created_at, row.created_by, row.last_used_at)


class ApiTokens:
    # Writing last_used_at on every call would make each read a write: it moves at most once a minute.
    TOUCH_EVERY_SECONDS = 60

    def __init__(self, db: Database) -> None:
        self._db = db
        self._insert = db.insert(api_tokens).on_conflict_do_nothing().returning(api_tokens.c.name)

    def create(self, token: ApiToken, token_hash: str) -> None:
        row = {
            "name": token.name,
            "token_hash": token_hash,
            "scopes": " ".join(sorted(s.value for s in token.scopes)),
            "created_by": token.created_by,
            "created_at": token.created_at,
        }
        with self._db.write() as connection:
            if connection.execute(self._insert, row).first() is None:
                raise DuplicateToken(token.name)

    def all(self) -> list[ApiToken]:
        with self._db.read() as connection:
            rows = connection.execute(sa.select(api_tokens).order_by(api_tokens.c.name)).all()
        return [_token(row) for row in rows]

    def revoke(self, name: str) -> bool:
        with self._db.write() as connection:
            return connection.execute(sa.delete(api_tokens).where(api_tokens.c.name == name)).rowcount == 1

    def by_hash(self, token_hash: str) -> ApiToken | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
        return None if row is None else _token(row)

    def touch(self, name: str, at: datetime) -> None:
        """Record a use (at most once a minute per token)."""
        stale = at.timestamp() - self.TOUCH_EVERY_SECONDS
        with self._db.write() as connection:
            connection.execute(
                sa.update(api_tokens)
                .where(api_tokens.c.name == name)
                .where(
                    sa.or_(
                        api_tokens.c.last_used_at.is_(None),
                        api_tokens.c.last_used_at < datetime.fromtimestamp(stale, at.tzinfo),
                    )
                )
                .values(last_used_at=at)
            )
