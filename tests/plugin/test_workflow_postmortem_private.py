"""`!incident postmortem`, the post-mortem on close, and private incidents in listings."""

from plugin_support import extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of, kinds
from slack_workspace import ADMIN, ALICE, BOB


def test_postmortem_is_uploaded_to_the_channel(testbot, slack):
    say(testbot, "!incident open sev3 search slow")
    cid = channel_of(testbot, 1)
    say(testbot, f"!incident role 1 scribe <@{BOB}>")
    say(testbot, "!incident status 1 resolved")
    reply = say(testbot, "!incident postmortem", channel=cid)
    assert reply == f"Post-mortem draft for incident 1 uploaded to <#{cid}>."
    [upload] = slack.files(cid)
    assert upload["filename"] == "postmortem-incident-1.md"
    document = upload["content"].decode() if isinstance(upload["content"], bytes) else upload["content"]
    assert document.startswith("# Post-mortem: incident 1: search slow")
    for expected in (
        "## Impact",
        "_To be filled in._",
        f"**Scribe:** @{BOB}",
        f"**Commander:** @{ADMIN}",
        "## Timeline (UTC)",
        "Status investigating → resolved",
        "**Time to resolve:** 0m",
        "still open",
    ):
        assert expected in document, expected
    assert "postmortem_uploaded" in kinds(testbot, 1)
    assert "Usage: !incident postmortem" in say(testbot, "!incident postmortem 1 now")


def test_close_uploads_the_postmortem_for_configured_severities_before_archiving(testbot, slack):
    say(testbot, "!incident open sev1 checkout down")
    say(testbot, "!incident open sev4 typo")
    assert "closed" in say(testbot, "!incident close 1 rolled back")
    cid = channel_of(testbot, 1)
    assert slack.channel(cid).is_archived
    [upload] = slack.files(cid)
    content = upload["content"].decode() if isinstance(upload["content"], bytes) else upload["content"]
    assert "Resolution: rolled back" in content and "**Closed:**" in content
    methods = [c.method for c in slack.calls]
    assert methods.index("files.completeUploadExternal") < methods.index("conversations.archive")
    say(testbot, "!incident close 2")
    assert slack.files(channel_of(testbot, 2)) == []  # sev4 needs none by default
    # A closed incident's post-mortem goes where it is asked for.
    dm = slack.open_dm(ADMIN)
    assert (
        say(testbot, "!incident postmortem 2", channel=dm) == f"Post-mortem draft for incident 2 uploaded to <#{dm}>."
    )
    assert len(slack.files(dm)) == 1


def test_private_incidents_are_listed_to_members_and_admins_only(testbot, slack):
    say(testbot, "!incident open sev2 public one")
    say(testbot, "!incident open --private sev2 secret one", user=ALICE)
    assert "Incident 2" in say(testbot, "!incident list", user=ALICE)
    assert "Incident 2" in say(testbot, "!incident list")  # the admin
    reply = say(testbot, "!incident list", user=BOB)
    assert "Incident 1" in reply and "Incident 2" not in reply and reply.startswith("1 open incident")
    assert "There is no incident 2" in say(testbot, "!incident timeline 2", user=BOB)
    say(testbot, f"!incident role 2 scribe <@{BOB}>", user=ALICE)
    assert "Incident 2" in say(testbot, "!incident list", user=BOB)
    assert "Incident 2" in say(testbot, "!incident list all", user=BOB)
