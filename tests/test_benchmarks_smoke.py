"""The benchmark script still imports and measures: P5 (no Slack, no network) with a few iterations."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def _load():
    # benchmarks/ is a script directory, not a package: load run.py by path.
    spec = importlib.util.spec_from_file_location("redalert_benchmarks_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_overhead_measurement_runs_and_reports_every_command():
    run = _load()
    [figure] = run.measure_p5(run.Options(overhead_iterations=3), through_errbot=False)
    assert figure.key == "P5" and figure.met is not None
    for command in ("open", "list", "close"):
        assert command in figure.ours
    assert "| P5 |" in run.table([figure])


def test_round_trips_are_counted_from_call_end_times():
    run = _load()
    # Two overlapping calls, then one after them: two waves at 50 ms each.
    assert run.sequential_waves([0.050, 0.051, 0.102], 0.050) == 2
    assert run.sequential_waves([0.05 * k for k in range(1, 7)], 0.050) == 6


def test_outbox_overhead_benchmark_runs():
    # A standalone script: it must keep importing its helpers and print both setups' figures.
    script = RUN_PY.parent / "outbox_overhead.py"
    done = subprocess.run([sys.executable, str(script), "--n", "3"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "PagerDuty" in done.stdout or "overhead" in done.stdout.lower(), done.stdout
