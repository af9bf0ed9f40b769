"""Incident metrics in the RedAlert plugin (a mixin): `!incident stats`, `!incident export`, `!incident web`, the
weekly digest poller and the read-only web report served by Errbot's built-in webserver.

Each command calls one use case of `self.app` (see chat_commands/base.py).
"""

from __future__ import annotations

import os
from typing import Any

from errbot import botcmd, webhook

from chat_commands.base import ChatBase, answers
from chat_commands.response import reminder_interval
from redalert_core.application.errors import ServiceError
from redalert_core.application.results import WEB_COOKIE, WebSettings
from redalert_core.domain import text as texts
from redalert_core.domain.requester import Requester
from redalert_core.domain.web_access import MIN_SECRET_LENGTH
from redalert_core.slack import metrics_messages
from redalert_core.web import port_guard

WEB_PAGE_RULE = "/redalert/<path:page>"


def _setting(bot_config: Any, name: str) -> str:
    value = getattr(bot_config, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


def web_port(bot_config: Any) -> int | None:
    """REDALERT_WEB_PORT from config.py or the environment; None when the web report is off."""
    text = _setting(bot_config, "REDALERT_WEB_PORT")
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else None


def web_settings(bot_config: Any) -> WebSettings:
    """Where people reach the report (REDALERT_WEB_URL, default http://localhost:<port>) and its signing secret."""
    port = web_port(bot_config)
    secret = _setting(bot_config, "REDALERT_WEB_SECRET")
    if port is None or len(secret) < MIN_SECRET_LENGTH:
        return WebSettings(None, None)
    return WebSettings(_setting(bot_config, "REDALERT_WEB_URL") or f"http://localhost:{port}", secret)


def guard_errbot_webserver() -> None:
    """Errbot routes webhooks on `errbot.core_plugins.flask_app`; its Webserver serves the app it imported."""
    import errbot.core_plugins
    import errbot.core_plugins.webserver

    for app in {id(a): a for a in (errbot.core_plugins.flask_app, errbot.core_plugins.webserver.flask_app)}.values():
        port_guard.guard(app)


class AnalysisCommands(ChatBase):
    _webserver_configured = False

    # --- lifecycle (called from RedAlert.activate) ------------------------------------------------------------
    def _start_analysis(self) -> None:
        if not self._webserver_configured:
            self._webserver_configured = True
            self._configure_webserver()
        self.start_poller(reminder_interval(), self._poll_weekly_digest)

    def _poll_weekly_digest(self) -> None:
        """The weekly digest's poll: posts it when its time has come (once per week, see AnalysisService)."""
        try:  # by the leading replica (the week is also claimed in the database)
            self.app.post_weekly_digest()
        except Exception:  # a poller that raises is not rescheduled: log and keep polling
            self.log.exception("The weekly digest failed")

    def _configure_webserver(self) -> None:
        """Point Errbot's core Webserver plugin at REDALERT_WEB_PORT (config.py lists it in CORE_PLUGINS).

        Its port then serves the report and the HTTP API only (no Errbot `/echo`), with the security headers on every
        answer; the API is served whenever the port is set, the report only with REDALERT_WEB_SECRET.
        """
        guard_errbot_webserver()
        port = web_port(self.bot_config)
        if port is None:
            return
        if self.app.analysis.web.secret is None:  # the HTTP API is served all the same
            self.log.error("REDALERT_WEB_PORT is set but REDALERT_WEB_SECRET is missing or too short: no web report.")
        manager = self._bot.plugin_manager
        webserver = manager.get_plugin_obj_by_name("Webserver")
        if webserver is None:
            self.log.error("The web report and the API need Errbot's Webserver plugin: add it to CORE_PLUGINS.")
            return
        host = _setting(self.bot_config, "REDALERT_WEB_HOST") or "0.0.0.0"  # noqa: S104 (a container's port)
        wanted = {
            "HOST": host,
            "PORT": port,
            "SSL": {"enabled": False, "host": host, "port": port + 1, "certificate": "", "key": ""},
        }
        if manager.get_plugin_configuration("Webserver") != wanted or not webserver.is_activated:
            manager.set_plugin_configuration("Webserver", wanted)
            if webserver.is_activated:
                manager.deactivate_plugin("Webserver")
            manager.activate_plugin("Webserver")
        self.log.info("HTTP API on port %s", port)
        if self.app.analysis.web.secret is not None:
            self.log.info("Web report on port %s", port)

    # --- commands -------------------------------------------------------------------------------------------
    @botcmd
    def incident_stats(self, msg, args):
        """Incident figures for a period, with a chart: counts by severity, time to acknowledge/resolve/close.

        Periods: `7d`, `30d` (default), `90d`, `365d`, `all` or `YYYY-MM-DD..YYYY-MM-DD`; optionally one severity,
        and custom field values (`team=payments`, several: all must match; a multi_select matches when it includes
        the value). Private incidents count only for their members and admins, and only in a DM with me (or, for one
        private incident, in its own channel): everyone in a channel reads the answer. Definitions: docs/metrics.md.
        Example: `!incident stats 90d sev1` or `!incident stats 90d team=payments`
        """
        asker = self.requester(msg)
        try:
            figures = self.app.figures(asker, self.arguments(msg, args, "incident", "stats"))
        except ServiceError as exc:
            yield texts.unping(str(exc))
            return
        yield metrics_messages.stats_text(figures)  # first: the chart follows when it is uploaded
        if figures.empty or not asker.here:
            return
        try:
            self.app.upload_chart(asker.here, figures)
        except ServiceError as exc:
            yield f":warning: {exc}"

    @botcmd
    @answers
    def incident_export(self, asker: Requester, args: str):
        """Upload every incident of a period as a CSV or JSON file (one row per incident, times in UTC).

        Columns: number, severity, status, description, channel, private, opened_at, opened_by, commander,
        acknowledged_at, resolved_at, closed_at, closed_by, resolution, tta_seconds, ttr_seconds, problem,
        tasks_open, tasks_done, then `field_<name>` per custom field (empty where unset). Private incidents are
        included for their members and admins, as in `!incident list`: only in a DM with me (or, for one private
        incident, in its own channel), since everyone there reads the file.
        Example: `!incident export csv 90d` or `!incident export json 2026-01-01..2026-03-31`
        """
        rows, period, fmt = self.app.export(asker, args)
        return f"Exported {rows} incident(s) opened {period.describe()} as {fmt.upper()}."

    @botcmd
    @answers
    def incident_web(self, asker: Requester, args: str):
        """Get a personal link (valid 12 hours, in a DM) to the read-only web report: incidents, problems, metrics.

        Its pages filter by period, severity, status and custom fields (`?field.team=payments` in the address).
        `!incident web revoke` ends every link made for you so far.
        Example: `!incident web`
        """
        if args.strip():
            return "Usage: !incident web (or !incident web revoke)"
        channel = self.app.send_web_link(asker)
        if channel == asker.here:
            return None  # the link posted in this DM is the answer
        return "I sent you a personal link to the web report in a DM."

    @botcmd
    @answers
    def incident_web_revoke(self, asker: Requester, args: str):
        """End every personal link to the web report made for you so far, and the pages opened with them.

        Do it when a link may have been seen by someone else; `!incident web` then gives you a new one.
        Example: `!incident web revoke`
        """
        if args.strip():
            return "Usage: !incident web revoke"
        self.app.revoke_web_links(asker)
        return "Every link to the web report made for you so far no longer works. `!incident web` gives you a new one."

    # --- the web report -------------------------------------------------------------------------------------
    @webhook(WEB_PAGE_RULE, methods=("GET",), raw=True)
    def redalert_web_report(self, request, page: str = ""):
        """The read-only report pages (see services/web_report.py); 403 without a valid personal link."""
        from flask import Response  # Errbot's webserver is Flask; only this adapter method needs it

        if self._app is None or self.app.analysis.web.secret is None:
            return Response("The web report is not set up.", status=503, mimetype="text/plain")
        query = {key: request.args.get(key, "") for key in request.args}
        result = self.app.web_page(page, query, request.cookies.get(WEB_COOKIE))
        response = Response(result.body, status=result.status)
        for name, value in result.headers:
            response.headers[name] = value
        return response
