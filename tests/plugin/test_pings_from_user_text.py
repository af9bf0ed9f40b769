"""No ping leaves the bot from user text: a hostile description typed in a DM, then everything that quotes it.

Replies are rendered by the real slackv3 Markdown converter (the one that turns `&lt;` back into `<`); everything
the plugin sends to Slack directly is read back from the emulator's record of calls and uploaded files.
"""

from __future__ import annotations

import re
from datetime import timedelta

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, plugin, store
from slack_workspace import ADMIN, ALICE
from slackv3.markdown import slack_markdown_converter

# As Slack delivers it: `@channel` via the backend's rewrite, a real group mention, and markup typed literally.
HOSTILE = (
    "@channel &lt;!channel&gt; &amp;lt;!here&amp;gt; &lt;!subteam^S123&gt; &lt;!subteam^S9|@sre&gt; "
    "&lt;!everyone&gt; &amp;#60;!here&amp;#62; <!subteam^S0NOSUCH> db down"
)
PING = re.compile(r"<!(?:channel|here|everyone|subteam)|(?<![<\w])@(?:channel|here|everyone|sre)\b", re.IGNORECASE)
LATENT_PING = re.compile(r"&(?:lt|#0*60|#x0*3c);!", re.IGNORECASE)
READ_BY_PEOPLE = ("text", "blocks", "attachments", "topic", "purpose", "initial_comment", "title")


def replies(testbot, text: str, **kwargs) -> list[str]:
    """The reply to `text` and any further replies already queued, as the slackv3 backend would post them."""
    got = [say(testbot, text, **kwargs)]
    while not testbot.bot.outgoing_message_queue.empty():
        got.append(testbot.pop_message())
    return got


def sent_to_slack(slack) -> list[str]:
    texts = [str(call.args.get(key)) for call in slack.calls for key in READ_BY_PEOPLE if key in call.args]
    for channel in slack.channels():
        for upload in slack.files(channel.id):
            content = upload["content"]
            texts.append(content.decode() if isinstance(content, bytes) else str(content))
    return texts


def test_a_hostile_description_never_pings_anywhere(testbot, slack):
    testbot.bot.md = slack_markdown_converter()  # what the slackv3 backend does to every reply
    announce = slack.add_channel("incidents-major", members=[ADMIN, slack.bot_user_id])
    ops = slack.add_channel("ops-busy", members=[ADMIN, ALICE, slack.bot_user_id])
    said = replies(testbot, f"!plugin config RedAlert {{'ANNOUNCE_CHANNELS': {{'sev1': '{announce}'}}}}")
    said += replies(testbot, f"!incident open sev1 {HOSTILE}", channel=slack.open_dm(ADMIN))
    cid = channel_of(testbot, 1)
    assert "db down" in store(testbot).incidents.get(1).description
    said += replies(testbot, "!incident list", channel=ops)
    said += replies(testbot, f"!incident status identified {HOSTILE}", channel=cid)
    said += replies(testbot, f"!incident update {HOSTILE}", channel=cid)
    said += replies(testbot, f"!incident note {HOSTILE}", channel=cid)
    said += replies(testbot, f"!incident role scribe <@{ALICE}> {HOSTILE}", channel=cid)
    said += replies(testbot, f"!incident severity {HOSTILE}", channel=cid)
    opened = store(testbot).incidents.get(1).opened_at
    plugin(testbot).app.clock.set(opened + timedelta(days=2))
    plugin(testbot)._send_reminders()
    said += replies(testbot, "!incident timeline", channel=cid)
    said += replies(testbot, "!incident postmortem", channel=cid)
    said += replies(testbot, f"!incident close 1 {HOSTILE}", channel=ops)
    said += replies(testbot, "!incident list all", channel=ops)
    said += replies(testbot, "!incident timeline 1", channel=ops)

    assert store(testbot).incidents.get(1).is_closed
    assert any(":alarm_clock:" in m["text"] for m in slack.messages(cid))  # the reminder did go out
    assert any("Incident 1 · sev1" in line and "<\u2060!channel>" in line for line in said)  # quoted, inert
    posted = sent_to_slack(slack)
    assert any("db down" in text for text in posted) and len(slack.files(cid)) >= 1
    for text in said + posted:
        assert not PING.search(text), text
        assert not LATENT_PING.search(text), text


def test_a_warning_about_a_user_group_does_not_ping_it(testbot, slack):
    testbot.bot.md = slack_markdown_converter()
    said = replies(testbot, "!incident open sev2 api slow <!subteam^S0NOSUCH|@ghosts>")
    assert any("S0NOSUCH" in line for line in said), said
    for text in said + sent_to_slack(slack):
        assert "<!subteam" not in text, text


def test_a_markdown_link_typed_by_a_user_stays_text_with_its_url(testbot, slack):
    testbot.bot.md = slack_markdown_converter()
    typed = "login broken, see [the status page](https://evil.example/steal)"
    said = replies(testbot, f"!incident open sev2 {typed}")
    cid = channel_of(testbot, 1)
    said += replies(testbot, "!incident list")
    said += replies(testbot, f"!incident note {typed}", channel=cid)
    said += replies(testbot, "!incident timeline", channel=cid)
    posted = sent_to_slack(slack)
    assert any("https://evil.example/steal" in line for line in said)
    assert any("https://evil.example/steal" in text for text in posted)
    for text in said + posted:
        assert not re.search(r"<[A-Za-z0-9]+:[^<>]*\|", text), text
