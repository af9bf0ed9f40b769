"""REDALERT_LOG_FORMAT=json: one JSON object a line, with the replica, request id, command and incident.

config.py hands `JsonFormatter` to Errbot as BOT_LOG_FORMATTER. Secrets are masked in every line (message and
traceback) by log_redaction, whatever code wrote them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from . import log_context
from .log_redaction import redact


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
