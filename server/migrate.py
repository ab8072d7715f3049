"""`ocpp-cs db upgrade`: alembic migrations from db/migrations/, then the functions of db/functions/."""
from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

# The repository root: db/ and conf/ sit beside server/.
ROOT = Path(os.environ.get("OCPP_CS_HOME") or Path(__file__).resolve().parents[1])
MIGRATIONS_DIR = ROOT / "db" / "migrations"


def alembic_config(dsn: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["dsn"] = dsn
    return config


def upgrade(dsn: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(dsn), revision)


def current(dsn: str) -> None:
    command.current(alembic_config(dsn), verbose=True)
