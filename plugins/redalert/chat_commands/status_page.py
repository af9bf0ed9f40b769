"""The public status page in the RedAlert plugin (a mixin): `!incident publish`, `!incident unpublish`, and the
status page's own HTTP server on REDALERT_STATUS_PORT (docs/status-page.md).

Relies on the RedAlert helpers `_raw_args`, `_asker`, `_here`, `_warnings` and on `self.service`/`self.workflow`.
"""

from __future__ import annotations

import os
from typing import Any

from errbot import botcmd

from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.workflow_parsing import target
from redalert_core.services.incidents import ServiceError
from redalert_core.services.status_page import StatusPageService
from redalert_core.services.status_site import StatusServer, StatusSite


def _setting(bot_config: Any, name: str) -> str:
    value = getattr(bot_config, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


def status_port(bot_config: Any) -> int | None:
    """REDALERT_STATUS_PORT from config.py or the environment; None when the status page is off."""
    text = _setting(bot_config, "REDALERT_STATUS_PORT")
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else None


class StatusPageCommands:
    status_page: StatusPageService | None = None
    status_server: StatusServer | None = None

    # --- lifecycle (called from RedAlert.activate/deactivate) --------------------------------------------------
    def _start_status_page(self) -> None:
        if self.status_page is None:  # once per process: the hooks and the server outlive reloads
            self.status_page = StatusPageService(self.workflow)
            self.workflow.after_status.append(self.status_page.after_status)
            self.service.before_archive.append(self.status_page.before_archive)
            if self.interactions is not None:  # the /incident Update modal publishes too
                self.interactions.status_page = self.status_page
        port = status_port(self.bot_config)
        if port is not None and self.status_server is None:
            site = StatusSite(
                self.service.store, lambda: self.settings, _setting(self.bot_config, "REDALERT_STATUS_URL")
            )
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
    def incident_publish(self, msg, args):
        """Publish (or update) the incident on the public status page: the text the public reads, and optionally
        components' states and, the first time, a title (else one is made from the components). Private incidents
        are never published; the commander, a role of PUBLISH_ROLES or an admin may publish.

        Example: `!incident publish api=major_outage title="Elevated API errors" We are investigating errors.`
        States: operational, degraded_performance, partial_outage, major_outage, under_maintenance.
        """
        try:
            parsed = self._free_target(msg, args, "publish")  # "500 errors…" in the channel is text
            published = self.status_page.publish(parsed.number, self._asker(msg), parsed.rest)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        entry = published.entry
        verb = "Published" if published.first else "Updated"
        affected = ", ".join(f"{name} {state}" for name, state in entry.components.items())
        text = f"{verb} incident {entry.number} on the status page as “{texts.escape(entry.title)}” ({entry.status}"
        text += f"; {affected})." if affected else ")."
        return text + self._public_link(entry.number) + self._warnings(published.warnings)

    @botcmd
    def incident_unpublish(self, msg, args):
        """Withdraw the incident from the public status page (and from Atlassian Statuspage when it is used).

        Example: `!incident unpublish` in the incident channel, or `!incident unpublish 12`
        """
        try:
            parsed = target(self._raw_args(msg, args, "unpublish"))
            if parsed.rest:
                raise ParseError("Usage: !incident unpublish [<number>].")
            incident = self.status_page.unpublish(parsed.number, self._asker(msg))
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        return f"Incident {incident.number} is no longer on the status page."
