"""Jira Cloud's webhooks, read (pure): the signature check and what a `jira:issue_updated` or `jira:issue_deleted`
says changed. Jira Cloud signs a webhook registered with a secret as `X-Hub-Signature: sha256=<hex HMAC-SHA256 of
the body>`; `X-Atlassian-Webhook-Identifier` names a delivery (the same on Jira's retries)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any

UNSET = object()  # a field the changelog does not mention


def signed(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def identity(header: str | None, body: bytes) -> str:
    """The delivery's identity: Jira's identifier, else a digest of the body (a replay is the same bytes)."""
    return f"id:{header.strip()[:200]}" if header and header.strip() else f"sha256:{hashlib.sha256(body).hexdigest()}"


@dataclass(frozen=True)
class JiraChange:
    issue_key: str
    actor_account: str | None
    actor_name: str
    deleted: bool = False
    category: str | None = None  # the status category after a status change (new, indeterminate, done)
    assignee: Any = UNSET  # {"accountId", "emailAddress"?} or None when unassigned; UNSET when unchanged
    due: Any = UNSET  # a date or None when cleared; UNSET when unchanged
    labels: tuple[str, ...] = ()  # the issue's labels (RedAlert's marker names its task)


def parse(payload: Any) -> JiraChange | None:
    """The change a webhook reports, or None for anything else (another event, no issue)."""
    if not isinstance(payload, dict):
        return None
    event, issue = payload.get("webhookEvent"), payload.get("issue")
    if event not in ("jira:issue_updated", "jira:issue_deleted") or not isinstance(issue, dict) or not issue.get("key"):
        return None
    user = _object(payload.get("user"))
    actor = user.get("accountId")
    name = str(user.get("displayName") or actor or "someone")[:80]
    key = str(issue["key"])[:40]
    fields, changelog = _object(issue.get("fields")), _object(payload.get("changelog"))
    given = fields.get("labels")
    labels = tuple(label[:255] for label in given if isinstance(label, str))[:50] if isinstance(given, list) else ()
    if event == "jira:issue_deleted":
        return JiraChange(key, actor, name, deleted=True, labels=labels)
    changed = {str(item.get("field", "")).lower() for item in changelog.get("items") or [] if isinstance(item, dict)}
    category = None
    if "status" in changed:
        category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
    assignee: Any = UNSET
    if "assignee" in changed:
        assignee = _object(fields.get("assignee")) or None
    due: Any = UNSET
    if "duedate" in changed:
        try:
            due = date.fromisoformat(fields["duedate"]) if fields.get("duedate") else None
        except (TypeError, ValueError):
            due = UNSET
    return JiraChange(key, actor, name, category=category, assignee=assignee, due=due, labels=labels)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
