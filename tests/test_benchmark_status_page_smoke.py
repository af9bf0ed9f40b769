"""benchmarks/status_page.py still runs: a few incidents, a few runs, a table with its three rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "status_page.py"


def test_small_run_prints_the_table(capsys):
    spec = importlib.util.spec_from_file_location("redalert_benchmarks_status_page", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.main(["--open", "3", "--resolved", "2", "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "generated 3 open and 2 resolved public incidents" in out
    assert "| S1 | GET `/` with 3 open incidents" in out and "| S3 | GET `/feed.atom`" in out
