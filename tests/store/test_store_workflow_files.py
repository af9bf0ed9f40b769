"""The active REDALERT_WORKFLOWS_FILE: the newest version loaded, the same for every process on the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redalert_core.store import Store

AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_the_newest_version_is_active_for_every_process(store: Store, database) -> None:
    assert store.workflow_files.active() is None
    store.workflow_files.activate("a" * 64, "types: []\n", "start", AT)
    store.workflow_files.activate("b" * 64, "fields: []\n", "U0ADMIN", AT + timedelta(minutes=1))

    restarted = Store(database.url, schema=database.schema)  # another replica on the same database
    try:
        active = restarted.workflow_files.active()
        assert active is not None
        assert (active.digest, active.text, active.loaded_by, active.loaded_at) == (
            "b" * 64,
            "fields: []\n",
            "U0ADMIN",
            AT + timedelta(minutes=1),
        )
        assert [version.loaded_by for version in restarted.workflow_files.history()] == ["U0ADMIN", "start"]
    finally:
        restarted.dispose()


def test_an_incident_has_no_type_until_one_is_given(store: Store, new_incident) -> None:
    incident = new_incident()
    assert store.incidents.get(incident.number).incident_type is None
