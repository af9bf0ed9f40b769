"""The configuration shown without its secrets, and outside URLs that point inside refused (issue 18, items 8, 9)."""

import base64
import logging
import os

import pytest
from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ALICE

KEY = "R0utingKey" + "7" * 22  # a literal 32-character PagerDuty routing key
HOOK = "https://hooks.example.com/services/T0ABCDEF1/B0ABCDEF1/s3cr3tT0kenInThePath?sig=abc123def456"
CONFIG = (
    f"{{'PAGERDUTY_ROUTING_KEYS': {{'sev1': '{KEY}', 'sev2': 'env:PD_SEV2'}}, "
    f"'WEBHOOKS': [{{'url': '{HOOK}', 'events': ['incident.opened'], 'secret': 'env:HOOK_SECRET'}}]}}"
)


@pytest.fixture(autouse=True)
def hook_secret(monkeypatch):
    """The webhooks' secret variable holds a valid Standard Webhooks secret, so only what is tested is refused."""
    monkeypatch.setenv("HOOK_SECRET", "whsec_" + base64.b64encode(os.urandom(32)).decode())


def test_plugin_config_shows_the_configuration_with_secrets_masked(testbot):
    assert say(testbot, f"!plugin config RedAlert {CONFIG}") == "Plugin configuration done."
    shown = say(testbot, "!plugin config RedAlert")
    assert "Current configuration:" in shown and "Default configuration" in shown
    assert KEY not in shown and "s3cr3tT0ken" not in shown and "abc123def456" not in shown and "T0ABCDEF1" not in shown
    assert "'sev1': '[masked]'" in shown and "'sev2': 'env:PD_SEV2'" in shown
    assert "https://hooks.example.com/[masked]" in shown and "'secret': 'env:HOOK_SECRET'" in shown
    # The stored configuration keeps the real values; only what is shown is masked.
    stored = testbot.bot.plugin_manager.get_plugin_configuration("RedAlert")
    assert stored["PAGERDUTY_ROUTING_KEYS"]["sev1"] == KEY and stored["WEBHOOKS"][0]["url"] == HOOK
    for command in ("!incident doctor", "!incident outbox"):
        reply = say(testbot, command)
        assert KEY not in reply and "s3cr3tT0ken" not in reply


def test_a_masked_url_pasted_back_is_refused_and_changes_nothing(testbot):
    say(testbot, f"!plugin config RedAlert {CONFIG}")
    pasted = CONFIG.replace(HOOK, "https://hooks.example.com/[masked]")
    reply = say(testbot, f"!plugin config RedAlert {pasted}")
    assert reply.startswith("Configuration refused, nothing changed:") and "shown masked" in reply
    assert testbot.bot.plugin_manager.get_plugin_configuration("RedAlert")["WEBHOOKS"][0]["url"] == HOOK


def test_non_admins_get_no_configuration(testbot):
    say(testbot, f"!plugin config RedAlert {CONFIG}")
    reply = say(testbot, "!plugin config RedAlert", user=ALICE)
    assert "bot-admin" in reply and KEY not in reply


def test_webhooks_to_private_addresses_are_refused_unless_allowed(testbot):
    for url in ("http://169.254.169.254/latest/meta-data", "http://127.0.0.1:8080/hook", "http://[::1]/x"):
        hook = f"{{'url': '{url}', 'events': ['incident.opened'], 'secret': 'env:HOOK_SECRET'}}"
        reply = say(testbot, f"!plugin config RedAlert {{'WEBHOOKS': [{hook}]}}")
        assert reply.startswith("Configuration refused, nothing changed:"), reply
        assert "loopback, link-local or private address" in reply and "ALLOW_PRIVATE_URLS" in reply
    assert testbot.bot.plugin_manager.get_plugin_configuration("RedAlert") is None
    allowed = f"{{'ALLOW_PRIVATE_URLS': True, 'WEBHOOKS': [{hook}]}}"
    assert say(testbot, f"!plugin config RedAlert {allowed}") == "Plugin configuration done."


def test_the_environment_variable_allows_private_webhooks_too(testbot, monkeypatch):
    monkeypatch.setenv("ALLOW_PRIVATE_URLS", "1")
    hook = "{'url': 'http://127.0.0.1:8080/hook', 'events': ['incident.opened'], 'secret': 'env:HOOK_SECRET'}"
    assert say(testbot, f"!plugin config RedAlert {{'WEBHOOKS': [{hook}]}}") == "Plugin configuration done."


def test_the_configuration_command_is_logged_and_remembered_masked(testbot, caplog):
    caplog.set_level(logging.DEBUG)
    assert say(testbot, f"!plugin config RedAlert {CONFIG}") == "Plugin configuration done."
    assert 'Processing command "plugin_config"' in caplog.text  # Errbot's INFO line, with the arguments masked
    assert KEY not in caplog.text and "s3cr3tT0ken" not in caplog.text
    history = say(testbot, "!history")
    assert "plugin_config RedAlert" in history and "[masked]" in history
    assert KEY not in history and "s3cr3tT0ken" not in history
