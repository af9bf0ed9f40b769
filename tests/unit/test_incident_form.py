"""Validation of the modal forms (pure) and of FORM_GROUPS."""

from __future__ import annotations

import pytest

from redalert_core.domain.commands import MAX_DESCRIPTION
from redalert_core.domain.incident_form import (
    FormErrors,
    OpenForm,
    UpdateForm,
    split_handles,
    validate_open,
    validate_update,
)
from redalert_core.domain.settings import ConfigError, validate

SETTINGS = validate({})


def test_a_valid_form():
    severity, description, mentions = validate_open(
        OpenForm("SEV2", " DB  slow <!channel> ", ["U1", "U1", "U2"], ["S1"], True), SETTINGS
    )
    assert (severity, description) == ("sev2", "DB slow channel")
    assert (mentions.users, mentions.groups) == (["U1", "U2"], ["S1"])


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (OpenForm(None, None), {"severity", "description"}),
        (OpenForm("sev9", "x"), {"severity"}),
        (OpenForm("sev1", "   "), {"description"}),
        (OpenForm("sev1", "x" * (MAX_DESCRIPTION + 1)), {"description"}),
        (OpenForm(None, "x", typed_groups="sre @ok"), {"severity", "groups"}),
    ],
)
def test_invalid_forms_name_each_bad_field(form, fields):
    with pytest.raises(FormErrors) as caught:
        validate_open(form, SETTINGS)
    assert set(caught.value.errors) == fields


def test_typed_groups_join_the_picked_ones():
    _, _, mentions = validate_open(OpenForm("sev1", "x", groups=["S1"], typed_groups="@SRE, S0X2"), SETTINGS)
    assert mentions.groups == ["S1", "@sre", "S0X2"]


def test_a_removed_severity_says_which_exist():
    with pytest.raises(FormErrors) as caught:
        validate_open(OpenForm("sev9", "x"), SETTINGS)
    assert "no longer a severity" in caught.value.errors["severity"] and "sev1" in caught.value.errors["severity"]


def test_typed_handles():
    assert split_handles("@SRE, @dba-team S0ABC sre") == (["@sre", "@dba-team", "S0ABC"], ["sre"])
    assert split_handles(None) == ([], [])


def test_update_form():
    assert validate_update(UpdateForm("identified", " rolling back "), ("identified", "resolved")) == (
        "identified",
        "rolling back",
    )
    assert validate_update(UpdateForm(None, "x"), ("resolved",)) == (None, "x")
    with pytest.raises(FormErrors) as caught:
        validate_update(UpdateForm(None, "  "), ("resolved",))
    assert set(caught.value.errors) == {"text"}
    with pytest.raises(FormErrors) as caught:  # the preselected current status alone is no change
        validate_update(UpdateForm("identified", None), ("identified", "resolved"), "identified")
    assert set(caught.value.errors) == {"text"}
    assert validate_update(UpdateForm("identified", "x"), ("identified",), "identified") == (None, "x")
    with pytest.raises(FormErrors) as caught:
        validate_update(UpdateForm("gone", None), ("resolved",))
    assert set(caught.value.errors) == {"status"}


def test_form_groups_configuration():
    assert validate({"FORM_GROUPS": ["@SRE", "<!subteam^S0DBA|@dba>", "@sre"]}).form_groups == ("@sre", "S0DBA")
    assert validate({"FORM_GROUPS": "@sre, S0X1"}).form_groups == ("@sre", "S0X1")
    with pytest.raises(ConfigError, match="FORM_GROUPS"):
        validate({"FORM_GROUPS": ["U0ALICE"]})
    with pytest.raises(ConfigError, match="FORM_GROUPS"):
        validate({"FORM_GROUPS": 3})
