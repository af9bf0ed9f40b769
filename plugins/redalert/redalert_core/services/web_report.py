"""The read-only web report: access by signed personal link (then a cookie), and the data behind each page.

Framework-free: `handle()` takes the path, query and cookie of a GET and returns status, headers and HTML; the
plugin (chat_commands/analysis.py) serves it through Errbot's built-in webserver. Nothing here changes anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import urlencode

from ..domain import postmortem, timeline
from ..domain.commands import ParseError
from ..domain.field_filters import FieldFilter, parse_filters
from ..domain.incident import Incident
from ..domain.metrics import PeriodError, parse_period
from ..domain.web_access import Access, check_token, token_user
from ..domain.workflow_model import FieldKind
from ..store.analytics import Scope, Viewer
from ..web import html, pages
from . import visible_follow_up
from .analysis import AnalysisService
from .incidents import ServiceError

COOKIE = "redalert_web"
WEB_CHART_MAX_WEEKS = 106  # two years, whatever the period asked for
HTML = ("Content-Type", "text/html; charset=utf-8")
_INCIDENT = re.compile(r"^incidents/(\d{1,9})$")
_SVG_START = re.compile(r"<svg[\s>]")


@dataclass
class WebResponse:
    status: int
    body: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)


NAMES_KEPT = timedelta(minutes=10)  # a renamed person shows under the new name within ten minutes


class PeopleNames:
    """Slack user ids as people read them (`lookup`: users.info), each asked at most once per NAMES_KEPT.

    Slack failing or not knowing the person shows the id (or the name seen last): a page never fails for a name.
    """

    def __init__(self, lookup: Callable[[str], str | None], clock: Callable[[], datetime]) -> None:
        self._lookup = lookup
        self._clock = clock
        self._names: dict[str, tuple[str, datetime]] = {}

    def __call__(self, user_id: str) -> str:
        if not user_id:
            return user_id
        now = self._clock()
        cached = self._names.get(user_id)
        if cached is not None and now - cached[1] < NAMES_KEPT:
            return cached[0]
        try:
            name = self._lookup(user_id) or user_id
        except Exception:
            name = cached[0] if cached is not None else user_id
        self._names[user_id] = (name, now)
        return name

    def in_text(self, text: str, people: Iterable[str]) -> str:
        """`text` with each "@<id>" of these people written "@<name>" (other text is left alone: no lookups)."""
        for user_id in sorted(set(people), key=len, reverse=True):
            if user_id:
                text = re.sub(rf"@{re.escape(user_id)}\b", self._mention(user_id), text)
        return text

    def _mention(self, user_id: str) -> Callable[[re.Match[str]], str]:
        """The replacement for one person's "@<id>": the name is looked up only when the text mentions them."""
        return lambda _match: f"@{self(user_id)}"


class WebReport:
    def __init__(
        self,
        analysis: AnalysisService,
        is_admin: Callable[[str], bool],
        user_name: Callable[[str], str | None] | None = None,
    ) -> None:
        self.analysis = analysis
        self.store = analysis.store
        self.is_admin = is_admin
        # `user_name`: Slack's name for a user id (the gateway's users.info); without it pages show ids.
        self.names = PeopleNames(user_name or (lambda user_id: None), analysis.clock)

    @property
    def settings(self):
        return self.analysis.settings

    def _access(self, token: str | None) -> Access | None:
        secret, user = self.analysis.web.secret, token_user(token)
        if not secret or user is None:
            return None
        return check_token(secret, token, self.analysis.clock(), self.store.web_links.current(user))

    def handle(self, page: str, query: dict[str, str], cookie: str | None) -> WebResponse:
        """A GET of /redalert/<page>: 403 without a valid link or cookie; a link's token moves into a cookie."""
        page = page.strip("/")
        token = query.get("token")
        if token is not None:
            access = self._access(token)
            if access is None:
                return WebResponse(403, html.forbidden_page(), [HTML])
            rest = {k: v for k, v in query.items() if k != "token"}
            location = f"{html.BASE}/{page or 'incidents'}" + (f"?{urlencode(rest)}" if rest else "")
            cookie_header = ("Set-Cookie", self._cookie(token, access))
            return WebResponse(303, "", [("Location", location), cookie_header])
        access = self._access(cookie)
        if access is None:
            return WebResponse(403, html.forbidden_page(), [HTML])
        viewer = Viewer(access.user, self.is_admin(access.user))
        body, status = self._page(page, query, viewer)
        # The port guard (web/port_guard.py) adds the security headers, no-store included, to every answer.
        return WebResponse(status, body, [HTML])

    def _cookie(self, token: str, access: Access) -> str:
        seconds = max(0, int((access.expires - self.analysis.clock()).total_seconds()))
        secure = "; Secure" if (self.analysis.web.base_url or "").startswith("https://") else ""
        return f"{COOKIE}={token}; Max-Age={seconds}; Path={html.BASE}; HttpOnly; SameSite=Lax{secure}"

    def _page(self, page: str, query: dict[str, str], viewer: Viewer) -> tuple[str, int]:
        try:
            return self._known_page(page, query, viewer)
        except (PeriodError, ParseError) as exc:  # bad input in the address: say what to type, change nothing
            return html.bad_request_page(self.names(viewer.user or ""), str(exc)), 400

    def _known_page(self, page: str, query: dict[str, str], viewer: Viewer) -> tuple[str, int]:
        user = self.names(viewer.user or "")
        if page in ("", "incidents"):
            return self.incidents_page(query, viewer), 200
        match = _INCIDENT.match(page)
        if match:
            found = self.incident_page(int(match.group(1)), viewer)
            if found is None:
                return html.not_found_page(user, f"There is no incident {match.group(1)} you can see."), 404
            return found, 200
        if page == "problems":
            return self.problems_page(viewer), 200
        if page == "metrics":
            return self.metrics_page(query, viewer), 200
        return html.not_found_page(user, "There is no such page."), 404

    def _period(self, text: str | None):
        return parse_period(text, self.analysis.clock())  # PeriodError: a 400 page (see _page)

    def _severity(self, text: str | None) -> str | None:
        found = self.settings.severity(text or "") if text else None
        return found.value if found else None

    def _fields(self, query: dict[str, str]) -> tuple[dict[str, str], tuple[FieldFilter, ...]]:
        """The `field.<name>=<value>` parameters (empty ones mean any) as typed, and checked as `!incident stats`
        checks them (ParseError: a 400 page naming the fields or what the field takes)."""
        given = {
            key[len(pages.FIELD_PARAM) :]: value.strip()
            for key, value in query.items()
            if key.startswith(pages.FIELD_PARAM) and value.strip()
        }
        return given, parse_filters(list(given.items()), self.analysis.workflows_file())

    # --- pages ------------------------------------------------------------------------------------------------
    def incidents_page(self, query: dict[str, str], viewer: Viewer) -> str:
        period = self._period(query.get("period"))
        statuses = list(self.settings.statuses)
        status = query.get("status") or None
        if status not in (None, "open", "closed", *statuses):
            status = None
        sort = query.get("sort", "")
        given, fields = self._fields(query)
        filters = pages.Filters(
            period=period.label,
            severity=self._severity(query.get("severity")),
            status=status,
            sort=sort if sort in pages.SORTABLE else "number",
            descending=query.get("dir", "desc") != "asc",
            fields=tuple(given.items()),
        )
        scope = Scope(period.start, period.end, filters.severity, fields=fields)
        rows = list(self.store.history.incidents(scope, viewer, statuses=self.settings.statuses))
        if status == "open":
            rows = [row for row in rows if row.status != "closed"]
        elif status is not None:
            rows = [row for row in rows if row.status == status]
        return pages.incidents_page(
            rows,
            filters,
            slack_pending={i.number: i.pending_steps() for i in self._slack_pending(viewer)},
            user=self.names(viewer.user or ""),
            name=self.names,
            severities=self.settings.severity_values,
            statuses=statuses,
            period_text=period.describe(),
            field_specs=self.analysis.workflows_file().fields,
        )

    def incident_page(self, number: int, viewer: Viewer) -> str | None:
        """The incident's page; None when there is no such incident `viewer` may see (the one lookup rule)."""
        try:
            incident = self.analysis.incidents.find(viewer, number=number, verb="show")
        except ServiceError:
            return None
        far = self.analysis.clock().replace(year=9999)
        facts = next(
            iter(
                self.store.history.incidents(Scope(None, far, number=number), viewer, statuses=self.settings.statuses)
            ),
            None,
        )
        if facts is None:
            return None
        state = self.store.response.get(number)
        events = self.store.events.list(number)
        people = self.store.participants.list(number)
        follow_up = visible_follow_up.follow_up(self.store, number, lambda other: self._can_see(other, viewer))
        problem, visible_links, tasks = follow_up.problem, follow_up.links, follow_up.tasks
        # The draft is written for Slack (entities, no-ping joiners); the page escapes it again as HTML.
        document = postmortem.render(incident, state, events, people, self.settings, self.analysis.clock(), follow_up)
        known = {incident.opened_by, incident.closed_by or "", *people, *state.roles.values()}
        known |= {event.actor for event in events if event.actor} | {task.owner for task in tasks if task.owner}
        document = self.names.in_text(unescape(document).replace("\u2060", ""), known)
        return pages.incident_page(
            incident,
            facts,
            user=self.names(viewer.user or ""),
            name=self.names,
            severities=self.settings.severity_values,
            people=people,
            roles=state.roles,
            links=visible_links,
            tasks=tasks,
            timeline=timeline.entries(events, lambda who: f"@{self.names(who)}", lambda text: text),
            postmortem=document,
            problem=(problem.number, problem.title) if problem else None,
            fields=self._shown_fields(incident),
        )

    def _shown_fields(self, incident: Incident) -> list[tuple[str, str]]:
        """The incident's type and custom field values in the file's order (a user field by the person's name)."""
        values = self.store.incident_fields.values(incident.number)
        shown = [("Type", incident.incident_type)] if incident.incident_type else []
        for spec in self.analysis.workflows_file().fields:
            value = values.pop(spec.name, None)
            if value is not None:
                shown.append((spec.name, self.names(value) if spec.kind == FieldKind.USER else value))
        return shown + sorted(values.items())

    def _slack_pending(self, viewer: Viewer) -> list[Incident]:
        """Open incidents whose Slack steps are not all done (Slack was down, or is failing), as `viewer` may see."""
        incidents = self.analysis.incidents
        return [
            incident
            for incident in self.store.incidents.unfinished()
            if not incident.is_closing_or_closed and incidents.may_see(incident, viewer)
        ]

    def _can_see(self, number: int, viewer: Viewer) -> bool:
        incident = self.store.incidents.get(number)
        return incident is not None and self.analysis.incidents.may_see(incident, viewer)

    def problems_page(self, viewer: Viewer) -> str:
        history = self.store.history
        return pages.problems_page(
            history.problems_overview(viewer),
            history.problem_incident_numbers(viewer),
            user=self.names(viewer.user or ""),
        )

    def metrics_page(self, query: dict[str, str], viewer: Viewer) -> str:
        period = self._period(query.get("period"))
        given, fields = self._fields(query)
        figures = self.analysis.figures(period, viewer, self._severity(query.get("severity")), fields)
        svg, note = None, ""
        if len(figures.weeks) > WEB_CHART_MAX_WEEKS:  # bounds one request's drawing (a 10-year chart takes seconds)
            note = f"The chart shows at most {WEB_CHART_MAX_WEEKS} weeks; choose a shorter period to see it."
        elif not figures.empty:
            drawing = self.analysis.chart(figures, "svg", lane="web").decode()
            start = _SVG_START.search(drawing)
            svg = drawing[start.start() :] if start else None  # inline: without the XML prolog and doctype
        return pages.metrics_page(
            figures,
            svg,
            user=self.names(viewer.user or ""),
            severities=self.settings.severity_values,
            period=period.label,
            chart_note=note,
            field_specs=self.analysis.workflows_file().fields,
            fields=given,
        )
