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
        "• Workflows: " + (", ".join(f"`{flow.name}` (when {flow.when})" for flow in file.workflows) or "none"),
    ]
    return "\n".join(lines)


class WorkflowCommands(ChatBase):
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
