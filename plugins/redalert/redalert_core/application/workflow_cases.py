"""RedAlertApp's use cases of REDALERT_WORKFLOWS_FILE (issue 22): load at start, reload, show.

A mixin so app.py stays one screen per area; RedAlertApp supplies `workflows` (services/workflows.py).
"""

from __future__ import annotations

from ..domain.requester import Requester
from ..domain.workflow_model import WorkflowsFile
from ..domain.yaml_nodes import Fault
from ..services.incidents import ServiceError
from ..services.workflows import ActiveWorkflows, WorkflowsService


class WorkflowCases:
    workflows: WorkflowsService

    def load_workflows_at_start(self) -> list[Fault]:
        """The file named by REDALERT_WORKFLOWS_FILE becomes the active version; its faults (logged) when it has
        some, and then the version already active (or none) stays."""
        return self.workflows.load_at_start()

    def reload_workflows(self, requester: Requester) -> ActiveWorkflows:
        """`!incident workflows reload` (admins): validated in full; a fault refuses it (WorkflowsRefused, a
        ServiceError listing every fault) and nothing changes."""
        if not requester.is_admin:
            raise ServiceError("Only RedAlert admins can reload the workflows file.")
        return self.workflows.reload(requester.user)

    def show_workflows(self, requester: Requester) -> ActiveWorkflows:
        """`!incident workflows show`: the active version (hash, who loaded it, when) and what it holds."""
        return self.workflows.active()

    def workflows_file(self) -> WorkflowsFile:
        """The file in force (the empty file without REDALERT_WORKFLOWS_FILE)."""
        return self.workflows.current()
