"""A type's outside settings replace the global ones for its incidents (domain/type_outside.py), and its channel
prefix goes before the name the template makes (domain/naming.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from redalert_core.domain import naming
from redalert_core.domain.settings import DEFAULT_CONFIG, validate
from redalert_core.domain.type_outside import for_type, has_outside
from redalert_core.domain.workflow_model import IncidentType, TypeOutside

KEY, TYPE_KEY = "R" * 32, "S" * 32
SETTINGS = validate(
    {
        **DEFAULT_CONFIG,
        "PAGERDUTY_ROUTING_KEYS": {"sev1": KEY, "sev2": KEY},
        "CONFLUENCE_SPACE_KEY": "OPS",
        "TRELLO_LIST_ID": "a" * 24,
        "JIRA_PROJECT_KEY": {"sev1": "OPS", "default": "OPS"},
    },
    dict(DEFAULT_CONFIG),
)
SECURITY = IncidentType(
    "security",
    outside=TypeOutside(
        pagerduty_routing_key=TYPE_KEY, confluence_space="SEC", trello_list="b" * 24, jira_project="SEC"
    ),
)


def test_every_setting_the_type_gives_replaces_the_global_one() -> None:
    seen = for_type(SETTINGS, SECURITY).integrations
    assert seen.pagerduty_routing_keys == {"sev1": TYPE_KEY, "sev2": TYPE_KEY}  # the severities that page
    assert (seen.confluence_space_key, seen.trello_list_id) == ("SEC", "b" * 24)
    assert seen.jira.project_for("sev1") == seen.jira.project_for("sev4") == "SEC"


def test_what_the_type_does_not_give_stays_and_no_type_changes_nothing() -> None:
    only_space = IncidentType("privacy", outside=TypeOutside(confluence_space="PRIV"))
    seen = for_type(SETTINGS, only_space).integrations
    assert seen.confluence_space_key == "PRIV"
    assert (seen.pagerduty_routing_keys, seen.trello_list_id) == (
        SETTINGS.integrations.pagerduty_routing_keys,
        "a" * 24,
    )
    assert for_type(SETTINGS, None) is SETTINGS and for_type(SETTINGS, IncidentType("outage")) is SETTINGS
    assert has_outside((IncidentType("outage"), only_space)) and not has_outside((IncidentType("outage"),))


def test_a_type_key_without_global_keys_pages_every_severity() -> None:
    bare = validate(dict(DEFAULT_CONFIG), dict(DEFAULT_CONFIG))
    keys = for_type(bare, SECURITY).integrations.pagerduty_routing_keys
    assert set(keys) == set(bare.severity_values) and set(keys.values()) == {TYPE_KEY}


def test_the_channel_prefix_goes_before_the_templates_name_and_the_whole_still_fits() -> None:
    opened = datetime(2026, 12, 5, tzinfo=UTC)
    name = naming.channel_name(
        "{severity}-{date}-{slug}", severity="sev2", opened_at=opened, description="Odd logins", number=3, prefix="sec"
    )
    assert name == "sec-sev2-20261205-odd-logins"
    long = naming.channel_name(
        "{severity}-{date}-{slug}", severity="sev2", opened_at=opened, description="word " * 40, number=3, prefix="sec"
    )
    assert long.startswith("sec-sev2-") and len(long) <= naming.MAX_NAME_LENGTH - naming.SUFFIX_RESERVE
