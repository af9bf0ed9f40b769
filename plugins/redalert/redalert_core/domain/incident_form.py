"""The "Open an incident" and "Update" forms as entered, and their validation (no Slack, no I/O).

Errors are keyed by field name; the Slack layer turns them into inline errors on the form's input blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .commands import MAX_DESCRIPTION, MAX_GROUPS, Mentions, plain_text, too_many_groups
from .incident_fields import FieldsRefused, check_open
from .settings import Settings
from .workflow_model import EMPTY, IncidentType, WorkflowsFile

HANDLE = re.compile(r"@?([a-z0-9][a-z0-9._-]{0,79})", re.IGNORECASE)
GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}\Z")
MAX_UPDATE = 3000


@dataclass
class OpenForm:
    """What someone entered in the "Open an incident" modal."""

    severity: str | None
    description: str | None
    people: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # IDs or @handles
    is_private: bool = False
    typed_groups: str | None = None  # the text field offered when no FORM_GROUPS are configured
    incident_type: str | None = None  # the type select (a workflows file with types)
    fields: dict[str, str] = field(default_factory=dict)  # custom fields given a value, by name, as entered


@dataclass
class UpdateForm:
    status: str | None
    text: str | None


class FormErrors(ValueError):
    """Field name -> message; shown next to the fields."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def split_handles(text: str | None) -> tuple[list[str], list[str]]:
    """Typed user groups ("@sre, @dba S0X") as (handles or IDs, words that are neither)."""
    groups: list[str] = []
    bad: list[str] = []
    for word in re.split(r"[\s,]+", text or ""):
        if not word:
            continue
        if GROUP_ID.match(word):
            groups.append(word)
            continue
        match = HANDLE.fullmatch(word)
        if match and word.startswith("@"):
            groups.append("@" + match.group(1).lower())
        else:
            bad.append(word)
    return list(dict.fromkeys(groups)), bad


def validate_open(form: OpenForm, settings: Settings, file: WorkflowsFile = EMPTY) -> tuple[str, str, Mentions]:
    """(severity, description, people and groups) of a valid form; FormErrors naming each bad field otherwise,
    the type and custom fields (keyed `type` and `fields.<name>`, as their blocks are) in the words chat uses."""
    errors: dict[str, str] = {}
    if file.types or file.fields or form.incident_type or form.fields:
        try:
            check_open(file, form.incident_type, form.fields)
        except FieldsRefused as refused:
            errors.update(refused.fields)
    severity = settings.severity(form.severity or "")
    if not form.severity:
        errors["severity"] = "Pick a severity."
    elif severity is None:
        errors["severity"] = (
            f'"{form.severity[:30]}" is no longer a severity. Pick one of: {", ".join(settings.severity_values)}.'
        )
    description = plain_text(form.description or "")
    if not description:
        errors["description"] = "Say what is happening."
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = (
            f"The description is {len(description)} characters long; keep it under {MAX_DESCRIPTION} "
            "and post the details in the incident channel."
        )
    groups = list(form.groups)
    if form.typed_groups:
        typed, bad = split_handles(form.typed_groups)
        if bad:
            errors["groups"] = f"Give user groups as @handles: {', '.join(w[:30] for w in bad[:5])} is not one."
        groups += typed
    groups = list(dict.fromkeys(groups))
    if len(groups) > MAX_GROUPS and "groups" not in errors:
        errors["groups"] = too_many_groups(len(groups))
    if errors:
        raise FormErrors(errors)
    assert severity is not None
    mentions = Mentions(users=list(dict.fromkeys(form.people)), groups=groups)
    return severity.value, description, mentions


def validate_update(
    form: UpdateForm, statuses: tuple[str, ...], current: str | None = None
) -> tuple[str | None, str | None]:
    """(new status or None, update text or None) of a valid form: a status change, a text, or both."""
    errors: dict[str, str] = {}
    status = (form.status or "").strip().lower() or None
    if status is not None and status not in statuses:
        errors["status"] = f'"{status[:30]}" is no longer a status. Pick one of: {", ".join(statuses)}.'
    if status == current:
        status = None  # the form shows the current status preselected: keeping it is no change
    text = (form.text or "").strip() or None
    if text is not None and len(text) > MAX_UPDATE:
        errors["text"] = f"The update is {len(text)} characters long; keep it under {MAX_UPDATE}."
    if status is None and text is None and not errors:
        errors["text"] = "Write an update or pick a new status."
    if errors:
        raise FormErrors(errors)
    return status, text


def preselect(
    before: IncidentType | None, after: IncidentType, severity: str | None, private: bool
) -> tuple[str | None, bool]:
    """The severity and Private box the form shows for type `after`: its defaults, unless the person chose
    otherwise than what type `before` preselected (before None: the form opens with `after`)."""
    if before is None:
        return after.severity, after.private
    chose_severity = severity is not None and severity != before.severity
    chose_private = private != before.private
    return (
        severity if chose_severity else after.severity or severity,
        private if chose_private else after.private,
    )
