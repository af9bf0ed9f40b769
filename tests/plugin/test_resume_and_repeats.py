"""Through Errbot: interrupted opens are finished when the plugin starts, and a command sent twice opens once."""

from datetime import UTC, datetime

from plugin_support import eventually, extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ALICE


def plugin(testbot):
    return testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")


def test_activation_finishes_interrupted_opens_once(testbot, slack):
    ops = slack.channel_by_name("ops").id
    store = plugin(testbot).app.incidents.store
    stale = store.incidents.create(
        severity="sev2", description="left behind", opened_by=ALICE, opened_at=datetime.now(UTC), origin_channel=ops
    )
    assert "deactivated" in say(testbot, "!plugin deactivate RedAlert")
    plugin(testbot)._app = None  # as in a new process: the next activation is the first
    assert "activated" in say(testbot, "!plugin activate RedAlert")
    notice = slack.wait_for_message(ops, lambda m: "was interrupted" in m["text"])
    store = plugin(testbot).app.incidents.store
    eventually(lambda: store.incidents.get(stale.number).phase.value == "open")  # once the notice is out
    incident = store.incidents.get(stale.number)
    assert notice["text"] == f"Incident {stale.number} was interrupted and is now complete: <#{incident.channel_id}>."

    # A configuration change re-activates the plugin: that must not resume (or report) anything again.
    assert say(testbot, "!plugin config RedAlert {'LIST_LIMIT': 5}") == "Plugin configuration done."
    assert len([m for m in slack.messages(ops) if "was interrupted" in m["text"]]) == 1


def test_the_same_open_typed_twice_opens_one_incident(testbot, slack):
    first = say(testbot, "!incident open sev1 Checkout is down", channel="C0OPS")
    assert first.startswith("Incident 1 ")
    again = say(testbot, "!incident open sev1   checkout IS down", channel="C0OPS")
    channel = plugin(testbot).app.incidents.store.incidents.get(1).channel_id
    assert again == f"You opened this a moment ago: Incident 1 in <#{channel}>."
    assert len(slack.calls_to("conversations.create")) == 1
