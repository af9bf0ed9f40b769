"""Whoever is on call: what PagerDuty's REST API says (people per escalation policy or schedule) and what RedAlert
made of it in Slack. Pure; the lookup itself is services/oncall.py."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OnCallTarget:
    """PagerDuty ids to ask about: escalation policies and schedules (either may be empty)."""

    escalation_policies: tuple[str, ...] = ()
    schedules: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.escalation_policies or self.schedules)

    def describe(self) -> str:
        parts = [f"policy {p}" for p in self.escalation_policies] + [f"schedule {s}" for s in self.schedules]
        return ", ".join(parts)


@dataclass(frozen=True)
class OnCallPerson:
    """One PagerDuty on-call entry's user, at its escalation level."""

    pagerduty_id: str
    name: str
    email: str
    level: int
    escalation_policy: str
    schedule: str | None = None


@dataclass
class OnCallLookup:
    """Who is on call now, found in Slack (`slack_ids`), and every person or source that could not be found, as a
    sentence each (`missing`): PagerDuty unreachable, an email Slack does not know."""

    target: OnCallTarget
    people: list[OnCallPerson] = field(default_factory=list)
    slack_ids: dict[str, str] = field(default_factory=dict)  # PagerDuty user id → Slack user id
    missing: list[str] = field(default_factory=list)

    @property
    def found(self) -> list[str]:
        """The Slack ids to invite, first level first, each once."""
        seen: dict[str, None] = {}
        for person in sorted(self.people, key=lambda p: p.level):
            slack_id = self.slack_ids.get(person.pagerduty_id)
            if slack_id:
                seen.setdefault(slack_id, None)
        return list(seen)
