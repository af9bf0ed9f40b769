"""How the web report writes people: Slack's name for an id, asked once per ten minutes, never failing a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redalert_core.services.web_report import NAMES_KEPT, PeopleNames

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


class Lookup:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.asked: list[str] = []
        self.down = False

    def __call__(self, user_id: str) -> str | None:
        self.asked.append(user_id)
        if self.down:
            raise ConnectionError("Slack is down")
        return self.names.get(user_id)


def test_a_name_is_asked_once_then_again_after_it_may_have_changed():
    now = [T0]
    lookup = Lookup({"U1": "alice"})
    names = PeopleNames(lookup, lambda: now[0])
    assert names("U1") == names("U1") == "alice" and lookup.asked == ["U1"]
    lookup.names["U1"] = "alice.l"
    now[0] += NAMES_KEPT + timedelta(seconds=1)
    assert names("U1") == "alice.l" and lookup.asked == ["U1", "U1"]


def test_an_unknown_person_or_a_slack_failure_shows_the_id_or_the_last_name():
    now = [T0]
    lookup = Lookup({"U1": "alice"})
    names = PeopleNames(lookup, lambda: now[0])
    assert names("U9") == "U9"  # Slack knows no such user
    assert names("U1") == "alice"
    lookup.down = True
    now[0] += NAMES_KEPT * 2
    assert names("U1") == "alice" and names("U2") == "U2"


def test_only_the_incidents_people_are_named_in_free_text():
    lookup = Lookup({"U1": "alice", "U12": "bob"})
    names = PeopleNames(lookup, lambda: T0)
    text = "Opened by @U1, lead @U12; someone typed @USA and @U1X"
    assert names.in_text(text, {"U1", "U12"}) == "Opened by @alice, lead @bob; someone typed @USA and @U1X"
    assert sorted(lookup.asked) == ["U1", "U12"]  # nothing looked up for text that is not a known person
