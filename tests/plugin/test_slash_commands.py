"""`/incident <text>` runs `!incident <text>` for the person who typed it and answers in the ack (ephemeral)."""

from __future__ import annotations

from plugin_support import extra_config, extra_plugin_dir, loglevel  # noqa: F401
from slack_workspace import ADMIN, ALICE, BOB


def plugin(testbot):
    return testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")


def slash(testbot, slack, text: str, *, user: str = ALICE, channel: str = "ops", envelope: str | None = None):
    """The ack payload RedAlert answers a /incident command with (the payload made by the emulator)."""
    if envelope is None:
        envelope = slack.send_slash_command(user, slack.channel_by_name(channel).id, "/incident", text)
    return plugin(testbot)._on_slash_command(slack.envelope(envelope)["payload"]), envelope


def test_list_answers_only_the_person(testbot, slack):
    ack, _ = slash(testbot, slack, "list")
    assert ack == {"response_type": "ephemeral", "text": "No open incidents."}


def test_open_with_mentions_and_a_redelivery_opens_one_incident(testbot, slack):
    ack, envelope = slash(testbot, slack, f"open sev2 DB slow <@{BOB}|bob>")
    assert ack["response_type"] == "ephemeral"
    assert ack["text"].startswith("Incident 1 (SEV2 - Major) is open in <#")
    store = plugin(testbot).app.incidents.store
    incident = store.incidents.get(1)
    assert (incident.description, incident.opened_by) == ("DB slow", ALICE)
    assert {ALICE, BOB} <= set(slack.channel(incident.channel_id).members)
    again, _ = slash(testbot, slack, "", envelope=envelope)  # the same envelope delivered twice
    assert again is None
    assert store.incidents.list(include_closed=True, limit=10)[1] == 1


def test_mistakes_get_the_same_answers_as_the_text_commands(testbot, slack):
    ack, _ = slash(testbot, slack, "open sev9 DB slow")
    assert ack["text"] == '"sev9" is not a severity. Use one of: sev1, sev2, sev3, sev4, sev5.'
    ack, _ = slash(testbot, slack, "frobnicate 3")
    assert ack["text"].startswith("Unknown command. Try `/incident help`.")
    ack, _ = slash(testbot, slack, "help")
    assert "open" in ack["text"] and "Severities: sev1" in ack["text"]


def test_admin_only_commands_and_acls_still_apply(testbot, slack):
    ack, _ = slash(testbot, slack, "doctor")
    assert ack["text"] == "This command requires bot-admin privileges."
    # As with `!incident doctor`, Errbot keeps admin commands to DMs unless ACCESS_CONTROLS says allowmuc.
    ack, _ = slash(testbot, slack, "doctor", user=ADMIN)
    assert ack["text"] == "You are not allowed to run this command in this channel; try it in a DM with me."
    envelope = slack.send_slash_command(ADMIN, slack.open_dm(ADMIN), "/incident", "doctor")
    ack, _ = slash(testbot, slack, "", envelope=envelope)
    assert ack["text"].startswith("All good")
    config = testbot.bot.bot_config
    config.ACCESS_CONTROLS = {"RedAlert:incident_list": {"denyusers": (ALICE,)}}
    try:
        ack, _ = slash(testbot, slack, "list")
        assert ack["text"] == "You are not allowed to run this command."
        ack, _ = slash(testbot, slack, "list", user=BOB)
        assert ack["text"] == "No open incidents."
    finally:
        config.ACCESS_CONTROLS = {}


def test_other_slash_commands_are_not_ours(testbot, slack):
    envelope = slack.send_slash_command(ALICE, slack.channel_by_name("ops").id, "/deploy", "now")
    assert plugin(testbot)._on_slash_command(slack.envelope(envelope)["payload"]) is None


def test_changes_made_privately_in_the_incident_channel_are_told_to_the_channel(testbot, slack):
    slash(testbot, slack, "open sev3 Search is slow")
    cid = plugin(testbot).app.incidents.store.incidents.get(1).channel_id
    incident_channel = slack.channel(cid).name
    ack, _ = slash(testbot, slack, "status identified bad index", channel=incident_channel)
    assert ack["text"] == "Incident 1 is now identified (was investigating)."
    said = [m["text"] for m in slack.messages(cid)]
    assert any(t.startswith(f"Incident 1 is now *identified* (was investigating), set by <@{ALICE}>.") for t in said)
    ack, _ = slash(testbot, slack, f"lead <@{BOB}>", channel=incident_channel)
    assert ack["text"] == f"<@{BOB}> is now the commander of incident 1 (was <@{ALICE}>)."
    said = [m["text"] for m in slack.messages(cid)]
    assert f"<@{BOB}> is now the commander of incident 1, set by <@{ALICE}>." in said
