"""The current workflow state of one incident: its status, roles and announcement thread (no Errbot, no Slack)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

COMMANDER = "commander"


@dataclass
class ResponseState:
    """What the incident's team has set so far. `status` None means the first configured status."""

    incident_number: int
    status: str | None = None
    resolved_at: datetime | None = None
    roles: dict[str, str] = field(default_factory=dict)  # role -> user id
    announce_channel: str | None = None
    announce_ts: str | None = None

    def current_status(self, statuses: tuple[str, ...]) -> str:
        return self.status or statuses[0]

    def commander(self, opened_by: str) -> str:
        """The incident commander: whoever was made lead, else the person who opened the incident."""
        return self.roles.get(COMMANDER) or opened_by
