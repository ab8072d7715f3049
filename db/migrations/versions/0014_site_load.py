"""Site load balancing and ISO 15118 smart charging (issue 15): cs.site, cs.site_station, cs.site_evse,
cs.site_allocation; the transaction and schedule of cs.ev_charging_needs, the check of
cs.ev_charging_schedule; the site.* and smart_charging.* settings.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""
from pathlib import Path

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
