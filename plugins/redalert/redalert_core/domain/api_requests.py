"""What the HTTP API accepts, checked field by field (no I/O): every bad field gets its own message, worded as the
chat refusals are, and the request as a whole is refused with all of them at once (a 422)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .commands import MAX_DESCRIPTION, MAX_RESOLUTION, too_many_groups
from .incident_fields import FieldsRefused, check_open, open_key
from .response_parsing import MAX_TEXT
from .settings import Settings
from .workflow_model import EMPTY, FieldKind, WorkflowsFile

MAX_PEOPLE = 50
MAX_DEDUP_KEY = 200
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
STATES = ("open", "closed", "all")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{1,63}$")


class FieldErrors(ValueError):
    """One message per field that is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("The request has invalid fields: " + ", ".join(fields))
        self.fields = fields


@dataclass
class OpenFields:
    severity: str
    description: str
    user_ids: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    private: bool = False
    dedup_key: str | None = None
    incident_type: str | None = None  # a type of the workflows file; None: its first (as chat)
    fields: dict[str, str] = field(default_factory=dict)  # custom field values, as chat words give them


@dataclass(frozen=True)
class ListQuery:
    state: str = "open"
    severity: str | None = None
    limit: int = DEFAULT_LIMIT
    before: int | None = None  # the cursor: incidents numbered below it


class _Checker:
    def __init__(self, body: dict[str, Any], allowed: tuple[str, ...]) -> None:
        self.body = body
        self.errors: dict[str, str] = {name: "Unknown field." for name in body if name not in allowed}

    def text(self, name: str, *, required: bool, empty: str, limit: int, too_long: str) -> str | None:
        if name not in self.body:
            if required:
                self.errors[name] = empty
            return None
        value = self.body[name]
        if not isinstance(value, str):  # null included: a field is given as a string or left out
            self.errors[name] = "Must be a string."
            return None
        value = value.strip()
        if not value and required:
            self.errors[name] = empty
        elif len(value) > limit:
            self.errors[name] = too_long.format(n=len(value))
        return value or None

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


def severity_refusal(value: Any, settings: Settings) -> str | None:
    known = ", ".join(settings.severity_values)
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"Give a severity. Use one of: {known}."
    if not isinstance(value, str) or settings.severity(value) is None:
        shown = str(value)[:30] or "?"
        return f'"{shown}" is not a severity. Use one of: {known}.'
    return None


def open_fields(body: dict[str, Any], settings: Settings, file: WorkflowsFile = EMPTY) -> OpenFields:
    """An open's body; its `type` and `fields` checked against the workflows file as chat checks them (keys `type`
    and `fields.<name>`), every refusal at once."""
    check = _Checker(body, ("severity", "description", "people", "private", "dedup_key", "type", "fields"))
    refusal = severity_refusal(body.get("severity"), settings)
    if refusal:
        check.errors["severity"] = refusal
    description = check.text(
        "description",
        required=True,
        empty="Say what is happening: the description is empty.",
        limit=MAX_DESCRIPTION,
        too_long=f"The description is {{n}} characters long; the limit is {MAX_DESCRIPTION}. "
        "Shorten it and post the rest in the incident channel once it is open.",
    )
    user_ids, emails = _people(body["people"], check.errors) if "people" in body else ([], [])
    private = body.get("private", False)
    if not isinstance(private, bool):
        check.errors["private"] = "Must be true or false."
    dedup_key = check.text(
        "dedup_key",
        required=False,
        empty="",
        limit=MAX_DEDUP_KEY,
        too_long=f"Keep it under {MAX_DEDUP_KEY} characters.",
    )
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        check.errors["type"] = "Must be a string: the name of an incident type."
        kind = None
    values = field_values(body.get("fields", {}), file, check.errors, key=open_key, name="fields")
    if "type" not in check.errors and (file.types or file.fields or kind is not None or values):
        try:
            check_open(file, kind, values)
        except FieldsRefused as refused:
            for where, message in refused.fields.items():
                check.errors.setdefault(where, message)  # a value of the wrong shape keeps that message
    check.done()
    severity = settings.severity(body["severity"])
    assert severity is not None and description is not None  # checked above
    return OpenFields(severity.value, description, user_ids, emails, private is True, dedup_key, kind, values)


def field_values(
    raw: Any, file: WorkflowsFile, errors: dict[str, str], *, key: Callable[[str], str] = str, name: str = "body"
) -> dict[str, str]:
    """`{name: value}` as chat words give values: text, a number, and for a multi_select a list of its options
    or the same as text separated by commas. Only the shape is checked here; a value's fit is check_value's."""
    if not isinstance(raw, dict):
        errors[name] = "Must be an object: field names and their values."
        return {}
    values: dict[str, str] = {}
    for field_name, value in raw.items():
        spec = file.field_named(str(field_name).strip().lower())
        if isinstance(value, list) and value and all(isinstance(item, str) and item.strip() for item in value):
            if spec is not None and spec.kind != FieldKind.MULTI_SELECT:
                errors[key(field_name)] = f"{spec.name} takes one value, not a list."
            else:
                values[field_name] = ",".join(item.strip() for item in value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            values[field_name] = str(value)
        elif isinstance(value, str):
            values[field_name] = value
        else:
            errors[key(field_name)] = "Must be text, a number, or (a multi_select) a list of strings."
    return values


def set_fields_body(body: dict[str, Any], file: WorkflowsFile) -> dict[str, str]:
    """`POST /incidents/{number}/fields`: at least one `name: value`, each shaped as field_values takes it."""
    errors: dict[str, str] = {}
    values = field_values(body, file, errors)
    if not body and not errors:
        errors["body"] = 'Give at least one field and its value, like {"team": "payments"}.'
    if errors:
        raise FieldErrors(errors)
    return values


def _people(value: Any, errors: dict[str, str]) -> tuple[list[str], list[str]]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["people"] = "Must be a list of Slack user ids or email addresses."
        return [], []
    if len(value) > MAX_PEOPLE:
        errors["people"] = f"That is {len(value)} people; one request invites at most {MAX_PEOPLE}."
        return [], []
    user_ids: list[str] = []
    emails: list[str] = []
    for item in value:
        item = item.strip()
        if USER_ID.match(item):
            user_ids.append(item) if item not in user_ids else None
        elif EMAIL.match(item):
            emails.append(item.lower()) if item.lower() not in emails else None
        else:
            shown = item[:60] or "(empty)"
            errors["people"] = f'"{shown}" is neither a Slack user id (U…) nor an email address.'
    return user_ids, emails


def update_fields(body: dict[str, Any], settings: Settings) -> tuple[str, str | None]:
    """(text, status) of an update."""
    check = _Checker(body, ("text", "status"))
    text = check.text(
        "text",
        required=True,
        empty="Say what the update is: the text is empty.",
        limit=MAX_TEXT,
        too_long=f"That is {{n}} characters long; keep it under {MAX_TEXT}.",
    )
    status = body.get("status")
    if "status" in body:
        if not isinstance(status, str) or status.strip().lower() not in settings.statuses:
            shown = str(status)[:30]
            check.errors["status"] = f'"{shown}" is not a status. Statuses: {", ".join(settings.statuses)}.'
        else:
            status = status.strip().lower()
    check.done()
    assert text is not None
    return text, status


def severity_field(body: dict[str, Any], settings: Settings) -> str:
    check = _Checker(body, ("severity",))
    refusal = severity_refusal(body.get("severity"), settings)
    if refusal:
        check.errors["severity"] = refusal
    check.done()
    severity = settings.severity(body["severity"])
    assert severity is not None
    return severity.value


def close_fields(body: dict[str, Any]) -> str | None:
    check = _Checker(body, ("resolution",))
    resolution = check.text(
        "resolution",
        required=False,
        empty="",
        limit=MAX_RESOLUTION,
        too_long=f"The resolution is {{n}} characters long; the limit is {MAX_RESOLUTION}.",
    )
    check.done()
    return resolution


def list_query(args: dict[str, str], settings: Settings) -> ListQuery:
    errors = {name: "Unknown parameter." for name in args if name not in ("state", "severity", "limit", "cursor")}
    state = args.get("state", "open")
    if state not in STATES:
        errors["state"] = f'"{state[:30]}" is not a state. Use one of: {", ".join(STATES)}.'
    severity = None
    if "severity" in args:
        refusal = severity_refusal(args["severity"], settings)
        if refusal:
            errors["severity"] = refusal
        else:
            found = settings.severity(args["severity"])
            severity = found.value if found else None
    limit = DEFAULT_LIMIT
    if "limit" in args:
        text = args["limit"]
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
            errors["limit"] = f"Use a whole number from 1 to {MAX_LIMIT}."
        else:
            limit = int(text)
    before = None
    if "cursor" in args:
        text = args["cursor"]
        if not text.isdigit() or not 0 < int(text) < 2**31:
            errors["cursor"] = "Not a cursor this API gave: pass next_cursor from the previous page."
        else:
            before = int(text)
    if errors:
        raise FieldErrors(errors)
    return ListQuery(state, severity, limit, before)


__all__ = ["MAX_PEOPLE", "FieldErrors", "ListQuery", "OpenFields", "too_many_groups"]
