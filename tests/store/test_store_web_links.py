"""Revoking web report links: each revoke gives the user a new salt, other users keep theirs."""

from __future__ import annotations

from redalert_core.store import Store


def test_revoke_gives_a_new_salt_to_that_user_only(store: Store):
    links = store.web_links
    assert links.current("U0ALICE") == "" and links.current("U0BOB") == ""
    links.revoke("U0ALICE")
    first = links.current("U0ALICE")
    assert len(first) == 32 and links.current("U0BOB") == ""
    links.revoke("U0ALICE")
    assert links.current("U0ALICE") not in ("", first)
