"""Parsing of command arguments from raw Slack text."""

import pytest

from redalert_core.domain import commands
from redalert_core.domain.commands import ParseError
from redalert_core.domain.settings import validate

SETTINGS = validate({})


def test_open_reads_severity_description_and_mentions():
    command = commands.parse_open("SEV1 Checkout is down <@U123> cc <!subteam^S0SRE|@sre> &amp; <@U123|bob>", SETTINGS)
    assert command.severity == "sev1"
    assert command.description == "Checkout is down cc &"
    assert command.mentions.users == ["U123"]
    assert command.mentions.groups == ["S0SRE"]


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("", "Usage: !incident open"),
        ("sev9 db down", '"sev9" is not a severity. Use one of: sev1'),
        ("sev1", "Say what is happening"),
        ("sev1 <@U123>", "Say what is happening"),
        ("sev1 " + "x" * 5000, "5000 characters long"),
    ],
)
def test_open_refusals(text, reply):
    with pytest.raises(ParseError, match=reply.replace("!", "\\!")):
        commands.parse_open(text, SETTINGS)


def test_descriptions_never_carry_pings_or_control_characters():
    command = commands.parse_open("sev2 <!channel> db\x00 down <#C1|ops> <https://x.io|dash>", SETTINGS)
    assert command.description == "channel db down #ops dash"


def test_command_tail_finds_the_arguments_after_any_prefix():
    assert commands.command_tail("<@U0BOT> incident open sev1 x <@U1>", "incident", "open") == "sev1 x <@U1>"
    assert commands.command_tail("!INCIDENT  close  12", "incident", "close") == "12"
    assert commands.command_tail("hello", "incident", "open") is None


def test_invite_parsing():
    assert commands.parse_invite("12 <@U1> <!subteam^S2>").number == 12
    assert commands.parse_invite("<@U1>").mentions.users == ["U1"]
    with pytest.raises(ParseError, match="Mention who to invite"):
        commands.parse_invite("12")
    with pytest.raises(ParseError, match="Only mentions"):
        commands.parse_invite("<@U1> and bob")


def test_close_parsing():
    close = commands.parse_close("<#C0INC|sev1-x> rolled back")
    assert (close.channel_id, close.resolution) == ("C0INC", "rolled back")
    close = commands.parse_close("12 fixed it")
    assert (close.number, close.resolution) == (12, "fixed it")
    close = commands.parse_close("")
    assert (close.number, close.channel_id, close.resolution) == (None, None, None)
    with pytest.raises(ParseError):
        commands.parse_close("99999999999999")


def test_list_parsing():
    assert commands.parse_list("") is False
    assert commands.parse_list("ALL") is True
    with pytest.raises(ParseError):
        commands.parse_list("everything")
