"""Reply texts shared by the text commands and the buttons and modals, so both doors answer alike."""

from __future__ import annotations

from ..application.results import StepReport
from ..domain import text as texts
from ..slack import messages
from ..slack.gateway import describe_error


def warnings_lines(warnings: list[str]) -> str:
    return "".join(f"\n:warning: {w}" for w in warnings)


def failed_invites_line(failed: dict[str, str]) -> str:
    """The line naming who could not be invited and why ("" when everyone was)."""
    if not failed:
        return ""
    names = ", ".join(f"{messages.user(uid)} ({describe_error(code)})" for uid, code in failed.items())
    return f"\n:warning: Could not invite: {names}."


def opened(report: StepReport, settings) -> str:
    """What the opener is told once a new incident's steps ran (the channel may be missing after a Slack failure)."""
    incident = report.incident
    label = texts.severity_label(settings, incident.severity)
    if incident.is_closing_or_closed:  # closed by someone else while it was being opened
        return f"Incident {incident.number} ({label}) was closed while it was being opened." + warnings_lines(
            report.warnings
        )
    if not incident.channel_id:
        return (
            f"Incident {incident.number} ({label}) is recorded, but its channel could not be created."
            f"{warnings_lines(report.warnings)}\nRun `!incident retry {incident.number}` to try again."
        )
    reply = f"Incident {incident.number} ({label}) is open in {messages.channel(incident.channel_id)}."
    reply += failed_invites_line(report.failed_invites) + warnings_lines(report.warnings)
    if not report.complete:
        reply += f"\nSome steps did not finish; `!incident retry {incident.number}` runs them again."
    return reply
