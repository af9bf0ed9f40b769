"""Alert intake payloads: Prometheus Alertmanager's webhook (version 4) and Grafana's webhook contact point.

Both send one alert group per request: `groupKey` names the group, `alerts[]` its alerts, each known by its
`fingerprint`. Grafana's body is Alertmanager's plus `title`, `message`, `state` and `orgId`. `parse` checks the
shape and returns an `AlertBatch`, or raises `InvalidAlerts` with one message per faulty field (the API answers 422
with them). Everything else in the payload is kept out: it is user text, shown inert where it is shown at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SOURCES = ("alertmanager", "grafana")
FIRING, RESOLVED = "firing", "resolved"
STATUSES = (FIRING, RESOLVED)
MAX_ALERTS = 1000  # Alertmanager's max_alerts caps a notification; more than this is no sane group
MAX_TEXT = 10_000  # any single label or annotation value
MAX_KEY = 2000  # groupKey: Alertmanager's is the route path plus the group labels


class InvalidAlerts(ValueError):
    """A payload that is not an alert notification: `faults` maps a field (e.g. `alerts[0].labels`) to why."""

    def __init__(self, faults: dict[str, str]) -> None:
        self.faults = faults
        super().__init__("; ".join(f"{name}: {why}" for name, why in faults.items()))


@dataclass(frozen=True)
class Alert:
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    fingerprint: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    generator_url: str | None = None

    @property
    def name(self) -> str:
        return self.labels.get("alertname") or self.labels.get("__alert_rule_title__") or "alert"

    @property
    def firing(self) -> bool:
        return self.status == FIRING


@dataclass(frozen=True)
class AlertBatch:
    """One notification: an alert group's alerts as the sender sees them now."""

    source: str
    group_key: str
    status: str
    alerts: tuple[Alert, ...]
    receiver: str = ""
    group_labels: dict[str, str] = field(default_factory=dict)
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    external_url: str | None = None
    truncated_alerts: int = 0
    # Grafana only.
    title: str | None = None
    message: str | None = None
    state: str | None = None
    org_id: int | None = None


def parse(source: str, payload: Any) -> AlertBatch:
    """The payload as an AlertBatch, or InvalidAlerts naming every faulty field."""
    if source not in SOURCES:
        raise InvalidAlerts({"source": f"must be one of {', '.join(SOURCES)}"})
    if not isinstance(payload, Mapping):
        raise InvalidAlerts({"body": "must be a JSON object (an Alertmanager or Grafana webhook notification)"})
    faults: dict[str, str] = {}
    group_key = payload.get("groupKey")
    if not isinstance(group_key, str) or not group_key.strip():
        faults["groupKey"] = "is required: the alert group's key (text)"
    elif len(group_key) > MAX_KEY:
        faults["groupKey"] = f"is longer than {MAX_KEY} characters"
    status = _status(payload.get("status"), "status", faults)
    labels = {name: _text_map(payload.get(name), name, faults) for name in ("groupLabels", "commonLabels")}
    common_annotations = _text_map(payload.get("commonAnnotations"), "commonAnnotations", faults)
    alerts = _alerts(payload.get("alerts"), faults)
    truncated = payload.get("truncatedAlerts", 0)
    if isinstance(truncated, bool) or not isinstance(truncated, int) or truncated < 0:
        faults["truncatedAlerts"] = "must be a whole number, 0 or more"
    org_id = payload.get("orgId")
    if source == "grafana" and org_id is not None and (isinstance(org_id, bool) or not isinstance(org_id, int)):
        faults["orgId"] = "must be a whole number"
    optional = {name: _optional_text(payload.get(name), name, faults) for name in _OPTIONAL_TEXT[source]}
    if faults:
        raise InvalidAlerts(faults)
    return AlertBatch(
        source=source,
        group_key=str(group_key),
        status=status,
        alerts=tuple(alerts),
        receiver=optional.get("receiver") or "",
        group_labels=labels["groupLabels"],
        common_labels=labels["commonLabels"],
        common_annotations=common_annotations,
        external_url=optional.get("externalURL"),
        truncated_alerts=int(truncated),
        title=optional.get("title"),
        message=optional.get("message"),
        state=optional.get("state"),
        org_id=org_id if source == "grafana" else None,
    )


_OPTIONAL_TEXT = {
    "alertmanager": ("receiver", "externalURL"),
    "grafana": ("receiver", "externalURL", "title", "message", "state"),
}


def _status(value: Any, name: str, faults: dict[str, str]) -> str:
    if value not in STATUSES:
        faults[name] = 'must be "firing" or "resolved"'
        return FIRING
    return str(value)


def _text_map(value: Any, name: str, faults: dict[str, str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        faults[name] = "must be an object of text values"
        return {}
    if any(len(v) > MAX_TEXT for v in value.values()):
        faults[name] = f"has a value longer than {MAX_TEXT} characters"
        return {}
    return dict(value)


def _optional_text(value: Any, name: str, faults: dict[str, str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        faults[name] = f"must be text of at most {MAX_TEXT} characters"
        return None
    return value or None


def _alerts(value: Any, faults: dict[str, str]) -> list[Alert]:
    if not isinstance(value, list) or not value:
        faults["alerts"] = "must be a non-empty list of alerts"
        return []
    if len(value) > MAX_ALERTS:
        faults["alerts"] = f"has {len(value)} alerts; at most {MAX_ALERTS} in one notification"
        return []
    return [alert for index, item in enumerate(value) if (alert := _alert(item, f"alerts[{index}]", faults))]


def _alert(item: Any, where: str, faults: dict[str, str]) -> Alert | None:
    if not isinstance(item, Mapping):
        faults[where] = "must be an object"
        return None
    known = len(faults)
    status = _status(item.get("status"), f"{where}.status", faults)
    labels = _text_map(item.get("labels"), f"{where}.labels", faults)
    if not labels and f"{where}.labels" not in faults:
        faults[f"{where}.labels"] = "must name the alert (at least one label, e.g. alertname)"
    annotations = _text_map(item.get("annotations"), f"{where}.annotations", faults)
    starts_at = _moment(item.get("startsAt"), f"{where}.startsAt", faults)
    ends_at = _moment(item.get("endsAt"), f"{where}.endsAt", faults)
    url = _optional_text(item.get("generatorURL"), f"{where}.generatorURL", faults)
    fingerprint = item.get("fingerprint")
    if fingerprint is not None and (not isinstance(fingerprint, str) or not 0 < len(fingerprint) <= 200):
        faults[f"{where}.fingerprint"] = "must be text of 1 to 200 characters"
    if len(faults) > known:
        return None
    return Alert(
        status=status,
        labels=labels,
        annotations=annotations,
        fingerprint=fingerprint or label_fingerprint(labels),
        starts_at=starts_at,
        ends_at=ends_at,
        generator_url=url if url and url.startswith(("https://", "http://")) else None,
    )


def _moment(value: Any, name: str, faults: dict[str, str]) -> datetime | None:
    """RFC 3339; Go's zero time (`0001-01-01T00:00:00Z`, "not ended") reads as None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        faults[name] = "must be an RFC 3339 time"
        return None
    text = value.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Go writes up to nine fraction digits; Python reads six
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        faults[name] = "must be an RFC 3339 time"
        return None
    return None if moment.year <= 1 else moment


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """A sender that leaves out `fingerprint`: the alert is its label set."""
    return hashlib.sha256(json.dumps(sorted(labels.items())).encode()).hexdigest()[:16]


def common_labels(alerts: Sequence[Alert]) -> dict[str, str]:
    """The labels every one of `alerts` has, with the same value."""
    shared = dict(alerts[0].labels) if alerts else {}
    for alert in alerts[1:]:
        shared = {name: value for name, value in shared.items() if alert.labels.get(name) == value}
    return shared
