"""The no-Slack sandbox's scripted tour keeps working (it is what the README shows newcomers)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_scripted_tour_plays_a_whole_lifecycle():
    result = subprocess.run(
        [sys.executable, "tests/sandbox.py", "--script"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "RedAlert: Incident 1 (SEV1 - Critical) is open in #sev1-" in out
    assert "members: RedAlert, alice, bob, carol, dave" in out
    assert "Invited @admin to incident 1." in out
    assert "Resolution: Rolled back the 14:02 deploy" in out and "-checkout-is-down archived" in out
    assert "Status investigating → identified by @bob" in out
    assert "got the file 'Post-mortem draft: incident 1'" in out
    assert "[dm] RedAlert: Incident 2 (SEV3 - Minor) is open in #sev3-" in out
    assert "closed 2026" in out or "closed 20" in out
    # /incident's form and the summary's buttons
    assert "(form 'Open an incident' opened for carol)" in out
    assert "RedAlert (only carol sees this): Incident 3 (SEV2 - Major) is open in #sev2-" in out
    assert "-search-is-slow created, topic 'SEV2 - Major | Search is slow', members: RedAlert, bob, carol, dave" in out
    assert "RedAlert (only admin sees this): You joined incident 3" in out
    assert "(form 'Update incident 3' opened for bob)" in out and "Reindexing the search cluster" in out
    assert "Incident 3 is now *resolved* (was identified), set by @bob." in out
    assert "Slack asks: Close incident 3?" in out and "-search-is-slow archived" in out
    assert "RedAlert (only alice sees this): 3 incidents:" in out
