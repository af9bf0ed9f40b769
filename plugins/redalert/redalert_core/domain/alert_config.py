"""How alerts become incidents: the ALERT_* plugin configuration keys and the pure rules that use them.

- ALERT_SEVERITY_LABEL: the label whose value picks the severity (default `severity`);
- ALERT_SEVERITY_MAP: that value → a severity, e.g. {"critical": "sev1", "warning": "sev3"};
- ALERT_DEFAULT_SEVERITY: the severity of every other alert;
- ALERT_IGNORE: values that never open an incident: a value of the severity label (`info`), or `label=value`;
- ALERT_INVITE_BY_LABEL: `label=value` → people or user groups invited when such an alert opens an incident,
  e.g. {"team=payments": ["@payments-oncall"]}.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .alerts import Alert, AlertBatch

DEFAULTS: dict[str, Any] = {
    "ALERT_SEVERITY_LABEL": "severity",
    "ALERT_SEVERITY_MAP": {"critical": "sev1", "error": "sev2", "warning": "sev3"},
    "ALERT_DEFAULT_SEVERITY": "sev3",
    # kube-prometheus's Watchdog fires forever with severity "none"; "info" alerts are not incidents.
    "ALERT_IGNORE": ["none", "info"],
    "ALERT_INVITE_BY_LABEL": {},
}
LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}\Z")
MAX_ENTRIES = 200


@dataclass(frozen=True)
class AlertSettings:
    severity_label: str = "severity"
    severity_map: dict[str, str] = field(default_factory=dict)
    default_severity: str = "sev3"
    ignore: tuple[str, ...] = ()
    invite_by_label: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def ignored(self, alert: Alert) -> bool:
        for entry in self.ignore:
            name, sep, value = entry.partition("=")
            if sep and alert.labels.get(name) == value:
                return True
            if not sep and alert.labels.get(self.severity_label) == entry:
                return True
        return False

    def severity_of(self, alert: Alert) -> str:
        value = alert.labels.get(self.severity_label)
        return self.severity_map.get(value, self.default_severity) if value is not None else self.default_severity

    def severity(self, alerts: Iterable[Alert], order: list[str]) -> str:
        """The most severe of the alerts' severities (`order`: the configured severities, most severe first)."""
        found = {self.severity_of(alert) for alert in alerts} or {self.default_severity}
        return min(found, key=lambda value: order.index(value) if value in order else len(order))

    def invitees(self, alerts: Iterable[Alert]) -> list[str]:
        """Config entries (user IDs, group IDs, @handles) for the alerts' labels, in configuration order."""
        labels = {(name, value) for alert in alerts for name, value in alert.labels.items()}
        wanted: list[str] = []
        for key, entries in self.invite_by_label.items():
            if key in labels:
                wanted += [entry for entry in entries if entry not in wanted]
        return wanted


def description(batch: AlertBatch, firing: list[Alert]) -> str:
    """commonAnnotations.summary, else the alert's name (Grafana's title when it has no name)."""
    summary = batch.common_annotations.get("summary", "").strip()
    if summary:
        return summary
    name = batch.common_labels.get("alertname") or (firing[0].labels.get("alertname") if firing else None)
    return (name or batch.title or (firing[0].name if firing else "") or f"Alert from {batch.source}").strip()


def check(
    merged: dict[str, Any], severity_values: list[str], lenient: Any, faults: list[str], normalise: Any, valid: Any
) -> dict[str, Any]:
    """The ALERT_* keys as Settings' `alerts`; a key left at its default may name severities no longer configured.

    `lenient(key)`: the key has its default value; `normalise`/`valid`: how INCLUDE_IN_INCIDENT reads an entry.
    """
    label = merged["ALERT_SEVERITY_LABEL"]
    if not isinstance(label, str) or not LABEL_NAME.match(label):
        faults.append('ALERT_SEVERITY_LABEL must be a label name such as "severity".')
        label = DEFAULTS["ALERT_SEVERITY_LABEL"]
    default = merged["ALERT_DEFAULT_SEVERITY"]
    if default not in severity_values:
        if not lenient("ALERT_DEFAULT_SEVERITY") and severity_values:  # no severities: SEVERITY_LEVELS says so
            faults.append(f"ALERT_DEFAULT_SEVERITY must be one of the severities: {', '.join(severity_values)}.")
        default = severity_values[-1] if severity_values else DEFAULTS["ALERT_DEFAULT_SEVERITY"]
    return {
        "alerts": AlertSettings(
            severity_label=label,
            severity_map=_severity_map(merged["ALERT_SEVERITY_MAP"], severity_values, lenient, faults),
            default_severity=default,
            ignore=_ignore(merged["ALERT_IGNORE"], faults),
            invite_by_label=_invites(merged["ALERT_INVITE_BY_LABEL"], faults, normalise, valid),
        )
    }


def _severity_map(raw: Any, severity_values: list[str], lenient: Any, faults: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        faults.append('ALERT_SEVERITY_MAP must be a dict of label value to severity, like {"critical": "sev1"}.')
        return {}
    mapped: dict[str, str] = {}
    for value, severity in raw.items():
        if severity in severity_values:
            mapped[value] = severity
        elif not lenient("ALERT_SEVERITY_MAP"):
            faults.append(
                f'ALERT_SEVERITY_MAP["{value[:40]}"]: "{severity[:40]}" is no severity '
                f"(known: {', '.join(severity_values)})."
            )
    return mapped


def _ignore(raw: Any, faults: list[str]) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in raw):
        faults.append('ALERT_IGNORE must be a list of values like ["info", "team=sandbox"].')
        return ()
    if len(raw) > MAX_ENTRIES:
        faults.append(f"ALERT_IGNORE has {len(raw)} entries; at most {MAX_ENTRIES}.")
        return ()
    for entry in raw:
        name, sep, _ = entry.partition("=")
        if sep and not LABEL_NAME.match(name.strip()):
            faults.append(f'ALERT_IGNORE: "{entry[:40]}" must be a value or label=value with a label name.')
    return tuple(entry.strip() for entry in raw)


def _invites(raw: Any, faults: list[str], normalise: Any, valid: Any) -> dict[tuple[str, str], tuple[str, ...]]:
    if not isinstance(raw, dict):
        faults.append('ALERT_INVITE_BY_LABEL must be a dict like {"team=payments": ["@payments-oncall"]}.')
        return {}
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, value in raw.items():
        name, sep, label_value = str(key).partition("=")
        if not sep or not LABEL_NAME.match(name.strip()) or not label_value.strip():
            faults.append(f'ALERT_INVITE_BY_LABEL: the key "{str(key)[:40]}" must be label=value, like team=payments.')
            continue
        entries = [part.strip() for part in value.split(",")] if isinstance(value, str) else value
        if not isinstance(entries, (list, tuple)) or not all(isinstance(e, str) for e in entries):
            faults.append(f'ALERT_INVITE_BY_LABEL["{key}"] must be a comma-separated string or a list of IDs.')
            continue
        clean: list[str] = []
        for entry in filter(None, entries):
            normalised = normalise(entry)
            if not valid(normalised):
                faults.append(
                    f'ALERT_INVITE_BY_LABEL["{key}"]: "{entry[:40]}" is not a user ID (U…/W…), '
                    "a user-group ID (S…) or a user-group @handle."
                )
            elif normalised not in clean:
                clean.append(normalised)
        found[(name.strip(), label_value.strip())] = tuple(clean)
    return found
