"""A PagerDuty alert's state is read from its outbox rows: index them by ordering key.

Until now the open wrote the alert's state to `remote_links` beside its outbox row; it is now derived from the
incident's PagerDuty rows (outbox_policies.alert_state), which spares the open a write. Rows already in
`remote_links` under `pagerduty:` are left as they were; nothing reads them any more.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_ordering_key", "outbox", ["ordering_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_ordering_key", table_name="outbox")
