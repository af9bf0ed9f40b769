"""REDALERT_LOG_FORMAT=json: one JSON object a line, with the replica, request id, command and incident.

config.py hands `JsonFormatter` to Errbot as BOT_LOG_FORMATTER. Slack tokens are masked in every line (message and
traceback), whatever code wrote them.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from . import log_context

_TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    return _TOKEN.sub(lambda match: f"{match.group(1)}-***", text)


class JsonFormatter(logging.Formatter):
    def __init__(self, replica: str) -> None:
        super().__init__()
        self.replica = replica

    def format(self, record: logging.LogRecord) -> str:
        context = log_context.current()
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "replica": self.replica,
            "request_id": context.request_id if context else None,
            "command": context.command if context else None,
            "incident": context.incident if context else None,
            "thread": record.threadName,
        }
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)
