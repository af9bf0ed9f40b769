"""Drawing for the web report never holds up chat: its own lane, and at most two years of weeks per request."""

from __future__ import annotations

import threading

from analysis_support import with_history
from matplotlib.figure import Figure
from plugin_support import eventually, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ADMIN
from web_support import WEB_URL, get, link_in, wait_until_serving, web_config

extra_config = web_config


def report_cookie(testbot, slack) -> str:
    say(testbot, "!incident web", user=ADMIN, channel="C0NOTDM")
    _, headers, _ = get(link_in(slack.messages(slack.open_dm(ADMIN))[-1]["text"]))
    return headers["Set-Cookie"].split(";")[0]


def test_chat_stats_draw_while_a_web_chart_is_being_drawn(testbot, slack, monkeypatch):
    with_history(testbot)
    wait_until_serving()
    cookie = report_cookie(testbot, slack)
    web_drawing, finish_web = threading.Event(), threading.Event()
    savefig = Figure.savefig

    def held_in_web_requests(figure, *args, **kwargs):
        if "process_request_thread" in threading.current_thread().name:  # werkzeug's thread for one request
            web_drawing.set()
            assert finish_web.wait(30), "the test never let the web drawing finish"
        return savefig(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", held_in_web_requests)
    page: list = []
    request = threading.Thread(target=lambda: page.append(get(f"{WEB_URL}/redalert/metrics?period=all", cookie)))
    request.start()
    try:
        assert web_drawing.wait(30), "the web report never started drawing"
        dm = slack.open_dm(ADMIN)
        assert say(testbot, "!incident stats all", channel=dm).startswith("Incidents in all")
        eventually(lambda: len(slack.files(dm)) == 1, timeout=20)  # the chat chart, while the web one is held
    finally:
        finish_web.set()
        request.join(30)
    status, _, body = page[0]
    assert status == 200 and "<svg" in body


def test_a_web_request_draws_at_most_two_years_of_weeks(testbot, slack):
    with_history(testbot)
    wait_until_serving()
    cookie = report_cookie(testbot, slack)
    status, _, body = get(f"{WEB_URL}/redalert/metrics?period=2017-01-01..2026-12-31", cookie)
    assert status == 200 and "<svg" not in body
    assert "The chart shows at most 106 weeks; choose a shorter period to see it." in body
    assert "<h2>Counts</h2>" in body  # the figures are still there
