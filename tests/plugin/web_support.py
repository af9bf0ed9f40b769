"""Running the plugin with Errbot's Webserver on 127.0.0.1 (a free port) for the web report's tests."""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request

from plugin_support import extra_config as base_config
from ports import free_port

WEB_SECRET = "test-web-secret-0123456789"


WEB_PORT = free_port()
WEB_URL = f"http://127.0.0.1:{WEB_PORT}"
web_config = {
    **base_config,
    "CORE_PLUGINS": (*base_config["CORE_PLUGINS"], "Webserver"),
    "REDALERT_WEB_PORT": str(WEB_PORT),
    "REDALERT_WEB_HOST": "127.0.0.1",
    "REDALERT_WEB_SECRET": WEB_SECRET,
    "REDALERT_WEB_URL": WEB_URL,
}

_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/redalert/incidents\?token=[A-Za-z0-9.]+)")


def link_in(text: str) -> str:
    match = _LINK.search(text)
    assert match, f"no report link in {text!r}"
    return match.group(1)


def wait_until_serving(timeout: float = 15.0) -> None:
    """The Webserver plugin starts its server in a thread: wait until the port answers (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", WEB_PORT), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def get(url: str, cookie: str | None = None) -> tuple[int, dict, str]:
    """A plain GET that does not follow redirects: (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
