"""Secrets never reach a log: one filter masks them in every record, whichever library wrote it.

- Slack tokens (`xoxb-…`, `xapp-…`): a library's debug dump or an exception text may carry one.
- The HTTP API's tokens (`ra_…`): a request logged with its headers, a pasted command.
- The personal links' tokens (`/redalert/…?token=<user>.<expiry>.<signature>`): whoever reads a log line with one
  could open the web report as that person for up to 12 hours (werkzeug's access lines, slack_sdk's dump of the DM).

The filter sits on the root logger's handlers (every record that is written passes them) and on werkzeug's logger
(in case it writes through a handler of its own). The JSON formatter masks formatted tracebacks with `redact` too,
since a filter sees only the message.
"""

from __future__ import annotations

import logging
import re

_SLACK_TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
_LINK_TOKEN = re.compile(r"\b[UW][A-Z0-9]{2,}\.\d{1,12}\.[0-9a-f]{64}\b")
_LINK_QUERY = re.compile(r"([?&]token=)[^&\s\"'<>]+")
_API_TOKEN = re.compile(r"\bra_[A-Za-z0-9_-]{20,}")  # domain/api_tokens.py's shape (and any longer paste of it)
MASK = "***"


def redact(text: str) -> str:
    text = _SLACK_TOKEN.sub(rf"\g<1>-{MASK}", text)
    text = _API_TOKEN.sub(f"ra_{MASK}", text)
    return _LINK_QUERY.sub(rf"\g<1>{MASK}", _LINK_TOKEN.sub(MASK, text))


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's business, not ours
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


FILTER = RedactSecrets()


def install() -> None:
    """Add the filter where every record passes (idempotent: a handler keeps one copy of a filter)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(FILTER)
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.addFilter(FILTER)
    for handler in werkzeug.handlers:
        handler.addFilter(FILTER)
