"""The public status page in a real browser (Debian Chromium via Playwright): what people read, the links between
pages, WCAG AA contrast of every text as rendered, no scripts. The screenshot goes to test-artifacts/."""

from __future__ import annotations

import socket

from browser import save_screenshot
from plugin_support import extra_config as base_config
from plugin_support import extra_plugin_dir, loglevel, say  # noqa: F401
from response_support import channel_of


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()
URL = f"http://127.0.0.1:{PORT}"
extra_config = {**base_config, "REDALERT_STATUS_PORT": str(PORT)}
COMPONENTS = (
    "[{'name': 'API', 'description': 'REST and GraphQL endpoints', 'group': 'Platform'}, "
    "{'name': 'Dashboard', 'description': 'The web app'}, {'name': 'Webhooks', 'group': 'Platform'}]"
)
# Every text element's colour against the background it is drawn on (the nearest ancestor with one), WCAG 2.x.
CONTRASTS = """() => {
  const rgb = s => s.match(/[0-9.]+/g).slice(0, 4).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126*r + 0.7152*g + 0.0722*b; };
  const bg = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
    out.push([el.textContent.trim().slice(0, 40), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
  }
  return out;
}"""


def test_the_status_page_in_a_browser(testbot, slack, browser_page):
    page = browser_page
    say(testbot, f"!plugin config RedAlert {{'STATUS_COMPONENTS': {COMPONENTS}, 'STATUS_PAGE_NAME': 'Acme status'}}")
    say(testbot, "!incident open sev1 primary db lost quorum in eu-west")
    say(testbot, "!incident open sev2 cache evictions after deploy 7781")
    say(testbot, '!incident publish 1 API=major_outage Dashboard=degraded_performance title="Elevated API errors" '
                 "Some API requests fail; we are investigating.")  # fmt: skip
    say(testbot, "!incident status 1 identified")
    say(testbot, "!incident publish 1 We found the cause and are rolling out a fix.")
    say(testbot, "!incident publish 2 Webhooks=partial_outage Webhook deliveries are delayed.")
    say(testbot, "!incident status 2 resolved")
    say(testbot, "!incident publish 2 Deliveries have caught up.")
    assert channel_of(testbot, 1)

    page.goto(URL + "/")
    assert page.locator("h1").inner_text() == "Acme status"
    assert page.locator(".banner").inner_text() == "Major System Outage"
    components = page.locator("ul.components li").all_inner_texts()
    assert "Major outage" in components[0] and "Degraded performance" in components[1]
    assert "Operational" in components[2]  # its incident is resolved
    main = page.locator("main").inner_text()
    assert "Elevated API errors" in main and "We found the cause" in main and "Partial outage: Webhooks" in main
    for internal in ("primary db", "eu-west", "cache evictions", "7781"):
        assert internal not in main
    assert page.locator("script").count() == 0
    low = [(text, round(ratio, 2)) for text, ratio in page.evaluate(CONTRASTS) if ratio < 4.5]
    assert low == [], f"below WCAG AA 4.5:1: {low}"
    save_screenshot(page, "status-page")

    page.get_by_role("link", name="Elevated API errors").click()
    assert page.url == URL + "/incidents/1"
    assert [u.split(" – ")[0] for u in page.locator("ol.updates li").all_inner_texts()] == [
        "Identified",
        "Investigating",
    ]
    page.get_by_role("link", name="← Acme status").click()
    assert page.url == URL + "/"
    page.goto(URL + "/incidents/99")
    assert page.locator("h1").inner_text() == "Not found"
