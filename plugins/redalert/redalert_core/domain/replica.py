"""Who a running RedAlert process is, among the replicas sharing one database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReplicaIdentity:
    """`replica_id` names the replica (REDALERT_REPLICA_ID, default the host name: a pod or container name) and
    survives restarts; `instance` is new on every process start, so a restarted replica is told from the
    process it replaced."""

    replica_id: str
    instance: str
    hostname: str
    pid: int
    started_at: datetime
