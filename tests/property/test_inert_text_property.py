"""Whatever people type, the text RedAlert makes of it cannot notify anyone, directly or after Errbot's converter."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from slackv3.markdown import slack_markdown_converter

from redalert_core.domain import text

CONVERTER = slack_markdown_converter()
# Slack's broadcast syntax, a bare @word the backend's link_names would turn into a mention, and anything one more
# decoding away from `<!` (`&lt;!`, `&#60;!`, `&#x3c;!`).
PING = re.compile(r"<!|(?<![<\w])@\w|&(?:lt|#0*60|#x0*3c);!", re.IGNORECASE)
# Small pieces that combine into every trick: markup, entities, Markdown escapes and emphasis, mentions.
PIECES = st.sampled_from(
    [
        "<",
        ">",
        "!",
        "&",
        ";",
        "lt",
        "gt",
        "amp",
        "#60",
        "#x3c",
        "\\",
        "*",
        "_",
        "`",
        "@",
        "|",
        "^",
        " ",
        "\n",
        "channel",
        "here",
        "everyone",
        "subteam",
        "S123",
        "U0BOB",
        "[x](a:b)",
        "&lt;",
        "&amp;",
        "<@U0BOB>",
        "<#C1>",
    ]
)
HOSTILE = st.lists(PIECES, max_size=14).map("".join)


def reaches_slack_as(posted: str) -> list[str]:
    """Directly (the gateway) and after the slackv3 converter (replies)."""
    return [posted, CONVERTER.convert(posted)]


@settings(max_examples=400, deadline=None)
@given(HOSTILE)
@example("<\\!channel>")
@example("&lt;!here&gt;")
@example("&amp;lt;!everyone&amp;gt;")
@example("<<!subteam^S1|@sre>>")
def test_escaped_text_never_pings(typed):
    for seen in reaches_slack_as(text.escape(typed)):
        assert not PING.search(seen), (typed, seen)


@settings(max_examples=400, deadline=None)
@given(HOSTILE)
@example("<\\!channel>")
def test_unpinged_text_never_broadcasts_and_keeps_redalerts_mentions(typed):
    written = f"Incident 1 by <@U0ALICE> in <#C0INC>: {typed}"
    for seen in reaches_slack_as(text.unping(written)):
        assert not text.BROADCAST.search(seen), (typed, seen)
        assert not re.search(r"<!|&(?:lt|#0*60|#x0*3c);!", seen, re.IGNORECASE), (typed, seen)
    assert text.unping(written).startswith("Incident 1 by <@U0ALICE> in <#C0INC>: ")


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_plain_text_never_pings_and_reads_as_typed(typed):
    made = text.plain(typed)
    assert not PING.search(made), (typed, made)
    assert made.replace(text.WORD_JOINER, "") == typed


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_the_last_line_of_defence_leaves_no_broadcast(any_text):
    assert not text.BROADCAST.search(text.defuse_broadcasts(any_text))


# Slack's link with a label, `<scheme:…|label>`: the label can disguise where the link leads.
LABELLED_LINK = re.compile(r"<[A-Za-z0-9]+:[^<>]*\|")
LINKISH = st.lists(
    st.sampled_from(["[", "]", "(", ")", "!", "\\", " ", "x", "https://e.x", "a:b", '"t"', "|", "&lt;", "&gt;", "\n"]),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(LINKISH)
@example("[label](https://evil.example)")
@example("[a](b:c) and ![i](https://e.x)")
@example("&lt;https://evil.example|bank&gt;")
def test_user_text_never_becomes_a_link_with_a_label(typed):
    # Slack delivers a typed `<` as `&lt;`, so user text reaches unping without a raw `<`.
    for made in (text.escape(typed), text.plain(typed), text.unping(typed)):
        for seen in reaches_slack_as(made):
            assert not LABELLED_LINK.search(seen), (typed, seen)
    assert "https://evil.example" in CONVERTER.convert(text.escape("[label](https://evil.example)"))
