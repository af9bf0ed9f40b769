"""REDALERT_WORKFLOWS_FILE for tests. A test module that runs with a file sets `WORKFLOWS` (the file's text); the
`workflows_file` fixture (tests/conftest.py) writes it into the test's directory, and for the plugin's test bot, which
loads the file when it starts, also names it in the environment (tests/plugin/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_workspace import BOB

# Two types and a field of every kind: the form, the HTTP API and the real process test the same file.
TYPES_AND_FIELDS = f"""
types:
  - name: outage
    description: Customers cannot use something that should work
    severity: sev2
  - name: security
    description: Suspected breach, abuse or leaked secret
    severity: sev1
    private: true
    invite: [{BOB}]
fields:
  - name: team
    kind: select
    options: [payments, search, identity]
    required: open
  - name: regions
    kind: multi_select
    options: [eu, us, apac]
  - name: impact
    kind: text
    required: close
  - name: customers
    kind: number
    types: [outage]
  - name: reporter
    kind: user
    types: [security]
  - name: ticket
    kind: url
"""


def module_file(request: pytest.FixtureRequest, directory: Path) -> str | None:
    """The test module's `WORKFLOWS` written to `directory`; its path, or None when the module sets none."""
    text = getattr(request.module, "WORKFLOWS", None)
    if text is None:
        return None
    path = directory / "workflows.yaml"
    path.write_text(text)
    return str(path)
