"""OCPP 2.0.1 and 2.1: EVSEs, the device model, transaction events, the station-side tables of 2.0.1
and 2.1, the 2.0.1 command effects, and message types 5 and 6 in the message log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from pathlib import Path

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
