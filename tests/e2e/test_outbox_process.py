"""The outbox in the real `errbot -c config.py` process: a SIGKILL between the chat reply and the delivery loses
nothing and sends nothing twice; at DEBUG no secret of any outside system reaches the log."""

from __future__ import annotations

import re
import signal

import pytest
from bot_process import BotProcess
from chat import channel_id, say
from slack_workspace import ADMIN, ALICE

from outside_emulators import ConfluenceEmulator, PagerDutyEmulator, TrelloEmulator, WebhookReceiver

pytestmark = pytest.mark.e2e

ROUTING_KEY = "P" * 32
CONFLUENCE_TOKEN = "confluence-e2e-token-Zq81"
TRELLO_KEY, TRELLO_TOKEN = "fedcba9876543210fedcba9876543210", "ATTA" + "e2e5" * 15


def configure(slack, config: str) -> None:
    dm = slack.open_dm(ADMIN)
    assert say(slack, ADMIN, dm, f"!plugin config RedAlert {config}") == "Plugin configuration done."


def test_sigkill_between_the_reply_and_the_delivery_then_restart_delivers_once(emulator, tmp_path):
    slack = emulator
    with PagerDutyEmulator(routing_keys=[ROUTING_KEY]) as pd, WebhookReceiver() as hooks:
        env = {"ALLOW_PRIVATE_URLS": "1", "PAGERDUTY_EVENTS_URL": pd.url, "E2E_HOOK_SECRET": hooks.secret}
        bot = BotProcess(slack.api_url, tmp_path / "data", **env).start()
        hook = {"url": hooks.url_for("/in"), "events": ["incident.opened"], "secret": "env:E2E_HOOK_SECRET"}
        configure(slack, f"{{'PAGERDUTY_ROUTING_KEYS': {{'sev1': '{ROUTING_KEY}'}}, 'WEBHOOKS': [{hook!r}]}}")
        pd.outage(True, mode="503")  # the dispatcher cannot deliver before the kill
        hooks.outage(True, mode="503")
        ops = channel_id(slack, "ops")
        reply = say(slack, ALICE, ops, "!incident open sev1 Payments are failing")
        assert re.search(r"Incident 1 \(SEV1 - Critical\) is open in <#C\w+>", reply), reply
        pd.wait_for_calls(1)  # it tried, and failed
        assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
        assert pd.events == [] and hooks.unique == []
        pd.outage(False)
        hooks.outage(False)
        bot.start()
        try:
            pd.wait_for_alert("redalert-incident-1", "triggered", timeout=30)
            hooks.wait_for(lambda: len(hooks.unique) == 1, timeout=30)
            # A delivered row stays delivered across another restart.
            assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
            bot.start()
            say(slack, ADMIN, slack.open_dm(ADMIN), "!incident list")  # the bot is up and has had its round
        finally:
            assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
        assert pd.actions_for("redalert-incident-1") == ["trigger"]
        assert [d.type for d in hooks.deliveries if d.status < 300] == ["incident.opened"]
        assert "Traceback" not in bot.log


def test_no_secret_reaches_the_log_at_debug(emulator, tmp_path):
    slack = emulator
    with (
        PagerDutyEmulator(routing_keys=["Q" * 32]) as pd,
        WebhookReceiver() as hooks,
        ConfluenceEmulator(email="bot@example.com", api_token=CONFLUENCE_TOKEN) as wiki,
        TrelloEmulator(api_key=TRELLO_KEY, token="ATTA" + "0" * 60) as trello,  # not our token: 401
    ):
        wiki.add_space("OPS")
        todo = trello.add_list()
        env = {
            "REDALERT_LOG_LEVEL": "DEBUG",
            "ALLOW_PRIVATE_URLS": "1",  # the emulators listen on 127.0.0.1
            "PAGERDUTY_EVENTS_URL": pd.url,  # does not know ROUTING_KEY: 400
            "E2E_ROUTING_KEY": ROUTING_KEY,
            "E2E_HOOK_SECRET": hooks.secret,
            "CONFLUENCE_URL": wiki.url,
            "CONFLUENCE_EMAIL": "bot@example.com",
            "CONFLUENCE_API_TOKEN": CONFLUENCE_TOKEN,
            "TRELLO_API_URL": trello.url,
            "TRELLO_API_KEY": TRELLO_KEY,
            "TRELLO_TOKEN": TRELLO_TOKEN,
        }
        bot = BotProcess(slack.api_url, tmp_path / "data", **env).start()
        try:
            hook = {"url": hooks.url_for("/in"), "events": ["incident.opened"], "secret": "env:E2E_HOOK_SECRET"}
            configure(
                slack,
                f"{{'PAGERDUTY_ROUTING_KEYS': {{'sev1': 'env:E2E_ROUTING_KEY'}}, 'WEBHOOKS': [{hook!r}], "
                f"'CONFLUENCE_SPACE_KEY': 'OPS', 'TRELLO_LIST_ID': '{todo}'}}",
            )
            ops = channel_id(slack, "ops")
            reply = say(slack, ALICE, ops, "!incident open sev1 Secrets stay secret")
            cid = re.search(r"<#(C\w+)>", reply).group(1)
            say(slack, ALICE, cid, "!task add Rotate the keys")
            say(slack, ALICE, cid, "!incident postmortem")
            hooks.wait_for(lambda: len(hooks.unique) == 1)
            wiki.wait_for_page("Post-mortem: incident 1: Secrets stay secret")
            for what in ("pagerduty", "trello"):
                slack.wait_for_message(cid, lambda m, w=what: f"could not deliver to {w}" in m["text"], timeout=20)
            report = say(slack, ADMIN, slack.open_dm(ADMIN), "!incident outbox")
            assert "HTTP 400" in report and "HTTP 401 (Unauthorized) — invalid token" in report
        finally:
            assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
        log = bot.log
        assert "DEBUG" in log and "outbox" in log.lower()
        for secret in (ROUTING_KEY, hooks.secret, hooks.secret[6:], CONFLUENCE_TOKEN, TRELLO_KEY, TRELLO_TOKEN):
            assert secret not in log
            assert all(secret not in m["text"] for m in slack.messages(cid))
