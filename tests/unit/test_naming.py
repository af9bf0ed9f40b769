"""Channel names must always be valid Slack names, whatever the description."""

import re
from datetime import UTC, datetime

import pytest

from redalert_core.domain import naming

VALID = re.compile(r"^[a-z0-9_-]{1,80}$")
WHEN = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def name_for(description: str, template: str = naming.DEFAULT_TEMPLATE, severity: str = "sev1") -> str:
    return naming.channel_name(template, severity=severity, opened_at=WHEN, description=description, number=7)


def test_default_shape_is_severity_date_slug():
    assert name_for("Checkout is down") == "sev1-20261127-checkout-is-down"


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Paiement échoué à Zürich", "sev1-20261127-paiement-echoue-a-zurich"),
        ("Straße gesperrt", "sev1-20261127-strasse-gesperrt"),
        ("DB_primary  down!!!", "sev1-20261127-db_primary-down"),
        ("🔥🔥🔥", "sev1-20261127-incident"),
        ("<@U123> <!subteam^S1|@sre> API 500s", "sev1-20261127-api-500s"),
        ("---", "sev1-20261127-incident"),
    ],
)
def test_descriptions_become_valid_slugs(description, expected):
    assert name_for(description) == expected


def test_long_descriptions_are_cut_at_a_word_and_leave_room_for_a_suffix():
    name = name_for("the payment service is returning errors " * 10)
    assert VALID.match(name)
    assert len(name) <= naming.MAX_NAME_LENGTH - naming.SUFFIX_RESERVE
    assert not name.endswith("-")
    assert name.split("-")[-1] in ["the", "payment", "service", "is", "returning", "errors"]


def test_suffixes_keep_names_within_80_characters():
    name = name_for("x" * 200)
    for attempt in (2, 10, 999):
        suffixed = naming.with_suffix(name, attempt)
        assert VALID.match(suffixed)
        assert suffixed.endswith(f"-{attempt}")
    assert naming.with_suffix("abc", 1) == "abc"


def test_template_with_number():
    assert name_for("db down", template="inc-{number}-{slug}") == "inc-7-db-down"
    assert name_for("db down", template="Incident_{number}") == "incident_7"


def test_template_fields():
    assert naming.template_fields("{severity}-{date}-{slug}") == ["severity", "date", "slug"]
    with pytest.raises(ValueError):
        naming.template_fields("{severity")
