"""`!incident workflows show` and `!incident workflows reload` (a mixin): REDALERT_WORKFLOWS_FILE's active version.

Each command calls one use case of `self.app` (see chat_commands/base.py); docs/workflows.md describes the file.
"""

from __future__ import annotations

from errbot import botcmd

from chat_commands.base import ChatBase, answers
from redalert_core.application.results import ActiveWorkflows
from redalert_core.domain import text as texts
from redalert_core.domain.commands import ParseError
from redalert_core.domain.requester import Requester
from redalert_core.domain.workflow_engine import when_text

START = "start"


def describe_active(active: ActiveWorkflows, heading: str) -> str:
    """The active version: its hash, who loaded it and when, and the names of its types, fields and workflows."""
    stored = active.stored
    if stored is None:
        return "No workflows file is in force (REDALERT_WORKFLOWS_FILE): no incident types, fields or workflows."
    who = "RedAlert at start" if stored.loaded_by == START else f"<@{stored.loaded_by}>"
    loaded = texts.when(stored.loaded_at)
    file = active.file
    lines = [
        f"{heading} version `{stored.digest[:12]}`, loaded by {who} on {loaded}.",
        "• Types: " + (", ".join(f"`{kind.name}`" for kind in file.types) or "none"),
        "• Fields: " + (", ".join(f"`{spec.name}` ({spec.kind})" for spec in file.fields) or "none"),
        "• Workflows: " + (", ".join(f"`{flow.name}` (when {when_text(flow)})" for flow in file.workflows) or "none"),
    ]
    return "\n".join(lines)


class WorkflowsCommands(ChatBase):
    @botcmd
    @answers
    def incident_workflows_show(self, asker: Requester, args: str) -> str:
        """Show the workflows file in force: its version (hash), who loaded it and when, its types, fields and
        workflows (docs/workflows.md).

        Example: `!incident workflows show`
        """
        if args.strip():
            raise ParseError("Usage: !incident workflows show")
        return describe_active(self.app.show_workflows(asker), "Workflows file in force:")

    @botcmd
    @answers
    def incident_set(self, asker: Requester, args: str) -> str:
        """Set a custom field of an incident (the workflows file's `fields:`), or its type (its people and on-call
        are invited); every change is in the timeline and on the pinned summary, and workflows `when: field_changed`
        (or `type_changed`) follow it.

        Example: `!incident set team payments`, `!incident set 12 impact "EU checkout failing"`,
        `!incident set type security`
        """
        number, name, value = parse_set(args)
        if name.lower() == "type":
            changed = self.app.set_type(asker, number, value)
            if changed.kind is None:
                return f"Incident {changed.incident.number} is already of type {texts.escape(value.lower())}."
            said = f"Incident {changed.incident.number} is now of type {changed.kind.name}."
            return "\n".join([said, *(texts.unping(w) for w in changed.warnings)])
        incident, field, stored = self.app.set_field(asker, number, name, value)
        return f"Incident {incident.number}: {field} is now {texts.escape(stored)}."

    @botcmd
    @answers
    def incident_workflows_reload(self, asker: Requester, args: str) -> str:
        """Load REDALERT_WORKFLOWS_FILE again (admins): checked in full first; with any fault nothing changes and
        every fault is listed with its line and column.

        Example: `!incident workflows reload`
        """
        if args.strip():
            raise ParseError("Usage: !incident workflows reload")
        active = self.app.reload_workflows(asker)
        heading = "Loaded: the workflows file in force is now" if active.changed else "Unchanged: still"
        return describe_active(active, heading)


def parse_set(text: str) -> tuple[int | None, str, str]:
    """`[<number>] <field> <value>`; a quoted value loses its quotes."""
    words = text.strip().split(None, 1)
    number = None
    if words and words[0].lstrip("#").isdigit():
        number, words = int(words[0].lstrip("#")), (words[1].split(None, 1) if len(words) > 1 else [])
    if len(words) < 2:
        raise ParseError("Usage: !incident set [<number>] <field> <value>, e.g. `!incident set team payments`")
    name, value = words[0], words[1].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return number, name, value
