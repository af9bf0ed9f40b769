"""The report's pages: incidents (filter, sort), one incident, problems, metrics. Everything is escaped here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain.incident import Incident, OpenStep
from ..domain.links import Link
from ..domain.metrics import Figures, IncidentFacts, Summary, short_duration
from ..domain.tasks import Task
from ..domain.workflow_model import FieldSpec
from .html import e, href, page, select, severity_badge, table, when

PERIODS = [
    ("7d", "last 7 days"),
    ("30d", "last 30 days"),
    ("90d", "last 90 days"),
    ("365d", "last 365 days"),
    ("all", "all time"),
]
FIELD_PARAM = "field."  # `?field.team=payments`: a custom field's value to filter by
MAX_ROWS = 500  # a page stays light; the export has every row
SORTABLE = {
    "number": lambda f: f.number,
    "severity": lambda f: f.severity,
    "status": lambda f: f.status,
    "description": lambda f: f.description.casefold(),
    "opened": lambda f: f.opened_at,
    "commander": lambda f: f.commander,
    "tta": lambda f: (f.tta is None, f.tta or 0),
    "ttr": lambda f: (f.ttr is None, f.ttr or 0),
    "problem": lambda f: (f.problem is None, f.problem or 0),
}


def period_options(chosen: str) -> list[tuple[str, str]]:
    """The usual periods, plus a date range typed into the address when that is the one shown."""
    if any(value == chosen for value, _ in PERIODS):
        return PERIODS
    return [*PERIODS, (chosen, chosen.replace("..", " to "))]


@dataclass(frozen=True)
class Filters:
    period: str = "30d"
    severity: str | None = None
    status: str | None = None
    sort: str = "number"
    descending: bool = True
    fields: tuple[tuple[str, str], ...] = ()  # (custom field, value): the `field.<name>` parameters

    def params(self, **override: str | None) -> dict[str, str | None]:
        values: dict[str, str | None] = {
            "period": self.period,
            "severity": self.severity,
            "status": self.status,
            **{f"{FIELD_PARAM}{name}": value for name, value in self.fields},
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
        }
        values.update(override)
        return values


def field_controls(specs: Sequence[FieldSpec], chosen: Mapping[str, str]) -> str:
    """A control per custom field for the `field.<name>` parameter: a select of its options (or any), else a text
    box for the exact value."""
    controls = []
    for spec in specs:
        name = f"{FIELD_PARAM}{spec.name}"
        if spec.options:
            options = [("", "any"), *[(option, option) for option in spec.options]]
            controls.append(select(name, spec.name, options, chosen.get(spec.name)))
        else:
            value = e(chosen.get(spec.name, ""))
            controls.append(f'<label>{e(spec.name)}<input type="text" name="{e(name)}" value="{value}"></label>')
    return "".join(controls)


def sort_rows(rows: list[IncidentFacts], filters: Filters) -> list[IncidentFacts]:
    key = SORTABLE.get(filters.sort, SORTABLE["number"])
    return sorted(rows, key=key, reverse=filters.descending)


def incidents_page(
    rows: list[IncidentFacts],
    filters: Filters,
    *,
    user: str,
    severities: list[str],
    statuses: list[str],
    period_text: str,
    name: Callable[[str], str] = str,
    slack_pending: dict[int, list[OpenStep]] | None = None,
    field_specs: Sequence[FieldSpec] = (),
) -> str:
    """`slack_pending`: open incidents whose Slack steps are not all done, with those steps (listed above the
    table, whatever the filters, and marked in it). `field_specs`: the custom fields to filter by."""
    slack_pending = slack_pending or {}
    form = (
        f'<form class="filters" method="get" action="{href("/incidents")}">'
        + select("period", "Period", period_options(filters.period), filters.period)
        + select("severity", "Severity", [("", "any"), *[(s, s) for s in severities]], filters.severity)
        + select(
            "status",
            "Status",
            [("", "any"), ("open", "not closed"), *[(s, s) for s in statuses], ("closed", "closed")],
            filters.status,
        )
        + field_controls(field_specs, dict(filters.fields))
        + f'<input type="hidden" name="sort" value="{e(filters.sort)}">'
        + f'<input type="hidden" name="dir" value="{"desc" if filters.descending else "asc"}">'
        + '<button type="submit">Show</button></form>'
    )
    headers = []
    for key, label in (
        ("number", "#"),
        ("severity", "Severity"),
        ("status", "Status"),
        ("description", "Description"),
        ("opened", "Opened"),
        ("commander", "Commander"),
        ("tta", "TTA"),
        ("ttr", "TTR"),
        ("problem", "Problem"),
    ):
        descending = not (filters.sort == key and filters.descending)
        arrow = (" ▼" if filters.descending else " ▲") if filters.sort == key else ""
        target = href("/incidents", filters.params(sort=key, dir="desc" if descending else "asc"))
        headers.append(f'<a href="{target}" title="Sort by {label}">{e(label)}{arrow}</a>')
    cells = []
    for row in sort_rows(rows, filters)[:MAX_ROWS]:
        private = ' <span class="private">private</span>' if row.private else ""
        cells.append(
            [
                f'<a href="{href(f"/incidents/{row.number}")}">{row.number}</a>',
                severity_badge(row.severity, severities),
                e(row.status) + (' <span class="pending">Slack pending</span>' if row.number in slack_pending else ""),
                f'<a href="{href(f"/incidents/{row.number}")}">{e(row.description)}</a>{private}',
                e(when(row.opened_at)),
                e(name(row.commander) if row.commander else ""),
                e(short_duration(row.tta)),
                e(short_duration(row.ttr)),
                f'<a href="{href("/problems")}#P{row.problem}">P{row.problem}</a>' if row.problem else "",
            ]
        )
    matching = "".join(f", {e(name)}={e(value)}" for name, value in filters.fields)
    summary = (
        _slack_pending_note(slack_pending) + f"<p>{len(rows)} incident(s) opened in {e(period_text)}{matching}.</p>"
    )
    if len(rows) > MAX_ROWS:
        summary += (
            f"<p>The first {MAX_ROWS} in this order are shown: narrow the filters, or use "
            "<code>!incident export</code> for every row.</p>"
        )
    body = (
        table(headers, cells, numeric={0, 6, 7}) if rows else '<p class="empty">No incidents match these filters.</p>'
    )
    return page("Incidents", form + summary + body, user=user, current="incidents")


def _slack_pending_note(slack_pending: dict[int, list[OpenStep]]) -> str:
    """Which incidents wait for Slack (it was down or failing), and for what: RedAlert finishes them when it answers."""
    if not slack_pending:
        return ""
    items = "".join(
        f'<li><a href="{href(f"/incidents/{number}")}">Incident {number}</a>: '
        f"{e(', '.join(step.value for step in steps if step is not OpenStep.REPLY))}</li>"
        for number, steps in sorted(slack_pending.items())
    )
    return (
        f'<div class="slack-pending"><p>{len(slack_pending)} incident(s) wait for Slack: their steps below are not '
        f"done yet; RedAlert finishes them when Slack answers.</p><ul>{items}</ul></div>"
    )


def incident_page(
    incident: Incident,
    facts: IncidentFacts,
    *,
    user: str,
    severities: list[str],
    people: Sequence[str],
    roles: dict[str, str],
    links: Sequence[Link],
    tasks: Sequence[Task],
    timeline: Sequence[tuple[datetime, str]],
    postmortem: str,
    problem: tuple[int, str] | None,
    name: Callable[[str], str] = str,
    fields: Sequence[tuple[str, str]] = (),
) -> str:
    """`name`: how a Slack user id is shown (the id itself by default); `fields`: its type and custom field values
    (as people read them), shown with its facts."""
    private = ' <span class="private">private</span>' if incident.is_private else ""
    facts_list = [
        ("Severity", severity_badge(incident.severity, severities) + private),
        ("Status", e(facts.status)),
        ("Description", e(incident.description)),
        ("Channel", _channel_fact(incident)),
        ("Opened", f"{e(when(incident.opened_at))} by {e(name(incident.opened_by))}"),
        ("Acknowledged", f"{e(when(facts.acknowledged_at))} (TTA {e(short_duration(facts.tta))})"),
        ("Resolved", f"{e(when(facts.resolved_at))} (TTR {e(short_duration(facts.ttr))})"),
        ("Closed", e(when(incident.closed_at)) + (f" by {e(name(incident.closed_by))}" if incident.closed_by else "")),
        ("Resolution", e(incident.resolution or "–")),
        (
            "Problem",
            f'<a href="{href("/problems")}#P{problem[0]}">P{problem[0]} {e(problem[1])}</a>' if problem else "–",
        ),
    ]
    facts_list += [(e(label), e(value)) for label, value in fields]
    summary = '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts_list) + "</dl>"
    role_rows = [[e(role), e(name(who))] for role, who in sorted(roles.items())]
    roles_html = table(["Role", "Person"], role_rows) if role_rows else "<p>No roles assigned; the opener leads.</p>"
    people_html = "<p>" + (", ".join(e(name(p)) for p in people) or "Nobody recorded yet.") + "</p>"
    link_items = [
        f'<li><a href="{href(f"/incidents/{link.other(incident.number)}")}">'
        f"{e(link.describe_from(incident.number))}</a></li>"
        for link in links
    ]
    links_html = f"<ul>{''.join(link_items)}</ul>" if link_items else "<p>No linked incidents.</p>"
    task_rows = [
        [
            e(task.label),
            e(task.text),
            e(name(task.owner) if task.owner else "–"),
            e(task.due.isoformat() if task.due else "–"),
            e("done " + when(task.done_at) if task.done_at else "open"),
        ]
        for task in tasks
    ]
    tasks_html = table(["Task", "Text", "Owner", "Due", "State"], task_rows) if task_rows else "<p>No tasks.</p>"
    timeline_html = table(["When (UTC)", "What"], [[e(when(at)), e(text)] for at, text in timeline])
    body = (
        summary
        + "<h2>Roles</h2>"
        + roles_html
        + "<h2>People</h2>"
        + people_html
        + "<h2>Links</h2>"
        + links_html
        + "<h2>Tasks</h2>"
        + tasks_html
        + "<h2>Timeline</h2>"
        + timeline_html
        + "<h2>Post-mortem</h2>"
        + f'<pre class="postmortem">{e(postmortem)}</pre>'
    )
    return page(f"Incident {incident.number}: {incident.description}", body, user=user, current="incidents")


def _channel_fact(incident: Incident) -> str:
    channel = e(f"#{incident.channel_name}" if incident.channel_name else "–")
    waiting = [s.value for s in incident.pending_steps() if s is not OpenStep.REPLY]
    if not waiting or incident.is_closing_or_closed:
        return channel
    return channel + f' <span class="pending">Slack pending: {e(", ".join(waiting))}</span>'


def problems_page(problems: list[dict], incidents_of: dict[int, list[int]], *, user: str) -> str:
    if not problems:
        return page("Problems", '<p class="empty">No problems recorded yet.</p>', user=user, current="problems")
    rows = []
    for problem in problems:
        numbers = incidents_of.get(problem["number"], [])
        incident_links = ", ".join(f'<a href="{href(f"/incidents/{n}")}">{n}</a>' for n in numbers) or "–"
        rows.append(
            [
                f'<span id="P{problem["number"]}">P{problem["number"]}</span>',
                e(problem["title"]),
                e(problem["status"]),
                e(problem["cause"] or "–"),
                e(problem["workaround"] or "–"),
                str(problem["incidents"]),
                incident_links,
                f"{problem['tasks_open']} open, {problem['tasks_done']} done",
                e(when(problem["opened_at"])),
            ]
        )
    headers = ["Problem", "Title", "Status", "Cause", "Workaround", "Incidents", "Incident numbers", "Tasks", "Opened"]
    return page("Problems", table(headers, rows, numeric={5}), user=user, current="problems")


def _summary_row(name: str, summary: Summary) -> list[str]:
    return [
        e(name),
        e(short_duration(summary.median)),
        e(short_duration(summary.p90)),
        e(short_duration(summary.mean)),
        str(summary.count),
    ]


def metrics_page(
    figures: Figures,
    svg: str | None,
    *,
    user: str,
    severities: list[str],
    period: str,
    chart_note: str = "",
    field_specs: Sequence[FieldSpec] = (),
    fields: Mapping[str, str] | None = None,
) -> str:
    """`chart_note`: why there is no chart (shown in its place). `field_specs`: the custom fields to filter by;
    `fields`: the values asked for, as typed."""
    form = (
        f'<form class="filters" method="get" action="{href("/metrics")}">'
        + select("period", "Period", period_options(period), period)
        + select("severity", "Severity", [("", "any"), *[(s, s) for s in severities]], figures.severity)
        + field_controls(field_specs, fields or {})
        + '<button type="submit">Show</button></form>'
    )
    severity = f", {e(figures.severity)} only" if figures.severity else ""
    matching = "".join(f", {e(item.describe())}" for item in figures.fields)
    heading = f"<p>{e(figures.period.describe())}{severity}{matching}</p>"
    if figures.empty:
        body = (
            '<p class="empty" id="no-incidents">No incidents in this period, so no chart. '
            f"Open at its end: {figures.open_at_end}.</p>"
        )
        return page("Metrics", form + heading + body, user=user, current="metrics")
    counts = [
        ["Incidents", str(figures.incidents)],
        *[[f"Severity {e(s)}", str(c)] for s, c in figures.by_severity.items()],
        ["Open at the end of the period", str(figures.open_at_end)],
        ["Not acknowledged", str(figures.not_acknowledged)],
        ["Not resolved yet", str(figures.not_resolved)],
        ["Severity changed after opening", str(figures.severity_changed)],
        ["Tasks opened", str(figures.tasks_opened)],
        ["Tasks done", str(figures.tasks_done)],
    ]
    durations = [
        _summary_row("Time to acknowledge", figures.tta),
        _summary_row("Time to resolve", figures.ttr),
        _summary_row("Time to close", figures.time_to_close),
    ]
    problems = [
        [f'<a href="{href("/problems")}#P{n}">P{n}</a>', e(title), str(count)]
        for n, title, count in figures.per_problem
    ]
    chart = (
        f'<p class="empty" id="no-chart">{e(chart_note)}</p>'
        if chart_note
        else '<div class="chart" role="img" aria-label="Incidents per week by severity, median time to resolve">'
        + (svg or "")
        + "</div>"
    )
    body = (
        chart
        + "<h2>Counts</h2>"
        + table(["Figure", "Value"], counts, numeric={1})
        + "<h2>Durations</h2>"
        + table(["Measure", "Median", "p90", "Mean", "Incidents"], durations, numeric={1, 2, 3, 4})
        + "<h2>Incidents per problem</h2>"
        + (
            table(["Problem", "Title", "Incidents"], problems, numeric={2})
            if problems
            else "<p>No incident of this period belongs to a problem.</p>"
        )
    )
    return page("Metrics", form + heading + body, user=user, current="metrics")
