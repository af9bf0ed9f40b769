"""`!help` lists every RedAlert command under RedAlert, and `!help incident` shows them all with examples."""

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401

COMMANDS = ["open", "list", "invite", "lead", "role", "status", "severity", "update", "note", "timeline", "close"]


def test_help_incident_shows_every_command_with_examples(testbot):
    reply = say(testbot, "!help incident")
    for command in COMMANDS:
        assert f"!incident {command}" in reply, command
    assert "e.g. !incident open sev1 Checkout is down" in reply.replace("`", "")


def test_help_lists_the_workflow_commands_under_redalert(testbot):
    reply = say(testbot, "!help")
    assert "Computer says nooo" not in reply
    section = reply[reply.index("RedAlert") :]
    assert "!incident status" in section and "!incident close" in section
    assert "!incident timeline" in say(testbot, "!help RedAlert")


def test_bare_incident_shows_the_usage_and_severities(testbot):
    reply = say(testbot, "!incident")
    assert "!incident open [--private] <severity>" in reply
    assert reply.endswith("Severities: sev1, sev2, sev3, sev4, sev5.")


def test_help_for_one_subcommand_has_its_example(testbot):
    assert "Checkout is down" in say(testbot, "!help incident open")
