"""What `!plugin config RedAlert` shows: Errbot's own layout, with keys, tokens and URL paths and queries masked.

The reply may land in a channel, and a routing key or a webhook URL's token is a credential (issue 18, item 9). The
same goes for what Errbot echoes of a configuration command: its log lines (read back by `!log tail`) and `!history`.
"""

from __future__ import annotations

import logging
import re
from pprint import pformat
from typing import Any

from redalert_core.domain.redaction import MASK, mask_config
from redalert_core.domain.settings import ConfigError, parse_config_text


def shown_configuration(command: str, defaults: dict[str, Any], current: dict[str, Any] | None) -> str:
    """`command`: the command to paste back, e.g. `!plugin config RedAlert`."""
    text = (
        "Default configuration for this plugin (secrets are shown as [masked]: give them again, or as "
        f'"env:NAME", when you paste this back):\n\n```\n{command} {pformat(mask_config(defaults))}\n```'
    )
    if current:
        text += f"\n\nCurrent configuration:\n\n```\n{command} {pformat(mask_config(current))}\n```"
    return text


def masked_arguments(args: str) -> str:
    """`RedAlert {...}` as typed after `!plugin config`, its secrets masked (all of it when it does not parse)."""
    name, _, literal = args.strip().partition(" ")
    if not literal.strip():
        return args
    try:
        return f"{name} {mask_config(parse_config_text(literal))!r}"
    except ConfigError:
        return f"{name} {MASK}"


class MaskConfigurationInLogs(logging.Filter):
    """Errbot logs every command with its arguments at INFO ('Processing command "plugin_config" with parameters
    "…"') and every text at DEBUG; a configuration typed in chat may hold routing keys and webhook URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "plugin_config" not in message and "plugin config" not in message:
            return True
        found = _LOGGED_PARAMETERS.search(message) or _LOGGED_TEXT.search(message)
        if found:
            message = message[: found.start(1)] + masked_arguments(found.group(1)) + message[found.end(1) :]
        record.msg, record.args = message, ()
        return True


_LOGGED_PARAMETERS = re.compile(r'with parameters "(.*)" from ', re.DOTALL)
_LOGGED_TEXT = re.compile(r"plugin config\s+(.*)", re.DOTALL)
# Errbot's command log, and the slackv3 backend's event log (DEBUG).
LOGGERS = ("errbot.core", "slackv3.slackv3")


def hide_configuration_in_logs() -> None:
    """Once per process (activate() reruns on every configuration change)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskConfigurationInLogs) for f in logger.filters):
            logger.addFilter(MaskConfigurationInLogs())


def masked_history(prefix: str, history: list[tuple[str, str]]) -> str:
    """Errbot's `!history` (the asker's last commands), with the arguments of `!plugin config` masked."""
    lines = []
    for index, (cmd, args) in enumerate(history):
        shown = masked_arguments(args) if cmd == "plugin_config" and isinstance(args, str) else args
        lines.append(f"{len(history) - index:2d}:{prefix}{cmd} {shown}")
    return "\n".join(lines)
