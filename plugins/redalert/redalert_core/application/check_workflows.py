"""Check a workflows file before loading it: `python -m redalert_core.application.check_workflows FILE`.

Runs the loader RedAlert runs (every fault with its line and column) against the default configuration's
severities, statuses, roles and webhooks; `--config CONFIG.json` checks against a plugin configuration instead (the
JSON of `!plugin config RedAlert`). `--try <trigger> [key=value …]` then says which workflows would fire for a
made-up incident and what they would do (application/try_workflows.py). Exit status 0: the file loads; 1: it has
faults; 2: it cannot be read, or `--try` cannot be.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..domain.settings import DEFAULT_CONFIG, validate
from ..domain.workflow_file import WorkflowsFileError, parse_workflows
from ..domain.workflow_values import Known
from .try_workflows import TryError, try_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a REDALERT_WORKFLOWS_FILE before loading it.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", type=Path, help="the plugin configuration as JSON (default: RedAlert's defaults)")
    parser.add_argument(
        "--try",
        dest="attempt",
        nargs="+",
        metavar="TRIGGER [KEY=VALUE]",
        help="what would fire on this trigger for an incident like severity=sev1 type=outage team=payments",
    )
    options = parser.parse_args(argv)
    try:
        text = options.file.read_text(encoding="utf-8")
        config = json.loads(options.config.read_text()) if options.config else {}
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"{options.file}: cannot be read: {error}", file=sys.stderr)
        return 2
    settings = validate({**DEFAULT_CONFIG, **config}, dict(DEFAULT_CONFIG))
    known = Known(
        severities=frozenset(settings.severity_values),
        statuses=frozenset(settings.statuses),
        roles=frozenset(settings.roles),
        webhooks=frozenset(hook.name for hook in settings.integrations.webhooks),
    )
    try:
        loaded = parse_workflows(text, known)
    except WorkflowsFileError as error:
        for fault in error.faults:
            print(f"{options.file}:{fault.line}:{fault.column}: {fault.message}")
        return 1
    counts = f"{len(loaded.types)} types, {len(loaded.fields)} fields, {len(loaded.workflows)} workflows"
    print(f"{options.file}: loads ({counts}); version {loaded.digest[:12]}")
    if options.attempt:
        try:
            print("\n".join(try_file(loaded, options.attempt[0], options.attempt[1:], settings)))
        except TryError as error:
            print(f"--try: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
