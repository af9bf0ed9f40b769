"""The outside-system commands of the RedAlert plugin (a mixin): `!incident page` and the admins' outbox view.

Everything sent to PagerDuty, webhooks, Confluence and Trello goes through the outbox; these commands never wait
for a delivery. Each command calls one use case of `self.app` (see chat_commands/base.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from errbot import botcmd

from chat_commands.base import ChatBase, answers
from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.outbox import CONFLUENCE, PAGERDUTY, SLACK, STATUSPAGE, TRELLO, WEBHOOK, OutboxRow, State
from redalert_core.domain.requester import Requester
from redalert_core.domain.response_parsing import target
from redalert_core.domain.workflow_engine import when_text

STATE_ORDER = (State.PENDING, State.RETRYING, State.DEAD)


def describe_row(row: OutboxRow) -> str:
    """What a row is about, without anything secret (webhook URLs show their host only)."""
    payload = row.payload
    if row.destination == PAGERDUTY:
        what = f"PagerDuty {payload.get('event_action', '?')}"
    elif row.destination == WEBHOOK:
        what = f"webhook {payload.get('body', {}).get('type', '?')} to {urlsplit(payload.get('url', '')).hostname}"
    elif row.destination == CONFLUENCE:
        what = "Confluence post-mortem page"
    elif row.destination == TRELLO:
        what = f"Trello card {payload.get('action', '?')}"
    elif row.destination == STATUSPAGE:
        what = f"Statuspage {payload.get('action', '?')}"
    elif row.destination == SLACK:
        what = "Slack notice"
    else:
        what = row.destination
    if row.incident_number is not None:
        what += f" (incident {row.incident_number})"
    return what


def _in_dm(msg) -> bool:
    """A direct message with the bot (on Slack its channel id starts with D)."""
    event = msg.extras.get("slack_event") if getattr(msg, "extras", None) else None
    if event and event.get("channel"):
        return str(event["channel"]).startswith("D")
    return bool(getattr(msg, "is_direct", False))


class IntegrationCommands(ChatBase):
    # --- commands -------------------------------------------------------------------------------------------
    @botcmd
    @answers
    def incident_page(self, asker: Requester, args: str):
        """Page PagerDuty for the incident (the routing key of its severity, or of the severity given).

        Example: `!incident page` in the incident channel, or `!incident page 12 sev1`
        """
        parsed = target(args)
        words = parsed.rest.split()
        if len(words) > 1:
            raise ParseError("Usage: !incident page [<number>] [<severity>].")
        paged = self.app.page(asker, parsed.number, words[0] if words else None)
        text = f"Paging PagerDuty for incident {paged.incident.number} ({paged.severity}, PagerDuty {paged.level})."
        if paged.already_open:
            text += " Its alert is still open, so PagerDuty adds this to it rather than paging anew."
        return text

    @botcmd(admin_only=True)
    @answers
    def incident_outbox(self, asker: Requester, args: str, msg: Any):
        """Show what waits for outside systems (pending, retrying, dead) per destination, with the last errors.

        Example: `!incident outbox` (admins); `!incident outbox retry <id|all>` requeues dead rows.
        """
        if args.strip():
            return "Usage: !incident outbox, or !incident outbox retry <id|all>."
        report = self.app.outbox_report()
        disabled = [
            f"- webhook {hook.name}: disabled since {hook.disabled_at.strftime('%Y-%m-%d %H:%M')} UTC, its receiver "
            f"answered 410 Gone; nothing is sent to it. Turn it on again with `!incident webhook enable {hook.name}`."
            for hook in report.disabled_webhooks
        ]
        if not report.counts:
            return "\n".join(["The outbox is empty: everything was delivered.", *disabled])
        private = _in_dm(msg)  # what outside systems answered is for the admin's eyes, not the channel's
        lines = ["Outbox:", *disabled]
        for destination in sorted(report.counts):
            states = report.counts[destination]
            parts = [f"{states[s]} {s.value}" for s in STATE_ORDER if states.get(s)]
            lines.append(f"- {destination}: {', '.join(parts)}")
        for row in report.rows:
            line = f"- #{row.id} {describe_row(row)}: {row.state.value}, {row.attempts} attempt(s)"
            if row.state is not State.DEAD:
                line += f", next {row.next_attempt_at.strftime('%H:%M:%S')} UTC"
            if row.error_reason:
                line += f": {texts.escape(texts.clip(row.error_reason, 200))}"
            if row.error_detail and private:  # what the system answered, scrubbed of tokens
                line += f" — {texts.escape(texts.clip(row.error_detail, 300))}"
            lines.append(line)
        if any(row.state is State.DEAD for row in report.rows):
            lines.append("Requeue dead rows with `!incident outbox retry <id|all>`.")
        if not private and any(row.error_detail for row in report.rows):
            lines.append("What the systems answered is shown only in a direct message with me.")
        return "\n".join(lines)

    @botcmd(admin_only=True)
    @answers
    def incident_outbox_retry(self, asker: Requester, args: str):
        """Requeue dead outbox rows for delivery: one by its id, or all.

        Example: `!incident outbox retry 12` or `!incident outbox retry all` (admins)
        """
        if not args.strip():
            return "Usage: !incident outbox retry <id|all>"
        ids = self.app.retry_outbox(args)
        if not ids:
            return "No dead rows to requeue."
        return f"Requeued {len(ids)} row(s): {', '.join(f'#{i}' for i in ids)}. Delivery starts now."

    @botcmd(admin_only=True)
    @answers
    def incident_webhook_enable(self, asker: Requester, args: str):
        """Turn on again a webhook that was disabled because its receiver answered 410 Gone.

        Events from now on are sent to it; rows not sent while it was off can be requeued with
        `!incident outbox retry <id|all>`. `!incident outbox` lists disabled webhooks by name.
        Example: `!incident webhook enable hooks.example.com` (admins)
        """
        name = args.strip()
        if not name or len(name.split()) != 1:
            return "Usage: !incident webhook enable <name> (see !incident outbox for disabled webhooks)."
        hook = self.app.enable_webhook(name)
        return f"Webhook {hook.name} is enabled again: events from now on are sent to it."

    @botcmd
    @answers
    def oncall(self, asker: Requester, args: str):
        """Who is on call now for an incident type of the workflows file, or a PagerDuty escalation policy (anyone
        may ask; no PagerDuty seat needed).

        Example: `!oncall outage` or `!oncall PABC123`
        """
        found = self.app.who_is_on_call(asker, args.strip())
        lines = [f"On call for {found.target.describe()}:"]
        for person in sorted(found.people, key=lambda p: p.level):
            slack = found.slack_ids.get(person.pagerduty_id)
            who = f"<@{slack}>" if slack else texts.escape(person.name)
            lines.append(f"• level {person.level}: {who}")
        lines += [f"• could not find {texts.escape(missing)}" for missing in found.missing]
        return "\n".join(lines)

    @botcmd
    @answers
    def incident_workflows_test(self, asker: Requester, args: str):
        """Which workflows would fire for the incident now and what they would do, without doing it.

        Example: `!incident workflows test 12`, or `!incident workflows test` in the incident channel
        """
        number = int(args) if args.strip().isdigit() else None
        fired = self.app.dry_run_workflows(asker, number)
        if not fired:
            return "No workflow applies to this incident now."
        lines = []
        for workflow, actions in fired:
            # A plain word first: Slack's markdown conversion joins a line that starts with markup to the last one.
            lines.append(f"Workflow `{workflow.name}` (when {when_text(workflow)}):")
            lines += [f"  • would {action}" for action in actions]
        return "\n".join(lines)
