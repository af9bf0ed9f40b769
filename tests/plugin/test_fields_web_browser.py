"""The web report filtered by custom fields (issue 22), in a real browser (Debian Chromium via Playwright): the
filter controls on the incidents and metrics pages, `?field.<name>=<value>` in the address, sorting that keeps the
filter, the type and fields on an incident's page, and a clear 400 for an unknown field or option."""

from __future__ import annotations

from browser import save_screenshot
from plugin_support import extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ALICE
from web_support import WEB_URL, link_in, wait_until_serving, web_config

extra_config = web_config

WORKFLOWS = """
types:
  - name: outage
  - name: security
fields:
  - name: team
    kind: select
    options: [payments, search, identity]
  - name: regions
    kind: multi_select
    options: [eu, us, apac]
  - name: impact
    kind: text
"""


def open_incidents(testbot, dm: str) -> None:
    for command in (
        "!incident open sev1 Checkout down team=payments regions=eu,us",
        "!incident open sev2 Search slow team=search regions=us",
        '!incident open security sev2 Card fees wrong team=payments impact="fees off"',
        "!incident open sev3 Login page flaky",
    ):
        assert "Incident" in say(testbot, command, user=ALICE, channel=dm)


def numbers(page) -> list[str]:
    return page.locator("tbody tr td:first-child").all_inner_texts()


def test_the_filter_controls_show_only_matching_incidents(testbot, slack, browser_page) -> None:
    page = browser_page
    dm = slack.open_dm(ALICE)
    open_incidents(testbot, dm)
    wait_until_serving()
    say(testbot, "!incident web", user=ALICE, channel="C0OPS")  # the link comes in the DM
    page.goto(link_in(slack.messages(dm)[-1]["text"]))
    assert numbers(page) == ["4", "3", "2", "1"]

    page.select_option("select[name='field.team']", "payments")
    page.click("button[type=submit]")
    assert numbers(page) == ["3", "1"]
    assert "field.team=payments" in page.url
    assert "2 incident(s) opened in" in page.locator("main").inner_text()
    assert "team=payments" in page.locator("main p").first.inner_text()
    save_screenshot(page, "web-report-field-filter")

    page.get_by_role("link", name="#").click()  # sorting keeps the filter
    assert numbers(page) == ["1", "3"]
    assert page.locator("select[name='field.team']").input_value() == "payments"

    page.select_option("select[name='field.team']", "")  # any team, regions containing us
    page.select_option("select[name='field.regions']", "us")
    page.click("button[type=submit]")
    assert sorted(numbers(page)) == ["1", "2"]
    page.fill("input[name='field.impact']", "fees off")
    page.select_option("select[name='field.regions']", "")
    page.click("button[type=submit]")
    assert numbers(page) == ["3"]

    page.get_by_role("link", name="Card fees wrong").click()
    facts = page.locator("dl.facts").inner_text()
    assert "Type\nsecurity" in facts and "team\npayments" in facts and "impact\nfees off" in facts

    page.get_by_role("link", name="Metrics").click()
    page.select_option("select[name='field.team']", "payments")
    page.click("button[type=submit]")
    counts = page.locator("table").nth(0).inner_text()
    assert "Incidents\t2" in counts and "Severity sev1\t1" in counts and "Severity sev2\t1" in counts
    assert "team=payments" in page.locator("main p").first.inner_text()
    save_screenshot(page, "web-report-metrics-field-filter")

    page.goto(f"{WEB_URL}/redalert/incidents?field.colour=red")
    assert page.locator("h1").inner_text() == "Bad request"
    assert page.locator("main p").inner_text() == '"colour" is not a field. Fields: team, regions, impact.'
    page.goto(f"{WEB_URL}/redalert/metrics?field.team=billing")
    assert page.locator("main p").inner_text() == "team is one of payments, search, identity."
