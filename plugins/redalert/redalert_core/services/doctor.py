"""Checks of the Slack setup: token type, granted scopes, configured people and groups.

Run at start (one log line per problem) and on demand with `!incident doctor`.
"""

from __future__ import annotations

from ..domain.settings import GROUP_ID, Settings
from ..integrations.pagerduty.rest import configured as oncall_configured
from ..slack.gateway import SlackError, SlackGateway

# The bot scopes RedAlert and the slackv3 backend need, and what each is for.
REQUIRED_SCOPES = {
    "chat:write": "post summaries and replies",
    "channels:manage": "create, archive and set topics of public incident channels",
    "groups:write": "do the same in private channels",
    "channels:read": "read channel details (the backend does, for every message)",
    "groups:read": "read private channel details",
    "im:read": "read DM details",
    "mpim:read": "read group DM details",
    "channels:history": "receive messages in public channels",
    "groups:history": "receive messages in private channels",
    "im:history": "receive DMs",
    "mpim:history": "receive group DMs",
    "users:read": "look up who wrote a message",
    "team:read": "the backend reads the workspace for every sender; without it the bot never becomes ready",
    "im:write": "open DMs",
    "usergroups:read": "expand user groups into their members",
    "pins:write": "pin the incident summary",
    "reactions:read": "receive 📌 reactions that add messages to the timeline",
    "reactions:write": "acknowledge a 📌 with a reaction",
    "files:write": "upload post-mortem drafts",
    "commands": "receive the /incident slash command (the Slack app must also declare it and enable interactivity)",
}
# Needed only when RedAlert asks PagerDuty who is on call (PAGERDUTY_API_TOKEN set).
ONCALL_SCOPES = {"users:read.email": "find the on-call people of PagerDuty in Slack by their email"}
# Needed only with Jira (JIRA_PROJECT_KEY set) for owners JIRA_USERS does not map: found in Jira by their Slack email.
JIRA_SCOPES = {"users:read.email": "find task owners' Jira accounts by their Slack email (or map them in JIRA_USERS)"}


def check(gateway: SlackGateway, settings: Settings) -> list[str]:
    """Every problem found, as one clear sentence each; an empty list means all is well."""
    try:
        identity = gateway.auth_test()
    except SlackError as exc:
        return [f"The bot token does not work: {exc.describe()}."]
    problems = []
    if not identity.get("bot_id"):
        problems.append("SLACK_BOT_TOKEN is not a bot token: use the Bot User OAuth Token (xoxb-…).")
    granted = {s.strip() for s in identity.get("scopes", "").split(",") if s.strip()}
    needed = {
        **REQUIRED_SCOPES,
        **(JIRA_SCOPES if settings.integrations.jira.enabled else {}),
        **(ONCALL_SCOPES if oncall_configured() else {}),
    }
    for scope, why in needed.items():
        if scope not in granted:
            problems.append(f"The Slack app lacks the bot scope {scope} (needed to {why}); add it and reinstall.")
    problems.extend(_check_configured_people(gateway, settings))
    return problems


def _check_configured_people(gateway: SlackGateway, settings: Settings) -> list[str]:
    problems = []
    for key, entries in settings.include.items():
        for entry in entries:
            try:
                if entry.startswith("@"):
                    if gateway.usergroup_id(entry) is None:
                        problems.append(f'INCLUDE_IN_INCIDENT["{key}"]: there is no user group {entry}.')
                elif GROUP_ID.match(entry):
                    gateway.usergroup_members(entry)
                elif not gateway.user_exists(entry):
                    problems.append(f'INCLUDE_IN_INCIDENT["{key}"]: there is no user {entry} (or it is deactivated).')
            except SlackError as exc:
                problems.append(f'INCLUDE_IN_INCIDENT["{key}"]: {entry} could not be checked: {exc.describe()}.')
    return problems
