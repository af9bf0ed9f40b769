"""The plugin's defaults are written once, in domain/settings.py (DEFAULT_CONFIG); config_template.py documents every
key without repeating its value, and config.py does not restate them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from redalert_core.domain.settings import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parents[2]
SECTION = "# RedAlert's plugin configuration."
# "# KEY: meaning" or "# KEY, OTHER_KEY: meaning" at the start of a comment line.
DOCUMENTED = re.compile(r"^# ([A-Z][A-Z_]+(?:, [A-Z][A-Z_]+)*):", re.MULTILINE)


def assigned(path: Path, name: str) -> ast.expr | None:
    tree = ast.parse(path.read_text())
    values = [n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == name]
    return values[0] if values else None


def test_the_template_documents_every_key_and_no_other() -> None:
    text = (ROOT / "config_template.py").read_text()
    section = text[text.index(SECTION) :]
    documented = [key for match in DOCUMENTED.findall(section) for key in match.split(", ")]
    assert sorted(documented) == sorted(DEFAULT_CONFIG)


def test_no_configuration_file_repeats_the_defaults() -> None:
    assert assigned(ROOT / "config.py", "REDALERT_DEFAULT_CONFIG") is None
    template = assigned(ROOT / "config_template.py", "REDALERT_DEFAULT_CONFIG")
    assert template is not None and ast.literal_eval(template) == {}
