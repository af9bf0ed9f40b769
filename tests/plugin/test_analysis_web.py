"""The web report served by Errbot's Webserver plugin on 127.0.0.1: signed links, 403, privacy, read-only."""

from __future__ import annotations

from datetime import timedelta

import analysis_history as history
from analysis_support import at, with_history
from plugin_support import extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ADMIN, ALICE, BOB, CAROL
from web_support import WEB_URL, get, link_in, wait_until_serving, web_config

extra_config = web_config


def dm_link(testbot, slack, user: str) -> str:
    dm = slack.open_dm(user)
    assert say(testbot, "!incident web", user=user, channel="C0NOTDM") == (
        "I sent you a personal link to the web report in a DM."
    )
    return link_in(slack.messages(dm)[-1]["text"])


def test_web_link_comes_in_a_dm_and_opens_the_report(testbot, slack):
    with_history(testbot)
    wait_until_serving()
    link = dm_link(testbot, slack, ADMIN)
    assert "valid until" in slack.messages(slack.open_dm(ADMIN))[-1]["text"]
    status, headers, _ = get(link)
    assert status == 303 and headers["Location"] == "/redalert/incidents"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "Max-Age=43200" in headers["Set-Cookie"]
    status, headers, body = get(f"{WEB_URL}/redalert/incidents?period={history.PERIOD}", cookie)
    assert status == 200 and "secret breach" in body  # the admin sees the private incident
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body
    assert headers["Cache-Control"] == "no-store"


def test_without_a_valid_link_every_page_is_forbidden(testbot, slack):
    with_history(testbot)
    wait_until_serving()
    for path in ("/redalert/incidents", "/redalert/incidents/2", "/redalert/problems", "/redalert/metrics"):
        status, _, body = get(WEB_URL + path)
        assert status == 403 and "!incident web" in body, path
    link = dm_link(testbot, slack, CAROL)
    forged = link[:-4] + ("0000" if not link.endswith("0000") else "1111")
    assert get(forged)[0] == 403
    _, headers, _ = get(link)
    cookie = headers["Set-Cookie"].split(";")[0]
    at(testbot, history.NOW + timedelta(hours=12, seconds=1))  # the link has expired
    assert get(f"{WEB_URL}/redalert/incidents", cookie)[0] == 403


def test_private_incident_is_hidden_from_a_non_member(testbot, slack):
    with_history(testbot)
    wait_until_serving()
    _, headers, _ = get(dm_link(testbot, slack, CAROL))
    cookie = headers["Set-Cookie"].split(";")[0]
    _, _, body = get(f"{WEB_URL}/redalert/incidents?period=all", cookie)
    assert "secret breach" not in body and "emails delayed" in body
    assert get(f"{WEB_URL}/redalert/incidents/6", cookie)[0] == 404
    assert get(f"{WEB_URL}/redalert/incidents/5", cookie)[0] == 200


def test_a_private_incident_page_answers_a_non_member_as_an_unused_number(testbot, slack):
    bot = with_history(testbot)
    wait_until_serving()
    _, headers, _ = get(dm_link(testbot, slack, CAROL))
    carol = headers["Set-Cookie"].split(";")[0]
    status, _, hidden = get(f"{WEB_URL}/redalert/incidents/6", carol)
    unused_status, _, unused = get(f"{WEB_URL}/redalert/incidents/99", carol)
    assert (status, unused_status) == (404, 404)
    assert hidden.replace("incident 6", "incident 99") == unused and "secret breach" not in hidden
    bot.app.incidents.store.participants.add(6, [CAROL], source="invite")  # once she is one of its people, she sees it
    status, _, page = get(f"{WEB_URL}/redalert/incidents/6", carol)
    assert status == 200 and "secret breach" in page


def test_people_show_under_their_slack_names(testbot, slack):
    wait_until_serving()
    reply = say(testbot, "!incident open sev2 Names on the page", user=ALICE, channel="C0OPS")
    number = int(reply.split()[1])
    channel = next(c.id for c in slack.channels() if c.name.endswith("names-on-the-page"))
    say(testbot, f"!incident lead <@{BOB}>", user=ALICE, channel=channel)
    _, headers, _ = get(dm_link(testbot, slack, ADMIN))
    cookie = headers["Set-Cookie"].split(";")[0]
    _, _, body = get(f"{WEB_URL}/redalert/incidents/{number}", cookie)
    assert "Signed in as admin" in body and "by alice" in body  # Slack display names, not U0ADMIN or U0ALICE
    assert "<td>bob</td>" in body and "@alice" in body  # the lead's row; the timeline and post-mortem
    assert ALICE not in body and BOB not in body
    _, _, listing = get(f"{WEB_URL}/redalert/incidents?period=all", cookie)
    assert "<td>bob</td>" in listing  # the commander column


def test_the_report_is_read_only(testbot, slack):
    with_history(testbot)
    wait_until_serving()
    _, headers, _ = get(dm_link(testbot, slack, ADMIN))
    cookie = headers["Set-Cookie"].split(";")[0]
    import urllib.request

    request = urllib.request.Request(f"{WEB_URL}/redalert/incidents", data=b"x=1", method="POST")
    request.add_header("Cookie", cookie)
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("POST was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 405


def test_web_is_refused_when_not_set_up(testbot, slack):
    bot = with_history(testbot)
    bot.app.analysis.web = type(bot.app.analysis.web)(None, None)
    assert say(testbot, "!incident web") == (
        "The web report is not set up: the bot needs REDALERT_WEB_PORT and REDALERT_WEB_SECRET."
    )
    assert say(testbot, "!incident web now") == "Usage: !incident web (or !incident web revoke)"


def test_revoke_ends_every_link_made_so_far_and_its_pages(testbot, slack):
    with_history(testbot)
    wait_until_serving()
    first, second = dm_link(testbot, slack, CAROL), dm_link(testbot, slack, CAROL)
    _, headers, _ = get(first)
    cookie = headers["Set-Cookie"].split(";")[0]
    assert get(f"{WEB_URL}/redalert/incidents", cookie)[0] == 200
    other = dm_link(testbot, slack, ALICE)
    assert say(testbot, "!incident web revoke", user=CAROL, channel="C0NOTDM") == (
        "Every link to the web report made for you so far no longer works. !incident web gives you a new one."
    )  # the test backend shows `code` as plain text
    assert get(first)[0] == 403 and get(second)[0] == 403
    assert get(f"{WEB_URL}/redalert/incidents", cookie)[0] == 403  # the page opened with it too
    assert get(other)[0] == 303  # someone else's links keep working
    fresh = dm_link(testbot, slack, CAROL)
    assert get(fresh)[0] == 303
    assert say(testbot, "!incident web revoke all", user=CAROL) == "Usage: !incident web revoke"


def test_a_period_outside_1970_to_2100_gets_a_400_page_that_says_so(testbot, slack):
    with_history(testbot)
    wait_until_serving()
    _, headers, _ = get(dm_link(testbot, slack, ADMIN))
    cookie = headers["Set-Cookie"].split(";")[0]
    for page in ("metrics", "incidents"):
        status, _, body = get(f"{WEB_URL}/redalert/{page}?period=9999-12-31..9999-12-31", cookie)
        assert status == 400, page
        assert "outside 1970–2100: use dates from 1970-01-01 to 2100-12-31." in body
