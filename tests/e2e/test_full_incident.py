"""One whole incident through the real `errbot -c config.py` process, slackv3 backend and Socket Mode.

open → lead → status → update → 📌 → severity change → resolved → postmortem → close, checking the workspace
(channel name, topic, members, the pinned summary, the announcement thread, the uploaded files) at each step.
"""

from __future__ import annotations

import re

import pytest
from chat import channel_id, say
from slack_workspace import ADMIN, ALICE, BOB, CAROL

pytestmark = pytest.mark.e2e


def summary(slack, cid: str, ts: str) -> dict:
    return next(m for m in slack.messages(cid) if m["ts"] == ts)


def content(upload: dict) -> str:
    data = upload["content"]
    return data.decode() if isinstance(data, bytes) else data


def test_a_full_incident(bot, slack):
    announce_sev2 = slack.add_channel("incidents", members=[ADMIN, slack.bot_user_id])
    announce_sev1 = slack.add_channel("incidents-major", members=[ADMIN, slack.bot_user_id])
    dm = slack.open_dm(ADMIN)
    # The summary's edits are coalesced: at most one every 2 s here (10 s by default), the last state always.
    announce = f"{{'sev2': '{announce_sev2}', 'sev1': '{announce_sev1}'}}"
    config = f"{{'ANNOUNCE_CHANNELS': {announce}, 'SUMMARY_UPDATE_SECONDS': 2}}"
    assert say(slack, ADMIN, dm, f"!plugin config RedAlert {config}") == "Plugin configuration done."

    # open: channel, topic, pinned summary, first announcement
    ops = channel_id(slack, "ops")
    reply = say(slack, ALICE, ops, "!incident open sev2 Checkout errors")
    match = re.search(r"Incident (\d+) \(SEV2 - Major\) is open in <#(C\w+)>", reply)
    assert match, reply
    number, cid = match.group(1), match.group(2)
    assert slack.channel(cid).topic == "SEV2 - Major | Checkout errors"
    slack.wait_for(lambda: len(slack.pins(cid)) == 1)  # the pin runs alongside the reply
    [summary_ts] = slack.pins(cid)
    root = slack.wait_for_message(announce_sev2, lambda m: f"Incident {number}" in m["text"])

    # lead: invited, summary updated in place
    reply = say(slack, ALICE, cid, f"!incident lead <@{BOB}>")
    assert reply == f"<@{BOB}> is now the commander of incident {number} (was <@{ALICE}>)."
    assert BOB in slack.channel(cid).members
    pinned = summary(slack, cid, summary_ts)
    assert pinned.get("edited") and f"Commander: <@{BOB}>" in repr(pinned["blocks"])

    # status
    reply = say(slack, BOB, cid, "!incident status identified bad deploy of checkout")
    assert reply == f"Incident {number} is now identified (was investigating)."
    slack.wait_for(lambda: "*Status*\\nidentified" in repr(summary(slack, cid, summary_ts)["blocks"]), timeout=10)

    # update: in the channel and threaded under the announcement
    ts = slack.post_user_message(BOB, cid, "!incident update Rolling back the deploy")
    slack.wait_for_message(cid, lambda m: "Rolling back the deploy" in m["text"], after_ts=ts)
    threaded = slack.wait_for_message(announce_sev2, lambda m: m.get("thread_ts") == root["ts"])
    assert "Rolling back the deploy" in threaded["text"]
    slack.wait_for_message(cid, lambda m: m["text"].startswith(f"Update for incident {number} posted"), after_ts=ts)

    # 📌 a message: the bot acknowledges it and it joins the timeline
    pinned_ts = slack.post_user_message(CAROL, cid, "DB CPU is at 100% since 10:02")
    slack.add_reaction(ALICE, cid, pinned_ts, "pushpin")
    slack.wait_for(
        lambda: "white_check_mark" in next(m for m in slack.messages(cid) if m["ts"] == pinned_ts)["reactions"]
    )

    # severity change: renamed, topic, new announcement root in the sev1 channel
    reply = say(slack, BOB, cid, "!incident severity sev1")
    assert reply.startswith(f"Incident {number} is now SEV1 - Critical (was sev2)")
    channel = slack.channel(cid)
    assert re.fullmatch(r"sev1-\d{8}-checkout-errors", channel.name)
    assert channel.topic == "SEV1 - Critical | Checkout errors"
    assert slack.wait_for_message(announce_sev1, lambda m: f"Incident {number}" in m["text"])

    # resolved, then the timeline shows everything so far
    reply = say(slack, BOB, cid, "!incident status resolved error rate back to normal")
    assert "Resolution time recorded" in reply
    timeline = say(slack, ALICE, cid, "!incident timeline")
    for expected in ("Opened by", "commander", "identified", "Rolling back the deploy", "DB CPU is at 100%", "sev1"):
        assert expected in timeline, expected

    # postmortem on demand
    ts = slack.post_user_message(ALICE, cid, "!incident postmortem")
    slack.wait_for_message(cid, lambda m: m["text"].endswith(f"uploaded to <#{cid}>."), after_ts=ts)
    [draft] = slack.files(cid)
    assert draft["filename"] == f"postmortem-incident-{number}.md"
    assert "DB CPU is at 100%" in content(draft) and "**Time to resolve:**" in content(draft)

    # close: sev1 needs a post-mortem, uploaded before the channel is archived
    ts = slack.post_user_message(BOB, cid, "!incident close Rolled back")
    slack.wait_for_message(cid, lambda m: m["text"].startswith(f"Incident {number} closed by <@{BOB}>"), after_ts=ts)
    slack.wait_for(lambda: slack.channel(cid).is_archived)
    assert len(slack.files(cid)) == 2 and "Resolution: Rolled back" in content(slack.files(cid)[-1])
    assert "is closed" in repr(summary(slack, cid, summary_ts)["text"])
