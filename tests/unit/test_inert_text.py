"""User text can never leave RedAlert as a channel, workspace or group ping, checked through the real slackv3
Markdown converter (which decodes `&lt;` back into `<`) and the defences in the gateway and the backend."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from slackv3.markdown import slack_markdown_converter

from redalert_core.domain import postmortem, text
from redalert_core.domain.commands import parse_close, parse_open
from redalert_core.domain.incident import Incident, Phase
from redalert_core.domain.response_state import ResponseState
from redalert_core.domain.settings import validate
from redalert_core.slack import messages

SETTINGS = validate({})
AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# What Slack delivers when someone types these (typing `<` gives `&lt;`, typing `&` gives `&amp;`).
HOSTILE_EVENT_TEXTS = [
    "@channel db down",
    "<!channel> db down",
    "&lt;!channel&gt; db down",
    "&amp;lt;!here&amp;gt; db down",
    "&lt;!subteam^S123&gt; db down",
    "&lt;!subteam^S123|@sre&gt; db down",
    "&lt;!everyone&gt; and &lt;!here|here&gt; db down",
    "&amp;#60;!here&amp;#62; db down",
    "&lt;&lt;!channel&gt;&gt; @here @everyone",
]
# Anything that would notify: Slack's special mentions, or a bare @word (the backend posts with link_names).
PING = re.compile(r"<!(?:channel|here|everyone|subteam)|(?<![<\w])@(?:channel|here|everyone|sre)\b", re.IGNORECASE)
# What could become a ping after one more decoding: `&lt;!…` or `&#60;!…`.
LATENT_PING = re.compile(r"&(?:lt|#0*60|#x0*3c);!", re.IGNORECASE)
CONVERTER = slack_markdown_converter()


def assert_inert(posted: str) -> None:
    """`posted` as Slack would get it both directly and after Errbot's converter: no ping, none one decode away."""
    for seen in (posted, CONVERTER.convert(posted)):
        assert not PING.search(seen), seen
        assert not LATENT_PING.search(seen), seen


def incident(description: str, resolution: str | None = None) -> Incident:
    return Incident(
        number=7,
        severity="sev1",
        description=description,
        opened_by="U0ALICE",
        opened_at=AT,
        phase=Phase.OPEN,
        channel_id="C0INC",
        channel_name="sev1-incident",
        resolution=resolution,
    )


@pytest.mark.parametrize("typed", HOSTILE_EVENT_TEXTS)
def test_every_text_carrying_a_description_is_inert(typed):
    description = parse_open(f"sev1 {typed}", SETTINGS).description
    item = incident(description, resolution=parse_close(typed).resolution)
    fallback, blocks = messages.summary(item, SETTINGS, ["U0BOB"])
    for posted in (
        messages.list_line(item),
        messages.announcement(item, SETTINGS),
        messages.closing(item, "U0BOB", AT + timedelta(hours=1), item.resolution),
        messages.status_update(item, "U0BOB", description, "investigating"),
        messages.topic(item, SETTINGS),
        messages.purpose(item, SETTINGS),
        fallback,
        repr(blocks),
        text.escape(description),
        text.unping(f'"{description}" is not a severity'),
        postmortem.render(item, ResponseState(7), [], ["U0BOB"], SETTINGS, AT),
    ):
        assert_inert(posted)


@pytest.mark.parametrize("raw", ["<!channel>", "&lt;!here&gt;", "&amp;lt;!everyone&amp;gt;", "@here", "<!subteam^S1>"])
def test_escape_plain_and_unping_survive_the_converter(raw):
    for made_safe in (text.escape(raw), text.plain(raw), text.unping(raw)):
        assert_inert(made_safe)


def test_the_converter_is_the_hole_being_closed():
    assert CONVERTER.convert("&lt;!channel&gt;") == "<!channel>"  # why entities alone are not enough
    assert "<!channel>" not in CONVERTER.convert(text.escape("<!channel>"))


def test_mentions_redalert_writes_stay():
    written = "Incident 7 closed by <@U0ALICE> in <#C0INC>, see <https://status.example.com|status>."
    assert text.unping(written) == written
    assert text.defuse_broadcasts(written) == written
    assert CONVERTER.convert(text.unping(written)).count("<@U0ALICE>") == 1


@pytest.mark.parametrize(
    "broadcast", ["<!channel>", "<!here>", "<!here|here>", "<!everyone>", "<!subteam^S123>", "<!subteam^S1|@sre>"]
)
def test_the_last_line_of_defence_defuses_every_broadcast(broadcast):
    defused = text.defuse_broadcasts(f"hello {broadcast} and <@U0BOB>")
    assert not PING.search(defused) and "<@U0BOB>" in defused
    payload = text.defuse_payload([{"type": "section", "text": {"type": "mrkdwn", "text": broadcast}}, 3, None])
    assert not PING.search(repr(payload)) and payload[1:] == [3, None]


def test_the_backend_defuses_replies_after_conversion():
    from redalert_slack import BroadcastSafeConverter

    converter = BroadcastSafeConverter(slack_markdown_converter())
    assert not PING.search(converter.convert("a reply quoting &lt;!channel&gt; and <!subteam^S1>"))
    assert converter.convert("hi <@U0BOB>") == "hi <@U0BOB>"


def test_the_backend_writes_no_link_with_a_label():
    from redalert_slack import without_labelled_links

    converter = without_labelled_links(slack_markdown_converter())
    seen = converter.convert("[your bank](https://evil.example) and <@U0BOB>")
    assert "<https://evil.example|" not in seen and "https://evil.example" in seen and "<@U0BOB>" in seen


def test_a_long_description_fills_several_sections_and_shows_in_full():
    description = ("The API returns 502 for &lt;!here&gt; & co; " * 100)[:4000]
    _, blocks = messages.summary(incident(description), SETTINGS, [])
    header = blocks[0]["text"]["text"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    described = [s for s in sections if not s.startswith(("*Last update*", "*People*"))]
    assert len(header) <= messages.HEADER_LIMIT and len(described) >= 2
    assert all(len(s) <= messages.SECTION_LIMIT for s in sections)
    shown = CONVERTER.convert(" ".join(described)).replace(text.WORD_JOINER, "")
    assert " ".join(description.split()) in " ".join(shown.replace("*Description*", "").split())
    assert len(messages.topic(incident(description), SETTINGS)) <= messages.TOPIC_LIMIT
    assert len(messages.purpose(incident(description), SETTINGS)) <= messages.TOPIC_LIMIT
