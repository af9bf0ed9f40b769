"""The versions of REDALERT_WORKFLOWS_FILE loaded, newest last: the newest is what every replica runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import workflow_files

START = "start"  # loaded_by of a version loaded when a process started


@dataclass(frozen=True)
class StoredWorkflows:
    digest: str
    text: str
    loaded_by: str  # a Slack user id, or START
    loaded_at: datetime


class WorkflowFiles:
    def __init__(self, db: Database) -> None:
        self._db = db

    def active(self) -> StoredWorkflows | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(workflow_files).order_by(workflow_files.c.id.desc()).limit(1)).first()
        return None if row is None else StoredWorkflows(row.digest, row.text, row.loaded_by, row.loaded_at)

    def activate(self, digest: str, text: str, loaded_by: str, at: datetime) -> StoredWorkflows:
        """Make this version the active one (a new row, so the history of who loaded what stays)."""
        with self._db.write() as connection:
            connection.execute(
                sa.insert(workflow_files),
                {"digest": digest, "text": text, "loaded_by": loaded_by[:64], "loaded_at": at},
            )
        return StoredWorkflows(digest, text, loaded_by, at)

    def history(self, limit: int = 20) -> list[StoredWorkflows]:
        with self._db.read() as connection:
            rows = connection.execute(sa.select(workflow_files).order_by(workflow_files.c.id.desc()).limit(limit)).all()
        return [StoredWorkflows(r.digest, r.text, r.loaded_by, r.loaded_at) for r in rows]
