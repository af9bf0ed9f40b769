"""The public status page in the RedAlert plugin (a mixin): `!incident publish`, `!incident unpublish`, and the
status page's own HTTP server on REDALERT_STATUS_PORT (docs/status-page.md).

Each command calls one use case of `self.app` (see chat_commands/base.py).
"""

from __future__ import annotations

import os
from typing import Any

from errbot import botcmd

from chat_commands.base import ChatBase, answers
from redalert_core.application.results import StatusServer
from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.requester import Requester
from redalert_core.domain.response_parsing import target
from redalert_core.frontends import replies


def _setting(bot_config: Any, name: str) -> str:
    value = getattr(bot_config, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


def status_port(bot_config: Any) -> int | None:
    """REDALERT_STATUS_PORT from config.py or the environment; None when the status page is off."""
    text = _setting(bot_config, "REDALERT_STATUS_PORT")
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else None


class StatusPageCommands(ChatBase):
    status_server: StatusServer | None = None

    # --- lifecycle (called from RedAlert.activate/deactivate) --------------------------------------------------
    def _start_status_page(self) -> None:
        port = status_port(self.bot_config)
        if port is not None and self.status_server is None:  # once per process: the server outlives reloads
            site = self.app.status_site(_setting(self.bot_config, "REDALERT_STATUS_URL"))
            # Every interface unless told: people reach it through a reverse proxy or the container's published port.
            host = _setting(self.bot_config, "REDALERT_STATUS_HOST") or "0.0.0.0"  # noqa: S104
            self.status_server = StatusServer(site, port, host).start()
            self.log.info("The public status page listens on port %s.", self.status_server.port)

    def _stop_status_page(self) -> None:
        if self.status_server is not None:
            self.status_server.stop()
            self.status_server = None

    def _public_link(self, number: int) -> str:
        base = _setting(self.bot_config, "REDALERT_STATUS_URL").rstrip("/")
        return f" Public page: {base}/incidents/{number}" if base else ""

    # --- commands -------------------------------------------------------------------------------------------
    @botcmd
    @answers
    def incident_publish(self, asker: Requester, args: str):
        """Publish (or update) the incident on the public status page: the text the public reads, and optionally
        components' states and, the first time, a title (else one is made from the components). Private incidents
        are never published; the commander, a role of PUBLISH_ROLES or an admin may publish.

        Example: `!incident publish api=major_outage title="Elevated API errors" We are investigating errors.`
        States: operational, degraded_performance, partial_outage, major_outage, under_maintenance.
        """
        parsed = self.free_target(asker, args)  # "500 errors…" in the channel is text
        published = self.app.publish(asker, parsed.number, parsed.rest)
        entry = published.entry
        verb = "Published" if published.first else "Updated"
        affected = ", ".join(f"{name} {state}" for name, state in entry.components.items())
        text = f"{verb} incident {entry.number} on the status page as “{texts.escape(entry.title)}” ({entry.status}"
        text += f"; {affected})." if affected else ")."
        return text + self._public_link(entry.number) + replies.warnings_lines(published.warnings)

    @botcmd
    @answers
    def incident_unpublish(self, asker: Requester, args: str):
        """Withdraw the incident from the public status page (and from Atlassian Statuspage when it is used).

        Example: `!incident unpublish` in the incident channel, or `!incident unpublish 12`
        """
        parsed = target(args)
        if parsed.rest:
            raise ParseError("Usage: !incident unpublish [<number>].")
        incident = self.app.unpublish(asker, parsed.number)
        return f"Incident {incident.number} is no longer on the status page."
