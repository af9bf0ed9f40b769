"""Real-browser tests: headless Debian Chromium driven by Playwright, and a static site served on 127.0.0.1.

Registered as a pytest plugin in tests/conftest.py, so any test can ask for `browser_page` (a Playwright `Page` in a
fresh headless Chromium with its own empty profile). Playwright's own browser downloads are never used: the browser is
Debian's `chromium` (tests/tools/ensure_chromium.sh installs it; REDALERT_CHROMIUM points elsewhere). Without it the
test is skipped, or fails when REDALERT_REQUIRE_BROWSER=1 (CI).

    def test_report(browser_page, tmp_path):
        with serve_directory(tmp_path) as site:
            browser_page.goto(site.url("index.html"))
            browser_page.get_by_role("link", name="Incident 12").click()
            save_screenshot(browser_page, "report-incident-12")   # -> test-artifacts/report-incident-12.png

The page may only reach loopback addresses: any other request is refused before it leaves the browser and fails the
test, so a page that pulls a font or script from the internet is caught here.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

ROOT = Path(__file__).resolve().parents[1]
# Screenshots for people to look at; git ignores the folder.
ARTIFACTS = ROOT / "test-artifacts"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet: without the background-networking flags Chromium keeps calling Google's hosts, which a closed
# network refuses (slowly). --user-data-dir is given by Playwright's persistent context, fresh for every test.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Every wait in a browser test is for an event (navigation, selector); this only bounds a test that would hang.
ACTION_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1280, "height": 800}


def chromium_executable() -> str | None:
    """The Chromium binary to drive: REDALERT_CHROMIUM, else Debian's, else whatever `chromium` is on PATH."""
    configured = os.environ.get("REDALERT_CHROMIUM", "").strip()
    for candidate in (configured, DEFAULT_CHROMIUM, shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def chromium_or_skip() -> str:
    executable = chromium_executable()
    if executable is None:
        reason = "no Chromium (run tests/tools/ensure_chromium.sh, or set REDALERT_CHROMIUM)"
        if os.environ.get("REDALERT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (REDALERT_REQUIRE_BROWSER=1, so this is an error)", pytrace=False)
        pytest.skip(reason)
    return executable


def is_loopback_url(url: str) -> bool:
    """True for URLs a test page may load: loopback hosts, and data:/blob:/about: URLs that need no network."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def launched_page(executable: str, user_data_dir: Path) -> Iterator[tuple[Page, list[str]]]:
    """A page in a new headless Chromium, and the list of non-loopback URLs it tried (and was refused)."""
    from playwright.sync_api import sync_playwright  # imported here: collecting other tests must not need it

    refused: list[str] = []

    def guard(route: Route) -> None:
        if is_loopback_url(route.request.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport=VIEWPORT,
        )
        try:
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            context.route("**/*", guard)
            page = context.pages[0] if context.pages else context.new_page()
            yield page, refused
        finally:
            context.close()


@pytest.fixture
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """A Playwright Page in a fresh headless Chromium (own empty profile), closed after the test."""
    executable = chromium_or_skip()
    with launched_page(executable, tmp_path_factory.mktemp("chromium-profile")) as (page, refused):
        yield page
    assert refused == [], f"the page tried to reach addresses other than loopback: {refused}"


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as test-artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@dataclass
class StaticSite:
    """A folder served over HTTP on 127.0.0.1; `requests` lists the paths asked for, in order."""

    base_url: str
    requests: list[str] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


@contextmanager
def serve_directory(root: Path) -> Iterator[StaticSite]:
    """Serve `root` on 127.0.0.1 (a free port) from a background thread until the block ends."""
    site = StaticSite(base_url="")
    lock = threading.Lock()

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                site.requests.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
