"""benchmarks/analysis.py still runs: a small history, one run of each measure, a table with both rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ANALYSIS_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "analysis.py"


def test_small_run_prints_both_measures(capsys):
    spec = importlib.util.spec_from_file_location("redalert_benchmarks_analysis", ANALYSIS_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.main(["--incidents", "60", "--events", "900", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "generated 60 incidents" in out
    assert "| A1 | `!incident stats 365d` until the text reply, SQLite" in out
    assert "| A2 | `!incident export csv all` incl. upload to the emulator, SQLite" in out
