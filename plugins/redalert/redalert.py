"""RedAlert's Errbot plugin: parse the command, call the incident service, format the reply.

Everything with substance lives in redalert_core; this file only speaks Errbot.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from errbot import BotPlugin, ValidationException, botcmd, cmdfilter

from chat_commands import listed_under_plugin
from chat_commands.analysis import AnalysisCommands, web_settings
from chat_commands.api_tokens import ApiTokenCommands
from chat_commands.base import ChatBase, answers
from chat_commands.config_display import hide_configuration_in_logs, masked_history, shown_configuration
from chat_commands.integrations import IntegrationCommands
from chat_commands.interactive import InteractiveCommands
from chat_commands.observability import ObservabilityCommands, observed_commands
from chat_commands.problems import ProblemCommands
from chat_commands.replicas import ReplicaCommands, seconds_from_env, slack_retry_pauses, timing_from_env
from chat_commands.response import ResponseCommands
from chat_commands.status_page import StatusPageCommands
from chat_commands.workflows import WorkflowsCommands
from redalert_core.application.bootstrap import AppConfig, build
from redalert_core.application.errors import ServiceError
from redalert_core.application.results import OpenRequest
from redalert_core.domain import commands
from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.incident_fields import read_open
from redalert_core.domain.private_urls import allowed_by
from redalert_core.domain.requester import Requester
from redalert_core.domain.settings import DEFAULT_CONFIG, ConfigError, Settings, parse_config_text, validate
from redalert_core.frontends import replies
from redalert_core.observability import log_redaction
from redalert_core.slack import messages

_CONFIG_COMMAND = re.compile(r"^\s*RedAlert\s+(.+)$", re.DOTALL)
_CONFIG_SHOW = re.compile(r"^\s*RedAlert\s*$")
RECORDED_OPEN = "redalert_recorded_open"  # msg.extras: (OpenRequest, StepReport) stored by take_command


def database_url(bot_config: Any) -> str:
    """REDALERT_DATABASE_URL from config.py or the environment; default an SQLite file in the data dir."""
    url = getattr(bot_config, "REDALERT_DATABASE_URL", None) or os.environ.get("REDALERT_DATABASE_URL")
    if url:
        return url
    data_dir = Path(getattr(bot_config, "BOT_DATA_DIR", None) or os.environ.get("REDALERT_DATA_DIR", "data"))
    return f"sqlite:///{data_dir.resolve() / 'redalert.sqlite3'}"


def slack_rate_scale() -> float:
    """REDALERT_SLACK_RATE_SCALE (default 1): Slack's rate limits times this, for a workspace or a local emulator
    with other limits; config.py refuses a value that is not a positive number."""
    try:
        scale = float(os.environ.get("REDALERT_SLACK_RATE_SCALE", "").strip() or 1.0)
    except ValueError:
        return 1.0
    return scale if scale > 0 else 1.0


# Mixins before BotPlugin: ResponseCommands overrides callback_reaction.
@observed_commands
@listed_under_plugin
class RedAlert(
    ResponseCommands,
    ProblemCommands,
    InteractiveCommands,
    IntegrationCommands,
    AnalysisCommands,
    ApiTokenCommands,
    ReplicaCommands,
    ObservabilityCommands,
    StatusPageCommands,
    WorkflowsCommands,
    ChatBase,
    BotPlugin,
):
    """Incident management: open an incident channel, invite the right people, list and close incidents."""

    settings: Settings

    # --- configuration --------------------------------------------------------------------------------------
    def _defaults(self) -> dict[str, Any]:
        defaults = {**DEFAULT_CONFIG, **(getattr(self.bot_config, "REDALERT_DEFAULT_CONFIG", None) or {})}
        try:  # the environment's ALLOW_PRIVATE_URLS (tests, on-premise) allows what the key would
            if allowed_by(os.environ.get("ALLOW_PRIVATE_URLS")):
                defaults["ALLOW_PRIVATE_URLS"] = True
        except ValueError:
            pass  # config.py refuses to start with such a value
        return defaults

    def get_configuration_template(self) -> dict[str, Any]:
        return self._defaults()

    def check_configuration(self, configuration: Any) -> None:
        # Errbot asks this at every activation too: the environment's secrets are checked when an admin changes
        # the configuration (redalert_config_filter) and logged at start (configure), never a reason not to start.
        try:
            validate(configuration, self._defaults())
        except ConfigError as exc:
            raise ValidationException("; ".join(exc.faults)) from exc

    def configure(self, configuration: Any) -> None:
        merged = {**self._defaults(), **(configuration or {})}
        # The stored configuration was checked against the environment when an admin set it. A webhook secret
        # missing from this process's environment must not stop the whole bot: that webhook's deliveries are
        # refused at signing (dead, shown by `!incident outbox`) and the start logs why.
        self.settings = validate(merged, self._defaults())
        try:
            validate(merged, self._defaults(), os.environ)
        except ConfigError as exc:
            for fault in exc.faults:
                self.log.warning("Configuration: %s", fault)
        super().configure(merged)

    @cmdfilter
    def take_command(self, msg, cmd, args, dry_run):
        """Before Errbot queues a command for a worker thread: store it in the command inbox (which is the claim),
        and record the incident if it opens one.

        One filter, so the order is fixed (after Errbot's ACLs, which core plugins install first): a message Slack
        delivered twice is dropped before anything is stored. This runs in the thread that received the message,
        before its envelope is acknowledged (backends/redalert_slack): a crash while the command waits for a free
        worker cannot lose it, as a restart or another replica re-runs it (chat_commands/inbox.py), and an open's
        incident is already recorded.
        """
        if dry_run or self._app is None:
            return msg, cmd, args
        if not self._claim(msg, cmd):
            return None, None, None
        if cmd == "incident_open":
            self._record_open(msg, args)
        return msg, cmd, args

    @cmdfilter
    def redalert_config_filter(self, msg, cmd, args, dry_run):
        """Make `!plugin config RedAlert {...}` pasted in Slack parse, and refuse a bad one before it is stored.

        Errbot evaluates the raw text (smart quotes and &amp; break it) and, when the check fails, resets the stored
        configuration; validating here first keeps the previous configuration in force.
        """
        if not dry_run and cmd == "history":  # Errbot's own would show a configuration typed earlier, keys and all
            history = list(self._bot.cmd_history[msg.frm.person])
            self._bot.send_simple_reply(msg, masked_history(self._bot.prefix, history) or "No commands yet.")
            return None, None, None
        if dry_run or cmd != "plugin_config" or not isinstance(args, str):
            return msg, cmd, args
        if _CONFIG_SHOW.match(args):
            if not self.is_admin(msg):
                return msg, cmd, args  # the ACLs plugin answers non-admins
            command = f"{self._bot.prefix}plugin config {self.name}"
            current = self._bot.plugin_manager.get_plugin_configuration(self.name)
            self._bot.send_simple_reply(msg, shown_configuration(command, self._defaults(), current))
            return None, None, None
        match = _CONFIG_COMMAND.match(args)
        if not match:
            return msg, cmd, args
        try:
            config = parse_config_text(match.group(1))
            validate(config, self._defaults(), os.environ)
        except ConfigError as exc:
            if not self.is_admin(msg):
                return msg, cmd, args  # the ACLs plugin answers non-admins
            faults = "\n".join(f"- {fault}" for fault in exc.faults)
            self._bot.send_simple_reply(msg, f"Configuration refused, nothing changed:\n{faults}")
            return None, None, None
        return msg, cmd, f"RedAlert {config!r}"

    # --- lifecycle ------------------------------------------------------------------------------------------
    def activate(self) -> None:
        super().activate()
        log_redaction.install()
        hide_configuration_in_logs()
        # activate() reruns on every configuration change. The application (with its store and thread pools) and
        # the once-per-process tasks are built on the first one only, so a command running during a reload keeps
        # a working application.
        first = self._app is None
        if first:
            self._app = build(
                AppConfig(
                    database_url=database_url(self.bot_config),
                    slack_client=lambda: getattr(self._bot, "slack_web", None),  # slackv3's, rebuilt on reconnect
                    settings=lambda: self.settings,
                    is_admin=self.is_admin_id,
                    admin_ids=self.admin_ids,
                    replica=self.replica_identity(),
                    timing=timing_from_env(),
                    # How often the leader runs due workflow actions (docs/workflows.md); tests shorten it.
                    workflow_seconds=seconds_from_env("REDALERT_WORKFLOW_INTERVAL", 5.0),
                    slack_retry_pauses=slack_retry_pauses(),
                    rate_scale=slack_rate_scale(),
                    web=web_settings(self.bot_config),
                )
            )
            if hasattr(self._bot, "reply_pacer"):  # RedAlertSlack: Errbot's replies share the channels' budgets
                self._bot.reply_pacer = self.app.gateway.pacer
        # Each area's part of the front end, in this order: the pollers restart on every activation (Errbot stops
        # them on deactivation); what is built once checks for itself.
        self._start_response()  # the reminder poller (chat_commands/response.py)
        self.app.start()  # the outbox's delivery
        self._start_api()  # the HTTP API's routes, before the webserver starts (chat_commands/api_tokens.py)
        self._start_analysis()  # the weekly digest's poller, the web report's port (chat_commands/analysis.py)
        self._start_problems()  # the task and problem reminders' poller (chat_commands/problems.py)
        self._start_interactions()  # /incident, buttons, modals (chat_commands/interactive.py)
        self._start_status_page()  # the public status page's server (chat_commands/status_page.py)
        self._watch_shared_state()  # configuration changed on another replica (chat_commands/replicas.py)
        self._start_observability()  # metrics, /healthz, /readyz (chat_commands/observability.py)
        if not first:
            return
        # Heartbeat and leadership; the leader finishes interrupted opens (chat_commands/replicas.py).
        self._start_replica()
        if self.mode == "slackv3":
            threading.Thread(target=self._log_setup_problems, name="redalert-doctor", daemon=True).start()

    def _log_setup_problems(self) -> None:
        problems = self.app.doctor()
        for problem in problems:
            self.log.error("Slack setup: %s", problem)
        if not problems:
            self.log.info("Slack setup: token and scopes look right.")

    def deactivate(self) -> None:
        # The service outlives a reload (see activate), but nothing it started in the background may outlive the
        # plugin: a shutdown waits for the last pins and posts.
        self._stop_observability()
        self._stop_interactions()
        self._stop_status_page()
        if self._app is not None:
            self.app.stop()
            self.app.drain()
        super().deactivate()

    def _dedup_key(self, msg) -> str | None:
        """Channel + original ts: absorbs Socket Mode redeliveries and `message_changed` edits of one command."""
        event = self.slack_event(msg)
        original = event.get("message") or event
        if event.get("channel") and original.get("ts"):
            return f"{event['channel']}:{original['ts']}"
        return None

    # --- commands -------------------------------------------------------------------------------------------
    @botcmd
    def incident(self, msg, args):
        """Incident management: open, list, lead, role, status, severity, update, note, timeline, link, close, stats.

        - `!incident open [--private] <severity> <description> [@people @groups]`
          e.g. `!incident open sev1 Checkout is down @alice @sre`
        - `!incident list` (open ones) or `!incident list all`
        - `!incident invite [<number>] @people @groups`, e.g. `!incident invite @bob`
        - `!incident lead [<number>] @person`, e.g. `!incident lead @alice`
        - `!incident role [<number>] <role> @person`, e.g. `!incident role scribe @carol`
        - `!incident status [<number>] <status> [note]`, e.g. `!incident status identified bad deploy`
        - `!incident severity [<number>] <severity>`, e.g. `!incident severity sev1`
        - `!incident update [<number>] <text>`, e.g. `!incident update Rolling back the deploy`
        - `!incident note [<number>] <text>` (or react to a message with :pushpin:)
        - `!incident timeline [<number>]` and `!incident postmortem [<number>]`
        - `!incident link [<n>] <m> [related|duplicate|caused-by]`, `!incident unlink [<n>] <m>`
        - `!incident show [<number>]`: severity, status, roles, times, links, problem, tasks
        - `!incident set [<number>] <field> <value>`: a custom field of the workflows file (docs/workflows.md)
        - `!incident close [<number> | #channel] [resolution]`, e.g. `!incident close Rolled back`
        - `!incident page [<number>] [<severity>]`: page PagerDuty by hand
        - `!incident publish [<number>] [<component>=<state> …] [title="…"] <public text>`; `!incident unpublish`
        - `!incident retry <number>`; `!incident doctor`, `!incident outbox [retry <id|all>]`,
          `!incident webhook enable <name>` (admins)
        - `!incident stats [<period>] [<severity>]`, e.g. `!incident stats 90d sev1` (figures and a chart)
        - `!incident export [csv|json] [<period>]`; `!incident web` (a personal link to the web report)
        - `!incident token create <name> [read|write] [private]`, `!incident token list`, `!incident token revoke
          <name>`: tokens for the HTTP API (admins, in a DM; docs/api.md)

        In an incident's channel the number is not needed. `!help incident <command>` shows one command in full.
        Problems and follow-up tasks: `!problem` and `!task`.
        """
        usage = self.incident.__doc__.split("\n", 1)[1].strip()
        return f"{usage}\nSeverities: {', '.join(self.settings.severity_values)}."

    @botcmd
    def incident_open(self, msg, args):
        """Open an incident: creates its channel, sets the topic, invites people and posts a pinned summary.

        `--private` makes a private channel that is not announced and is listed only to its members and admins.
        With a workflows file (REDALERT_WORKFLOWS_FILE) the first word may name a type, and `<field>=<value>` words
        among the trailing mentions set custom fields (a value with spaces in quotes); an unknown field is refused.

        Example: `!incident open sev1 Checkout is down @alice @oncall` (in any channel or in a DM to the bot), or
        `!incident open security sev2 Suspicious logins @alice team=identity impact="a few users"`
        """
        recorded = msg.extras.pop(RECORDED_OPEN, None)  # recorded on receipt (take_command)
        try:
            request = recorded[0] if recorded else self._open_request(msg, args)
            report = self.app.open_incident(request, recorded[1] if recorded else None)
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        incident = report.incident
        where = messages.channel(incident.channel_id)
        if report.repeated:
            return f"You opened this a moment ago: Incident {incident.number} in {where}."
        if report.duplicate:
            if self.slack_event(msg).get("subtype") == "message_changed":
                return f"Editing the command does not open a second incident: Incident {incident.number} is in {where}."
            return None  # a redelivered event: the first delivery already answered
        return replies.opened(report, self.settings)

    def _open_request(self, msg, args: str) -> OpenRequest:
        """The open a message asks for; ParseError says what is wrong with it."""
        severities = frozenset(value.lower() for value in self.settings.severity_values)
        typed = read_open(self.arguments(msg, args, "incident", "open"), self.app.workflows_file(), severities)
        command = commands.parse_open(typed.text, self.settings)
        request = OpenRequest(
            severity=command.severity,
            description=command.description,
            opened_by=self.sender(msg),
            origin_channel=self.here(msg),
            mentions=command.mentions,
            dedup_key=self._dedup_key(msg),
            is_private=command.is_private,
            incident_type=typed.incident_type,
            fields=typed.fields,
        )
        return self.app.typed_open(request)  # the type's private default and people, as for the modal and the API

    def _record_open(self, msg, args: str) -> None:
        """Store the incident a message opens (see take_command); its command runs the steps and answers."""
        try:
            request = self._open_request(msg, args)
        except ParseError:
            return  # the command answers with what is wrong
        try:
            msg.extras[RECORDED_OPEN] = request, self.app.record_open(request)
        except ServiceError:
            return  # refused (an unknown severity): the command says why
        except Exception:  # the command records it itself (and says why if it still cannot)
            self.log.warning("Could not record an incident on receipt; the command will try again", exc_info=True)

    @botcmd
    @answers
    def incident_list(self, asker: Requester, text: str):
        """List open incidents; `!incident list all` includes closed ones.

        Private incidents are listed only to their members and admins, and only in a DM with me (or in the
        incident's own channel): in a channel, everyone there reads the answer.
        Example: `!incident list all`
        """
        include_closed = commands.parse_list(text)
        incidents, total = self.app.list_incidents(asker, include_closed=include_closed)
        kind = "incidents" if include_closed else "open incidents"
        if not incidents:
            return "No incidents yet." if include_closed else "No open incidents."
        lines = [f"{total} {kind}:" if total != 1 else f"1 {kind[:-1]}:"]
        lines += [f"- {messages.list_line(incident)}" for incident in incidents]
        if total > len(incidents):
            lines.append(f"… and {total - len(incidents)} more not shown (LIST_LIMIT is {self.settings.list_limit}).")
        return "\n".join(lines)

    @botcmd
    @answers
    def incident_invite(self, asker: Requester, text: str):
        """Invite people or user groups to an incident; in its channel, or anywhere with its number.

        Example: `!incident invite @bob @dba-team` or `!incident invite 12 @bob`
        """
        command = commands.parse_invite(text)
        invited = self.app.invite(asker, command.number, command.mentions)
        outcome = invited.outcome
        if outcome.invited:
            people = ", ".join(messages.user(u) for u in outcome.invited)
            reply = f"Invited {people} to incident {invited.incident.number}."
        else:
            reply = "Nobody was invited." if outcome.failed else "Nobody new to invite."
        return reply + replies.failed_invites_line(outcome.failed) + replies.warnings_lines(invited.warnings)

    @botcmd
    @answers
    def incident_close(self, asker: Requester, text: str):
        """Close an incident: posts who closed it, how long it lasted and the resolution, then archives the channel.

        Example: `!incident close Rolled back the deploy` in the incident channel, or `!incident close 12 Fixed`
        """
        command = commands.parse_close(text)
        closed = self.app.close(asker, command.number, command.resolution, channel_id=command.channel_id)
        incident = closed.incident
        if incident.channel_id and incident.channel_id == asker.here:
            return None  # the closing message posted there is the answer; the channel is archived now
        lasted = texts.duration(closed.lasted)
        channel = "its channel is archived" if incident.channel_id else "it never had a channel"
        return f"Incident {incident.number} closed after {lasted}; {channel}.{replies.warnings_lines(closed.warnings)}"

    @botcmd(admin_only=True)
    def incident_doctor(self, msg, args):
        """Check the Slack setup (bot token, scopes, configured people and groups) and list the running replicas.

        Example: `!incident doctor` (admins only)
        """
        problems = self.app.doctor()
        replicas = "\n*Replicas* (a heartbeat row each):\n" + "\n".join(self._replica_report())
        if not problems:
            return (
                "All good: the bot token works, every needed scope is granted and the configured people exist."
                + replicas
            )
        return f"{len(problems)} problem(s) found:\n" + "\n".join(f"- {p}" for p in problems) + replicas

    @botcmd
    @answers
    def incident_retry(self, asker: Requester, text: str):
        """Finish an incident's failed open steps (channel, topic, invites, summary, pin) or its failed close.

        Example: `!incident retry 12`
        """
        text = text.strip().lstrip("#")
        if not text.isdigit():
            return "Usage: !incident retry <number>"
        retried = self.app.retry(asker, int(text))
        if retried.closed is not None:
            closed, warnings = retried.closed, replies.warnings_lines(retried.closed.warnings)
            return f"Incident {closed.incident.number} is closed now; its channel is archived.{warnings}"
        report = retried.report
        assert report is not None  # retry either finishes a close or resumes the open
        incident = report.incident
        if not incident.channel_id:
            return f"Incident {incident.number} still has no channel.{replies.warnings_lines(report.warnings)}"
        state = "is complete" if report.complete else "still has unfinished steps"
        where = messages.channel(incident.channel_id)
        return f"Incident {incident.number} {state}: {where}.{replies.warnings_lines(report.warnings)}"
