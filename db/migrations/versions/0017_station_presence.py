"""cs.station_presence: last_seen leaves cs.station for a narrow table of its own, so that the
UPDATE every station message makes does not pay for the ~50 foreign keys pointing at cs.station.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""
from pathlib import Path

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
