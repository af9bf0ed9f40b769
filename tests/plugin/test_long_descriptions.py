"""Long descriptions (a pasted error message) open; names, topic, purpose and header take the start, the summary and
the post-mortem show all of it; one character past the limit gets a reply that says the limit and changes nothing."""

from __future__ import annotations

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, store

from redalert_core.domain.commands import MAX_DESCRIPTION
from redalert_core.domain.text import WORD_JOINER


def pasted(length: int) -> str:
    """A stack trace pasted into Slack, `length` characters long once Slack's entities are decoded."""
    line = "ERROR worker-7 Traceback: psycopg.OperationalError: connection to db-primary:5432 refused & retried; "
    text = (line * (length // len(line) + 1))[:length]
    return text[:-1] + "x"  # no trailing space, which Slack would not deliver


def summary_blocks(slack, testbot, number: int) -> list[dict]:
    incident = store(testbot).incidents.get(number)
    [message] = [m for m in slack.messages(incident.channel_id) if m["ts"] == incident.summary_ts]
    return message["blocks"]


def shown(block_texts: list[str]) -> str:
    """What people read: entities decoded, invisible word joiners gone, whitespace as one space."""
    text = " ".join(block_texts).replace("*Description*", "").replace(WORD_JOINER, "")
    return " ".join(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").split())


def test_a_3000_character_description_opens_and_shows_in_full(testbot, slack):
    description = pasted(3000)
    assert len(description) == 3000
    reply = say(testbot, "!incident open sev1 " + description.replace("&", "&amp;"))
    assert "is open in" in reply, reply
    incident = store(testbot).incidents.get(1)
    assert incident.description == description
    channel = slack.channel(channel_of(testbot, 1))
    assert channel.name.startswith("sev1-") and "error-worker-7-traceback" in channel.name and len(channel.name) <= 80
    assert channel.topic.startswith("SEV1 - Critical | ERROR worker-7") and len(channel.topic) <= 250
    assert channel.purpose.startswith("RedAlert incident 1 (SEV1 - Critical): ERROR") and len(channel.purpose) <= 250
    blocks = summary_blocks(slack, testbot, 1)
    header = blocks[0]["text"]["text"]
    assert header.startswith("Incident 1: ERROR worker-7") and len(header) <= 150
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    described = [t for t in texts if not t.startswith(("*Last update*", "*People*"))]
    assert len(described) >= 2 and all(len(t) <= 3000 for t in texts)
    assert shown(described) == " ".join(description.split())
    # Changes re-render the summary with the same sections (chat.update goes through the same limits).
    say(testbot, "!incident update 1 failing over to the replica")
    texts = [b["text"]["text"] for b in summary_blocks(slack, testbot, 1) if b["type"] == "section" and "text" in b]
    assert any(t.startswith("*Last update*") and "failing over to the replica" in t for t in texts)
    assert shown([t for t in texts if not t.startswith(("*Last update*", "*People*"))]) == " ".join(description.split())
    say(testbot, "!incident postmortem 1")
    [upload] = slack.files(channel.id)
    content = upload["content"].decode() if isinstance(upload["content"], bytes) else upload["content"]
    assert " ".join(description.split()) in content.replace(WORD_JOINER, "")


def test_the_limit_is_accepted_and_one_more_character_is_refused_with_the_limit(testbot, slack):
    assert MAX_DESCRIPTION >= 3000
    reply = say(testbot, "!incident open sev2 " + "y" * (MAX_DESCRIPTION + 1))
    assert reply == (
        f"The description is {MAX_DESCRIPTION + 1} characters long; the limit is {MAX_DESCRIPTION}. "
        "Shorten it and post the rest in the incident channel once it is open."
    )
    assert slack.calls_to("conversations.create") == []
    assert store(testbot).incidents.list(include_closed=True)[1] == 0
    assert "is open in" in say(testbot, "!incident open sev2 " + pasted(MAX_DESCRIPTION))
    assert len(store(testbot).incidents.get(1).description) == MAX_DESCRIPTION
