"""ocpp.disconnect takes the connection's connected_at (a station that reconnected to the same node
keeps its new row): the two-argument function goes, the new one is deployed with the functions.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""
from pathlib import Path

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
