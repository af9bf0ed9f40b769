"""Personal links never reach a log: their token is masked in every record, werkzeug's access log included.

A link is `/redalert/…?token=<user>.<expiry>.<signature>`; whoever reads a log line with it could open the report as
that person for up to 12 hours. The filter sits on the root logger's handlers (every record that is written passes
them, whichever library logged it: werkzeug's access lines, slack_sdk's debug dumps of the DM) and on werkzeug's
logger (in case it writes through a handler of its own).
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\b[UW][A-Z0-9]{2,}\.\d{1,12}\.[0-9a-f]{64}\b")
_QUERY = re.compile(r"([?&]token=)[^&\s\"'<>]+")
MASK = "***"


def redact(text: str) -> str:
    return _QUERY.sub(rf"\g<1>{MASK}", _TOKEN.sub(MASK, text))


class RedactWebTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's business, not ours
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


FILTER = RedactWebTokens()


def install() -> None:
    """Add the filter where every record passes (idempotent: a handler keeps one copy of a filter)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(FILTER)
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.addFilter(FILTER)
    for handler in werkzeug.handlers:
        handler.addFilter(FILTER)
