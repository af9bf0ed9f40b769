"""The status page's pure rules: configuration, publish arguments, public statuses, titles, who may publish."""

from __future__ import annotations

import pytest

from redalert_core.domain import status_page as sp
from redalert_core.domain.commands import ParseError
from redalert_core.domain.settings import ConfigError, validate
from redalert_core.domain.status_parsing import parse_publish

COMPONENTS = [{"name": "api", "description": "Public API", "group": "Platform"}, {"name": "web"}]


def test_components_and_statuspage_mapping_are_validated():
    settings = validate(
        {
            "STATUS_COMPONENTS": COMPONENTS,
            "STATUSPAGE_PAGE_ID": "abc123",
            "STATUSPAGE_COMPONENTS": {"api": "b13yz5g2cw10"},
        }
    )
    page = settings.status_page
    assert page.names == ("api", "web")
    assert page.components[0] == sp.Component("api", "Public API", "Platform")
    assert page.statuspage and page.statuspage_components == {"api": "b13yz5g2cw10"}
    assert page.publish_roles == ("commander", "communications")


@pytest.mark.parametrize(
    ("config", "fault"),
    [
        ({"STATUS_COMPONENTS": "api"}, "STATUS_COMPONENTS must be a list"),
        ({"STATUS_COMPONENTS": [{"name": "api", "colour": "red"}]}, "item 1 must be a dict"),
        ({"STATUS_COMPONENTS": [{"name": "api"}, {"name": "api"}]}, '"api" appears more than once'),
        ({"STATUS_COMPONENTS": [{"name": "<b>"}]}, "the name"),
        ({"STATUSPAGE_COMPONENTS": {"db": "x1"}}, 'names "db", which is no STATUS_COMPONENTS name'),
        ({"STATUSPAGE_PAGE_ID": "Not An Id"}, "STATUSPAGE_PAGE_ID must be"),
        ({"PUBLISH_ROLES": "commander"}, "PUBLISH_ROLES must be a list"),
    ],
)
def test_bad_status_configuration_is_refused_clearly(config, fault):
    with pytest.raises(ConfigError) as caught:
        validate(config)
    assert any(fault in f for f in caught.value.faults), caught.value.faults


def test_publish_arguments_components_title_and_text():
    request = parse_publish(
        'api=major_outage title="API errors" web=degraded_performance We are looking into it.', ("api", "web")
    )
    assert request.components == {"api": "major_outage", "web": "degraded_performance"}
    assert request.title == "API errors"
    assert request.text == "We are looking into it."
    assert parse_publish("Back to normal", ("api",)).components == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("db=major_outage Down", '"db" is not a status page component'),
        ("api=broken Down", '"broken" is not a component state'),
        ("api=major_outage", "the text the public reads is missing"),
        ('title="" Down', "The title is empty"),
        ("api=Major Down", "is not <component>=<state>"),
    ],
)
def test_bad_publish_arguments_are_refused(text, message):
    with pytest.raises(ParseError, match=message):
        parse_publish(text, ("api", "web"))


def test_the_title_is_made_from_the_worst_components_never_the_description():
    assert sp.default_title({"api": "major_outage", "web": "degraded_performance"}) == "Major outage: api"
    assert sp.default_title({"api": "partial_outage", "web": "partial_outage"}) == "Partial outage: api, web"
    assert sp.default_title({}) == "Service disruption"


@pytest.mark.parametrize(
    ("internal", "closed", "public"),
    [
        ("investigating", False, "investigating"),
        ("identified", False, "identified"),
        ("monitoring", False, "monitoring"),
        ("resolved", False, "resolved"),
        ("mitigating", False, "investigating"),
        ("identified", True, "resolved"),
    ],
)
def test_public_status_follows_the_incident(internal, closed, public):
    assert sp.public_status(internal, "resolved", closed) == public


def test_page_indicator_is_the_worst_component():
    assert sp.indicator([]) == ("none", "All Systems Operational")
    assert sp.indicator(["operational", "partial_outage", "degraded_performance"]) == ("major", "Partial System Outage")
    assert sp.indicator(["major_outage"]) == ("critical", "Major System Outage")


def test_who_may_publish():
    roles = {"commander": "UCMD", "communications": "UCOM", "scribe": "USCR"}
    allowed = ("commander", "communications")
    assert sp.may_publish("UCMD", roles, "UCMD", allowed, False)
    assert sp.may_publish("UCOM", roles, "UCMD", allowed, False)
    assert not sp.may_publish("USCR", roles, "UCMD", allowed, False)
    assert sp.may_publish("USCR", roles, "UCMD", allowed, True)


@pytest.mark.parametrize("state", sp.COMPONENT_STATES)
def test_every_component_state_is_accepted_and_ranks_the_page(state):
    assert parse_publish(f"api={state} Text", ("api",)).components == {"api": state}
    level, description = sp.indicator([state])
    assert level == sp.IMPACT[state] and description == sp.PAGE_DESCRIPTION[level]


def test_component_states_on_the_page_come_from_open_entries_only():
    from datetime import UTC, datetime

    page = validate({"STATUS_COMPONENTS": COMPONENTS}).status_page
    at = datetime(2026, 1, 1, tzinfo=UTC)
    open_entry = sp.PublicEntry(1, "t", "identified", {"api": "partial_outage"}, at, at)
    worse = sp.PublicEntry(2, "t", "investigating", {"api": "major_outage", "web": "degraded_performance"}, at, at)
    resolved = sp.PublicEntry(3, "t", "resolved", {"web": "operational"}, at, at, resolved_at=at)
    withdrawn = sp.PublicEntry(4, "t", "monitoring", {"web": "major_outage"}, at, at, withdrawn_at=at)
    states = sp.component_states(page, [open_entry, worse, resolved, withdrawn])
    assert states == {"api": "major_outage", "web": "degraded_performance"}
    assert sp.component_states(page, [resolved, withdrawn]) == {"api": "operational", "web": "operational"}
