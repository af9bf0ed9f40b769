"""The README documents every plugin configuration key, and the defaults it shows are DEFAULT_CONFIG's.

DEFAULT_CONFIG (domain/settings.py) is the one place defaults are written; config_template.py is checked by
test_default_config.py, the README here: a default shown as a literal in its table must be the code's value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from redalert_core.domain.settings import DEFAULT_CONFIG

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
TABLE_ROW = re.compile(r"^\| `([A-Z_]+)` \|.*\| (.*?) \|\s*$", re.MULTILINE)


def _shown_defaults() -> dict[str, str]:
    return dict(TABLE_ROW.findall(README))


def test_every_plugin_key_is_in_the_readme() -> None:
    missing = [key for key in DEFAULT_CONFIG if f"`{key}`" not in README]
    assert not missing, f"document these plugin configuration keys in README.md: {missing}"


def test_a_literal_default_in_the_readme_is_the_codes() -> None:
    wrong = {}
    for key, cell in _shown_defaults().items():
        literal = re.fullmatch(r"`(.*)`", cell.strip())
        if key not in DEFAULT_CONFIG or literal is None:
            continue  # an environment variable, or a default told in words ("sev1 … sev5")
        text = literal.group(1)
        try:
            shown = json.loads(text)
        except ValueError:
            shown = text
        if shown != DEFAULT_CONFIG[key] and text != str(DEFAULT_CONFIG[key]):
            wrong[key] = (text, DEFAULT_CONFIG[key])
    assert not wrong, f"README.md shows other defaults than DEFAULT_CONFIG: {wrong}"
