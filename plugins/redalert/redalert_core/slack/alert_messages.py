"""What an incident channel is told about alerts: one message per alert, and the group's status changes.

Label and annotation values are user text (whoever writes the alerting rules): escaped, so they never ping,
never format and never link. The only link is the alert's `generatorURL`, the field meant to be one.
"""

from __future__ import annotations

from typing import Any

from ..domain import text as texts
from ..domain.alerts import FIRING, Alert

MAX_LABELS_SHOWN = 20
MAX_VALUE = 200
MAX_SUMMARY = 1000
SOURCE_NAMES = {"alertmanager": "Alertmanager", "grafana": "Grafana"}


def detail(alert: Alert, source: str) -> dict[str, Any]:
    """What is kept of an alert to tell the channel later (store/alert_groups.py keeps it as JSON)."""
    summary = alert.annotations.get("summary") or alert.annotations.get("description") or ""
    return {
        "source": source,
        "name": alert.name,
        "status": alert.status,
        "labels": dict(list(alert.labels.items())[:MAX_LABELS_SHOWN]),
        "summary": texts.clip(summary, MAX_SUMMARY),
        "url": alert.generator_url,
    }


def alert_text(kept: dict[str, Any]) -> str:
    """One alert, e.g. `:rotating_light: Firing: HighLatency (Alertmanager)` with its labels, summary and a link."""
    icon, state = (":rotating_light:", "Firing") if kept.get("status") == FIRING else (":white_check_mark:", "Resolved")
    source = SOURCE_NAMES.get(str(kept.get("source")), "alerts")
    lines = [f"{icon} *{state}: {texts.escape(texts.clip(str(kept.get('name', 'alert')), MAX_VALUE))}* ({source})"]
    labels = kept.get("labels") or {}
    if labels:
        shown = ", ".join(
            f"{texts.escape(texts.clip(str(k), 60))}={texts.escape(texts.clip(str(v), MAX_VALUE))}"
            for k, v in labels.items()
        )
        lines.append(f"Labels: {shown}")
    if kept.get("summary"):
        lines.append(texts.escape(str(kept["summary"])))
    url = link_target(kept.get("url"))
    if url:
        lines.append(f"<{url}|Open in {source}>")
    return "\n".join(lines)


def link_target(url: Any) -> str | None:
    """The URL as a Slack link target: http(s) only, and nothing that could end the link or start markup."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    for char, code in (("%", "%25"), ("<", "%3C"), (">", "%3E"), ("|", "%7C"), (" ", "%20"), ("\n", "%0A")):
        if char != "%":
            url = url.replace(char, code)
    return texts.clip(url, 2000)


def status_text(number: int, source: str, status: str, *, resolved: bool) -> str:
    name = SOURCE_NAMES.get(source, "alerts")
    if resolved:
        return (
            f"Every alert of incident {number} is resolved ({name}): its status is now *{status}*. "
            f"A person still closes it: `!incident close [resolution]`."
        )
    return f"An alert of incident {number} is firing again ({name}): its status is back to *{status}*."
