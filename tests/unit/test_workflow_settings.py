"""The workflow keys of the configuration: defaults, and one clear message per fault."""

import pytest

from redalert_core.domain.settings import ConfigError, validate


def faults(config) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate(config)
    return info.value.faults


def test_defaults():
    settings = validate({})
    assert settings.roles == ("commander", "communications", "scribe")
    assert settings.statuses == ("investigating", "identified", "monitoring", "resolved")
    assert settings.resolved_status == "resolved"
    assert settings.announce_channels == {}
    assert settings.reminder_minutes == {"sev1": 30, "sev2": 60}
    assert settings.postmortem_severities == ("sev1", "sev2")


def test_defaults_follow_removed_severities_but_given_keys_are_checked():
    settings = validate({"SEVERITY_LEVELS": [{"label": "Red", "value": "red"}]})
    assert settings.reminder_minutes == {} and settings.postmortem_severities == ()
    levels = [{"label": "Red", "value": "red"}]
    assert faults({"SEVERITY_LEVELS": levels, "POSTMORTEM_SEVERITIES": ["sev1"]}) == [
        'POSTMORTEM_SEVERITIES names "sev1", which is no severity (known: red).'
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"ROLES": "commander"}, "ROLES must be a list of at least 1 names"),
        ({"ROLES": ["scribe"]}, 'ROLES must include "commander"'),
        ({"ROLES": ["commander", "Chef"]}, 'ROLES: "Chef" must be 1-30 characters'),
        ({"STATUSES": ["open"]}, "STATUSES must be a list of at least 2 names"),
        ({"STATUSES": ["open", "open"]}, 'STATUSES: "open" appears more than once.'),
        ({"ANNOUNCE_CHANNELS": ["C1"]}, "ANNOUNCE_CHANNELS must be a dict"),
        ({"ANNOUNCE_CHANNELS": {"sev1": "#incidents"}}, 'ANNOUNCE_CHANNELS["sev1"]: "#incidents" is not a channel ID'),
        ({"ANNOUNCE_CHANNELS": {"sev9": "C0AB"}}, 'ANNOUNCE_CHANNELS names "sev9", which is no severity'),
        ({"REMINDER_MINUTES": {"sev1": "30"}}, 'REMINDER_MINUTES["sev1"] must be a whole number of minutes'),
        ({"REMINDER_MINUTES": 30}, "REMINDER_MINUTES must be a dict"),
        ({"POSTMORTEM_SEVERITIES": "sev1"}, "POSTMORTEM_SEVERITIES must be a list"),
    ],
)
def test_each_fault_has_one_clear_message(config, message):
    [fault] = faults(config)
    assert fault.startswith(message), fault


def test_channel_markup_is_accepted():
    assert validate({"ANNOUNCE_CHANNELS": {"sev1": "<#C0INC|incidents>"}}).announce_channels == {"sev1": "C0INC"}
