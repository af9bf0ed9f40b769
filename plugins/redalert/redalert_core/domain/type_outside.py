"""A type's own outside settings (REDALERT_WORKFLOWS_FILE's `types:`): the settings an incident of that type is
sent to outside systems with. Each one the type gives replaces the global one; the rest stay."""

from __future__ import annotations

import dataclasses
from typing import Any

from .jira_config import DEFAULT_PROJECT
from .settings import Settings
from .workflow_model import IncidentType, TypeOutside


def for_type(settings: Settings, kind: IncidentType | None) -> Settings:
    """`settings` as an incident of `kind` sees them.

    A routing key pages with the type's key every severity that pages (every severity when no global key is set);
    a Jira project takes every severity's issues; a Confluence space and a Trello list replace the global ones.
    """
    outside = kind.outside if kind is not None else None
    if outside is None or outside == TypeOutside():
        return settings
    integrations = settings.integrations
    changes: dict[str, Any] = {}  # fields named at run time: mypy cannot match them
    if outside.pagerduty_routing_key:
        paging = list(integrations.pagerduty_routing_keys) or settings.severity_values
        changes["pagerduty_routing_keys"] = dict.fromkeys(paging, outside.pagerduty_routing_key)
    if outside.confluence_space:
        changes["confluence_space_key"] = outside.confluence_space
    if outside.trello_list:
        changes["trello_list_id"] = outside.trello_list
    if outside.jira_project:
        changes["jira"] = dataclasses.replace(integrations.jira, projects={DEFAULT_PROJECT: outside.jira_project})
    return dataclasses.replace(settings, integrations=dataclasses.replace(integrations, **changes))


def has_outside(kinds: tuple[IncidentType, ...]) -> bool:
    """Whether any type sends something outside on its own settings (then the outbox looks even when nothing is
    configured globally)."""
    return any(kind.outside != TypeOutside() for kind in kinds)
