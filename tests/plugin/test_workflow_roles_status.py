"""`!incident lead`, `role` and `status` against the emulator, and that errbot registers the mixin's commands."""

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, kinds, plugin, store, summary_text
from slack_workspace import ADMIN, ALICE, BOB, CAROL


def test_the_mixin_commands_are_registered(testbot, slack):
    commands = testbot.bot.commands
    for name in ("lead", "role", "status", "severity", "update", "note", "timeline", "postmortem"):
        assert f"incident_{name}" in commands
        assert commands[f"incident_{name}"].__self__ is plugin(testbot)
    assert "Set the incident's status" in say(testbot, "!help incident status")


def test_lead_in_the_channel_invites_and_updates_the_summary(testbot, slack):
    say(testbot, "!incident open sev2 db slow")
    cid = channel_of(testbot, 1)
    assert f"<@{ADMIN}>" in summary_text(slack, testbot, 1)  # the opener is the commander by default
    reply = say(testbot, f"!incident lead <@{ALICE}>", channel=cid)
    assert reply == f"<@{ALICE}> is now the commander of incident 1 (was <@{ADMIN}>)."
    assert ALICE in slack.channel(cid).members
    assert f"Commander: <@{ALICE}>" in summary_text(slack, testbot, 1)
    assert slack.calls_to("chat.update")
    assert "role_assigned" in kinds(testbot, 1)
    assert store(testbot).response.get(1).roles == {"commander": ALICE}


def test_roles_by_number_from_elsewhere_and_refusals(testbot, slack):
    say(testbot, "!incident open sev3 cache")
    reply = say(testbot, f"!incident role 1 scribe <@{BOB}>", channel="C0OPS")
    assert reply == f"<@{BOB}> is now the scribe of incident 1."
    assert BOB in slack.channel(channel_of(testbot, 1)).members
    assert "Scribe: <@U0BOB>" in summary_text(slack, testbot, 1)
    reply = say(testbot, f"!incident role 1 lead <@{CAROL}>")
    assert "now the commander of incident 1" in reply
    assert '"chef" is not a role. Roles: commander, communications, scribe' in say(
        testbot, f"!incident role 1 chef <@{BOB}>"
    )
    assert "mention exactly one person" in say(testbot, "!incident lead 1 nobody")
    assert "mention exactly one person" in say(testbot, f"!incident lead 1 <@{BOB}> <@{CAROL}>")
    assert "This is not an incident channel" in say(testbot, f"!incident lead <@{BOB}>", channel="C0OPS")
    assert "There is no incident 7" in say(testbot, f"!incident lead 7 <@{BOB}>")
    before = len(store(testbot).events.list(1))
    say(testbot, "!incident role 1")
    assert len(store(testbot).events.list(1)) == before  # bad input changes nothing


def test_configured_roles(testbot, slack):
    say(testbot, "!plugin config RedAlert {'ROLES': ['commander', 'liaison']}")
    say(testbot, "!incident open sev3 cache")
    assert "now the liaison" in say(testbot, f"!incident role 1 liaison <@{BOB}>")
    assert "is not a role" in say(testbot, f"!incident role 1 scribe <@{BOB}>")
    reply = say(testbot, "!plugin config RedAlert {'ROLES': ['liaison']}")
    assert 'ROLES must include "commander"' in reply


def test_status_moves_and_resolved_records_the_time(testbot, slack):
    say(testbot, "!incident open sev2 db slow")
    cid = channel_of(testbot, 1)
    reply = say(testbot, "!incident status identified bad index on orders", channel=cid)
    assert reply == "Incident 1 is now identified (was investigating)."
    assert "*Status*\\nidentified" in summary_text(slack, testbot, 1)
    assert store(testbot).response.get(1).resolved_at is None
    # From elsewhere, by number: the channel hears about it too.
    reply = say(testbot, "!incident status 1 resolved", channel="C0OPS")
    assert reply.startswith("Incident 1 is now resolved (was identified). Resolution time recorded")
    assert store(testbot).response.get(1).resolved_at is not None
    assert "Incident 1 is now *resolved*" in slack.messages(cid)[-1]["text"]
    assert "Incident 1 is already resolved." in say(testbot, "!incident status 1 resolved")
    assert '"fixed" is not a status. Statuses: investigating, identified, monitoring, resolved.' in say(
        testbot, "!incident status 1 fixed"
    )
    assert "Usage: !incident status" in say(testbot, "!incident status 1")
    say(testbot, "!incident status 1 monitoring")  # reopening the investigation clears the resolution time
    assert store(testbot).response.get(1).resolved_at is None
    say(testbot, "!incident close 1")
    assert "Incident 1 is closed" in say(testbot, "!incident status 1 identified")
