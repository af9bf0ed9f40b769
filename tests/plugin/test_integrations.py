"""The outside-system commands through Errbot: paging, the admins' outbox view and requeue, config checks.

The plugin's dispatcher runs in its background thread here, against the PagerDuty and webhook emulators."""

import pytest
from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import plugin
from slack_workspace import ALICE

from outside_emulators import PagerDutyEmulator

KEY = "K" * 32


@pytest.fixture
def pd(monkeypatch):
    # Started before the testbot fixture activates the plugin, whose client reads the URL.
    with PagerDutyEmulator(routing_keys=[KEY]) as emulator:
        monkeypatch.setenv("PAGERDUTY_EVENTS_URL", emulator.url)
        monkeypatch.setenv("REDALERT_TEST_PD_KEY", KEY)
        yield emulator


def configure(testbot, config: str) -> None:
    assert say(testbot, f"!plugin config RedAlert {config}") == "Plugin configuration done."


def incident_channel(testbot, number: int) -> str:
    return plugin(testbot).app.incidents.store.incidents.get(number).channel_id


def test_open_pages_acknowledge_and_resolve_follow(pd, testbot):
    configure(testbot, "{'PAGERDUTY_ROUTING_KEYS': {'sev1': 'env:REDALERT_TEST_PD_KEY'}}")
    assert "is open in" in say(testbot, "!incident open sev1 Checkout is down")
    pd.wait_for_alert("redalert-incident-1", "triggered")
    say(testbot, "!incident status 1 identified")
    pd.wait_for_alert("redalert-incident-1", "acknowledged")
    say(testbot, "!incident close 1 Rolled back")
    pd.wait_for_alert("redalert-incident-1", "resolved")
    assert pd.actions_for("redalert-incident-1") == ["trigger", "acknowledge", "resolve"]
    assert say(testbot, "!incident outbox") == "The outbox is empty: everything was delivered."


def test_a_400_is_dead_with_its_reason_warns_in_the_channel_and_retry_requeues_it(pd, testbot, slack):
    pd.routing_keys = {"Z" * 32}
    configure(testbot, f"{{'PAGERDUTY_ROUTING_KEYS': {{'sev1': '{KEY}'}}}}")
    say(testbot, "!incident open sev1 Checkout is down")
    channel = incident_channel(testbot, 1)
    warning = slack.wait_for_message(channel, lambda m: "could not deliver to pagerduty" in m["text"])
    assert "HTTP 400 (Bad Request)" in warning["text"] and KEY not in warning["text"]
    assert "Event object is invalid" not in warning["text"]  # what PagerDuty said is for admins (item 8)
    report = say(testbot, "!incident outbox")
    assert "- pagerduty: 1 dead" in report
    line = "#1 PagerDuty trigger (incident 1): dead, 1 attempt(s): HTTP 400 (Bad Request) — Event object is invalid"
    assert line in report
    assert KEY not in report
    in_channel = say(testbot, "!incident outbox", channel=channel)
    assert "HTTP 400 (Bad Request)" in in_channel and "Event object is invalid" not in in_channel
    assert "only in a direct message" in in_channel
    assert "bot-admin" in say(testbot, "!incident outbox", user=ALICE)
    assert "bot-admin" in say(testbot, "!incident outbox retry all", user=ALICE)
    assert say(testbot, "!incident outbox retry 99") == "There is no outbox row 99. See !incident outbox."
    assert "Usage" in say(testbot, "!incident outbox retry soon")
    pd.add_routing_key(KEY)
    assert say(testbot, "!incident outbox retry 1") == "Requeued 1 row(s): #1. Delivery starts now."
    pd.wait_for_alert("redalert-incident-1", "triggered")
    assert say(testbot, "!incident outbox retry all") == "No dead rows to requeue."
    texts = [m["text"] for m in slack.messages(channel)]
    assert sum("could not deliver" in t for t in texts) == 1


def test_page_by_hand(pd, testbot):
    configure(testbot, f"{{'PAGERDUTY_ROUTING_KEYS': {{'sev1': '{KEY}'}}}}")
    say(testbot, "!incident open sev3 Search is slow")
    channel = incident_channel(testbot, 1)
    reply = say(testbot, "!incident page", channel=channel)
    assert reply.startswith("PagerDuty has no routing key for sev3 (PAGERDUTY_ROUTING_KEYS has: sev1)")
    assert say(testbot, "!incident page 1 sev9").startswith('"sev9" is not a severity')
    assert say(testbot, "!incident page 1 sev1") == "Paging PagerDuty for incident 1 (sev1, PagerDuty critical)."
    [event] = pd.wait_for_events(1)
    assert event.event_action == "trigger" and event.payload["severity"] == "critical"
    assert "paged PagerDuty (sev1)" in say(testbot, "!incident timeline 1")


def test_integration_settings_are_checked_before_they_are_stored(testbot):
    bad = "{'WEBHOOKS': [{'url': 'https://h.example/x', 'events': ['incident.opened'], 'secret': 'hunter2'}]}"
    reply = say(testbot, f"!plugin config RedAlert {bad}")
    assert reply.startswith("Configuration refused, nothing changed:") and 'must be "env:NAME"' in reply


def test_an_outside_error_body_reaches_only_admins_in_a_dm_scrubbed_of_tokens(pd, testbot, slack):
    # Issue 18 item 8: a system that echoes what it was sent (with a token in a path and a query) and Slack markup.
    url = f"https://events.example.com/v2/T0A1B2C3D/{KEY}?token=abc12345xyz"
    echoed = f"<!channel> no route for {url} routing_key={KEY}"
    pd.fail_next(1, 400, body={"message": echoed})
    configure(testbot, f"{{'PAGERDUTY_ROUTING_KEYS': {{'sev1': '{KEY}'}}}}")
    say(testbot, "!incident open sev1 Checkout is down")
    channel = incident_channel(testbot, 1)
    warning = slack.wait_for_message(channel, lambda m: "could not deliver to pagerduty" in m["text"])
    assert "(outbox row 1): HTTP 400 (Bad Request). An admin sees why" in warning["text"]
    assert "no route" not in warning["text"] and "<!channel>" not in warning["text"]
    report = say(testbot, "!incident outbox")
    assert "HTTP 400 (Bad Request) — " in report and "no route for https://events.example.com/[masked]" in report
    assert KEY not in report and "abc12345xyz" not in report and "T0A1B2C3D" not in report
    assert "<!channel>" not in report
