"""Device-model limits and provisioning (issue 15): a command longer than the station's ItemsPerMessage /
BytesPerMessage is sent as parts (cs.command.parent_id, parts, the trigger that finishes the parent), and
the setting station.pending_policy.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
from pathlib import Path

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
