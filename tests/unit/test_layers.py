"""The layers hold: the domain does no I/O, and no import runs from a lower layer to a higher one.

Layers, top to bottom: front ends (the Errbot plugin: redalert.py and chat_commands; frontends: Slack interactivity)
→ the application (one object, one method per use case) → services → adapters (slack, store, integrations, charts,
web, observability) → domain. A front end talks to the application only: it may not reach a service, the store or
an outside system's client. Checked on the source with the ast module, so a new file is covered the day it is added.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "redalert"
CORE = PLUGIN / "redalert_core"
# What a front end may import: the application, and what it needs to read requests and render answers.
FRONT_END = {"application", "domain", "slack", "web", "observability"}
# What each layer may import from redalert_core (besides itself).
ALLOWED = {
    "domain": set(),
    "slack": {"domain"},
    "store": {"domain"},
    "integrations": {"domain"},
    "charts": {"domain"},
    "web": {"domain"},
    "observability": {"domain"},
    "services": {"domain", "slack", "store", "integrations", "charts", "web", "observability"},
    "application": {"domain", "services", "slack", "store", "integrations", "charts", "web", "observability"},
    "frontends": FRONT_END,
}
# Libraries only adapters (and the plugin) may use.
ADAPTER_LIBRARIES = {
    "errbot",
    "slack_sdk",
    "sqlalchemy",
    "alembic",
    "httpx",
    "psycopg",
    "matplotlib",
    "prometheus_client",
}


def _imports(path: Path, core: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) for every import in `path` (a module under `core`), relative imports resolved."""
    package = path.relative_to(core.parent).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
                names = [f"{module}.{alias.name}" for alias in node.names] if not node.module else [module]
                found += [(name, node.lineno) for name in names]
            else:
                found.append((node.module or "", node.lineno))
    return found


def _layer_files() -> list[tuple[str, Path]]:
    return [(layer, path) for layer in ALLOWED for path in sorted((CORE / layer).rglob("*.py"))]


def _wrong_imports(layer: str, path: Path, core: Path = CORE) -> list[str]:
    wrong = []
    for module, line in _imports(path, core):
        parts = module.split(".")
        in_core = parts[0] == "redalert_core" and len(parts) > 1 and parts[1] in ALLOWED
        if in_core and parts[1] != layer and parts[1] not in ALLOWED[layer]:
            wrong.append(f"line {line}: {module}")
        if layer == "domain" and parts[0] in ADAPTER_LIBRARIES:
            wrong.append(f"line {line}: {module} (the domain does no I/O)")
    return wrong


@pytest.mark.parametrize(("layer", "path"), _layer_files(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_no_import_runs_upward(layer: str, path: Path) -> None:
    wrong = _wrong_imports(layer, path)
    assert not wrong, f"{path.relative_to(CORE)} imports across layers: {wrong}"


def _plugin_files() -> list[Path]:
    return [PLUGIN / "redalert.py", *sorted((PLUGIN / "chat_commands").glob("*.py"))]


@pytest.mark.parametrize("path", _plugin_files(), ids=lambda p: p.name)
def test_the_plugin_talks_to_the_application_only(path: Path) -> None:
    wrong = []
    for module, line in _imports(path, PLUGIN):
        parts = module.split(".")
        if parts[0] == "redalert_core" and len(parts) > 1 and parts[1] not in FRONT_END | {"frontends"}:
            wrong.append(f"line {line}: {module}")
    assert not wrong, f"{path.name} reaches past the application: {wrong}"


def test_every_module_is_in_a_layer() -> None:
    loose = [p.name for p in CORE.glob("*.py") if p.name != "__init__.py"]
    unknown = [p.name for p in CORE.iterdir() if p.is_dir() and p.name not in ALLOWED and not p.name.startswith("__")]
    assert not loose and not unknown, f"put these in a layer package (or name the new layer here): {loose + unknown}"


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    # The check must be able to fail: a domain module importing the store is caught (in a copy of the layout, so the
    # source tree is never touched while other test workers read it).
    core = tmp_path / "redalert_core"
    (core / "domain").mkdir(parents=True)
    bad = core / "domain" / "probe.py"
    bad.write_text("from ..store import Store\nimport sqlalchemy\n")
    assert _wrong_imports("domain", bad, core) == [
        "line 1: redalert_core.store",
        "line 2: sqlalchemy (the domain does no I/O)",
    ]
