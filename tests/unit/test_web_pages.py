"""The web report's HTML: user text is escaped everywhere, filters keep their values, big periods are capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redalert_core.domain.metrics import IncidentFacts
from redalert_core.web import pages
from redalert_core.web.html import forbidden_page

OPENED = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
HOSTILE = '<img src=x onerror=alert(1)> "quoted" & <b>bold</b>'


def row(number: int, **fields) -> IncidentFacts:
    base = {"status": "investigating", "description": f"incident {number}", "opened_by": "U0BOB", "commander": "U0BOB"}
    base.update(fields)
    return IncidentFacts(number, "sev2", OPENED + timedelta(minutes=number), None, None, None, **base)


def render(rows: list[IncidentFacts], **filters) -> str:
    return pages.incidents_page(
        rows,
        pages.Filters(**filters),
        user="U0<script>",
        severities=["sev1", "sev2"],
        statuses=["investigating", "resolved"],
        period_text="2026-02-02 to 2026-02-15",
    )


def test_user_text_never_becomes_markup():
    html = render([row(1, description=HOSTILE, commander=HOSTILE, private=True)])
    assert "<img" not in html and "<b>bold" not in html and "U0<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert 'class="private"' in html


def test_sort_links_keep_the_filters_and_flip_the_direction():
    html = render([row(1), row(2)], period="90d", severity="sev2", status="open", sort="ttr", descending=True)
    assert 'href="/redalert/incidents?period=90d&amp;severity=sev2&amp;status=open&amp;sort=ttr&amp;dir=asc"' in html
    assert '<option value="90d" selected>' in html and '<option value="open" selected>' in html


def test_a_date_range_stays_selected_and_big_periods_are_capped():
    rows = [row(n) for n in range(pages.MAX_ROWS + 3)]
    html = render(rows, period="2026-02-02..2026-02-15")
    assert '<option value="2026-02-02..2026-02-15" selected>2026-02-02 to 2026-02-15</option>' in html
    assert html.count("<tr>") == pages.MAX_ROWS + 1  # the header row and the capped rows
    assert f"{pages.MAX_ROWS + 3} incident(s)" in html and "!incident export" in html


def test_forbidden_page_explains_how_to_get_a_link():
    assert "!incident web" in forbidden_page()
