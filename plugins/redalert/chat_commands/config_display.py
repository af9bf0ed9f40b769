"""What `!plugin config RedAlert` shows: Errbot's own layout, with keys, tokens and URL paths and queries masked.

The reply may land in a channel, and a routing key or a webhook URL's token is a credential (issue 18, item 9).
"""

from __future__ import annotations

from pprint import pformat
from typing import Any

from redalert_core.domain.redaction import mask_config


def shown_configuration(command: str, defaults: dict[str, Any], current: dict[str, Any] | None) -> str:
    """`command`: the command to paste back, e.g. `!plugin config RedAlert`."""
    text = (
        "Default configuration for this plugin (secrets are shown as [masked]: give them again, or as "
        f'"env:NAME", when you paste this back):\n\n```\n{command} {pformat(mask_config(defaults))}\n```'
    )
    if current:
        text += f"\n\nCurrent configuration:\n\n```\n{command} {pformat(mask_config(current))}\n```"
    return text
