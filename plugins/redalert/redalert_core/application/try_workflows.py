"""`check_workflows FILE --try <trigger> [key=value …]`: which workflows of a file not loaded yet would fire for a
made-up incident, and what they would do, without RedAlert, a database or Slack (docs/workflows.md).

Keys: `number`, `severity`, `status`, `type`, `description`, `channel`, `field` (the field a `field_changed`
changes) and any field of the file (`team=payments`, or `field.team=payments`). Unset: incident 1, the first
severity and status of the configuration, the file's first type.
"""

from __future__ import annotations

from ..domain.settings import Settings
from ..domain.workflow_engine import Facts, describe, fired, url_fields, when_text
from ..domain.workflow_model import Trigger, WorkflowsFile

KEYS = ("number", "severity", "status", "type", "description", "channel", "field")


class TryError(ValueError):
    """A --try that cannot be read; the message says why."""


def facts_of(words: list[str], file: WorkflowsFile, settings: Settings) -> tuple[Facts, str | None]:
    """The made-up incident `key=value` words describe, and the field a field_changed changes (None: any)."""
    given: dict[str, str] = {}
    fields: dict[str, str] = {}
    for word in words:
        key, equals, value = word.partition("=")
        name = key.removeprefix("field.")
        if not equals:
            raise TryError(f'"{word}" is not key=value.')
        if key in KEYS:
            given[key] = value
        elif file.field_named(name) is not None:
            fields[name] = value
        else:
            known = ", ".join((*KEYS, *(spec.name for spec in file.fields)))
            raise TryError(f'unknown key "{key}" (known: {known}).')
    if not given.get("number", "1").isdigit():
        raise TryError("number must be a whole number.")
    default_type = file.default_type()
    facts = Facts(
        number=int(given.get("number", "1")),
        severity=given.get("severity", settings.severity_values[0]),
        status=given.get("status", settings.statuses[0]),
        description=given.get("description", "A test incident"),
        channel=given.get("channel", "incident-channel"),
        type=given.get("type", default_type.name if default_type else ""),
        fields=fields,
        url_fields=url_fields(file),
    )
    return facts, given.get("field")


def try_file(file: WorkflowsFile, trigger_name: str, words: list[str], settings: Settings) -> list[str]:
    """The lines to print: each workflow that would fire, and what each of its actions would do."""
    try:
        trigger = Trigger(trigger_name)
    except ValueError:
        raise TryError(f'"{trigger_name}" is not a trigger (one of {", ".join(t.value for t in Trigger)}).') from None
    facts, changed = facts_of(words, file, settings)
    if trigger is Trigger.FIELD_CHANGED:
        changed = changed or next(iter(facts.fields), None)  # else the first field given changed
        if changed is None or file.field_named(changed) is None:
            raise TryError("field_changed: say which field changes, field=<a field of this file>.")
    workflows = [wf for wf in fired(file.workflows, trigger, facts) if wf.follows(changed)]
    if not workflows:
        return [f"No workflow would fire when {trigger.value}."]
    lines = []
    for workflow in workflows:
        lines.append(f"Workflow {workflow.name} (when {when_text(workflow)}):")
        lines += [f"  • would {describe(action, facts)}" for action in workflow.actions]
    return lines
