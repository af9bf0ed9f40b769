"""The web report in the real `errbot -c config.py` process: REDALERT_WEB_PORT turns on Errbot's Webserver plugin."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from bot_process import BotProcess
from chat import channel_id, say
from ports import free_port
from slack_workspace import ADMIN, ALICE, BOB, running_workspace

from slack_emulator import SlackEmulator

pytestmark = pytest.mark.e2e
SECRET = "e2e-web-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with running_workspace() as emu:
        yield emu


@pytest.fixture(scope="module")
def web_bot(slack, tmp_path_factory) -> Iterator[BotProcess]:
    port = free_port()
    env = {
        "REDALERT_WEB_PORT": str(port),
        "REDALERT_WEB_HOST": "127.0.0.1",
        "REDALERT_WEB_SECRET": SECRET,
        "REDALERT_WEB_URL": f"http://127.0.0.1:{port}",
        "REDALERT_LOG_LEVEL": "DEBUG",  # every library's debug lines too: a link's token must not be in any
    }
    process = BotProcess(slack.api_url, tmp_path_factory.mktemp("data"), **env).start()
    try:
        process.wait_for_log("Web report on port")
        process.web_url = f"http://127.0.0.1:{port}"
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def web(web_bot) -> str:
    return web_bot.web_url


def get(url: str, cookie: str | None = None, *, data: bytes | None = None) -> tuple[int, dict, str]:
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {}, data=data)
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
        except urllib.error.URLError:  # the server thread is still binding its port
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_signed_link_opens_the_report_and_private_incidents_stay_private(web, slack):
    ops = channel_id(slack, "ops")
    assert "is open in" in say(slack, ALICE, ops, "!incident open sev2 Search is slow")
    assert "is open in" in say(slack, ALICE, ops, "!incident open --private sev1 Secret breach")
    assert get(f"{web}/redalert/incidents")[0] == 403

    def link_for(user: str) -> str:
        dm = slack.open_dm(user)
        assert say(slack, user, ops, "!incident web") == "I sent you a personal link to the web report in a DM."
        text = slack.messages(dm)[-1]["text"]
        match = re.search(r"(http://127\.0\.0\.1:\d+/redalert/incidents\?token=[\w.]+)", text)
        assert match, text
        return match.group(1)

    for user, sees_private in ((ALICE, True), (BOB, False), (ADMIN, True)):
        status, headers, _ = get(link_for(user))
        assert status == 303, user
        cookie = headers["Set-Cookie"].split(";")[0]
        status, _, body = get(f"{web}/redalert/incidents?period=7d", cookie)
        assert status == 200 and "Search is slow" in body
        assert ("Secret breach" in body) is sees_private, user
        assert get(f"{web}/redalert/metrics", cookie)[0] == 200


def link_for(slack, user: str) -> str:
    ops = channel_id(slack, "ops")
    dm = slack.open_dm(user)
    assert say(slack, user, ops, "!incident web") == "I sent you a personal link to the web report in a DM."
    match = re.search(r"(http://127\.0\.0\.1:\d+/redalert/incidents\?token=[\w.]+)", slack.messages(dm)[-1]["text"])
    assert match
    return match.group(1)


SECURITY = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def assert_secured(headers: dict, what: str) -> None:
    for name, value in SECURITY.items():
        assert headers.get(name) == value, (what, name, headers)
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), (what, headers)


def test_the_port_serves_the_report_only_and_every_answer_is_secured(web, slack):
    payload = b"<script>alert(document.cookie)</script>"
    status, headers, body = get(f"{web}/echo", data=payload)  # Errbot's echo webhook (POST)
    assert status == 404 and "<script>" not in body
    assert_secured(headers, "POST /echo")
    for path in ("/echo", "/", "/slack/events", "/%65cho", "//echo", "/redalert"):
        status, headers, body = get(web + path)
        assert status == 404 and "<script>" not in body, path
        assert_secured(headers, path)

    status, headers, _ = get(f"{web}/redalert/incidents")
    assert status == 403
    assert_secured(headers, "403")
    status, headers, _ = get(link_for(slack, ALICE))
    assert status == 303
    assert_secured(headers, "303")
    cookie = headers["Set-Cookie"].split(";")[0]
    for path, expected in (
        ("/redalert/incidents", 200),
        ("/redalert/metrics", 200),
        ("/redalert/nothing-here", 404),
        ("/redalert/incidents/999999", 404),
        ("/redalert/metrics?period=9999-12-31..9999-12-31", 400),
    ):
        status, headers, _ = get(web + path, cookie)
        assert status == expected, path
        assert_secured(headers, path)
    status, headers, _ = get(f"{web}/redalert/incidents", cookie, data=b"x=1")
    assert status == 405
    assert_secured(headers, "405")


def test_a_personal_links_token_is_never_logged(web_bot, web, slack):
    link = link_for(slack, BOB)
    status, headers, _ = get(link)  # werkzeug logs the request line of every request
    assert status == 303
    get(f"{web}/redalert/incidents", headers["Set-Cookie"].split(";")[0])
    web_bot.wait_for_log("GET /redalert/incidents?token=*** HTTP/1.1")  # werkzeug's access line
    token = link.split("token=")[1]
    assert token.split(".")[2] not in web_bot.log  # the signature, in any line of any logger
