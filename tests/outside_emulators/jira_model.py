"""The Jira emulator's state: users, priorities, one workflow's statuses and transitions, issues, and the field
checks Jira Cloud makes on a create or an edit (errors keyed by field, as Jira's ErrorCollection)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# One workflow with Jira's three status categories (ids and keys as Jira Cloud's: 2 new, 4 indeterminate, 3 done).
CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
STATUSES = {
    "10000": ("To Do", "new"),
    "3": ("In Progress", "indeterminate"),
    "10001": ("Done", "done"),
}
# transition id -> (name, target status id); global transitions, offered from every other status.
TRANSITIONS = {"11": ("To Do", "10000"), "21": ("In Progress", "3"), "31": ("Done", "10001")}
ISSUE_TYPES = ("Task", "Bug", "Story", "Incident")
DEFAULT_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
LABEL = re.compile(r"^\S{1,255}\Z")
FIELDS = frozenset({"project", "summary", "issuetype", "description", "labels", "duedate", "assignee", "priority"})


class FieldErrors(Exception):
    """A 400 (or another status) with Jira's body: {"errorMessages": [...], "errors": {field: message}}."""

    def __init__(self, errors: dict[str, str] | None = None, messages: list[str] | None = None, status: int = 400):
        super().__init__(str(errors or messages))
        self.status = status
        self.body = {"errorMessages": list(messages or []), "errors": dict(errors or {})}


@dataclass
class User:
    accountId: str
    displayName: str
    emailAddress: str

    def to_json(self, base: str) -> dict[str, Any]:
        return {
            "self": f"{base}/rest/api/3/user?accountId={self.accountId}",
            "accountId": self.accountId,
            "accountType": "atlassian",
            "emailAddress": self.emailAddress,
            "displayName": self.displayName,
            "active": True,
            "timeZone": "UTC",
        }


@dataclass
class Issue:
    id: str
    key: str
    project: str
    fields: dict[str, Any]  # summary, issuetype, description, labels, duedate, assignee (accountId), priority (id)
    status: str = "10000"
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # every accepted create/edit/transition body

    @property
    def category(self) -> str:
        return STATUSES[self.status][1]

    @property
    def status_name(self) -> str:
        return STATUSES[self.status][0]


def status_json(base: str, status_id: str) -> dict[str, Any]:
    name, category = STATUSES[status_id]
    cat = CATEGORIES[category]
    return {
        "self": f"{base}/rest/api/3/status/{status_id}",
        "description": "",
        "iconUrl": f"{base}/images/icons/statuses/generic.png",
        "name": name,
        "id": status_id,
        "statusCategory": {"self": f"{base}/rest/api/3/statuscategory/{cat['id']}", **cat},
    }


def transition_json(base: str, transition_id: str) -> dict[str, Any]:
    name, target = TRANSITIONS[transition_id]
    return {
        "id": transition_id,
        "name": name,
        "to": status_json(base, target),
        "hasScreen": False,
        "isGlobal": True,
        "isInitial": False,
        "isAvailable": True,
        "isConditional": False,
        "isLooped": False,
    }


def is_adf(value: Any) -> bool:
    """An Atlassian Document: {"type": "doc", "version": 1, "content": [nodes with a "type"]}."""
    if not isinstance(value, dict) or value.get("type") != "doc" or value.get("version") != 1:
        return False
    content = value.get("content")
    return isinstance(content, list) and all(isinstance(n, dict) and isinstance(n.get("type"), str) for n in content)


def check_fields(
    given: Any, *, users: dict[str, User], priorities: dict[str, str], projects: set[str], create: bool
) -> dict[str, Any]:
    """The fields of a create or an edit, normalised (assignee → accountId or None, priority → id); FieldErrors
    with every fault, keyed by field, like Jira."""
    if not isinstance(given, dict):
        raise FieldErrors(messages=["Can not deserialize instance of fields out of the request body."])
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in given:
        if name not in FIELDS:
            errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
    if create:
        project = given.get("project")
        key = project.get("key") if isinstance(project, dict) else None
        if key not in projects:
            errors["project"] = "valid project is required"
        else:
            out["project"] = key
        issuetype = given.get("issuetype")
        if not isinstance(issuetype, dict) or issuetype.get("name") not in ISSUE_TYPES:
            errors["issuetype"] = "valid issue type is required"
        else:
            out["issuetype"] = issuetype["name"]
    if "summary" in given or create:
        summary = given.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255 or "\n" in summary:
            errors["summary"] = "Summary must be less than 255 characters and on one line."
        else:
            out["summary"] = summary
    if "description" in given:
        if given["description"] is not None and not is_adf(given["description"]):
            errors["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
        else:
            out["description"] = given["description"]
    if "labels" in given:
        labels = given["labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            errors["labels"] = "Operation value must be an array of strings"
        elif bad := next((x for x in labels if not LABEL.match(x)), None):
            errors["labels"] = f"The label '{bad}' contains spaces which is invalid."
        else:
            out["labels"] = list(dict.fromkeys(labels))
    if "duedate" in given:
        due = given["duedate"]
        try:
            out["duedate"] = None if due is None else date.fromisoformat(due).isoformat()
            if due is not None and len(due) != 10:
                raise ValueError
        except (TypeError, ValueError):
            errors["duedate"] = f"Error parsing date string: {due}"
    if "assignee" in given:
        assignee = given["assignee"]
        account = assignee.get("accountId") if isinstance(assignee, dict) else None
        if assignee is None or (isinstance(assignee, dict) and account is None):
            out["assignee"] = None
        elif account not in users:
            errors["assignee"] = "Specified user does not exist or you do not have required permissions"
        else:
            out["assignee"] = account
    if "priority" in given:
        priority = given["priority"]
        wanted = priority.get("id") or priority.get("name") if isinstance(priority, dict) else None
        found = wanted if wanted in priorities else next((i for i, n in priorities.items() if n == wanted), None)
        if found is None:
            errors["priority"] = "Specify the Priority (id or name) in the string format"
        else:
            out["priority"] = found
    if errors:
        raise FieldErrors(errors)
    return out
