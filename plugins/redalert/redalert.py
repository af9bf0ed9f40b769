"""RedAlert's Errbot plugin: parse the command, call the incident service, format the reply.

Everything with substance lives in redalert_core; this file only speaks Errbot.
"""

from __future__ import annotations

import os
import re
import threading
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from errbot import BotPlugin, ValidationException, botcmd, cmdfilter

from chat_commands import listed_under_plugin
from chat_commands.analysis import AnalysisCommands
from chat_commands.config_display import hide_configuration_in_logs, masked_history, shown_configuration
from chat_commands.inbox import InboxCommands
from chat_commands.integrations import IntegrationCommands
from chat_commands.interactive import InteractiveCommands
from chat_commands.observability import ObservabilityCommands, observed_commands
from chat_commands.problems import ProblemCommands
from chat_commands.replicas import ReplicaCommands
from chat_commands.status_page import StatusPageCommands
from chat_commands.workflow import WorkflowCommands
from redalert_core.domain import commands
from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.private_urls import allowed_by
from redalert_core.domain.settings import DEFAULT_CONFIG, ConfigError, Settings, parse_config_text, validate
from redalert_core.observability import log_redaction
from redalert_core.services import doctor, replies
from redalert_core.services.incidents import IncidentService, OpenRequest, ServiceError
from redalert_core.slack import messages
from redalert_core.slack.gateway import SlackGateway, build_client
from redalert_core.slack.rate_pacing import RatePacer
from redalert_core.store import Store, single_process

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


# Mixins before BotPlugin: WorkflowCommands overrides callback_reaction.
@observed_commands
@listed_under_plugin
class RedAlert(
    WorkflowCommands,
    ProblemCommands,
    InteractiveCommands,
    IntegrationCommands,
    AnalysisCommands,
    ReplicaCommands,
    ObservabilityCommands,
    StatusPageCommands,
    InboxCommands,
    BotPlugin,
):
    """Incident management: open an incident channel, invite the right people, list and close incidents."""

    settings: Settings
    service: IncidentService | None = None

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
        if dry_run or self.service is None:
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
            if not self._is_admin(msg):
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
            if not self._is_admin(msg):
                return msg, cmd, args  # the ACLs plugin answers non-admins
            faults = "\n".join(f"- {fault}" for fault in exc.faults)
            self._bot.send_simple_reply(msg, f"Configuration refused, nothing changed:\n{faults}")
            return None, None, None
        return msg, cmd, f"RedAlert {config!r}"

    def _is_admin(self, msg) -> bool:
        who = getattr(msg.frm, "aclattr", str(msg.frm))
        return any(fnmatch(who, pattern) for pattern in getattr(self.bot_config, "BOT_ADMINS", ()))

    # --- lifecycle ------------------------------------------------------------------------------------------
    def activate(self) -> None:
        super().activate()
        log_redaction.install()
        hide_configuration_in_logs()
        # activate() reruns on every configuration change. The service (with its store and thread pool) and the
        # once-per-process tasks are created on the first one only, so a command running during a reload keeps
        # a working service.
        first = self.service is None
        if first:
            url = database_url(self.bot_config)
            single_process.claim(url)  # config.py refuses a second process on SQLite; plugin-only setups too
            store = Store(url)
            store.migrate()
            gateway = SlackGateway(self._slack_client, RatePacer(slack_rate_scale()))
            if store.rate_buckets is not None:  # PostgreSQL: the replicas pace their Slack calls as one app
                gateway.pacer.share(store.rate_buckets.reserve, store.rate_buckets.take_if_free)
            if hasattr(self._bot, "reply_pacer"):  # RedAlertSlack: Errbot's replies share the channels' budgets
                self._bot.reply_pacer = gateway.pacer
            self.service = IncidentService(store, gateway, lambda: self.settings, replica=self.replica_identity())
        self._start_workflow()  # roles, statuses, updates, reminders (chat_commands/workflow.py)
        self._start_integrations()  # the outbox feed and its dispatcher (chat_commands/integrations.py)
        self._start_analysis()  # stats, export, weekly digest, web report (chat_commands/analysis.py)
        self._start_problems()  # links, problems, tasks and their reminders (chat_commands/problems.py)
        self._start_interactions()  # /incident, buttons, modals (chat_commands/interactive.py)
        self._start_status_page()  # publish, unpublish, the public status page (chat_commands/status_page.py)
        self._watch_shared_state()  # configuration changed on another replica (chat_commands/replicas.py)
        self._start_observability()  # metrics, /healthz, /readyz (chat_commands/observability.py)
        if not first:
            return
        # Heartbeat and leadership; the leader finishes interrupted opens (chat_commands/replicas.py).
        self._start_replica()
        if self.mode == "slackv3":
            threading.Thread(target=self._log_setup_problems, name="redalert-doctor", daemon=True).start()

    def _log_setup_problems(self) -> None:
        problems = doctor.check(self.service.gateway, self.settings)
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
        self._stop_integrations()
        if self.service is not None:
            self.service.drain()
        super().deactivate()

    def _slack_client(self):
        """The backend's WebClient on slackv3 (rebuilt on reconnect); otherwise one from the environment."""
        client = getattr(self._bot, "slack_web", None)
        if client is not None:
            return client
        if getattr(self, "_own_client", None) is None:
            token = os.environ.get("SLACK_BOT_TOKEN", "")
            self._own_client = build_client(token, os.environ.get("SLACK_API_URL"))
        return self._own_client

    # --- message helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _event(msg) -> dict:
        return msg.extras.get("slack_event") or {}

    def _raw_args(self, msg, args: str, *words: str) -> str:
        """The command's arguments from the raw Slack text, which keeps mention markup the backend rewrites."""
        event = self._event(msg)
        raw = (event.get("message") or event).get("text")
        tail = commands.command_tail(raw, *words) if raw else None
        return tail if tail is not None else args

    def _sender(self, msg) -> str:
        return getattr(msg.frm, "userid", None) or str(getattr(msg.frm, "person", msg.frm))

    def _here(self, msg) -> str | None:
        channel = self._event(msg).get("channel")
        if channel:
            return channel
        room = getattr(msg.frm, "room", None) if msg.is_group else None
        return getattr(room, "id", None) or (str(room) if room else None)

    def _dedup_key(self, msg) -> str | None:
        """Channel + original ts: absorbs Socket Mode redeliveries and `message_changed` edits of one command."""
        event = self._event(msg)
        original = event.get("message") or event
        if event.get("channel") and original.get("ts"):
            return f"{event['channel']}:{original['ts']}"
        return None

    @staticmethod
    def _warnings(warnings: list[str]) -> str:
        return replies.warnings_lines(warnings)

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
        - `!incident close [<number> | #channel] [resolution]`, e.g. `!incident close Rolled back`
        - `!incident page [<number>] [<severity>]`: page PagerDuty by hand
        - `!incident publish [<number>] [<component>=<state> …] [title="…"] <public text>`; `!incident unpublish`
        - `!incident retry <number>`; `!incident doctor`, `!incident outbox [retry <id|all>]`,
          `!incident webhook enable <name>` (admins)
        - `!incident stats [<period>] [<severity>]`, e.g. `!incident stats 90d sev1` (figures and a chart)
        - `!incident export [csv|json] [<period>]`; `!incident web` (a personal link to the web report)

        In an incident's channel the number is not needed. `!help incident <command>` shows one command in full.
        Problems and follow-up tasks: `!problem` and `!task`.
        """
        usage = self.incident.__doc__.split("\n", 1)[1].strip()
        return f"{usage}\nSeverities: {', '.join(self.settings.severity_values)}."

    @botcmd
    def incident_open(self, msg, args):
        """Open an incident: creates its channel, sets the topic, invites people and posts a pinned summary.

        `--private` makes a private channel that is not announced and is listed only to its members and admins.

        Example: `!incident open sev1 Checkout is down @alice @oncall` (in any channel or in a DM to the bot).
        """
        recorded = msg.extras.pop(RECORDED_OPEN, None)
        if recorded is None:  # not recorded on receipt (no Slack event, or the store failed then): now
            try:
                request = self._open_request(msg, args)
                recorded = request, self.service.record(request)
            except ParseError as exc:
                return texts.unping(str(exc))
        request, report = recorded
        if not report.duplicate:
            report = self.service.run_open_steps(report.incident, request.mentions)
        edited = self._event(msg).get("subtype") == "message_changed"
        incident = report.incident
        if report.repeated:
            return (
                f"You opened this a moment ago: Incident {incident.number} in {messages.channel(incident.channel_id)}."
            )
        if report.duplicate:
            if edited:
                return (
                    f"Editing the command does not open a second incident: Incident {incident.number} is in "
                    f"{messages.channel(incident.channel_id)}."
                )
            return None  # a redelivered event: the first delivery already answered
        if incident.channel_id:
            report.warnings.extend(self.workflow.announce_opened(incident))
        reply = replies.opened(report, self.settings)
        if incident.channel_id:
            self.service.mark_replied(incident.number)
        return reply

    def _open_request(self, msg, args: str) -> OpenRequest:
        """The open a message asks for; ParseError says what is wrong with it."""
        command = commands.parse_open(self._raw_args(msg, args, "open"), self.settings)
        return OpenRequest(
            severity=command.severity,
            description=command.description,
            opened_by=self._sender(msg),
            origin_channel=self._here(msg),
            mentions=command.mentions,
            dedup_key=self._dedup_key(msg),
            is_private=command.is_private,
        )

    def _record_open(self, msg, args: str) -> None:
        """Store the incident a message opens (see take_command); its command runs the steps and answers."""
        try:
            request = self._open_request(msg, args)
        except ParseError:
            return  # the command answers with what is wrong
        try:
            msg.extras[RECORDED_OPEN] = request, self.service.record(request)
        except ServiceError:
            return  # refused (an unknown severity): the command says why
        except Exception:  # the command records it itself (and says why if it still cannot)
            self.log.warning("Could not record an incident on receipt; the command will try again", exc_info=True)

    @staticmethod
    def _failed_invites(failed: dict[str, str]) -> str:
        """The reply line naming who could not be invited and why ("" when everyone was)."""
        return replies.failed_invites_line(failed)

    @botcmd
    def incident_list(self, msg, args):
        """List open incidents; `!incident list all` includes closed ones.

        Private incidents are listed only to their members and admins, and only in a DM with me (or in the
        incident's own channel): in a channel, everyone there reads the answer.
        Example: `!incident list all`
        """
        try:
            include_closed = commands.parse_list(args)
        except ParseError as exc:
            return texts.unping(str(exc))
        incidents, total = self.service.list(include_closed=include_closed, viewer=self._asker(msg).audience())
        kind = "incidents" if include_closed else "open incidents"
        if not incidents:
            return "No incidents yet." if include_closed else "No open incidents."
        lines = [f"{total} {kind}:" if total != 1 else f"1 {kind[:-1]}:"]
        lines += [f"- {messages.list_line(incident)}" for incident in incidents]
        if total > len(incidents):
            lines.append(f"… and {total - len(incidents)} more not shown (LIST_LIMIT is {self.settings.list_limit}).")
        return "\n".join(lines)

    @botcmd
    def incident_invite(self, msg, args):
        """Invite people or user groups to an incident; in its channel, or anywhere with its number.

        Example: `!incident invite @bob @dba-team` or `!incident invite 12 @bob`
        """
        try:
            command = commands.parse_invite(self._raw_args(msg, args, "invite"))
            incident, outcome, warnings = self.service.invite(
                number=command.number,
                here=self._here(msg),
                mentions=command.mentions,
                actor=self._sender(msg),
                viewer=self._asker(msg).person(),
            )
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        if outcome.invited:
            text = f"Invited {', '.join(messages.user(u) for u in outcome.invited)} to incident {incident.number}."
        else:
            text = "Nobody was invited." if outcome.failed else "Nobody new to invite."
        return text + self._failed_invites(outcome.failed) + self._warnings(warnings)

    @botcmd
    def incident_close(self, msg, args):
        """Close an incident: posts who closed it, how long it lasted and the resolution, then archives the channel.

        Example: `!incident close Rolled back the deploy` in the incident channel, or `!incident close 12 Fixed`
        """
        try:
            command = commands.parse_close(self._raw_args(msg, args, "close"))
            incident, warnings = self.service.close(
                number=command.number,
                channel_id=command.channel_id,
                here=self._here(msg),
                actor=self._sender(msg),
                resolution=command.resolution,
                actor_is_admin=self._is_admin(msg),
                viewer=self._asker(msg).person(),
            )
        except (ParseError, ServiceError) as exc:
            return texts.unping(str(exc))
        if incident.channel_id and incident.channel_id == self._here(msg):
            return None  # the closing message posted there is the answer; the channel is archived now
        lasted = texts.duration(incident.closed_at - incident.opened_at)
        channel = "its channel is archived" if incident.channel_id else "it never had a channel"
        return f"Incident {incident.number} closed after {lasted}; {channel}.{self._warnings(warnings)}"

    @botcmd(admin_only=True)
    def incident_doctor(self, msg, args):
        """Check the Slack setup (bot token, scopes, configured people and groups) and list the running replicas.

        Example: `!incident doctor` (admins only)
        """
        problems = doctor.check(self.service.gateway, self.settings)
        replicas = "\n*Replicas* (a heartbeat row each):\n" + "\n".join(self._replica_report())
        if not problems:
            return (
                "All good: the bot token works, every needed scope is granted and the configured people exist."
                + replicas
            )
        return f"{len(problems)} problem(s) found:\n" + "\n".join(f"- {p}" for p in problems) + replicas

    @botcmd
    def incident_retry(self, msg, args):
        """Finish an incident's failed open steps (channel, topic, invites, summary, pin) or its failed close.

        Example: `!incident retry 12`
        """
        text = args.strip().lstrip("#")
        if not text.isdigit():
            return "Usage: !incident retry <number>"
        try:
            # A private incident the asker may not see does not exist for them: same answer as an unused number.
            self.service.find(self._asker(msg).person(), number=int(text), verb="retry")
            closed = self.service.finish_close(int(text))
            if closed is not None:
                incident, warnings = closed
                return f"Incident {incident.number} is closed now; its channel is archived.{self._warnings(warnings)}"
            report = self.service.resume(int(text))
        except ServiceError as exc:
            return texts.unping(str(exc))
        incident = report.incident
        if not incident.channel_id:
            return f"Incident {incident.number} still has no channel.{self._warnings(report.warnings)}"
        self.service.mark_replied(incident.number)
        state = "is complete" if report.complete else "still has unfinished steps"
        where = messages.channel(incident.channel_id)
        return f"Incident {incident.number} {state}: {where}.{self._warnings(report.warnings)}"
