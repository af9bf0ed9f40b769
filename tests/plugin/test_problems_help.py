"""`!help` lists the problem-management commands under RedAlert; `!problem` and `!task` show their usage."""

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401

COMMANDS = [
    "!incident link",
    "!incident unlink",
    "!incident show",
    "!problem open",
    "!problem link",
    "!problem unlink",
    "!problem status",
    "!problem cause",
    "!problem workaround",
    "!problem show",
    "!problem list",
    "!task add",
    "!task done",
    "!task reopen",
    "!task assign",
    "!task due",
    "!task list",
]


def test_help_lists_every_problem_management_command_under_redalert(testbot):
    reply = say(testbot, "!help RedAlert")
    for command in COMMANDS:
        assert command in reply, command


def test_help_for_one_command_has_its_example(testbot):
    assert "due in 7d" in say(testbot, "!help task add")
    assert "known-error" in say(testbot, "!help problem status")
    assert "caused-by" in say(testbot, "!help incident link")


def test_bare_commands_show_their_usage(testbot):
    assert "!problem open <title> [<incident numbers…>]" in say(testbot, "!problem")
    assert "!task add [<n>|P3] <text> [@owner] [due <YYYY-MM-DD>|due in <N>d]" in say(testbot, "!task")
    incident = say(testbot, "!incident")
    assert "!incident link [<n>] <m> [related|duplicate|caused-by]" in incident and "!incident show" in incident
