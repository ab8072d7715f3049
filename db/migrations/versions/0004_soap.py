"""OCPP 1.5 and 1.6 over SOAP: the station's wsa:From address, and the SOAP element and type tables
the XML conversion in PL/pgSQL reads.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from pathlib import Path

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schema change as it was at this revision, frozen beside it (db/schema/ moves on, this does not).
    sql = Path(__file__).with_suffix(".sql").read_text()
    op.get_bind().connection.driver_connection.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("ocpp-cs migrates forward only; restore a backup to go back")
