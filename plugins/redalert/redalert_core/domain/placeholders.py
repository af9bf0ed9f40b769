"""Placeholder secrets: the values the project's own examples ship (deploy/*.example, the Secret template, the docs).

A bot started with one of them would run with a secret anybody can read in the repository (a web-link signing key,
a database password) or with nobody as its admin; config.py refuses to start instead, naming the variable, never
its value. tests/unit/test_placeholders.py reads the example files, so a new placeholder there is covered.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

# The settings that hold secrets or decide who is in charge; the other variables (ports, log level, public URLs)
# have real defaults in the examples.
SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "REDALERT_ADMINS",
    "REDALERT_DATABASE_URL",
    "REDALERT_WEB_SECRET",
    "TRELLO_API_KEY",
    "TRELLO_TOKEN",
    "TRELLO_APP_SECRET",
    "CONFLUENCE_API_TOKEN",
)
# Markers the examples use, and the example values given literally (Slack's documented user id, "secret").
_MARKERS = ("replace-with", "replace_with", "replaceme", "replace_me", "changeme", "change-me", "…", "...")
_EXAMPLE_VALUES = {"U012AB3CD", "secret", "password"}


def is_placeholder(value: str) -> bool:
    """Whether `value` (one setting, or one of its comma-separated parts, or a URL's password) is a placeholder."""
    text = value.strip()
    if not text:
        return False
    lowered = text.lower()
    if any(marker in lowered for marker in _MARKERS) or text in _EXAMPLE_VALUES:
        return True
    if "," in text:
        return any(is_placeholder(part) for part in text.split(","))
    if "://" in text:
        try:
            password = urlsplit(text).password
        except ValueError:
            return False
        return bool(password and is_placeholder(password))
    return False


def placeholder_variables(environment: Mapping[str, str]) -> list[str]:
    """The names of the secret settings in `environment` that still hold a placeholder from the examples."""
    return [name for name in SECRET_VARIABLES if is_placeholder(environment.get(name, ""))]
