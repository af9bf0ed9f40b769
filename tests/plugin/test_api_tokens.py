"""`!incident token create|list|revoke` through the plugin: admins, in a DM, the token shown once and never again."""

from __future__ import annotations

import logging
import re

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ALICE

TOKEN = re.compile(r"ra_[A-Za-z0-9_-]{43}")


def test_create_shows_the_token_once_list_never_and_revoke_ends_it(testbot, caplog):
    with caplog.at_level(logging.DEBUG):
        created = say(testbot, "!incident token create ci-deploys write")
    token = TOKEN.search(created).group(0)
    assert "ci-deploys" in created and "read, write" in created and "not show it again" in created
    assert token not in caplog.text
    plugin = testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")
    assert plugin.app.authenticate(token).name == "ci-deploys"
    listed = say(testbot, "!incident token list")
    assert "ci-deploys" in listed and "read, write" in listed and "last used" in listed and token not in listed
    assert "revoked" in say(testbot, "!incident token revoke ci-deploys")
    assert plugin.app.authenticate(token) is None
    assert "There are no API tokens" in say(testbot, "!incident token list")


def test_refusals_are_clear(testbot):
    assert "direct message" in say(testbot, "!incident token create leak write", channel="C0OPS")
    assert "direct message" in say(testbot, "!incident token list", channel="C0OPS")
    assert say(testbot, "!incident token list", user=ALICE, channel="D0ALICE") == "Only admins may manage API tokens."
    say(testbot, "!incident token create ci")
    assert "already a token named ci" in say(testbot, "!incident token create ci write")
    assert "There is no token named nope" in say(testbot, "!incident token revoke nope")
    assert "Usage: !incident token create" in say(testbot, "!incident token create")


def test_help_shows_the_token_commands(testbot):
    reply = say(testbot, "!help incident")
    for command in ("token create", "token list", "token revoke"):
        assert f"!incident {command}" in reply
