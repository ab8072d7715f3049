"""`ocpp-cs db upgrade`: alembic migrations from db/migrations/, then the functions of db/functions/
(found by sqlfiles: inside the installed package, or under OCPP_CS_HOME)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from . import sqlfiles


def alembic_config(dsn: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(sqlfiles.migrations_dir()))
    config.attributes["dsn"] = dsn
    return config


def upgrade(dsn: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(dsn), revision)


def current(dsn: str) -> None:
    command.current(alembic_config(dsn), verbose=True)
