"""Whatever people type, the post-mortem's Confluence storage body is well-formed XHTML (issue 18, item 7)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import example, given, settings
from hypothesis import strategies as st

from redalert_core.domain import postmortem_storage

NAMESPACES = 'xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier"'
# Markdown's marks and the line starts the converter reads, so that hypothesis combines them often.
PIECES = st.sampled_from(["**", "*", "_", "__", "- ", "- [ ] ", "# ", "\n", " ", "<", ">", "&", "&lt;", "a", "1"])
HOSTILE = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=30).map("".join)


def parse(storage: str) -> ET.Element:
    return ET.fromstring(f"<root {NAMESPACES}>{storage}</root>")


@settings(max_examples=500, deadline=None)
@given(HOSTILE)
@example("- **Cause:** a **b _c** d_ e")
@example("**a _b** c_")
@example("_a **b_ c**")
@example("bell \x07 and \ufffe")
def test_any_text_becomes_well_formed_storage(text):
    parse(postmortem_storage.from_markdown(text))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_becomes_well_formed_storage(text):
    parse(postmortem_storage.from_markdown(f"# Post-mortem: {text}\n\n- **Summary:** {text}\n- [ ] {text}\n"))


def test_the_marks_the_draft_writes_still_become_markup_and_stray_ones_stay_text():
    storage = postmortem_storage.from_markdown("- **Cause:** a **b _c** d_ e\n\n_To be filled in._")
    assert "<strong>Cause:</strong>" in storage and "<em>To be filled in.</em>" in storage
    root = parse(storage)
    assert "".join(root.itertext()) == "Cause: a b _c d_ eTo be filled in."
