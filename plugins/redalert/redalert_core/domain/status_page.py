"""The public status page's model: public statuses, component states, its configuration keys and who may publish.

Only what the commander chooses to publish is public: a title, a public status, component states and the text of
each public update. Nothing here reads the incident's internal description, timeline, channel or people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .response_state import COMMANDER

# Statuspage's realtime incident statuses, in the order an incident goes through them.
INVESTIGATING, IDENTIFIED, MONITORING, RESOLVED = "investigating", "identified", "monitoring", "resolved"
PUBLIC_STATUSES = (INVESTIGATING, IDENTIFIED, MONITORING, RESOLVED)
OPERATIONAL = "operational"
# Component states from best to worst (under_maintenance ranks below the outages: planned, not broken).
COMPONENT_STATES = ("operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage")
STATE_WORDS = {
    "operational": "Operational",
    "under_maintenance": "Under maintenance",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
# Statuspage's impact of an incident and the page's indicator, by the worst component state.
IMPACT = {
    "operational": "none",
    "under_maintenance": "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
PAGE_DESCRIPTION = {
    "none": "All Systems Operational",
    "maintenance": "Service Under Maintenance",
    "minor": "Partially Degraded Service",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
DAYS_SHOWN = 90
MAX_TITLE = 255  # Statuspage's limit on an incident name
MAX_BODY = 3000
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}\Z")
STATUSPAGE_ID = re.compile(r"^[a-z0-9]{1,40}\Z")
ROLE = re.compile(r"^[a-z][a-z0-9_-]{0,29}\Z")

DEFAULTS: dict[str, Any] = {
    "STATUS_COMPONENTS": [],
    # Who may publish besides admins: the holders of these roles; the commander always may.
    "PUBLISH_ROLES": [COMMANDER, "communications"],
    "STATUS_PAGE_NAME": "Service status",
    "STATUSPAGE_PAGE_ID": "",
    "STATUSPAGE_COMPONENTS": {},
}


@dataclass(frozen=True)
class Component:
    name: str
    description: str = ""
    group: str | None = None


@dataclass(frozen=True)
class StatusPageSettings:
    components: tuple[Component, ...] = ()
    publish_roles: tuple[str, ...] = (COMMANDER, "communications")
    page_name: str = "Service status"
    statuspage_page_id: str = ""
    statuspage_components: dict[str, str] = field(default_factory=dict)  # our name -> Statuspage component id

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.components)

    @property
    def statuspage(self) -> bool:
        return bool(self.statuspage_page_id)


def worst(states: list[str] | tuple[str, ...]) -> str:
    return max(states, key=COMPONENT_STATES.index, default=OPERATIONAL)


def default_title(components: dict[str, str]) -> str:
    """A title from the affected components, e.g. "Major outage: api, web" (never the internal description)."""
    affected = {name: state for name, state in components.items() if state != OPERATIONAL}
    if not affected:
        return "Service disruption"
    state = worst(list(affected.values()))
    names = ", ".join(name for name, s in affected.items() if s == state)
    return f"{STATE_WORDS[state]}: {names}"[:MAX_TITLE]


def public_status(internal: str, resolved_status: str, closed: bool) -> str:
    """The public status an incident's own status stands for: itself when it is one of Statuspage's, resolved when
    the incident is resolved or closed, else investigating."""
    if closed or internal == resolved_status:
        return RESOLVED
    return internal if internal in PUBLIC_STATUSES else INVESTIGATING


def indicator(states: list[str]) -> tuple[str, str]:
    """The page's status (indicator, description) from its components' states."""
    level = IMPACT[worst(states)]
    return level, PAGE_DESCRIPTION[level]


def may_publish(user: str, roles: dict[str, str], commander: str, publish_roles: tuple[str, ...], admin: bool) -> bool:
    if admin or user == commander:
        return True
    return any(roles.get(role) == user for role in publish_roles)


def check(merged: dict, faults: list[str]) -> dict[str, Any]:
    """The status page keys as {"status_page": StatusPageSettings}; one fault per bad value."""
    components = _components(merged.get("STATUS_COMPONENTS", []), faults)
    names = [c.name for c in components]
    roles_raw = merged.get("PUBLISH_ROLES", DEFAULTS["PUBLISH_ROLES"])
    roles: tuple[str, ...] = ()
    if not isinstance(roles_raw, (list, tuple)) or not all(isinstance(r, str) and ROLE.match(r) for r in roles_raw):
        faults.append('PUBLISH_ROLES must be a list of role names, like ["commander", "communications"].')
    else:
        roles = tuple(dict.fromkeys(roles_raw))
    page_name = merged.get("STATUS_PAGE_NAME", DEFAULTS["STATUS_PAGE_NAME"])
    if not isinstance(page_name, str) or not page_name.strip() or len(page_name) > 100:
        faults.append("STATUS_PAGE_NAME must be non-empty text of at most 100 characters.")
        page_name = DEFAULTS["STATUS_PAGE_NAME"]
    page_id = merged.get("STATUSPAGE_PAGE_ID", "") or ""
    if not isinstance(page_id, str) or (page_id and not STATUSPAGE_ID.match(page_id.strip())):
        faults.append("STATUSPAGE_PAGE_ID must be a Statuspage page id (lowercase letters and digits), or empty.")
        page_id = ""
    mapping = _statuspage_components(merged.get("STATUSPAGE_COMPONENTS", {}), names, faults)
    return {
        "status_page": StatusPageSettings(
            components=tuple(components),
            publish_roles=roles,
            page_name=page_name.strip(),
            statuspage_page_id=page_id.strip(),
            statuspage_components=mapping,
        )
    }


def _components(raw: Any, faults: list[str]) -> list[Component]:
    example = '[{"name": "api", "description": "The public API", "group": "Platform"}]'
    if not isinstance(raw, (list, tuple)):
        faults.append(f"STATUS_COMPONENTS must be a list like {example}.")
        return []
    components: list[Component] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or "name" not in item or not set(item) <= {"name", "description", "group"}:
            faults.append(
                f'STATUS_COMPONENTS item {index} must be a dict with "name" and optional "description", "group".'
            )
            continue
        name, description, group = item["name"], item.get("description", ""), item.get("group")
        if not isinstance(name, str) or not NAME.match(name.strip()):
            faults.append(
                f'STATUS_COMPONENTS item {index}: the name "{str(name)[:40]}" must be 1-60 characters of letters, '
                "digits, space, ., _ or -, starting with a letter or digit."
            )
            continue
        if not isinstance(description, str) or len(description) > 300:
            faults.append(f"STATUS_COMPONENTS item {index}: the description must be text of at most 300 characters.")
            continue
        if group is not None and (not isinstance(group, str) or not group.strip() or len(group) > 60):
            faults.append(f"STATUS_COMPONENTS item {index}: the group must be non-empty text of at most 60 characters.")
            continue
        if any(c.name == name.strip() for c in components):
            faults.append(f'STATUS_COMPONENTS: the name "{name.strip()}" appears more than once.')
            continue
        components.append(Component(name.strip(), description.strip(), group.strip() if group else None))
    return components


def _statuspage_components(raw: Any, names: list[str], faults: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        faults.append(
            "STATUSPAGE_COMPONENTS must be a dict from our component name to a Statuspage id, "
            'like {"api": "b13yz5g2cw10"}.'
        )
        return {}
    clean: dict[str, str] = {}
    for name, value in raw.items():
        if name not in names:
            known = ", ".join(names) or "none"
            faults.append(
                f'STATUSPAGE_COMPONENTS names "{str(name)[:40]}", which is no STATUS_COMPONENTS name (known: {known}).'
            )
        elif not isinstance(value, str) or not STATUSPAGE_ID.match(value.strip()):
            faults.append(f'STATUSPAGE_COMPONENTS["{name}"] must be a Statuspage component id.')
        else:
            clean[name] = value.strip()
    return clean


@dataclass(frozen=True)
class PublicUpdate:
    """One published update: only what the publisher wrote and chose."""

    id: int
    status: str
    body: str
    at: datetime


@dataclass
class PublicEntry:
    """An incident's public face. `number` is its public id too."""

    number: int
    title: str
    status: str
    components: dict[str, str]
    published_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    withdrawn_at: datetime | None = None
    final_asked_at: datetime | None = None
    updates: list[PublicUpdate] = field(default_factory=list)  # newest first

    @property
    def is_open(self) -> bool:
        return self.status != RESOLVED and self.withdrawn_at is None

    @property
    def impact(self) -> str:
        return IMPACT[worst(list(self.components.values()))]


def component_states(settings: StatusPageSettings, entries: list[PublicEntry]) -> dict[str, str]:
    """Each configured component's state: the worst any open public incident gives it, else operational."""
    states = dict.fromkeys(settings.names, OPERATIONAL)
    for entry in entries:
        if entry.is_open:
            for name, state in entry.components.items():
                if name in states:
                    states[name] = worst([states[name], state])
    return states
