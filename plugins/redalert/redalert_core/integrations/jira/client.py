"""A small client of Jira Cloud's REST API v3 (issues, transitions, user search, the bot's own account).

JIRA_URL is the site (https://example.atlassian.net); requests go to <site>/rest/api/3 with HTTP Basic auth of
JIRA_EMAIL and JIRA_API_TOKEN. Errors raise DeliveryFailed (a 429 after its Retry-After, 5xx retried).
"""

from __future__ import annotations

from typing import Any

from ..atlassian import AtlassianClient


class JiraClient(AtlassianClient):
    product = "Jira"
    variables = ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN")
    api_path = "/rest/api/3"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return self._json(response)

    def browse_url(self, key: str) -> str:
        return f"{self.base_url}/browse/{key}"

    def create_issue(self, fields: dict) -> dict:
        """POST /issue: {"id", "key", "self"}."""
        return self._call("POST", "/issue", json={"fields": fields})

    def issues_labelled(self, project: str, label: str) -> list[dict]:
        """The issues of `project` carrying `label`, oldest first (POST /search/jql, the enhanced JQL search):
        [{"id", "key", "fields": {"labels"}}]. Jira's search index may lag a fresh create by a moment."""
        jql = f'project = "{_jql(project)}" AND labels = "{_jql(label)}" ORDER BY created ASC'
        found = self._call("POST", "/search/jql", json={"jql": jql, "fields": ["labels"], "maxResults": 10}) or {}
        return [issue for issue in found.get("issues") or [] if issue.get("key")]

    def issue(self, key: str) -> dict:
        return self._call("GET", f"/issue/{key}", params={"fields": "status,assignee,duedate"})

    def edit_issue(self, key: str, fields: dict) -> None:
        self._call("PUT", f"/issue/{key}", json={"fields": fields})

    def transitions(self, key: str) -> list[dict]:
        return (self._call("GET", f"/issue/{key}/transitions") or {}).get("transitions") or []

    def transition(self, key: str, transition_id: str) -> None:
        self._call("POST", f"/issue/{key}/transitions", json={"transition": {"id": transition_id}})

    def account_by_email(self, email: str) -> str | None:
        """The accountId of the user whose email is exactly `email`, else None."""
        found = self._call("GET", "/user/search", params={"query": email}) or []
        exact = [u for u in found if str(u.get("emailAddress", "")).lower() == email.lower()]
        return exact[0]["accountId"] if len(exact) == 1 else None

    def myself(self) -> str:
        """The bot's own accountId."""
        return self._call("GET", "/myself")["accountId"]


def _jql(value: str) -> str:
    """A value inside a double-quoted JQL string."""
    return value.replace("\\", "\\\\").replace('"', '\\"')
