"""The workflow's part of the store (migration 0003): state, roles, statuses, severity, visibility."""

from datetime import timedelta

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from store.conftest import T0

from redalert_core.domain.visibility import Viewer
from redalert_core.store import Store
from redalert_core.store.database import MIGRATIONS_DIR


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_migration_from_scratch_creates_the_workflow_table(database):
    store = Store(database.url, schema=database.schema)
    store.migrate()
    inspector = sa.inspect(store.db.engine)
    assert "incident_workflow" in inspector.get_table_names()
    with store.db.engine.connect() as connection:
        # At the newest revision, whichever that is (later revisions build on 0003).
        assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()
    store.dispose()


def test_roles_status_and_announcement(store, new_incident):
    number = new_incident().number
    assert store.response.get(number).status is None and store.response.get(number).roles == {}
    assert store.response.assign_role(number, role="commander", user_id="U1", actor="U0", at=T0) is None
    assert store.response.assign_role(number, role="commander", user_id="U2", actor="U0", at=T0) == "U1"
    store.response.set_status(number, status="resolved", resolved=True, actor="U0", note="ok", at=T0)
    store.response.set_announcement(number, channel_id="C9", ts="1.2", at=T0)
    state = store.response.get(number)
    assert (state.roles, state.status, state.resolved_at, state.announce_ts) == (
        {"commander": "U2"},
        "resolved",
        T0,
        "1.2",
    )
    kinds = [str(e.kind) for e in store.events.list(number)]
    assert kinds.count("role_assigned") == 2 and "status_changed" in kinds and "announced" in kinds
    store.response.set_status(number, status="monitoring", resolved=False, actor="U0", note=None, at=T0)
    assert store.response.get(number).resolved_at is None


def test_severity_and_private_visibility(store, new_incident):
    public = new_incident().number
    secret = new_incident(is_private=True, opened_by="U_OWNER", opened_at=T0 + timedelta(minutes=1)).number
    assert store.incidents.change_severity(public, severity="sev1", actor="U0", at=T0).severity == "sev1"
    seen = lambda user, admin=False: [  # noqa: E731
        i.number for i in store.incidents.list(viewer=Viewer(user, admin))[0]
    ]
    assert seen("U_OTHER") == [public]
    assert seen("U_OWNER") == [secret, public]
    assert seen("U_OTHER", admin=True) == [secret, public]
    store.participants.add(secret, ["U_OTHER"], source="invite")
    assert seen("U_OTHER") == [secret, public]
    assert [i.number for i in store.incidents.not_closed()] == [public, secret]
