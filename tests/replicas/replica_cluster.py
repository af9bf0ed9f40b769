"""N real RedAlert processes (`errbot -c config.py`) on one PostgreSQL schema, against one Slack emulator."""

from __future__ import annotations

import re
import signal
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from bot_process import BotProcess

from redalert_core.store import Store
from slack_emulator import SlackEmulator

# Short intervals so that takeovers happen in about a second (production: 10 s / 30 s / 5 s / 10 s / 2 s).
FAST_TIMINGS = {
    "REDALERT_HEARTBEAT_INTERVAL": "0.3",
    "REDALERT_REPLICA_STALE_AFTER": "1.5",
    "REDALERT_LEADER_POLL": "0.3",
    "REDALERT_RESUME_INTERVAL": "0.5",
    "REDALERT_CONFIG_POLL": "0.5",
    "REDALERT_REMINDER_INTERVAL": "0.3",
    "REDALERT_WORKFLOW_INTERVAL": "0.3",
}
NOT_FOUND = re.compile(r"There is no incident (\d+)\.")


class Cluster:
    def __init__(
        self,
        slack: SlackEmulator,
        tmp_path: Path,
        url: str,
        schema: str,
        size: int = 2,
        rate_scale: float = 1.0,
        **extra_env: str,
    ) -> None:
        self.slack = slack
        self.url, self.schema = url, schema
        database_url = f"{url}?options=-csearch_path%3D{schema}"
        self.replicas = {
            f"r{i}": BotProcess(
                slack.api_url,
                tmp_path / f"r{i}",
                database_url=database_url,
                REDALERT_REPLICA_ID=f"r{i}",
                REDALERT_SLACK_RATE_SCALE=str(rate_scale),  # the emulator's limits, when it enforces them
                **FAST_TIMINGS,
                **extra_env,
            )
            for i in range(1, size + 1)
        }
        self.store = Store(url, schema=schema)

    def start(self) -> Cluster:
        """All replicas start at once (one migrates, the others wait for it); one of them leads."""
        self._each(lambda bot: bot.start())
        self.slack.wait_for(lambda: len(self.slack.connection_ids()) == len(self.replicas), timeout=20)
        return self

    def _each(self, action) -> None:
        threads = [threading.Thread(target=action, args=(bot,)) for bot in self.replicas.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def __getitem__(self, replica_id: str) -> BotProcess:
        return self.replicas[replica_id]

    def leader(self) -> str:
        """The replica that took the lead last among those with a fresh heartbeat (a killed leader's row stays
        until it is stale)."""
        fresh_since = datetime.now(UTC) - timedelta(seconds=float(FAST_TIMINGS["REDALERT_REPLICA_STALE_AFTER"]))
        rows = [r for r in self.store.replicas.all() if r.leader_since is not None and r.heartbeat_at >= fresh_since]
        assert rows, "no replica leads"
        return max(rows, key=lambda row: row.leader_since).replica_id

    def stop(self) -> None:
        self._each(lambda bot: bot.proc is not None and bot.proc.poll() is None and bot.stop(signal.SIGTERM))
        self.store.dispose()

    def logs(self) -> str:
        return "\n".join(f"--- {rid}\n{bot.log[-4000:]}" for rid, bot in self.replicas.items())

    def skipped_redeliveries(self) -> int:
        """How many Slack messages a replica found already claimed and did not run again."""
        return sum(bot.log.count("already taken by a replica") for bot in self.replicas.values())

    def execute(self, sql: str, **params: object) -> sa.CursorResult:
        with self.store.db.engine.begin() as connection:
            return connection.execute(sa.text(sql), params)


def bot_texts(slack: SlackEmulator, channel: str, after_ts: str | None = None) -> list[str]:
    bot = slack.bot_user_id
    return [
        m["text"]
        for m in slack.messages(channel)
        if m["user"] == bot and (after_ts is None or float(m["ts"]) > float(after_ts))
    ]


def not_found_answers(slack: SlackEmulator, channel: str) -> Counter:
    """How often each "There is no incident N." answer was given in `channel`."""
    return Counter(int(m.group(1)) for text in bot_texts(slack, channel) if (m := NOT_FOUND.search(text)))
