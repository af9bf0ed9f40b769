"""WF: evaluating 50 workflows for one event (issue 22: ≤ 1 ms median).

One `severity_changed` event against a file of 50 workflows, all `when: severity_changed`, each with three
conditions (severity as a list, status, a custom field) and a post: the event's trigger, every workflow's
conditions on the incident's facts, and the template of each that fires (inert values) — what the engine does
per event before anything is stored or sent. Pure code, no I/O.
"""

from __future__ import annotations

import statistics
import time

from common import Figure, Options

from redalert_core.domain.workflow_engine import TRIGGER_OF_KIND, Facts, fired, render
from redalert_core.domain.workflow_file import parse_workflows
from redalert_core.domain.workflow_model import PostAction

WORKFLOWS = 50
RUNS = 2000
TARGET_MS = 1.0


def workflows_file(count: int = WORKFLOWS) -> str:
    lines = ["fields:", "  - name: team", "    kind: select", "    options: [payments, search, identity]", "workflows:"]
    for i in range(count):
        team = ("payments", "search", "identity")[i % 3]
        lines += [
            f"  - name: wf-{i}",
            "    when: severity_changed",
            "    if:",
            "      severity: [sev1, sev2]",
            "      status: [investigating, identified]",
            f"      field.team: {team}",
            "    do:",
            f'      - post: "wf {i}: incident {{number}} is {{severity}}: {{description}} ({{field.team}})"',
        ]
    return "\n".join(lines) + "\n"


def evaluate_once(file, facts: Facts) -> int:
    trigger = TRIGGER_OF_KIND["severity_changed"]
    texts = [
        render(action.template, facts)
        for workflow in fired(file.workflows, trigger, facts)
        for action in workflow.actions
        if isinstance(action, PostAction)
    ]
    return len(texts)


def measure_wf(opts: Options) -> list[Figure]:
    file = parse_workflows(workflows_file())
    facts = Facts(
        number=42,
        severity="sev1",
        status="investigating",
        description="Checkout <!here> fails for @team at https://shop.example.com",
        channel="sev1-checkout",
        fields={"team": "payments"},
    )
    assert evaluate_once(file, facts) == 17  # every third workflow matches the team
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        evaluate_once(file, facts)
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    p95 = sorted(times)[int(RUNS * 0.95)]
    return [
        Figure(
            "WF",
            f"evaluate {WORKFLOWS} workflows for one event (median of {RUNS}; p95 {p95:.3f} ms)",
            f"{median:.3f} ms",
            target=f"≤ {TARGET_MS:g} ms",
            met=median <= TARGET_MS,
        )
    ]
