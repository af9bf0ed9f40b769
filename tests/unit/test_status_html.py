"""The status page's HTML and Atom: hostile published text stays text, the feed is valid RFC 4287, colours pass AA."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from redalert_core.domain import status_page as sp
from redalert_core.web import status_html

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script> & "quotes" <img src=x onerror=alert(2)>'
ATOM = "{http://www.w3.org/2005/Atom}"


def view() -> status_html.PageView:
    update = sp.PublicUpdate(id=7, status="identified", body=HOSTILE, at=T0 + timedelta(minutes=5))
    first = sp.PublicUpdate(id=3, status="investigating", body="Looking.", at=T0)
    entry = sp.PublicEntry(
        number=12, title=HOSTILE, status="identified", components={"api": "major_outage"}, published_at=T0,
        updated_at=T0 + timedelta(minutes=5), updates=[update, first],
    )  # fmt: skip
    return status_html.PageView(
        "Acme <status>", T0 + timedelta(hours=1), [(sp.Component("api", HOSTILE), "major_outage")], [entry]
    )


def test_published_text_is_escaped_everywhere():
    for page in (status_html.index(view()), status_html.incident(view(), view().entries[0])):
        assert "<script>" not in page and "<img" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
        assert "Acme &lt;status&gt;" in page


def test_the_feed_is_valid_atom_with_stable_ids():
    root = ET.fromstring(status_html.feed(view(), "https://status.example.com"))
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://status.example.com/feed.atom"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [
        "tag:status.example.com,2026:incident-12-update-7",
        "tag:status.example.com,2026:incident-12-update-3",
    ]
    assert entries[0].find(f"{ATOM}content").text == HOSTILE  # text, escaped by the XML writer
    assert entries[0].find(f"{ATOM}updated").text == "2026-03-02T09:35:00Z"
    assert root.find(f"{ATOM}updated").text == "2026-03-02T09:35:00Z"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_state_colours_meet_wcag_aa_on_white_and_on_the_page_background():
    for background in (status_html.CARD, status_html.BACKGROUND):
        for colour in (*status_html.STATE_COLOURS.values(), status_html.TEXT, status_html.MUTED):
            light, dark = sorted((_luminance(colour), _luminance(background)), reverse=True)
            assert (light + 0.05) / (dark + 0.05) >= 4.5, (colour, background)
