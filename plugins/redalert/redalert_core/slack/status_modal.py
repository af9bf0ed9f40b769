"""The status page's part of the `/incident` Update modal: the public text, component states and a title.

Kept apart from modals.py; the Update modal adds these blocks for incidents that are not private.
"""

from __future__ import annotations

from ..domain.status_page import COMPONENT_STATES, MAX_BODY, MAX_TITLE, STATE_WORDS, StatusPageSettings

OPTION_LIMIT = 100
PUBLIC, COMPONENTS, TITLE = "public", "components", "public_title"


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text[:2000], "emoji": True}


def publish_blocks(page: StatusPageSettings) -> list[dict]:
    """A divider, the public text, then (with STATUS_COMPONENTS) the components' states, and the title."""
    blocks: list[dict] = [
        {"type": "divider"},
        {
            "type": "input",
            "block_id": PUBLIC,
            "optional": True,
            "label": _plain("Public status page text"),
            "hint": _plain("Published on the status page as written; the update above stays internal."),
            "element": {"type": "plain_text_input", "action_id": PUBLIC, "multiline": True, "max_length": MAX_BODY},
        },
    ]
    options = [
        {"text": _plain(f"{name}: {STATE_WORDS[state]}"[:75]), "value": f"{name}={state}"}
        for name in page.names
        for state in COMPONENT_STATES
    ][:OPTION_LIMIT]
    if options:
        element = {"type": "multi_static_select", "action_id": COMPONENTS, "options": options}
        blocks.append(
            {"type": "input", "block_id": COMPONENTS, "optional": True, "label": _plain("Affected components"),
             "element": element}
        )  # fmt: skip
    blocks.append(
        {"type": "input", "block_id": TITLE, "optional": True, "label": _plain("Public title (first publish)"),
         "element": {"type": "plain_text_input", "action_id": TITLE, "max_length": MAX_TITLE}}
    )  # fmt: skip
    return blocks


def read_publish_form(view: dict) -> tuple[str, list[str], str]:
    """(public text, ["name=state", …], title) as entered; empty when left blank."""
    values = ((view.get("state") or {}).get("values")) or {}

    def entry(block: str) -> dict:
        return next(iter((values.get(block) or {}).values()), {})

    pairs = [o.get("value", "") for o in entry(COMPONENTS).get("selected_options") or [] if isinstance(o, dict)]
    return (entry(PUBLIC).get("value") or "").strip(), pairs, (entry(TITLE).get("value") or "").strip()
