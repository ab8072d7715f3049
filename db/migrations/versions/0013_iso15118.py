"""ISO 15118 certificate services (issue 15): cs.v2g_certificate (certificates by OCSP hash data, status,
the prepared OCSP response), cs.ev_certificate_response (exiResponses) and the iso15118.* settings.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""
from pathlib import Path

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
