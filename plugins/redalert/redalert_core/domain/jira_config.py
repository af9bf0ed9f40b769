"""Jira Cloud's part of the configuration (docs/integrations.md): where task issues go and how people and severities
map. Credentials come from the environment only (JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_WEBHOOK_SECRET)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,9}\Z")
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9:_-]{1,128}\Z")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}\Z")
DEFAULT_PROJECT = "default"  # the key of a JIRA_PROJECT_KEY map used for problems' tasks and unmapped severities

DEFAULTS: dict[str, Any] = {
    "JIRA_PROJECT_KEY": "",
    "JIRA_ISSUE_TYPE": "Task",
    "JIRA_INCIDENT_ISSUE_TYPE": "",  # empty: incidents do not become issues
    "JIRA_PRIORITIES": {},
    "JIRA_USERS": {},
}


@dataclass(frozen=True)
class JiraSettings:
    projects: dict[str, str] = field(default_factory=dict)  # severity (or "default") -> project key
    issue_type: str = "Task"
    priorities: dict[str, str] = field(default_factory=dict)  # severity -> Jira priority name
    users: dict[str, str] = field(default_factory=dict)  # Slack user id -> Jira accountId
    incident_issue_type: str = ""  # the incident itself as an issue of this type (empty: no)

    @property
    def enabled(self) -> bool:
        return bool(self.projects)

    def project_for(self, severity: str | None) -> str | None:
        return self.projects.get(severity or "") or self.projects.get(DEFAULT_PROJECT)

    def slack_user(self, account_id: str) -> str | None:
        """The Slack user JIRA_USERS maps to this Jira account, if any."""
        return next((user for user, account in self.users.items() if account == account_id), None)


def _project(key: str, raw: Any, faults: list[str]) -> str | None:
    if isinstance(raw, str) and PROJECT_KEY.match(raw.strip()):
        return raw.strip()
    faults.append(f"{key} must be a Jira project key (2-10 capitals, digits or _, starting with a letter), like OPS.")
    return None


def check_jira(merged: dict[str, Any], severities: list[str], faults: list[str]) -> JiraSettings:
    raw = merged["JIRA_PROJECT_KEY"]
    projects: dict[str, str] = {}
    if isinstance(raw, dict):
        for severity, value in raw.items():
            if severity not in (*severities, DEFAULT_PROJECT):
                known = ", ".join([*severities, DEFAULT_PROJECT])
                faults.append(f'JIRA_PROJECT_KEY has the key "{str(severity)[:40]}", which is no severity ({known}).')
            elif (project := _project(f'JIRA_PROJECT_KEY["{severity}"]', value, faults)) is not None:
                projects[severity] = project
    elif raw not in (None, "") and (project := _project("JIRA_PROJECT_KEY", raw, faults)) is not None:
        projects[DEFAULT_PROJECT] = project
    issue_type = merged["JIRA_ISSUE_TYPE"]
    if not isinstance(issue_type, str) or not issue_type.strip() or len(issue_type) > 60:
        faults.append("JIRA_ISSUE_TYPE must be the name of an issue type, like Task.")
        issue_type = "Task"
    incident_type = merged["JIRA_INCIDENT_ISSUE_TYPE"]
    if not isinstance(incident_type, str) or len(incident_type) > 60:
        faults.append("JIRA_INCIDENT_ISSUE_TYPE must be the name of an issue type, like Incident (or empty).")
        incident_type = ""
    priorities: dict[str, str] = {}
    if not isinstance(merged["JIRA_PRIORITIES"], dict):
        faults.append('JIRA_PRIORITIES must be a dict from severity to a Jira priority name, like {"sev1": "Highest"}.')
    else:
        for severity, name in merged["JIRA_PRIORITIES"].items():
            if severity not in severities:
                faults.append(f'JIRA_PRIORITIES has the key "{str(severity)[:40]}", which is no severity.')
            elif not isinstance(name, str) or not name.strip():
                faults.append(f'JIRA_PRIORITIES["{severity}"] must be a priority name, like High.')
            else:
                priorities[severity] = name.strip()
    users: dict[str, str] = {}
    if not isinstance(merged["JIRA_USERS"], dict):
        faults.append('JIRA_USERS must be a dict from Slack user id to Jira accountId, like {"U012AB": "5b10…"}.')
    else:
        for user, account in merged["JIRA_USERS"].items():
            if not isinstance(user, str) or not SLACK_USER.match(user):
                faults.append(f'JIRA_USERS: "{str(user)[:40]}" is not a Slack user id (U…/W…).')
            elif not isinstance(account, str) or not ACCOUNT_ID.match(account):
                faults.append(f'JIRA_USERS["{user}"] must be a Jira accountId.')
            else:
                users[user] = account
    return JiraSettings(projects, issue_type.strip(), priorities, users, incident_type.strip())
