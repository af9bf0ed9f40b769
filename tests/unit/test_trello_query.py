"""How card fields are written into Trello's query string (they also go in the JSON body, whole)."""

from __future__ import annotations

from redalert_core.integrations.trello.client import MAX_QUERY_TEXT, query_fields


def test_flags_and_cleared_values_are_spelled_as_trello_reads_them():
    fields = {"dueComplete": True, "closed": False, "due": None, "idMembers": "", "pos": "bottom"}
    assert query_fields(fields) == {
        "dueComplete": "true",
        "closed": "false",
        "due": "null",
        "idMembers": "",
        "pos": "bottom",
    }


def test_a_text_too_long_for_a_url_is_left_to_the_body():
    fields = {"name": "[INC-1] Rotate the keys", "desc": "x" * (MAX_QUERY_TEXT + 1)}
    assert query_fields(fields) == {"name": "[INC-1] Rotate the keys"}
    assert query_fields({"desc": "x" * MAX_QUERY_TEXT})["desc"] == "x" * MAX_QUERY_TEXT
