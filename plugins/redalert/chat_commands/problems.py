"""Problem management commands of the RedAlert plugin (a mixin; RedAlert lists it among its bases):
`!incident link|unlink|show`, `!problem …` and `!task …`, plus the poller for overdue tasks and stale problems.

Like chat_commands/response.py, each command is framed by `answers` (chat_commands/base.py) and calls one use case
of `self.app`.
"""

from __future__ import annotations

from errbot import botcmd

from chat_commands.base import ChatBase, answers
from chat_commands.response import reminder_interval
from redalert_core.domain import problem_commands as parse
from redalert_core.domain import text as texts
from redalert_core.domain import timeline
from redalert_core.domain.links import LinkKind
from redalert_core.domain.requester import Requester
from redalert_core.domain.tasks import Task, describe_line
from redalert_core.frontends import replies
from redalert_core.slack import messages

MAX_LISTED = 50


class ProblemCommands(ChatBase):
    # --- lifecycle (called from RedAlert.activate) ------------------------------------------------------------------
    def _start_problems(self) -> None:
        self.start_poller(reminder_interval(), self._send_problem_reminders)

    def _send_problem_reminders(self) -> None:
        """Overdue tasks (daily DM to the owner) and stale problems (weekly DM to the commanders), from the leading
        replica only (chat_commands/replicas.py)."""
        try:
            sent = self.app.send_follow_up_reminders()
        except Exception:  # a poller that raises is not rescheduled: log and keep reminding
            self.log.exception("Sending task and problem reminders failed")
            return
        self.log.debug("Problem-management reminders checked: %s", sent)

    # --- helpers --------------------------------------------------------------------------------------------------
    def _today(self):
        return self.app.clock().date()

    def _card_link(self, task: Task) -> str:
        """` · Trello card <url>` and ` · Jira OPS-7` once the task's card or issue exists (listings show them)."""
        url = self.app.task_card_url(task)
        issue = self.app.task_issue(task)
        jira = f" · Jira <{issue[1]}|{issue[0]}>" if issue else ""
        return (f" · <{url}|Trello card>" if url else "") + jira

    def _task_lines(self, tasks: list[Task]) -> list[str]:
        today = self._today()
        lines = [
            f"- {describe_line(t, messages.user, texts.escape, today)} · {t.belongs_to}{self._card_link(t)}"
            for t in tasks[:MAX_LISTED]
        ]
        if len(tasks) > MAX_LISTED:
            lines.append(f"… and {len(tasks) - MAX_LISTED} more.")
        return lines

    # --- incident links and the one-glance view ------------------------------------------------------------------
    @botcmd
    @answers
    def incident_link(self, asker: Requester, args: str):
        """Link two incidents: `related` (default), `duplicate` (n duplicates m) or `caused-by` (n was caused by m).

        Example: `!incident link 9 caused-by` in incident 12's channel, or `!incident link 12 9 duplicate`
        """
        command = parse.parse_link(args)
        outcome = self.app.link(asker, command.number, command.other, command.kind)
        n, m = outcome.incident.number, outcome.other.number
        if command.kind == LinkKind.DUPLICATE:
            text = f"Incident {n} is now marked as a duplicate of incident {m}."
        elif command.kind == LinkKind.CAUSED_BY:
            text = f"Linked: incident {n} was caused by incident {m}."
        else:
            text = f"Linked incident {n} and incident {m} (related)."
        if outcome.previous is not None:
            text += f" It was {outcome.previous.describe_from(n)} before."
        return text + replies.warnings_lines(outcome.warnings)

    @botcmd
    @answers
    def incident_unlink(self, asker: Requester, args: str):
        """Remove the link between two incidents.

        Example: `!incident unlink 9` in incident 12's channel, or `!incident unlink 12 9`
        """
        command = parse.parse_unlink(args)
        incident, removed = self.app.unlink(asker, command.number, command.other)
        return f"Incidents {incident.number} and {removed.other(incident.number)} are no longer linked."

    @botcmd
    @answers
    def incident_show(self, asker: Requester, args: str):
        """One incident at a glance: severity, status, roles, times, people, links, its problem and its tasks.

        A private incident is shown to its members and admins, in a DM with me or in its own channel; links and
        tasks of private incidents appear only where everyone reading may see them.
        Example: `!incident show` in the incident channel, or `!incident show 12`
        """
        number = parse.parse_optional_incident(args, "Usage: !incident show [<number>].")
        view = self.app.show(asker, number)
        incident, settings = view.incident, self.settings
        status = "closed" if incident.is_closed else view.state.current_status(settings.statuses)
        end = incident.closed_at or self.app.clock()
        lasted = texts.duration(end - incident.opened_at) + ("" if incident.closed_at else " so far")
        lines = [
            f"Incident {incident.number}: {texts.escape(incident.description)}",
            f"- Severity: {texts.escape(texts.severity_label(settings, incident.severity))} · Status: {status}"
            + (f" · Channel: {messages.channel(incident.channel_id)}" if incident.channel_id else ""),
            "- " + " · ".join(messages.role_lines(view.state.roles, settings.roles, view.commander)),
            f"- Opened {texts.when(incident.opened_at)} by {messages.user(incident.opened_by)}"
            + (f" · Resolved {texts.when(view.state.resolved_at)}" if view.state.resolved_at else "")
            + (f" · Closed {texts.when(incident.closed_at)}" if incident.closed_at else ""),
            f"- Duration: {lasted} · People: {view.people}",
            "- Links: " + (", ".join(link.describe_from(incident.number) for link in view.links) or "none"),
            "- Problem: " + messages.problem_brief(view.problem),
        ]
        fields = self.app.field_values(incident.number)
        if incident.incident_type or fields:  # REDALERT_WORKFLOWS_FILE's type and custom fields
            shown = [f"Type: {texts.escape(incident.incident_type or 'none')}"]
            shown += [f"{texts.escape(name)}: {texts.escape(value)}" for name, value in fields.items()]
            lines.append("- " + " · ".join(shown))
        open_tasks = [t for t in view.tasks if t.is_open]
        done_tasks = [t for t in view.tasks if not t.is_open]
        lines.append(f"- Open tasks ({len(open_tasks)}):" + ("" if open_tasks else " none"))
        lines += ["  " + line for line in self._task_lines(open_tasks)]
        lines.append(f"- Done tasks ({len(done_tasks)}):" + ("" if done_tasks else " none"))
        lines += ["  " + line for line in self._task_lines(done_tasks)]
        return "\n".join(lines)

    # --- problems -------------------------------------------------------------------------------------------------
    @botcmd
    def problem(self, msg, args):
        """Problems: the underlying cause of incidents, from investigating to known-error to resolved.

        - `!problem open <title> [<incident numbers…>]`, e.g. `!problem open Disk fills up on db hosts 12 14`
          (in an incident channel the incident is linked)
        - `!problem link P3 <n…>` and `!problem unlink P3 <n>`
        - `!problem status P3 <investigating|known-error|resolved> [note]`
        - `!problem cause P3 <text>` and `!problem workaround P3 <text>`
        - `!problem show P3` and `!problem list [all]`

        `P3` may be written `p3` or `3`. Follow-up work: `!task add P3 <text> @owner due in 7d`.
        """
        return self.problem.__doc__.split("\n", 1)[1].strip()

    @botcmd
    @answers
    def problem_open(self, asker: Requester, args: str):
        """Open a problem, optionally with the incidents it caused; in an incident channel that incident is linked.

        Example: `!problem open Disk fills up on db hosts 12 14`
        """
        command = parse.parse_problem_open(args)
        outcome = self.app.open_problem(asker, command.title, command.incidents)
        problem = outcome.problem
        text = f"Problem {problem.label} is open: {texts.escape(problem.title)}"
        if problem.incidents:
            text += f"\nLinked incidents: {', '.join(str(n) for n in problem.incidents)}."
        return text + replies.warnings_lines(outcome.warnings)

    @botcmd
    @answers
    def problem_link(self, asker: Requester, args: str):
        """Link incidents to a problem (an incident belongs to one problem at most).

        Example: `!problem link P3 12 14`
        """
        number, incidents = parse.parse_problem_incidents(args, "!problem link P<n> <incident numbers…>")
        outcome = self.app.link_problem(asker, number, incidents)
        linked = ", ".join(str(n) for n in outcome.linked)
        plural = "s" if len(outcome.linked) > 1 else ""
        return f"Problem P{number} now has incident{plural} {linked}." + replies.warnings_lines(outcome.warnings)

    @botcmd
    @answers
    def problem_unlink(self, asker: Requester, args: str):
        """Take an incident out of a problem.

        Example: `!problem unlink P3 14`
        """
        number, [incident] = parse.parse_problem_incidents(args, "!problem unlink P<n> <incident number>", single=True)
        outcome = self.app.unlink_problem(asker, number, incident)
        return f"Incident {incident} is no longer linked to problem P{number}." + replies.warnings_lines(
            outcome.warnings
        )

    @botcmd
    @answers
    def problem_status(self, asker: Requester, args: str):
        """Move a problem to investigating, known-error (cause and workaround known) or resolved, with a note.

        For its opener, admins and the commanders of incidents linked by its opener, an admin or such a commander;
        linking your own incident does not make you one (PROBLEM_STATUS_ALLOWED can say `admins` or `anyone`).

        Example: `!problem status P3 known-error log rotation was off on the db hosts`
        """
        number, status, note = parse.parse_problem_status(args)
        outcome = self.app.set_problem_status(asker, number, status, note)
        text = f"Problem P{number} is now {status.value} (was {outcome.previous})."
        return text + replies.warnings_lines(outcome.warnings)

    def _problem_text(self, asker: Requester, args: str, word: str) -> str:
        number, said = parse.parse_problem_text(args, word)
        outcome = self.app.set_problem_text(asker, number, word, said)
        what = "Cause of" if word == "cause" else "Workaround for"
        replaced = " (replacing the previous one)" if outcome.previous else ""
        return f"{what} problem P{number} recorded{replaced}."

    @botcmd
    @answers
    def problem_cause(self, asker: Requester, args: str):
        """Record what causes the problem (replaces an earlier cause; the history keeps both).

        Example: `!problem cause P3 log rotation was disabled by the last config push`
        """
        return self._problem_text(asker, args, "cause")

    @botcmd
    @answers
    def problem_workaround(self, asker: Requester, args: str):
        """Record how to get around the problem until it is fixed.

        Example: `!problem workaround P3 delete logs older than 7 days on the db hosts`
        """
        return self._problem_text(asker, args, "workaround")

    @botcmd
    @answers
    def problem_show(self, asker: Requester, args: str):
        """Show a problem: status, incidents, cause, workaround, tasks and history.

        Example: `!problem show P3`
        """
        view = self.app.show_problem(asker, parse.parse_problem_show(args))
        problem = view.problem
        incidents = ", ".join(str(n) for n in problem.incidents) or "none"
        lines = [
            f"Problem {problem.label}: {texts.escape(problem.title)}",
            f"- Status: {problem.status.value} since {texts.when(problem.status_changed_at)} · "
            f"Opened {texts.when(problem.opened_at)} by {messages.user(problem.opened_by)}",
            f"- Incidents: {incidents}",
            f"- Cause: {texts.escape(problem.cause) if problem.cause else 'not known yet'}",
            f"- Workaround: {texts.escape(problem.workaround) if problem.workaround else 'none known yet'}",
            f"- Tasks ({sum(t.is_open for t in view.tasks)} open of {len(view.tasks)}):"
            + ("" if view.tasks else " none"),
        ]
        lines += ["  " + line for line in self._task_lines(view.tasks)]
        lines.append("- History (UTC):")
        for event in view.history:
            said = timeline.describe(event, messages.user, texts.escape)
            if said:
                lines.append(f"  - `{event.at.strftime('%Y-%m-%d %H:%M')}` {said}")
        return "\n".join(lines)

    @botcmd
    @answers
    def problem_list(self, asker: Requester, args: str):
        """List problems still being worked on; `!problem list all` includes resolved ones.

        Example: `!problem list all`
        """
        include_resolved = parse.parse_problem_list(args)
        found = self.app.list_problems(asker, include_resolved=include_resolved)
        if not found:
            return "No problems yet." if include_resolved else "No open problems."
        lines = [f"{len(found)} problem{'s' if len(found) != 1 else ''}:"]
        for problem, open_tasks in found[:MAX_LISTED]:
            incidents = ", ".join(str(n) for n in problem.incidents) or "none"
            lines.append(
                f"- {problem.label} · {problem.status.value} · {texts.escape(texts.clip(problem.title, 80))} · "
                f"incidents {incidents} · {open_tasks} open tasks"
            )
        return "\n".join(lines)

    # --- tasks ----------------------------------------------------------------------------------------------------
    @botcmd
    def task(self, msg, args):
        """Follow-up tasks with an owner and a due date, on an incident or a problem.

        - `!task add [<n>|P3] <text> [@owner] [due <YYYY-MM-DD>|due in <N>d]`,
          e.g. `!task add Alert on disk usage @alice due in 7d` (in an incident channel: that incident)
        - `!task done T7 [note]`, `!task reopen T7`
        - `!task assign T7 @owner`, `!task due T7 <YYYY-MM-DD|in <N>d>`
        - `!task list [mine|open|all|<n>|P3]` (default: open tasks of the incident here, or yours in a DM)

        `T7` may be written `t7` or `7`. An overdue task reminds its owner by DM once a day.
        """
        return self.task.__doc__.split("\n", 1)[1].strip()

    def _task_reply(self, task: Task, lead: str) -> str:
        extras = [
            f"owner {messages.user(task.owner)}"
            if task.owner
            else f"no owner yet: `!task assign {task.label} @someone`"
        ]
        if task.due:
            extras.append(f"due {task.due.isoformat()}")
        return f"{lead}: {texts.escape(task.text)} ({', '.join(extras)})."

    @botcmd
    @answers
    def task_add(self, asker: Requester, args: str):
        """Add a follow-up task to an incident (the one whose channel this is, or `<n>`) or to a problem (`P3`).

        Example: `!task add Add an alert on disk usage @alice due in 7d`,
        or from anywhere `!task add P3 Fix log rotation due 2026-12-24`
        """
        command = parse.parse_task_add(args, self._today())
        outcome = self.app.add_task(asker, command)
        task = outcome.task
        return self._task_reply(task, f"Task {task.label} added to {task.belongs_to}") + replies.warnings_lines(
            outcome.warnings
        )

    @botcmd
    @answers
    def task_done(self, asker: Requester, args: str):
        """Close a task, with an optional note (its owner, the incident's commander or an admin).

        Example: `!task done T7 alert added in Grafana`
        """
        number, note = parse.parse_task_done(args)
        outcome = self.app.finish_task(asker, number, note)
        return f"Task T{number} is done: {texts.escape(outcome.task.text)}." + replies.warnings_lines(outcome.warnings)

    @botcmd
    @answers
    def task_reopen(self, asker: Requester, args: str):
        """Reopen a task that was closed too early.

        Example: `!task reopen T7`
        """
        number = parse.parse_task_reopen(args)
        outcome = self.app.reopen_task(asker, number)
        return f"Task T{number} is open again: {texts.escape(outcome.task.text)}." + replies.warnings_lines(
            outcome.warnings
        )

    @botcmd
    @answers
    def task_assign(self, asker: Requester, args: str):
        """Give a task to someone (one person; not @here or a user group).

        Who may close it may reassign it: its owner, the incident's commander (a problem's owners), admins
        (TASK_CLOSE_ALLOWED).

        Example: `!task assign T7 @bob`
        """
        number, owner = parse.parse_task_assign(args)
        outcome = self.app.assign_task(asker, number, owner)
        was = f" (was {messages.user(outcome.previous)})" if outcome.previous else ""
        return f"Task T{number} is now owned by {messages.user(owner)}{was}."

    @botcmd
    @answers
    def task_due(self, asker: Requester, args: str):
        """Set or move a task's due date: `YYYY-MM-DD` or `in <N>d` (not in the past).

        Example: `!task due T7 2026-12-24` or `!task due T7 in 3d`
        """
        number, due = parse.parse_task_due(args, self._today())
        outcome = self.app.set_task_due(asker, number, due)
        was = f" (was {outcome.previous})" if outcome.previous else ""
        return f"Task T{number} is now due {due.isoformat()}{was}."

    @botcmd
    @answers
    def task_list(self, asker: Requester, args: str):
        """List tasks: `mine`, `open`, `all`, of incident `<n>` or of problem `P3`.

        In an incident channel the default is its open tasks (`all` adds the done ones); in a DM, your open tasks.
        Example: `!task list`, `!task list mine`, `!task list 12`, `!task list P3`
        """
        listing = self.app.list_tasks(asker, parse.parse_task_list(args))
        if not listing.tasks:
            return f"{listing.title}: none."
        return "\n".join([f"{listing.title} ({len(listing.tasks)}):", *self._task_lines(listing.tasks)])
