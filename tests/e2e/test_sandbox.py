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
    assert "[#ops] RedAlert: *Incidents in 7d (" in out and "2 (sev1 1, sev3 1)" in out
    assert "#ops got the file 'Incidents per week, " in out
    assert "(the chart incidents-7d.png is saved as test-artifacts/sandbox-stats-chart.png)" in out
