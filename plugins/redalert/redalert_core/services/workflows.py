"""REDALERT_WORKFLOWS_FILE at run time: load it at start and on `!incident workflows reload`, keep the active
version in the database (so every replica runs the same one) and hand the parsed file to whoever needs it.

Without the variable RedAlert runs as it did before the file existed: `current()` is the empty file.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..domain import text as texts
from ..domain.incident import Incident
from ..domain.incident_fields import FieldsRefused, check_fields, missing
from ..domain.settings import Settings
from ..domain.type_outside import has_outside
from ..domain.workflow_file import WorkflowsFileError, digest, parse_workflows
from ..domain.workflow_model import EMPTY, FieldKind, IncidentType, Required, WorkflowsFile
from ..domain.workflow_values import Known
from ..domain.yaml_nodes import Fault
from ..slack import messages
from ..store import Store
from ..store.workflow_files import START, StoredWorkflows
from .incidents import ServiceError

log = logging.getLogger(__name__)
VARIABLE = "REDALERT_WORKFLOWS_FILE"
# How long a replica trusts its copy before it looks whether another replica loaded a newer version.
REFRESH = timedelta(seconds=5)


@dataclass(frozen=True)
class ActiveWorkflows:
    file: WorkflowsFile
    stored: StoredWorkflows | None  # None: no file is in force
    changed: bool = False  # a reload that made a new version active


class WorkflowsRefused(ServiceError):
    """A file with faults: nothing changed. The message lists every fault with its line and column."""

    def __init__(self, source: str, faults: list[Fault]) -> None:
        self.faults = faults
        listed = "\n".join(f"• {fault}" for fault in faults[:50])
        more = f"\n… and {len(faults) - 50} more" if len(faults) > 50 else ""
        count = f"{len(faults)} fault" + ("s" if len(faults) != 1 else "")
        super().__init__(f"{source} has {count}; nothing changed:\n{listed}{more}")


class WorkflowsService:
    def __init__(
        self, store: Store, settings: Callable[[], Settings], clock: Callable[[], datetime], path: str | None
    ) -> None:
        self._store, self._settings, self._clock, self.path = store, settings, clock, path
        self._lock = threading.Lock()
        self._file: WorkflowsFile = EMPTY
        self._stored: StoredWorkflows | None = None
        self._checked_at: datetime | None = None
        # Called with the incident's number after one of its fields changed (the pinned summary shows them).
        self.on_change: list[Callable[[int], object]] = []

    def known(self) -> Known:
        settings = self._settings()
        return Known(
            severities=frozenset(settings.severity_values),
            statuses=frozenset(settings.statuses),
            roles=frozenset(settings.roles),
            webhooks=frozenset(hook.name for hook in settings.integrations.webhooks),
        )

    def current(self) -> WorkflowsFile:
        return self.active().file

    def active(self) -> ActiveWorkflows:
        """The version in force: the database's newest, looked up again after REFRESH (another replica may have
        reloaded)."""
        if not self.path:
            return ActiveWorkflows(EMPTY, None)
        now = self._clock()
        with self._lock:
            if self._checked_at is None or now - self._checked_at >= REFRESH:
                self._adopt(self._store.workflow_files.active())
                self._checked_at = now
            return ActiveWorkflows(self._file, self._stored)

    def load_at_start(self) -> list[Fault]:
        """Load the file named by REDALERT_WORKFLOWS_FILE; its faults are logged and returned, and then the
        database's active version (if any) stays in force."""
        if not self.path:
            return []
        try:
            self._load(START)
        except WorkflowsRefused as refused:
            log.error("%s %s was not loaded:\n%s", VARIABLE, self.path, refused)
            return refused.faults
        except ServiceError as error:
            log.error("%s was not loaded: %s", VARIABLE, error)
            return [Fault(1, 1, str(error))]
        return []

    def reload(self, user: str) -> ActiveWorkflows:
        if not self.path:
            raise ServiceError(f"{VARIABLE} is not set: RedAlert runs without incident types, fields and workflows.")
        return self._load(user)

    def _load(self, user: str) -> ActiveWorkflows:
        assert self.path is not None
        try:
            text = Path(self.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ServiceError(f"{VARIABLE} ({self.path}) cannot be read: {error}") from error
        try:
            parsed = parse_workflows(text, self.known())
        except WorkflowsFileError as error:
            raise WorkflowsRefused(self.path, error.faults) from error
        with self._lock:
            stored = self._store.workflow_files.active()
            changed = stored is None or stored.digest != parsed.digest
            if changed:
                stored = self._store.workflow_files.activate(parsed.digest, text, user, self._clock())
                log.info("%s %s loaded by %s: version %s", VARIABLE, self.path, user, parsed.digest[:12])
            self._file, self._stored, self._checked_at = parsed, stored, self._clock()
            return ActiveWorkflows(parsed, stored, changed)

    # --- an incident's type and custom fields ---------------------------------------------------------------------
    def type_of(self, number: int) -> str:
        incident = self._store.incidents.get(number)
        return (incident.incident_type or "") if incident is not None else ""

    def kind_of(self, incident: Incident) -> IncidentType | None:
        """The incident's type in the file in force (None: untyped, or no such type any more)."""
        return self.current().type_named(incident.incident_type) if incident.incident_type else None

    def types_send(self) -> bool:
        """Whether a type of the file in force has outside settings of its own."""
        return has_outside(self.current().types)

    def fields_of(self, number: int) -> dict[str, str]:
        return self._store.incident_fields.values(number)

    def set_field(self, number: int, name: str, value: str, actor: str) -> str:
        """One field (`!incident set`, a workflow's set_field): ServiceError says what it takes; the value as
        stored."""
        try:
            return self.set_fields(number, {name: value}, actor)[name.strip().lower()]
        except FieldsRefused as refused:
            raise ServiceError(str(refused)) from refused

    def set_fields(self, number: int, given: Mapping[str, str], actor: str) -> dict[str, str]:
        """Check every value against its field's kind and the incident's type first (FieldsRefused names each bad
        one, by its name, and nothing is stored), then store each with its timeline entry; the values as stored."""
        file = self.current()
        values = check_fields(file, self.type_of(number) or None, given)
        stored = self.fields_of(number)
        # The same value again changes nothing and says nothing: a workflow's set_field cannot re-trigger itself.
        changed = {name: checked for name, checked in values.items() if stored.get(name) != checked}
        if changed:
            self._store.incident_fields.set_many(number, changed, actor=actor, at=self._clock())
            for hook in self.on_change:  # the pinned summary shows the fields
                hook(number)
        return values

    def set_type(self, number: int, name: str, actor: str) -> IncidentType | None:
        """Make the incident another type of the file (a TypeChanged event, which `when: type_changed` follows);
        the new type, or None when it already was that type. ServiceError names the types there are."""
        file = self.current()
        kind = file.type_named(name.lower())
        if kind is None:
            names = ", ".join(t.name for t in file.types) or "none (the workflows file defines no types)"
            raise ServiceError(f'"{texts.unping(name[:30])}" is not an incident type. Types: {names}.')
        if self.type_of(number) == kind.name:
            return None
        self._store.incidents.change_type(number, incident_type=kind.name, actor=actor, at=self._clock())
        return kind

    def summary_fields(self, incident: Incident) -> list[tuple[str, str]]:
        """The type and field values the pinned summary shows, (name, mrkdwn value) each, inert: the file's fields
        in its order (a user field as the person, a multi_select's choices with spaces), then values of fields the
        file no longer has. None without a workflows file."""
        if not self.path:
            return []
        values = self.fields_of(incident.number)
        shown = [("Type", texts.escape(incident.incident_type))] if incident.incident_type else []
        file = self.current()
        for spec in file.fields:
            value = values.pop(spec.name, None)
            if value is None:
                continue
            if spec.kind == FieldKind.USER:
                shown.append((spec.name, messages.user(value)))
            elif spec.kind == FieldKind.MULTI_SELECT:
                shown.append((spec.name, texts.escape(value.replace(",", ", "))))
            else:
                shown.append((spec.name, texts.escape(value)))
        return shown + [(name, texts.escape(value)) for name, value in values.items()]

    def check_may_close(self, number: int) -> None:
        """ServiceError naming the fields required at close that the incident has no value for."""
        file = self.current()
        if not file.fields:
            return
        type_name = self.type_of(number) or None
        names = missing(file, type_name, self.fields_of(number), Required.CLOSE)
        if names:
            how = " and ".join(f"!incident set {number} {name} <value>" for name in names)
            raise ServiceError(f"Cannot close without {', '.join(names)}: set it first ({how}).")

    def _adopt(self, stored: StoredWorkflows | None) -> None:
        if stored is None or (self._stored is not None and stored.digest == self._stored.digest):
            return
        try:
            self._file = parse_workflows(stored.text, self.known())
        except WorkflowsFileError as error:
            # The configuration changed under a stored version (a severity removed): keep it, unchecked against it.
            log.error("The active workflows file %s no longer fits the configuration:\n%s", stored.digest[:12], error)
            try:
                self._file = parse_workflows(stored.text)
            except WorkflowsFileError:
                self._file = EMPTY
        if self._file.digest != stored.digest:  # the stored text is what was hashed
            self._file = WorkflowsFile(stored.digest, self._file.types, self._file.fields, self._file.workflows)
        self._stored = stored


__all__ = ["VARIABLE", "ActiveWorkflows", "WorkflowsRefused", "WorkflowsService", "digest"]
