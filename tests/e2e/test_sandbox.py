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
    # The task's Jira issue: created, moved to Done from Slack, reopened in Jira and that told back in Slack.
    issue = "OPS-1 '[INC-1] Add a retry budget to the payment client'"
    assert f"[Jira] {issue} · To Do · assignee Bob Jira · redalert, inc-1, redalert-task-1" in out
    assert "RedAlert: Jira issue for task T1: <http://127.0.0.1:" in out
    assert "RedAlert: Task T1 is done: Add a retry budget to the payment client." in out
    assert f"[Jira] {issue} · Done · assignee Bob Jira" in out
    assert "[Jira] Carol Jira moves OPS-1 to In Progress\n" in out
    assert "RedAlert: T1 reopened in Jira by Carol Jira." in out and "Task T1 reopened in Jira by Carol Jira" in out
    assert f"Jira: issue {issue} (In Progress, assignee Bob Jira)" in out
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
    # What the outside systems received (delivered by the outbox in the background).
    assert "PagerDuty: trigger redalert-incident-1 critical: 'Checkout is down'" in out
    assert "PagerDuty: acknowledge redalert-incident-1" in out and "PagerDuty: resolve redalert-incident-1" in out
    assert "Trello: card '[INC-1] Add a retry budget to the payment client' (open, due 20" in out
    assert "Confluence: page 'Post-mortem: incident 1: Checkout is down' version 1: http://127.0.0.1:" in out
    assert "[#ops] RedAlert: *Incidents in 7d (" in out and "3 (sev1 1, sev2 1, sev3 1)" in out
    assert "#ops got the file 'Incidents per week, " in out
    assert "(the chart incidents-7d.png is saved as test-artifacts/sandbox-stats-chart.png)" in out
