"""Building blocks of the report's pages: escaping, the layout with its stylesheet, tables and links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape
from urllib.parse import urlencode

BASE = "/redalert"

STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d1c1d;
  background: #f6f6f6; }
header { background: #4a154b; color: #fff; padding: 0.6rem 1.5rem; display: flex; gap: 1.5rem; align-items: center; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header a.current { text-decoration: underline; }
header .who { margin-left: auto; font-size: 0.85rem; opacity: 0.85; }
main { padding: 1rem 1.5rem 2rem; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: 0.4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
th { background: #efefef; font-weight: 600; white-space: nowrap; }
th a { color: inherit; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
form.filters { display: flex; gap: 1rem; align-items: end; flex-wrap: wrap; margin-bottom: 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: 0.85rem; }
select, button, input { font: inherit; padding: 0.2rem 0.4rem; }
.sev { display: inline-block; padding: 0 0.4rem; border-radius: 3px; color: #fff; font-size: 0.85rem; }
.private { font-size: 0.8rem; color: #8a1c1c; border: 1px solid #8a1c1c; border-radius: 3px; padding: 0 0.3rem; }
.pending { font-size: 0.8rem; color: #7a4a00; border: 1px solid #7a4a00; border-radius: 3px; padding: 0 0.3rem; }
.slack-pending { border-left: 4px solid #7a4a00; padding-left: 0.8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; background: #fff; padding: 0.8rem;
  margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
pre.postmortem { background: #fff; padding: 1rem; white-space: pre-wrap; border: 1px solid #e2e2e2; }
.chart { background: #fff; padding: 0.5rem; border: 1px solid #e2e2e2; }
.chart svg { max-width: 100%; height: auto; }
.empty { background: #fff; padding: 1rem; border: 1px solid #e2e2e2; }
"""

CURRENT = ' class="current"'
SEVERITY_COLOURS = ("#c62828", "#ef6c00", "#b57f00", "#2e7d32", "#607d8b", "#8e24aa", "#795548")


def e(value: object) -> str:
    """Any value as HTML text: user text can never become markup."""
    return escape("" if value is None else str(value), quote=True)


def when(moment: datetime | None) -> str:
    return "–" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def href(path: str, params: Mapping[str, str | None] | None = None) -> str:
    query = urlencode({k: v for k, v in (params or {}).items() if v})
    return e(f"{BASE}{path}" + (f"?{query}" if query else ""))


def severity_badge(severity: str, severities: list[str]) -> str:
    index = severities.index(severity) if severity in severities else len(SEVERITY_COLOURS) - 1
    colour = SEVERITY_COLOURS[min(index, len(SEVERITY_COLOURS) - 1)]
    return f'<span class="sev" style="background:{colour}">{e(severity)}</span>'


def page(title: str, body: str, *, user: str, current: str) -> str:
    links = [
        ("incidents", "/incidents", "Incidents"),
        ("problems", "/problems", "Problems"),
        ("metrics", "/metrics", "Metrics"),
    ]
    nav = "".join(
        f'<a href="{href(path)}"{CURRENT if key == current else ""}>{label}</a>' for key, path, label in links
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · RedAlert</title><style>{STYLE}</style></head>"
        f'<body><header><strong>RedAlert</strong>{nav}<span class="who">Signed in as {e(user)}</span></header>'
        f"<main><h1>{e(title)}</h1>{body}</main></body></html>\n"
    )


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], *, numeric: set[int] | None = None) -> str:
    """Headers are HTML (sort links); cells are HTML too: callers escape what they put in."""
    numeric = numeric or set()
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def select(name: str, label: str, options: list[tuple[str, str]], chosen: str | None) -> str:
    items = "".join(
        f'<option value="{e(value)}"{" selected" if value == (chosen or "") else ""}>{e(text)}</option>'
        for value, text in options
    )
    return f'<label>{e(label)}<select name="{e(name)}">{items}</select></label>'


def forbidden_page() -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Forbidden · RedAlert</title>'
        f"<style>{STYLE}</style></head><body><main><h1>403: no valid link</h1>"
        "<p>This report opens from a personal link. Ask RedAlert for one with <code>!incident web</code> in Slack; "
        "a link works for 12 hours.</p></main></body></html>\n"
    )


def not_found_page(user: str, what: str) -> str:
    return page("Not found", f"<p>{e(what)}</p>", user=user, current="")


def bad_request_page(user: str, what: str) -> str:
    return page("Bad request", f"<p>{e(what)}</p>", user=user, current="")
