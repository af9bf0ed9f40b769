"""The public status page's HTML and Atom feed: no JavaScript, WCAG AA colours, only published text.

Everything shown comes from the public entries (domain/status_page.py); every text is escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from ..domain import status_page as sp
from .html import e

# Text colours of each state on white, each at least 4.5:1 (WCAG AA for normal text); tests/unit check the ratios.
STATE_COLOURS = {
    "operational": "#1b5e20",
    "under_maintenance": "#0d47a1",
    "degraded_performance": "#7a4a00",
    "partial_outage": "#a33b00",
    "major_outage": "#b71c1c",
}
TEXT, MUTED, BACKGROUND, CARD = "#1d1c1d", "#4f4f4f", "#f6f6f6", "#ffffff"
STYLE = f"""
:root {{ color-scheme: light; }}
body {{ font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: {TEXT};
  background: {BACKGROUND}; }}
main {{ max-width: 860px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }}
h1 {{ font-size: 1.6rem; margin: 1rem 0; }}
h2 {{ font-size: 1.15rem; margin: 2rem 0 0.6rem; }}
h3 {{ font-size: 1.05rem; margin: 0.2rem 0; }}
a {{ color: #0b4f9c; }}
.banner {{ background: {CARD}; border: 2px solid currentColor; border-radius: 6px; padding: 0.8rem 1rem;
  font-weight: 600; font-size: 1.1rem; }}
ul.components, ul.incidents, ol.updates {{ list-style: none; margin: 0; padding: 0; background: {CARD};
  border: 1px solid #d0d0d0; border-radius: 6px; }}
ul.components li, ul.incidents > li {{ padding: 0.6rem 1rem; border-bottom: 1px solid #e2e2e2; }}
ul.components li {{ display: flex; justify-content: space-between; gap: 1rem; }}
.group {{ color: {MUTED}; font-size: 0.85rem; }}
.state {{ font-weight: 600; white-space: nowrap; }}
ol.updates {{ margin-top: 0.5rem; }}
ol.updates li {{ padding: 0.5rem 1rem; border-bottom: 1px solid #e2e2e2; }}
.meta, .desc {{ color: {MUTED}; font-size: 0.9rem; }}
.empty {{ background: {CARD}; padding: 0.8rem 1rem; border: 1px solid #d0d0d0; border-radius: 6px; }}
footer {{ margin-top: 2rem; color: {MUTED}; font-size: 0.85rem; }}
"""


@dataclass(frozen=True)
class PageView:
    """What the page shows, already filtered: only public entries of the last 90 days."""

    name: str
    now: datetime
    components: list[tuple[sp.Component, str]]  # with their state
    entries: list[sp.PublicEntry]  # newest first

    @property
    def indicator(self) -> tuple[str, str]:
        return sp.indicator([state for _, state in self.components])

    @property
    def open(self) -> list[sp.PublicEntry]:
        return [entry for entry in self.entries if entry.is_open]

    @property
    def past(self) -> list[sp.PublicEntry]:
        return [entry for entry in self.entries if not entry.is_open]


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _state(state: str) -> str:
    return f'<span class="state" style="color:{STATE_COLOURS[state]}">{e(sp.STATE_WORDS[state])}</span>'


def _layout(title: str, name: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{e(title)}</title><link rel="alternate" type="application/atom+xml" href="/feed.atom" '
        f'title="{e(name)}"><style>{STYLE}</style></head>'
        f'<body><main>{body}<footer>Times in UTC. <a href="/feed.atom">Atom feed</a> · '
        '<a href="/api/v2/summary.json">summary.json</a></footer></main></body></html>\n'
    )


def _updates(entry: sp.PublicEntry, limit: int | None = None) -> str:
    items = "".join(
        f"<li><strong>{e(update.status.capitalize())}</strong> – {e(update.body)}"
        f'<div class="meta">{when(update.at)}</div></li>'
        for update in entry.updates[:limit]
    )
    return f'<ol class="updates">{items}</ol>'


def _entry_item(entry: sp.PublicEntry, full: bool = True) -> str:
    """An incident with its updates; a past one on `/` with its last update only (the rest on its own page)."""
    if entry.is_open:
        affected = ", ".join(f"{e(name)}: {_state(state)}" for name, state in entry.components.items())
        period = f"since {when(entry.published_at)}"
    else:  # its components are back to operational: name them only
        affected = ", ".join(e(name) for name in entry.components)
        period = f"{when(entry.published_at)} – {when(entry.resolved_at or entry.updated_at)}"
    affected_line = f'<div class="meta">Affected: {affected}</div>' if affected else ""
    return (
        f'<li><h3><a href="/incidents/{entry.number}">{e(entry.title)}</a></h3>'
        f'<div class="meta">{e(entry.status.capitalize())} · {period}</div>'
        f"{affected_line}{_updates(entry, None if full or entry.is_open else 1)}</li>"
    )


def index(view: PageView) -> str:
    level, description = view.indicator
    colour = STATE_COLOURS[
        {
            "none": "operational",
            "maintenance": "under_maintenance",
            "minor": "degraded_performance",
            "major": "partial_outage",
            "critical": "major_outage",
        }[level]
    ]
    rows = "".join(
        f"<li><span>{e(component.name)}"
        + (f' <span class="group">({e(component.group)})</span>' if component.group else "")
        + (f'<br><span class="desc">{e(component.description)}</span>' if component.description else "")
        + f"</span>{_state(state)}</li>"
        for component, state in view.components
    )
    components = f'<ul class="components">{rows}</ul>' if rows else '<p class="empty">No components listed.</p>'
    current = "".join(_entry_item(entry) for entry in view.open)
    past = "".join(_entry_item(entry, full=False) for entry in view.past)
    body = (
        f"<h1>{e(view.name)}</h1>"
        f'<p class="banner" style="color:{colour}">{e(description)}</p>'
        f"<h2>Components</h2>{components}"
        "<h2>Current incidents</h2>"
        + (f'<ul class="incidents">{current}</ul>' if current else '<p class="empty">No current incidents.</p>')
        + f"<h2>Past incidents (last {sp.DAYS_SHOWN} days)</h2>"
        + (f'<ul class="incidents">{past}</ul>' if past else '<p class="empty">No incidents in this period.</p>')
    )
    return _layout(view.name, view.name, body)


def incident(view: PageView, entry: sp.PublicEntry) -> str:
    body = (
        f'<p><a href="/">← {e(view.name)}</a></p><h1>{e(entry.title)}</h1>'
        f'<p class="meta">{e(entry.status.capitalize())} · published {when(entry.published_at)}'
        + (f" · resolved {when(entry.resolved_at)}" if entry.resolved_at else "")
        + "</p>"
        + f'<ul class="incidents">{_entry_item(entry)}</ul>'
    )
    return _layout(f"{entry.title} · {view.name}", view.name, body)


def not_found(view: PageView) -> str:
    return _layout(
        f"Not found · {view.name}", view.name, '<h1>Not found</h1><p><a href="/">Back to the status page</a></p>'
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def feed(view: PageView, base_url: str) -> bytes:
    """RFC 4287 Atom: one entry per public update, newest first; ids never change (tag: URIs)."""
    atom = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", atom)
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    root = ET.Element(f"{{{atom}}}feed")
    updates = [(entry, update) for entry in view.entries for update in entry.updates]
    updates.sort(key=lambda pair: (pair[1].at, pair[1].id), reverse=True)
    newest = updates[0][1].at if updates else view.now
    for tag, text in (("id", f"{base_url}/"), ("title", view.name), ("updated", _iso(newest))):
        ET.SubElement(root, f"{{{atom}}}{tag}").text = text
    ET.SubElement(ET.SubElement(root, f"{{{atom}}}author"), f"{{{atom}}}name").text = view.name
    ET.SubElement(root, f"{{{atom}}}link", rel="self", href=f"{base_url}/feed.atom")
    ET.SubElement(root, f"{{{atom}}}link", rel="alternate", href=f"{base_url}/")
    for entry, update in updates:
        item = ET.SubElement(root, f"{{{atom}}}entry")
        year = entry.published_at.year
        ET.SubElement(item, f"{{{atom}}}id").text = f"tag:{host},{year}:incident-{entry.number}-update-{update.id}"
        ET.SubElement(item, f"{{{atom}}}title").text = f"{update.status.capitalize()}: {entry.title}"
        ET.SubElement(item, f"{{{atom}}}updated").text = _iso(update.at)
        ET.SubElement(item, f"{{{atom}}}link", rel="alternate", href=f"{base_url}/incidents/{entry.number}")
        ET.SubElement(item, f"{{{atom}}}content", type="text").text = update.body
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
