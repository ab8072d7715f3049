"""alembic environment: runs the revisions in versions/, then deploys every db/functions/**/*.sql.

Revisions change tables; functions are CREATE OR REPLACE files deployed whole after every upgrade,
so db/functions/ always holds the one current definition of each function. A function whose
signature changes is dropped by a revision (a new signature is a new function).
"""
from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import context
from sqlalchemy import create_engine, text

from ocpp_cs.sqlfiles import function_files

# Two nodes starting together must not migrate at the same time.
MIGRATION_LOCK = 7_221_001


def engine_for(dsn: str):
    """libpq reads the DSN itself, so every form it takes works: several hosts with
    target_session_attrs=read-write (a failover pair, docs/high-availability.md), key=value strings,
    a socket folder in host=. SQLAlchemy's own URL parser takes one host:port only."""
    return create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(dsn))


def run_sql_file(connection, path: Path) -> None:
    # Through the driver directly: the files hold many statements and PL/pgSQL's own % signs.
    connection.connection.driver_connection.execute(path.read_text())


def deploy_functions(connection) -> None:
    # One folder per domain, deployed in path order (ocpp_cs.sqlfiles.function_files).
    for path in function_files():
        run_sql_file(connection, path)


def run_migrations_online() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    engine = None
    if connection is None:
        engine = engine_for(config.attributes["dsn"])
        connection = engine.connect()
    try:
        context.configure(connection=connection, transactional_ddl=True,
                          version_table_schema="public")
        with context.begin_transaction():
            connection.execute(text(f"select pg_advisory_xact_lock({MIGRATION_LOCK})"))
            context.run_migrations()
            deploy_functions(connection)
    finally:
        connection.close()
        if engine is not None:
            engine.dispose()


run_migrations_online()
