"""Configuration validation: one clear message per fault, partial configs merged over the defaults."""

import pytest

from redalert_core.domain.settings import DEFAULT_CONFIG, ConfigError, parse_config_text, validate


def faults_of(config) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate(config)
    return caught.value.faults


def test_defaults_are_valid_and_partial_configs_keep_the_rest():
    settings = validate({})
    assert settings.severity_values == ["sev1", "sev2", "sev3", "sev4", "sev5"]
    settings = validate({"INCLUDE_IN_INCIDENT": {"always": "U0105K7EFNX,U0XXXX", "sev1": ["S0ONCALL", "@SRE"]}})
    assert settings.include["always"] == ("U0105K7EFNX", "U0XXXX")
    assert settings.include["sev1"] == ("S0ONCALL", "@sre")
    assert "sev2" not in settings.include
    assert settings.list_limit == DEFAULT_CONFIG["LIST_LIMIT"]


def test_original_star_trek_example():
    settings = validate(
        {
            "SEVERITY_LEVELS": [
                {"label": "Red alert", "value": "redalert"},
                {"label": "Yellow alert", "value": "yellowalert"},
            ],
            "INCLUDE_IN_INCIDENT": {"always": "U0105K7EFNX", "redalert": "U0PICARD,U0RIKER"},
        }
    )
    assert settings.severity("RedAlert").label == "Red alert"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"SEVERITY_LEVELS": [{"label": "x", "value": "always"}]}, '"always" is reserved'),
        ({"SEVERITY_LEVELS": [{"label": "a", "value": "p1"}, {"label": "b", "value": "p1"}]}, "appears more than once"),
        ({"INCLUDE_IN_INCIDENT": {"sev9": "U0ABC"}}, "which is no severity"),
        ({"INCLUDE_IN_INCIDENT": {"always": "bob"}}, '"bob" is not a user ID'),
        ({"INCLUDE_IN_INCIDENT": {"always": [42]}}, "is not text"),
        ({"INCLUDE_IN_INCIDENT": {"always": 5}}, "comma-separated string or a list"),
        ({"INCLUDE_IN_INCIDENT": ["U0ABC"]}, "INCLUDE_IN_INCIDENT must be a dict"),
        ({"SEVERITY_LEVELS": []}, "non-empty list"),
        ({"SEVERITY_LEVELS": "sev1"}, "non-empty list"),
        ({"SEVERITY_LEVELS": [{"label": "x"}]}, 'exactly "label" and "value"'),
        ({"SEVERITY_LEVELS": [{"label": "x", "value": 1}]}, "must be text"),
        ({"SEVERITY_LEVELS": [{"label": "x", "value": "Sev 1"}]}, "1-30 characters"),
        ({"CHANNEL_NAME_TEMPLATE": "{severity}-{date}"}, "must contain {slug} or {number}"),
        ({"CHANNEL_NAME_TEMPLATE": "{sev}-{slug}"}, "unknown fields"),
        ({"CHANNEL_NAME_TEMPLATE": "{slug"}, "is malformed"),
        ({"CHANNEL_NAME_TEMPLATE": "{severity}-{number:d}"}, "{number} takes no format options"),
        ({"CHANNEL_NAME_TEMPLATE": "{slug!r}"}, "{slug} takes no format options"),
        ({"LIST_LIMIT": 0}, "LIST_LIMIT"),
        ({"LIST_LIMIT": True}, "LIST_LIMIT"),
        ({"COLOUR": "red"}, "Unknown keys: COLOUR"),
    ],
)
def test_each_fault_has_a_clear_message(config, expected):
    assert any(expected in fault for fault in faults_of(config)), faults_of(config)


def test_every_fault_is_reported_at_once():
    faults = faults_of({"SEVERITY_LEVELS": [{"label": "x", "value": "always"}], "LIST_LIMIT": "ten", "X": 1})
    assert len(faults) == 3


def test_not_a_dict():
    assert "must be a dict" in faults_of(["sev1"])[0]


def test_slack_mangled_text_still_parses():
    pasted = (
        "{\u201cINCLUDE_IN_INCIDENT\u201d: {\u2018always\u2019: \u201c&lt;@U0ALICE&gt;, <!subteam^S0SRE|@sre>\u201d}}"
    )
    settings = validate(parse_config_text(pasted))
    assert settings.include["always"] == ("U0ALICE", "S0SRE")


def test_json_is_accepted_too():
    config = parse_config_text('{"LIST_LIMIT": 5, "INCLUDE_IN_INCIDENT": {"always": []}, "X": null, "Y": true}')
    assert config == {"LIST_LIMIT": 5, "INCLUDE_IN_INCIDENT": {"always": []}, "X": None, "Y": True}


def test_garbage_is_a_clear_error():
    with pytest.raises(ConfigError, match="neither a Python literal nor JSON"):
        parse_config_text("{'SEVERITY_LEVELS': [")
