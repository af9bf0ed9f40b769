"""Validation of FORM_GROUPS: the user groups offered in the "Open an incident" modal.

With groups configured the modal shows a multi-select of them; without, a text field where people type @handles.
"""

from __future__ import annotations

import re
from typing import Any

MAX_FORM_GROUPS = 100  # a Slack select holds at most 100 options
GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}\Z")
GROUP_HANDLE = re.compile(r"^@[a-z0-9][a-z0-9._-]{0,79}\Z")
_GROUP_MARKUP = re.compile(r"^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>\Z")


def check_form_groups(raw: Any, faults: list[str]) -> tuple[str, ...]:
    """A list of user-group IDs (S…) or @handles, without repeats."""
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(raw, (list, tuple)):
        faults.append('FORM_GROUPS must be a list of user groups, like ["@sre", "S0DBA"].')
        return ()
    groups: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            faults.append(f"FORM_GROUPS: {item!r} is not text; give user groups as strings.")
            continue
        entry = item.strip()
        markup = _GROUP_MARKUP.match(entry)
        entry = markup.group(1) if markup else entry.lower() if entry.startswith("@") else entry
        if not (GROUP_ID.match(entry) or GROUP_HANDLE.match(entry)):
            faults.append(f'FORM_GROUPS: "{item[:40]}" is not a user-group ID (S…) or @handle.')
        elif entry not in groups:
            groups.append(entry)
    if len(groups) > MAX_FORM_GROUPS:
        faults.append(f"FORM_GROUPS lists {len(groups)} groups; Slack shows at most {MAX_FORM_GROUPS}.")
        return tuple(groups[:MAX_FORM_GROUPS])
    return tuple(groups)
