"""Node liveness (issue 16): each front-end node holds a lease in cs.node, renewed every third of
node.lease_seconds; a node whose lease is over by node.grace_seconds is declared dead by any live node
(its connections removed, its sent commands interrupted).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from pathlib import Path

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
