"""Where the SQL lives: db/ (schema, functions, migrations, pgTAP tests) ships inside the package as
ocpp_cs/sql, so an installed wheel migrates a database without a checkout.

Read through importlib.resources: in a wheel ocpp_cs/sql is a folder of the package (pyproject.toml
maps it to db/); in the repository server/sql is a symlink to ../db, so an editable install and a
PYTHONPATH pointing at server/ find the same files. OCPP_CS_HOME, when set, names a tree whose db/
is read instead (the Docker image, a deployment with its own SQL).

The functions are deployed whole after every upgrade in the order of function_files(): sorted by
path, one folder per domain (db/functions/NN_domain/*.sql), so a function used in an SQL-language
body or a default is created by an earlier file.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def root() -> Path:
    """The folder holding schema/, functions/, migrations/ (and tests/ in a checkout)."""
    home = os.environ.get("OCPP_CS_HOME")
    if home:
        return Path(home) / "db"
    sql = resources.files("ocpp_cs") / "sql"
    if not isinstance(sql, Path):  # a zipped install: alembic needs real files
        raise RuntimeError(f"ocpp-cs's SQL files are not on the file system ({sql}); install "
                           "the package unzipped or set OCPP_CS_HOME")
    return sql


def migrations_dir() -> Path:
    return root() / "migrations"


def schema_files() -> list[Path]:
    """db/schema/*.sql in the order they build a database."""
    return sorted((root() / "schema").glob("*.sql"))


def function_files() -> list[Path]:
    """db/functions/**/*.sql in deploy order (by path relative to db/functions)."""
    base = root() / "functions"
    return sorted(base.rglob("*.sql"), key=lambda p: p.relative_to(base).as_posix())


def pgtap_files() -> list[Path]:
    """db/tests/*.sql: the pgTAP tests (not shipped in a wheel)."""
    return sorted((root() / "tests").glob("*.sql"))
