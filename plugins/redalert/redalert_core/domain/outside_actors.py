"""People who act from an outside system rather than from Slack (pure).

A change applied from a Jira webhook is recorded with the actor `jira:<accountId>`: never a Slack id, so nothing
mentions it, and the Jira policy sends nothing back to Jira. Texts name such a person by the name Jira gave them
(kept on the event as `by_name`, and as the account's latest name under `name_key`) and say where they acted.
"""

from __future__ import annotations

JIRA_PREFIX = "jira:"


def jira_actor(account_id: str | None) -> str:
    return f"{JIRA_PREFIX}{account_id or 'unknown'}"


def place(actor: str | None) -> str | None:
    """Where an outside actor acted ("Jira"); None for a Slack user, an API token or RedAlert itself."""
    return "Jira" if actor and actor.startswith(JIRA_PREFIX) else None


def name_key(actor: str) -> str:
    """store.remote: {"name": …}, the name Jira last gave the account behind `actor`."""
    return f"jira:account:{actor.removeprefix(JIRA_PREFIX)}"


def named(name: str | None) -> str:
    """The person as texts show them: the name Jira gave, else someone (an event written before names were kept)."""
    return " ".join((name or "").split()) or "someone"
