"""Runtime configuration through `!plugin config RedAlert {...}`."""

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ALICE


def settings(testbot):
    return testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert").settings


STAR_TREK = "{'SEVERITY_LEVELS': [{'label': 'Red alert', 'value': 'redalert'}, {'label': 'Yellow', 'value': 'yellow'}]}"


def test_new_severities_work_at_once_and_removed_ones_are_refused(testbot, slack):
    say(testbot, "!incident open sev1 before")
    assert say(testbot, f"!plugin config RedAlert {STAR_TREK}") == "Plugin configuration done."
    assert "is open in" in say(testbot, "!incident open redalert Warp core breach")
    assert '"sev1" is not a severity. Use one of: redalert, yellow.' in say(testbot, "!incident open sev1 db")
    reply = say(testbot, "!incident list")
    assert "Incident 1 · sev1" in reply  # existing incidents keep theirs
    assert any(c.name.startswith("redalert-") for c in slack.channels())


def test_partial_config_keeps_the_other_defaults(testbot, slack):
    assert say(testbot, "!plugin config RedAlert {'LIST_LIMIT': 3}") == "Plugin configuration done."
    assert settings(testbot).list_limit == 3
    assert settings(testbot).severity_values[0] == "sev1"


def test_rejected_config_changes_nothing(testbot, slack):
    say(testbot, f"!plugin config RedAlert {STAR_TREK}")
    reply = say(testbot, "!plugin config RedAlert {'SEVERITY_LEVELS': [{'label': 'x', 'value': 'always'}], 'X': 1}")
    assert reply.startswith("Configuration refused, nothing changed:")
    assert '"always" is reserved' in reply and "Unknown keys: X" in reply
    assert settings(testbot).severity_values == ["redalert", "yellow"]
    stored = testbot.bot.plugin_manager.get_plugin_configuration("RedAlert")
    assert [s["value"] for s in stored["SEVERITY_LEVELS"]] == ["redalert", "yellow"]


def test_include_keys_must_be_severities(testbot, slack):
    reply = say(testbot, "!plugin config RedAlert {'INCLUDE_IN_INCIDENT': {'sev9': 'U0ABC'}}")
    assert 'INCLUDE_IN_INCIDENT has the key "sev9", which is no severity' in reply


def test_text_pasted_from_slack_parses(testbot, slack):
    pasted = (
        "{\u201cINCLUDE_IN_INCIDENT\u201d: {\u201calways\u201d: \u201c<@"
        + ALICE
        + ">\u201d}, \u201cLIST_LIMIT\u201d: 7}"
    )
    assert say(testbot, f"!plugin config RedAlert {pasted}") == "Plugin configuration done."
    assert settings(testbot).include["always"] == (ALICE,)
    assert say(testbot, '!plugin config RedAlert\n{"LIST_LIMIT": 9, "INCLUDE_IN_INCIDENT": {"always": []}}') == (
        "Plugin configuration done."
    )
    assert settings(testbot).list_limit == 9
    assert "neither a Python literal nor JSON" in say(testbot, "!plugin config RedAlert {'LIST_LIMIT': ")


def test_only_admins_change_the_configuration(testbot, slack):
    reply = say(testbot, "!plugin config RedAlert {'LIST_LIMIT': 3}", user=ALICE)
    assert "bot-admin" in reply
    reply = say(testbot, "!plugin config RedAlert {'LIST_LIMIT': 0}", user=ALICE)
    assert "bot-admin" in reply
    assert settings(testbot).list_limit == 20


def test_doctor_reports_scopes_and_unknown_people(testbot, slack):
    assert say(testbot, "!incident doctor").startswith("All good")
    slack.scopes = tuple(s for s in slack.scopes if s not in ("pins:write", "team:read", "commands"))
    say(testbot, "!plugin config RedAlert {'INCLUDE_IN_INCIDENT': {'always': 'U0GONE', 'sev1': '@nosuchgroup'}}")
    reply = say(testbot, "!incident doctor")
    assert reply.startswith("5 problem(s) found:")
    assert "lacks the bot scope team:read" in reply and "lacks the bot scope pins:write" in reply
    assert "lacks the bot scope commands (needed to receive the /incident slash command" in reply
    assert "there is no user U0GONE" in reply and "there is no user group @nosuchgroup" in reply
    assert "bot-admin" in say(testbot, "!incident doctor", user=ALICE)


def test_doctor_asks_for_the_email_scope_only_when_jira_is_configured(testbot, slack):
    slack.scopes = tuple(s for s in slack.scopes if s != "users:read.email")
    assert say(testbot, "!incident doctor").startswith("All good")
    assert say(testbot, "!plugin config RedAlert {'JIRA_PROJECT_KEY': 'OPS'}") == "Plugin configuration done."
    reply = say(testbot, "!incident doctor")
    assert reply.startswith("1 problem(s) found:")
    assert "lacks the bot scope users:read.email (needed to find task owners' Jira accounts" in reply
