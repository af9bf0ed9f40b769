"""RedAlertApp's use cases for what follows an incident: links, problems, tasks and the figures (analysis, the web
report). A part of RedAlertApp (app.py), kept apart to keep files small."""

from __future__ import annotations

from datetime import date

from ..domain.incident import Incident
from ..domain.links import Link, LinkKind
from ..domain.metrics import Figures, Period
from ..domain.problem_commands import TaskAdd, TaskListScope
from ..domain.problems import Problem, ProblemStatus
from ..domain.requester import Requester
from ..domain.tasks import Task
from ..services.analysis import AnalysisService, readers
from ..services.integrations import IntegrationsService
from ..services.links import IncidentView, LinkOutcome, LinkService
from ..services.problems import ProblemOutcome, ProblemService, ProblemView
from ..services.tasks import TaskListing, TaskOutcome, TaskService
from ..services.web_report import WebReport, WebResponse


class FollowUpUseCases:
    links: LinkService
    problems: ProblemService
    tasks: TaskService
    integrations: IntegrationsService
    analysis: AnalysisService
    web_report: WebReport

    # --- links, problems, tasks ---------------------------------------------------------------------------------
    def link(self, requester: Requester, number: int | None, other: int, kind: LinkKind) -> LinkOutcome:
        return self.links.link(number, other, kind, requester)

    def unlink(self, requester: Requester, number: int | None, other: int) -> tuple[Incident, Link]:
        return self.links.unlink(number, other, requester)

    def show(self, requester: Requester, number: int | None) -> IncidentView:
        return self.links.show(number, requester)

    def open_problem(self, requester: Requester, title: str, incidents: list[int]) -> ProblemOutcome:
        return self.problems.open(title, incidents, requester)

    def link_problem(self, requester: Requester, number: int, incidents: list[int]) -> ProblemOutcome:
        return self.problems.link(number, incidents, requester)

    def unlink_problem(self, requester: Requester, number: int, incident: int) -> ProblemOutcome:
        return self.problems.unlink(number, incident, requester)

    def set_problem_status(
        self, requester: Requester, number: int, status: ProblemStatus, note: str | None
    ) -> ProblemOutcome:
        return self.problems.set_status(number, status, note, requester)

    def set_problem_text(self, requester: Requester, number: int, field_name: str, text: str) -> ProblemOutcome:
        return self.problems.set_text(number, field_name, text, requester)

    def show_problem(self, requester: Requester, number: int) -> ProblemView:
        return self.problems.show(number, requester)

    def list_problems(self, requester: Requester, *, include_resolved: bool) -> list[tuple[Problem, int]]:
        """The problems the person may see, each with its count of open tasks."""
        found = self.problems.list(include_resolved=include_resolved, asker=requester)
        return [(problem, self.problems.open_task_count(problem)) for problem in found]

    def add_task(self, requester: Requester, command: TaskAdd) -> TaskOutcome:
        return self.tasks.add(command, requester)

    def finish_task(self, requester: Requester, number: int, note: str | None) -> TaskOutcome:
        return self.tasks.done(number, note, requester)

    def reopen_task(self, requester: Requester, number: int) -> TaskOutcome:
        return self.tasks.reopen(number, requester)

    def assign_task(self, requester: Requester, number: int, owner: str) -> TaskOutcome:
        return self.tasks.assign(number, owner, requester)

    def set_task_due(self, requester: Requester, number: int, due: date) -> TaskOutcome:
        return self.tasks.set_due(number, due, requester)

    def list_tasks(self, requester: Requester, scope: TaskListScope) -> TaskListing:
        return self.tasks.list(scope, requester)

    def task_card_url(self, task: Task) -> str | None:
        """The Trello card of a task, once it exists."""
        return self.integrations.card_url(task.number)

    def task_issue(self, task: Task) -> tuple[str, str] | None:
        """The Jira issue of a task (key, link), once it exists."""
        return self.integrations.issue(task.number)

    # --- analysis -----------------------------------------------------------------------------------------------
    def figures(self, requester: Requester, args: str) -> Figures:
        """`[<period>] [<severity>] [<field>=<value> …]`: figures over the period for what the answer's readers may
        see, of the incidents whose custom fields match every `<field>=<value>`."""
        words, fields = self.analysis.field_filters(args)
        period_text, severity = self.analysis.parse_stats_args(words)
        return self.analysis.figures(self.analysis.period(period_text), readers(requester), severity, fields)

    def upload_chart(self, channel: str, figures: Figures) -> None:
        self.analysis.upload_chart(channel, figures)

    def export(self, requester: Requester, args: str) -> tuple[int, Period, str]:
        """`[csv|json] [<period>]`: upload the incidents as a file where asked; (rows, period, format)."""
        fmt, period_text = self.analysis.parse_export_args(args.split())
        rows, period = self.analysis.export(requester, fmt, period_text)
        return rows, period, fmt

    def web_page(self, page: str, query: dict[str, str], cookie: str | None) -> WebResponse:
        """A page of the read-only web report (services/web_report.py): 403 without a valid personal link."""
        return self.web_report.handle(page, query, cookie)

    def send_web_link(self, requester: Requester) -> str:
        return self.analysis.send_web_link(requester.user)

    def revoke_web_links(self, requester: Requester) -> None:
        self.analysis.revoke_web_links(requester.user)
