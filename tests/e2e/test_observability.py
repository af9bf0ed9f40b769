"""Watching the real `errbot -c config.py` on PostgreSQL: JSON logs that follow a command across threads, the
metrics it serves, and /readyz turning 503 when the database goes away (its schema dropped)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from bot_process import BotProcess
from chat import channel_id, say
from pg import postgres_url_or_skip, throwaway_schema
from ports import free_port
from prometheus_client.parser import text_string_to_metric_families
from slack_workspace import ALICE, APP_TOKEN, BOT_TOKEN

from redalert_core.store import normalise_database_url

pytestmark = pytest.mark.e2e
REPLICA = "watched-1"


@dataclass
class Watched:
    bot: BotProcess
    port: int
    url: str
    schema: str

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture(scope="module")
def watched(slack, tmp_path_factory) -> Iterator[Watched]:
    url = postgres_url_or_skip()
    port = free_port()
    with throwaway_schema(url) as schema:
        bot = BotProcess(
            slack.api_url,
            tmp_path_factory.mktemp("data"),
            database_url=f"{url}?options=-csearch_path%3D{schema}",
            REDALERT_METRICS_PORT=str(port),
            REDALERT_LOG_FORMAT="json",
            REDALERT_LOG_LEVEL="DEBUG",
            REDALERT_REPLICA_ID=REPLICA,
        ).start()
        try:
            reply = say(slack, ALICE, channel_id(slack, "ops"), "!incident open sev2 Search is slow")
            assert "is open in" in reply, reply
            yield Watched(bot, port, url, schema)
        finally:
            bot.stop()


def test_json_logs_name_the_replica_command_incident_and_one_request_id_across_threads(watched):
    lines = [line for line in watched.bot.lines if line.strip()]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) > 0.9 * len(lines), [line for line in lines if not line.startswith("{")][:5]
    assert all(record["replica"] == REPLICA for record in records)
    threads_by_request = defaultdict(set)
    for record in records:
        if record["command"] == "incident_open":
            threads_by_request[record["request_id"]].add(record["thread"])
            assert record["incident"] in (None, 1)
    # The open logged from the receiving thread, the worker and the service's pool, all under one request id.
    assert any(len(threads) >= 2 for threads in threads_by_request.values()), dict(threads_by_request)
    assert any(r["command"] == "incident_open" and r["incident"] == 1 for r in records)
    assert BOT_TOKEN not in watched.bot.log and APP_TOKEN not in watched.bot.log


def test_the_process_serves_metrics_that_moved(watched):
    status, text = watched.get("/metrics")
    assert status == 200
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("redalert_commands_total", (("command", "incident_open"), ("outcome", "ok")))] == 1
    assert samples[("redalert_slack_calls_total", (("method", "conversations.create"), ("result", "ok")))] == 1
    assert samples[("redalert_open_incidents", (("severity", "sev2"),))] == 1
    assert samples[("redalert_leader", ())] == 1 and samples[("redalert_replicas", ())] == 1
    assert samples[("redalert_ready", ())] == 1


def test_readyz_turns_503_with_the_reason_when_the_database_goes_away(watched):
    status, body = watched.get("/readyz")
    assert status == 200 and body.startswith("ready:"), body
    assert watched.get("/healthz") == (200, "ok\n")
    engine = sa.create_engine(normalise_database_url(watched.url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SET lock_timeout = '10s'"))
            connection.execute(sa.text(f'DROP SCHEMA "{watched.schema}" CASCADE'))
    finally:
        engine.dispose()
    status, body = watched.get("/readyz")
    assert status == 503, body
    assert body.startswith("not ready: database check failed:") and "replicas" in body, body
    assert watched.get("/healthz") == (200, "ok\n")  # alive: a restart would not bring the database back
