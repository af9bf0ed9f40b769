"""Incident metrics for people: `!incident stats`, `!incident export`, the weekly digest, links to the web report.

The figures come from store/analytics.py (aggregated in SQL) and domain/metrics.py; the chart from charts/weekly.py.
Private incidents count only for those who may see them, and only in a DM: in a channel, everyone there reads it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import export as exports
from ..domain import visibility
from ..domain.commands import ParseError
from ..domain.digest import digest_key, digest_weeks
from ..domain.field_filters import FieldFilter, parse_filters, split_filter_words
from ..domain.metrics import PERIOD_HELP, Figures, Period, PeriodError, compute, is_period, parse_period
from ..domain.requester import Requester
from ..domain.settings import Settings
from ..domain.web_access import make_token
from ..domain.workflow_model import EMPTY, WorkflowsFile
from ..slack import metrics_messages
from ..slack.gateway import SlackError
from ..slack.rate_pacing import Priority
from ..store.analytics import Scope, Viewer
from .incidents import IncidentService, ServiceError

log = logging.getLogger(__name__)

DIGEST_NAMESPACE = "redalert_digest"
DIGEST_LOCK = "redalert-weekly-digest"
# A digest more than this late (the bot was down at the scheduled time) is skipped rather than posted days later.
DIGEST_GRACE = timedelta(hours=24)
DIGEST_CHART_WEEKS = 8


def readers(requester: Requester) -> Viewer:
    """Who reads figures and files: the person in a DM (or a private incident's own channel), else everyone in the
    channel, as in `!incident list` — even for `/incident stats`, whose chart is posted in the channel."""
    return visibility.audience(requester.user, requester.is_admin, requester.here)


@dataclass(frozen=True)
class WebSettings:
    """The web report: where people reach it and the secret that signs their links (None: not set up)."""

    base_url: str | None
    secret: str | None


class AnalysisService:
    def __init__(
        self,
        incidents: IncidentService,
        clock: Callable[[], datetime],
        web: WebSettings | None = None,
        workflows_file: Callable[[], WorkflowsFile] = lambda: EMPTY,
    ) -> None:
        self.incidents = incidents
        self.store = incidents.store
        self.gateway = incidents.gateway
        self.clock = clock
        self.web = web or WebSettings(None, None)
        # The file in force (services/workflows.py): its custom fields filter the figures and fill the export.
        self.workflows_file = workflows_file

    @property
    def settings(self) -> Settings:
        return self.incidents.settings

    # --- figures --------------------------------------------------------------------------------------------
    def field_filters(self, text: str) -> tuple[list[str], tuple[FieldFilter, ...]]:
        """The words of `text` that are not `<field>=<value>`, and those that are, checked against the workflows
        file's fields (ServiceError: an unknown field, or a value the field cannot hold)."""
        try:
            words, pairs = split_filter_words(text)
            return words, parse_filters(pairs, self.workflows_file())
        except ParseError as exc:
            raise ServiceError(str(exc)) from exc

    def parse_stats_args(self, words: list[str]) -> tuple[str | None, str | None]:
        """`[<period>] [<severity>]` in any order (the field filters taken out first); ServiceError naming what is
        wrong."""
        period = severity = None
        for word in words:
            if is_period(word) and period is None:
                period = word
            elif (found := self.settings.severity(word)) is not None and severity is None:
                severity = found.value
            else:
                known = ", ".join(self.settings.severity_values)
                raise ServiceError(
                    f'"{word[:30]}" is neither a period ({PERIOD_HELP}) nor a severity ({known}). '
                    "Usage: !incident stats [<period>] [<severity>] [<field>=<value> …]."
                )
        return period, severity

    def period(self, text: str | None) -> Period:
        try:
            return parse_period(text, self.clock())
        except PeriodError as exc:
            raise ServiceError(str(exc)) from exc

    def figures(
        self, period: Period, viewer: Viewer, severity: str | None = None, fields: tuple[FieldFilter, ...] = ()
    ) -> Figures:
        """All figures of `period` (docs/metrics.md): a few aggregate queries and arithmetic on one row per incident.
        `fields`: only incidents whose custom fields match them all (the tasks' counts stay those of the period, as
        with a severity)."""
        analytics = self.store.analytics
        scope = Scope(period.start, period.end, severity, fields=fields)
        facts = analytics.durations(scope, viewer, statuses=self.settings.statuses)
        return compute(
            period,
            facts,
            self.settings.severity_values,
            severity=severity,
            open_at_end=analytics.open_at(period.end, viewer, severity, fields),
            tasks=analytics.task_counts(period.start, period.end, viewer),
            per_problem=analytics.incidents_per_problem(scope, viewer),
            fields=fields,
        )

    def chart(self, figures: Figures, fmt: str = "png", title: str | None = None, lane: str = "chat") -> bytes:
        """`lane` "web" for the web report: its drawings never hold up those of chat commands and the digest."""
        # matplotlib is imported on the first chart, not at start: it costs about a second and 30 MB.
        from ..charts.weekly import weekly_chart

        return weekly_chart(figures, self.settings.severity_values, fmt=fmt, title=title, lane=lane)

    def upload_chart(
        self, channel_id: str, figures: Figures, title: str | None = None, priority: Priority = Priority.BULK
    ) -> str:
        """Upload the PNG chart of `figures` (not empty) to the channel; ServiceError when Slack refuses. A chart
        yields to replies and incident posts when the rate budget is short."""
        try:
            return self.gateway.upload_file(
                channel_id,
                filename=f"incidents-{figures.period.label.replace('..', '_')}.png",
                content=self.chart(figures, "png", title),
                title=title or f"Incidents per week, {figures.period.describe()}",
                comment="Incidents per week by severity (bars) and the median time to resolve (line).",
                priority=priority,
            )
        except SlackError as exc:
            raise ServiceError(f"I could not upload the chart: {exc.describe()}.") from exc

    # --- export ---------------------------------------------------------------------------------------------
    def parse_export_args(self, words: list[str]) -> tuple[str, str | None]:
        fmt = period = None
        for word in words:
            if word.lower() in exports.FORMATS and fmt is None:
                fmt = word.lower()
            elif is_period(word) and period is None:
                period = word
            else:
                raise ServiceError(
                    f'"{word[:30]}" is neither a format (csv, json) nor a period ({PERIOD_HELP}). '
                    "Usage: !incident export [csv|json] [<period>]."
                )
        return fmt or "csv", period

    def export(self, asking: Requester, fmt: str, period_text: str | None) -> tuple[int, Period]:
        """Upload one row per incident of the period to where the command was typed; (rows, period)."""
        if not asking.here:
            raise ServiceError("I do not know where to upload the export; ask in a channel or in a DM with me.")
        period = self.period(period_text)
        scope, viewer = Scope(period.start, period.end), readers(asking)
        rows = list(self.store.history.incidents(scope, viewer, statuses=self.settings.statuses))
        fields = [spec.name for spec in self.workflows_file().fields]  # a field_<name> column each
        values = self.store.history.field_values(scope, viewer) if fields else {}
        content = exports.render(rows, fmt, fields, values)
        name = f"incidents-{period.label.replace('..', '_')}.{fmt}"
        try:
            self.gateway.upload_file(
                asking.here,
                filename=name,
                content=content,
                title=f"Incidents, {period.describe()}",
                comment=f"{len(rows)} incident(s), {period.describe()} ({fmt.upper()}, times in UTC).",
            )
        except SlackError as exc:
            raise ServiceError(f"I could not upload the export: {exc.describe()}.") from exc
        return len(rows), period

    # --- the weekly digest ------------------------------------------------------------------------------------
    def post_weekly_digest(self) -> str | None:
        """Post the digest if its scheduled moment has come and it was not posted yet; the week's key, or None.

        Claimed in the database before posting (replicas and restarts never post one twice; a crash in between
        loses that week's digest rather than repeating it).
        """
        settings = self.settings
        if not settings.digest_channel:
            return None
        now = self.clock()
        due = settings.digest_schedule.latest_due(now)
        if now - due > DIGEST_GRACE:
            return None
        key = digest_key(due)
        if not self._claim_digest(key, now):
            return None
        last_week, week_before = digest_weeks(due)
        viewer = Viewer(None, False)  # a channel: private incidents stay out
        last, before = self.figures(last_week, viewer), self.figures(week_before, viewer)
        channel = settings.digest_channel
        try:
            self.gateway.post_message(channel, metrics_messages.digest_text(last, before), priority=Priority.BULK)
            start = last_week.end - timedelta(weeks=DIGEST_CHART_WEEKS)
            trend = Period(f"{DIGEST_CHART_WEEKS} weeks", start, last_week.end)
            recent = self.figures(trend, viewer)
            if not recent.empty:
                self.upload_chart(channel, recent, title=f"Incidents per week, the last {DIGEST_CHART_WEEKS} weeks")
        except (SlackError, ServiceError) as exc:
            log.warning("Could not post the weekly digest %s in %s: %s", key, channel, exc)
        return key

    def _claim_digest(self, key: str, now: datetime) -> bool:
        """True for the one caller that records this week's digest first."""
        with self.store.transaction() as connection:
            self.store.db.advisory_lock(connection, DIGEST_LOCK)
            if self.store.kv.get(DIGEST_NAMESPACE, key) is not None:
                return False
            record = {"claimed_at": now.isoformat(), "channel": self.settings.digest_channel}
            self.store.kv.set(DIGEST_NAMESPACE, key, json.dumps(record).encode())
        return True

    # --- the web report ---------------------------------------------------------------------------------------
    def web_link(self, user: str) -> tuple[str, datetime]:
        """A personal link to the web report, valid 12 hours; ServiceError when the report is not set up."""
        if not self.web.base_url or not self.web.secret:
            raise ServiceError("The web report is not set up: the bot needs REDALERT_WEB_PORT and REDALERT_WEB_SECRET.")
        now = self.clock()
        token = make_token(self.web.secret, user, now, salt=self.store.web_links.current(user))
        expires = datetime.fromtimestamp(int(token.split(".")[1]), now.tzinfo)
        return f"{self.web.base_url.rstrip('/')}/redalert/incidents?token={token}", expires

    def revoke_web_links(self, user: str) -> None:
        """End every link to the web report made for `user` so far (and the pages opened with them)."""
        if not self.web.secret:
            raise ServiceError("The web report is not set up: there are no links to revoke.")
        self.store.web_links.revoke(user)

    def send_web_link(self, user: str) -> str:
        """Post the user's personal link in their DM with the bot; returns the DM's channel id."""
        link, expires = self.web_link(user)
        text = (
            f"Your personal link to the incident report (read-only, valid until {expires:%Y-%m-%d %H:%M} UTC; "
            f"do not share it, it shows what you may see): {link}"
        )
        try:
            channel = self.gateway.open_dm(user)
            self.gateway.post_message(channel, text)
        except SlackError as exc:
            raise ServiceError(f"I could not send you the link in a DM: {exc.describe()}.") from exc
        return channel
