"""summary.json in Statuspage's public summary shape: the page's time zone, and component groups as Statuspage
lists them (a group component with its members' ids; members name it in group_id)."""

from __future__ import annotations

from datetime import UTC, datetime

from redalert_core.domain import status_page as sp
from redalert_core.services.status_site import StatusSite
from redalert_core.web.status_html import PageView

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def summary(components: list[tuple[sp.Component, str]]) -> dict:
    view = PageView(name="Service status", now=NOW, components=components, entries=[])
    return StatusSite.summary(None, view, "https://status.example.com")  # type: ignore[arg-type]  # no self state used


def test_the_page_names_its_time_zone_and_components_carry_statuspage_fields():
    result = summary([(sp.Component("api", "The public API"), "operational")])
    page = result["page"]
    assert set(page) == {"id", "name", "url", "time_zone", "updated_at"}
    assert (page["time_zone"], page["url"], page["name"]) == ("Etc/UTC", "https://status.example.com", "Service status")
    [api] = result["components"]
    assert {"id", "name", "status", "position", "description", "group_id", "group", "page_id"} <= set(api)
    assert api["group"] is False and api["group_id"] is None and api["description"] == "The public API"


def test_a_group_is_a_component_of_its_own_with_the_worst_state_of_its_members():
    result = summary(
        [
            (sp.Component("api", "", "Platform"), "partial_outage"),
            (sp.Component("web", "", "Platform"), "degraded_performance"),
            (sp.Component("billing", ""), "operational"),
        ]
    )
    by_id = {c["id"]: c for c in result["components"]}
    group = by_id["group:Platform"]
    assert group["group"] is True and group["components"] == ["api", "web"] and group["status"] == "partial_outage"
    assert by_id["api"]["group_id"] == by_id["web"]["group_id"] == "group:Platform"
    assert by_id["billing"]["group_id"] is None
