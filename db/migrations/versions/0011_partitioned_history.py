"""History partitioned by time (issue 16): cs.message_log by day of created_at, cs.meter_value by month
of received_at, each with a DEFAULT partition; the rows move over, the identity sequences go on.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""
from pathlib import Path

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
