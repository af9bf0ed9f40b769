"""REDALERT_LOG_FORMAT=json: one JSON object a line naming the request, which follows work handed to other threads."""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from redalert_core.observability import log_context
from redalert_core.observability.json_logs import JsonFormatter


def record(message: str, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("redalert.test", logging.INFO, __file__, 1, message, args, exc_info)


def test_a_line_names_the_replica_request_command_and_incident():
    formatter = JsonFormatter("replica-a")
    with log_context.request_scope("req-1", "incident_open"):
        log_context.bind_incident(12)
        line = json.loads(formatter.format(record("Opened %s", "it")))
    assert line["message"] == "Opened it" and line["level"] == "INFO" and line["logger"] == "redalert.test"
    assert (line["replica"], line["request_id"], line["command"], line["incident"]) == (
        "replica-a",
        "req-1",
        "incident_open",
        12,
    )
    outside = json.loads(formatter.format(record("idle")))
    assert (outside["request_id"], outside["command"], outside["incident"]) == (None, None, None)


def test_slack_tokens_are_masked_in_messages_and_tracebacks():
    formatter = JsonFormatter("r")
    try:
        raise RuntimeError("bad token xoxb-1234-5678-abcdef")
    except RuntimeError as error:
        line = formatter.format(
            record(
                "sent %s and %s", "xapp-1-A0-99-ffee", "xoxp-9-9", exc_info=(type(error), error, error.__traceback__)
            )
        )
    assert "xoxb-1234" not in line and "xapp-1-A0" not in line and "xoxp-9-9" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "sent xapp-*** and xoxp-***"
    assert "xoxb-***" in parsed["exception"] and "\n" not in line


def test_the_request_follows_work_carried_to_a_pool_and_ends_with_its_scope():
    seen: list[tuple[str | None, int | None, str]] = []

    def work() -> None:
        context = log_context.current()
        seen.append(
            (
                context.request_id if context else None,
                context.incident if context else None,
                threading.current_thread().name,
            )
        )

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pool") as pool:
        with log_context.request_scope("req-2", "incident_close"):
            log_context.bind_incident(3)
            pool.submit(log_context.carry(work)).result()
        pool.submit(work).result()  # same pool thread, no request any more
    assert seen[0][:2] == ("req-2", 3) and seen[0][2].startswith("pool")
    assert seen[1][:2] == (None, None)
    assert log_context.current() is None
