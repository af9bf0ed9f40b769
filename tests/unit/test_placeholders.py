"""Every placeholder secret the project ships in its examples is refused at start (issue 18, item 11).

The examples are read here, so a placeholder added to deploy/*.example, the Secret template or the docs is checked
the day it is added."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redalert_core.domain.placeholders import SECRET_VARIABLES, is_placeholder, placeholder_variables

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [
    *sorted((ROOT / "deploy").glob("*.example")),
    *sorted((ROOT / "deploy" / "kubernetes" / "secret-template").glob("*.yaml")),
    ROOT / "README.md",
    ROOT / "config_template.py",
    *sorted((ROOT / "docs").glob("*.md")),
]
# NAME=value (shell, env files, --from-literal, docs) and, in YAML, NAME: value (Kubernetes stringData).
NAMES = "|".join(SECRET_VARIABLES)
VALUE = r"'?([^\s'`\\|]+)"
ASSIGNMENT = re.compile(rf"\b({NAMES})={VALUE}")
YAML_ASSIGNMENT = re.compile(rf"\b({NAMES}): {VALUE}")


def shipped_values() -> list[tuple[str, str, str]]:
    found = []
    for path in EXAMPLES:
        text = path.read_text()
        pairs = ASSIGNMENT.findall(text) + (YAML_ASSIGNMENT.findall(text) if path.suffix == ".yaml" else [])
        for name, value in pairs:
            if value.strip('"') and not value.startswith(("$", "{", "<")):  # a reference to a value, not a value
                found.append((path.relative_to(ROOT).as_posix(), name, value.strip('"')))
    return found


def test_the_examples_hold_placeholders():
    names = {name for _, name, _ in shipped_values()}
    assert {"REDALERT_WEB_SECRET", "SLACK_BOT_TOKEN", "REDALERT_DATABASE_URL", "REDALERT_ADMINS"} <= names


@pytest.mark.parametrize(("where", "name", "value"), shipped_values())
def test_every_shipped_placeholder_is_refused(where, name, value):
    assert placeholder_variables({name: value}) == [name], f"{where}: {name}={value} would be accepted at start"


@pytest.mark.parametrize(
    "value",
    ["xoxb-1234-5678-abcdefABCDEF", "U0BOB,U0ALICE", "postgresql://redalert:k8Jq2s9x@db:5432/redalert", "0f" * 16],
)
def test_real_looking_values_are_accepted(value):
    assert not is_placeholder(value)
