"""Standard Webhooks 1.0 through Errbot: a receiver answering 410 Gone disables its webhook; admins hear of it once,
`!incident outbox` shows it, and `!incident webhook enable` turns it back on. The plugin's dispatcher runs in its
background thread against the webhook receiver emulator."""

import pytest
from plugin_support import eventually, extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import plugin
from slack_workspace import ADMIN, ALICE

from outside_emulators import WebhookReceiver
from redalert_core.domain.outbox import SLACK, WEBHOOK, State

GONE_NOTICE = "Webhook audit is disabled: its receiver answered 410 Gone"


@pytest.fixture
def hooks(monkeypatch):
    with WebhookReceiver() as receiver:
        monkeypatch.setenv("REDALERT_TEST_GONE_SECRET", receiver.secret)
        yield receiver


def configure(testbot, hooks: WebhookReceiver) -> None:
    hook = {
        "url": hooks.url_for("/in"),
        "name": "audit",
        "events": ["incident.opened", "incident.closed"],
        "secret": "env:REDALERT_TEST_GONE_SECRET",
    }
    # The receiver listens on 127.0.0.1, which webhook URLs may point to only with ALLOW_PRIVATE_URLS.
    config = {"ALLOW_PRIVATE_URLS": True, "WEBHOOKS": [hook]}
    assert say(testbot, f"!plugin config RedAlert {config!r}") == "Plugin configuration done."


def test_a_410_disables_the_webhook_until_an_admin_enables_it(hooks, testbot, slack):
    configure(testbot, hooks)
    store = plugin(testbot).app.incidents.store
    hooks.gone = True
    say(testbot, "!incident open sev1 Checkout is down")
    admin_dm = slack.open_dm(ADMIN)
    notice = slack.wait_for_message(admin_dm, lambda m: GONE_NOTICE in m["text"])
    assert "!incident webhook enable audit" in notice["text"]
    [gone] = store.outbox.rows(destination=WEBHOOK)
    assert gone.state is State.DEAD and gone.last_error.startswith("HTTP 410")

    # Disabled: the next event is not even queued for it, and nobody is told again.
    say(testbot, "!incident open sev2 Search is slow")
    assert len(store.outbox.rows(destination=WEBHOOK)) == 1 and len(hooks.deliveries) == 1
    slack_rows = [r.payload["text"] for r in store.outbox.rows(destination=SLACK)]
    assert sum(GONE_NOTICE in text for text in slack_rows) == 1
    assert not any("could not deliver" in text for text in slack_rows)  # the admins' notice replaces the warning
    report = say(testbot, "!incident outbox")
    assert "- webhook audit: disabled since" in report and "answered 410 Gone" in report

    assert "bot-admin" in say(testbot, "!incident webhook enable audit", user=ALICE)
    assert say(testbot, "!incident webhook enable nope") == 'There is no webhook named "nope" (webhooks: audit).'
    assert "Usage" in say(testbot, "!incident webhook enable")
    hooks.gone = False
    assert say(testbot, "!incident webhook enable audit") == (
        "Webhook audit is enabled again: events from now on are sent to it."
    )
    assert say(testbot, "!incident webhook enable audit") == "Webhook audit is not disabled; nothing changed."
    assert "webhook audit: disabled since" not in say(testbot, "!incident outbox")

    # Sending resumes.
    say(testbot, "!incident close 2 Reindexed")
    [resumed] = hooks.wait_for(lambda: [d for d in hooks.deliveries if d.status == 200] or None)
    assert resumed.verified and resumed.type == "incident.closed" and resumed.json()["data"]["number"] == 2
    assert sum(GONE_NOTICE in m["text"] for m in slack.messages(admin_dm)) == 1


def test_a_secret_outside_the_spec_is_refused_at_configuration(testbot, monkeypatch):
    monkeypatch.setenv("REDALERT_TEST_GONE_SECRET", "not-a-standard-secret")
    hook = {"url": "https://h.example/x", "events": ["incident.opened"], "secret": "env:REDALERT_TEST_GONE_SECRET"}
    reply = say(testbot, f"!plugin config RedAlert {{'WEBHOOKS': [{hook!r}]}}")
    assert reply.startswith("Configuration refused, nothing changed:")
    assert "the secret in REDALERT_TEST_GONE_SECRET is refused: it must start with whsec_" in reply
    assert "not-a-standard-secret" not in reply
    assert plugin(testbot).settings.integrations.webhooks == ()


def test_a_secret_gone_from_the_environment_does_not_stop_the_plugin(hooks, testbot, monkeypatch):
    """A restart where the secret's variable is missing: the plugin still starts; only that webhook fails."""
    configure(testbot, hooks)
    monkeypatch.delenv("REDALERT_TEST_GONE_SECRET")
    assert "deactivated" in say(testbot, "!plugin deactivate RedAlert")
    assert "activated" in say(testbot, "!plugin activate RedAlert")
    assert [hook.name for hook in plugin(testbot).settings.integrations.webhooks] == ["audit"]
    assert say(testbot, "!incident open sev2 Search is slow").startswith("Incident 1 ")
    outbox = plugin(testbot).app.incidents.store.outbox
    eventually(lambda: outbox.rows(destination=WEBHOOK)[0].state in (State.RETRYING, State.DEAD))
    [row] = outbox.rows(destination=WEBHOOK)
    assert hooks.deliveries == [] and "REDALERT_TEST_GONE_SECRET" in row.last_error
