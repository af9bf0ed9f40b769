"""!incident workflows show and reload through Errbot's test backend, against the Slack emulator."""

from pathlib import Path

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ALICE

SAMPLE = (Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml").read_text()
WORKFLOWS = SAMPLE  # REDALERT_WORKFLOWS_FILE (tests/workflow_files.py)


def test_show_names_the_version_loaded_at_start(testbot) -> None:
    reply = say(testbot, "!incident workflows show", user=ALICE)
    assert reply.startswith("Workflows file in force: version ")
    assert "loaded by RedAlert at start on " in reply
    assert "• Types: outage, security" in reply
    assert "• Fields: team (select), impact (text), customers (number), reporter (user), ticket (url)" in reply
    assert (
        "• Workflows: sev1-heads-up (when opened), payments-oncall (when opened), nudge (when quiet after 30m)" in reply
    )


def test_reload_is_for_admins_and_a_faulty_file_changes_nothing(testbot, workflows_file) -> None:
    assert (
        say(testbot, "!incident workflows reload", user=ALICE) == "Only RedAlert admins can reload the workflows file."
    )
    assert say(testbot, "!incident workflows reload").startswith("Unchanged: still version ")

    Path(workflows_file).write_text("types:\n  - name: outage\n    private: maybe\n")
    refused = say(testbot, "!incident workflows reload")
    assert refused.endswith(
        'has 1 fault; nothing changed:\n• line 3, column 14: type "outage": private must be true or false, not "maybe".'
    )
    assert "• Types: outage, security" in say(testbot, "!incident workflows show")

    Path(workflows_file).write_text(SAMPLE.replace("name: nudge", "name: nudge-often"))
    reloaded = say(testbot, "!incident workflows reload")
    assert reloaded.startswith("Loaded: the workflows file in force is now version ")
    assert "loaded by <@" in reloaded and "nudge-often (when quiet after 30m)" in reloaded


def test_workflows_test_says_what_would_fire_for_an_incident_without_doing_it(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    assert "Incident 1" in say(
        testbot, "!incident open outage sev1 Checkout is down team=payments", user=ALICE, channel=dm
    )
    posted = len(slack.calls_to("chat.postMessage"))
    answer = say(testbot, "!incident workflows test 1", user=ALICE, channel=dm)
    lines = answer.replace("\u2060", "").splitlines()
    assert lines[:2] == [
        "Workflow sev1-heads-up (when opened):",
        "  • would post: Heads-up for incident 1 (sev1): Checkout is down",
    ]
    assert "Workflow payments-oncall (when opened):" in lines and "Workflow nudge (when quiet after 30m):" in lines
    assert (
        "  • would add the task “Tell the payments partners about incident 1” for the communications, due in 30m"
        in lines
    )
    assert len(slack.calls_to("chat.postMessage")) == posted  # nothing was done
