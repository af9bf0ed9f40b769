"""No ping leaves the real bot from user text: errbot + RedAlertSlack (with slackv3's Markdown converter) + the
emulator. A description full of broadcast markup is typed in a DM, then quoted by every message that carries it."""

from __future__ import annotations

import re

import pytest
from chat import channel_id, say
from slack_workspace import ALICE

pytestmark = pytest.mark.e2e

# As Slack delivers what Alice typed: a real @channel mention, and broadcast markup typed literally.
HOSTILE = (
    "<!channel> @here &lt;!channel&gt; &amp;lt;!here&amp;gt; &lt;!subteam^S123&gt; &lt;!everyone&gt; "
    "&lt;!subteam^S9|@sre&gt; db down"
)
PING = re.compile(r"<!(?:channel|here|everyone|subteam)|(?<![<\w])@(?:channel|here|everyone|sre)\b", re.IGNORECASE)
LATENT_PING = re.compile(r"&(?:lt|#0*60|#x0*3c);!", re.IGNORECASE)
READ_BY_PEOPLE = ("text", "blocks", "attachments", "topic", "purpose", "initial_comment", "title")


def test_a_hostile_description_never_pings_from_the_real_bot(bot, slack):
    dm = slack.open_dm(ALICE)
    opened = say(slack, ALICE, dm, f"!incident open sev1 {HOSTILE}")
    incident = re.search(r"Incident (\d+) .* is open in <#(C\w+)>", opened)
    assert incident, opened
    number, cid = incident.groups()
    ops = channel_id(slack, "ops")
    listing = say(slack, ALICE, ops, "!incident list")
    assert f"Incident {number} · sev1" in listing and "<\u2060!channel>" in listing  # quoted, inert
    say(slack, ALICE, cid, f"!incident status identified {HOSTILE}")
    say(slack, ALICE, cid, f"!incident update {HOSTILE}")
    say(slack, ALICE, cid, f"!incident note {HOSTILE}")
    # `say` returns the bot's next message in the channel, which may still be one of the earlier commands' posts:
    # ask again until the timeline has all four entries (opened, status, update, note).
    for _ in range(10):
        timeline = say(slack, ALICE, cid, "!incident timeline")
        if timeline.count("db down") >= 4:
            break
    assert timeline.count("db down") >= 4, timeline
    say(slack, ALICE, cid, "!incident postmortem")
    closed = say(slack, ALICE, ops, f"!incident close {number} {HOSTILE}")
    assert f"Incident {number} closed" in closed, closed
    say(slack, ALICE, ops, "!incident list all")

    posted = [str(c.args[key]) for c in slack.calls for key in READ_BY_PEOPLE if key in c.args]
    posted += [str(upload["content"]) for upload in slack.files(cid)]
    assert sum("db down" in text for text in posted) >= 8 and slack.files(cid)
    for text in posted:
        assert not PING.search(text), text
        assert not LATENT_PING.search(text), text
    # The root fix held on its own: the backend's and the gateway's last line of defence had nothing to defuse.
    assert "Defused a broadcast" not in bot.log
