"""The web report in a real browser (Debian Chromium via Playwright): every page from a signed link, links, filters,
sorting, the figures compared with `!incident stats`, 403 without a link, privacy. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import analysis_history as history
from analysis_support import with_history
from browser import save_screenshot
from plugin_support import extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ADMIN, CAROL
from web_support import WEB_URL, link_in, wait_until_serving, web_config

extra_config = web_config


def open_report(testbot, slack, page, user: str) -> None:
    dm = slack.open_dm(user)
    say(testbot, "!incident web", user=user, channel="C0OPS")
    page.goto(link_in(slack.messages(dm)[-1]["text"]))


def test_each_page_in_a_browser_with_figures_matching_stats(testbot, slack, browser_page):
    page = browser_page
    with_history(testbot)
    wait_until_serving()
    page.goto(f"{WEB_URL}/redalert/incidents")
    assert "403" in page.locator("h1").inner_text()
    save_screenshot(page, "web-report-403")

    open_report(testbot, slack, page, ADMIN)
    assert page.url == f"{WEB_URL}/redalert/incidents"  # the token moved into a cookie
    page.select_option("select[name=period]", "all")
    page.select_option("select[name=severity]", "sev1")
    page.click("button[type=submit]")
    numbers = page.locator("tbody tr td:first-child").all_inner_texts()
    assert numbers == ["4", "2", "1"]  # sev1, newest first
    page.get_by_role("link", name="TTR").click()  # sort by time to resolve, longest first: 1 was never resolved
    assert page.locator("tbody tr td:first-child").all_inner_texts() == ["1", "4", "2"]
    page.get_by_role("link", name="TTR").click()
    assert page.locator("tbody tr td:first-child").all_inner_texts()[0] == "2"
    page.select_option("select[name=severity]", "")
    page.select_option("select[name=status]", "open")
    page.click("button[type=submit]")
    assert "secret breach" in page.locator("tbody").inner_text()  # the admin sees the private incident
    page.select_option("select[name=status]", "")
    page.click("button[type=submit]")
    save_screenshot(page, "web-report-incidents")

    page.get_by_role("link", name="search slow <script>alert(1)</script>").click()
    assert page.locator("h1").inner_text() == "Incident 3: search slow <script>alert(1)</script>"
    text = page.locator("main").inner_text()
    for expected in ("TTA 5m", "TTR 1h 30m", "Timeline", "Status resolved → monitoring", "T2", "tune the index"):
        assert expected in text, expected
    draft = page.locator("pre.postmortem").inner_text()
    assert draft.startswith("# Post-mortem: incident 3: search slow <script>alert(1)</script>")
    save_screenshot(page, "web-report-incident")

    page.goto(f"{WEB_URL}/redalert/incidents/2")
    page.get_by_role("link", name=re.compile("P1 flaky database")).click()
    assert page.url.endswith("/redalert/problems#P1")
    row = page.locator("tbody tr").first.inner_text()
    assert "flaky database" in row and "1 open, 0 done" in row
    save_screenshot(page, "web-report-problems")

    page.get_by_role("link", name="Metrics").click()
    page.select_option("select[name=period]", "all")
    page.click("button[type=submit]")
    assert page.locator(".chart svg").count() == 1
    page.goto(f"{WEB_URL}/redalert/metrics?period={history.PERIOD}")
    durations = page.locator("table").nth(1).inner_text()
    # The same figures as `!incident stats` for the same person (the admin, in a DM).
    stats = say(testbot, f"!incident stats {history.PERIOD}", channel=slack.open_dm(ADMIN))
    ttr = re.search(r"Time to resolve: median (.+?), p90 (.+?), mean (.+?) \(", stats).groups()
    tta = re.search(r"Time to acknowledge: median (.+?), p90 (.+?), mean (.+?) \(", stats).groups()
    assert "Time to resolve\t" + "\t".join(ttr) in durations
    assert "Time to acknowledge\t" + "\t".join(tta) in durations
    counts = page.locator("table").nth(0).inner_text()
    assert "Incidents\t6" in counts and "Open at the end of the period\t2" in counts
    assert re.search(r"Incidents in .*: 6 \(", stats)
    save_screenshot(page, "web-report-metrics")

    page.goto(f"{WEB_URL}/redalert/metrics?period={history.EMPTY_PERIOD}")
    assert page.locator("#no-incidents").is_visible() and page.locator(".chart").count() == 0


def test_a_non_member_does_not_see_the_private_incident_in_the_browser(testbot, slack, browser_page):
    page = browser_page
    with_history(testbot)
    wait_until_serving()
    open_report(testbot, slack, page, CAROL)
    page.select_option("select[name=period]", "all")
    page.click("button[type=submit]")
    body = page.locator("main").inner_text()
    assert "emails delayed" in body and "secret breach" not in body
    page.goto(f"{WEB_URL}/redalert/incidents/6")
    assert page.locator("h1").inner_text() == "Not found"
    page.goto(f"{WEB_URL}/redalert/metrics?period={history.PERIOD}")
    assert "Incidents\t5" in page.locator("table").nth(0).inner_text()
