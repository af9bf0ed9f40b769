"""The real-browser harness works end to end: headless Chromium opens a local page, follows a link, screenshots it."""

from __future__ import annotations

import struct

import browser
import pytest
from browser import VIEWPORT, is_loopback_url, save_screenshot, serve_directory

INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harness start</title></head>
<body><h1>Start</h1><p><a id="next" href="next.html">Incident 12 report</a></p></body></html>
"""
NEXT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Incident 12</title>
<style>body { font-family: sans-serif; background: #fff4f4; } h1 { color: #b00020; }</style></head>
<body><h1 id="title">Incident 12: checkout is down</h1><p>Opened by @alice, SEV1.</p></body></html>
"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def test_a_page_is_opened_a_link_followed_and_a_screenshot_saved(browser_page, tmp_path):
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "next.html").write_text(NEXT)
    with serve_directory(tmp_path) as site:
        browser_page.goto(site.url("index.html"))
        assert browser_page.title() == "Harness start"
        browser_page.get_by_role("link", name="Incident 12 report").click()
        browser_page.wait_for_url(site.url("next.html"))
        assert browser_page.locator("#title").inner_text() == "Incident 12: checkout is down"
        assert browser_page.title() == "Incident 12"
        paths = [p for p in site.requests if p != "/favicon.ico"]
    assert paths == ["/index.html", "/next.html"], "the click must have loaded the second page from the server"

    screenshot = save_screenshot(browser_page, "browser-harness-incident-12")
    assert screenshot.parent.name == "test-artifacts"
    width, height = png_size(screenshot.read_bytes())
    assert width == VIEWPORT["width"]
    assert height >= VIEWPORT["height"]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/report.html", True),
        ("http://127.5.0.9/x.css", True),
        ("http://localhost:9000/", True),
        ("http://[::1]:8080/app.js", True),
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("https://fonts.example.com/font.woff2", False),
        ("http://10.0.0.5/internal", False),
        ("http://192.168.1.1/", False),
        ("http://localhost.example.net/", False),
    ],
)
def test_only_loopback_addresses_may_be_loaded(url, allowed):
    assert is_loopback_url(url) is allowed


def test_a_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "DEFAULT_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("REDALERT_CHROMIUM", "")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.chromium_executable() is None
    monkeypatch.delenv("REDALERT_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"ensure_chromium\.sh"):
        browser.chromium_or_skip()
    monkeypatch.setenv("REDALERT_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="REDALERT_REQUIRE_BROWSER=1"):
        browser.chromium_or_skip()


def test_redalert_chromium_points_at_another_binary(monkeypatch, tmp_path):
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("REDALERT_CHROMIUM", str(fake))
    assert browser.chromium_executable() == str(fake)
