"""Field rules (issue 13): zombie transactions closed at boot and Available, a repeated seqNo stored,
units per measurand, a per-station heartbeat interval, API tokens that expire.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
from pathlib import Path

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
