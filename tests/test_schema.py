"""The database built from db/schema/ + db/functions/**/ equals the one built by all migrations
(tables, columns in their order, constraints, indexes, sequences, views, function definitions, shipped settings),
and every pgTAP file of db/tests/ passes."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import TEMPLATE, Database, new_database, psql_bin
from ocpp_cs import sqlfiles
from ocpp_cs.embedded import OWNER

SNAPSHOT = """
select 'column ' || table_schema || '.' || table_name || '.' || column_name
       -- the place among the columns there are: a dropped column leaves a gap in ordinal_position
       || ' #' || rank() over (partition by table_schema, table_name order by ordinal_position)
       || ' ' || data_type
       || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
       || ' identity=' || is_identity
  from information_schema.columns where table_schema in ('ocpp', 'cs')
union all
select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  from pg_constraint where connamespace in ('ocpp'::regnamespace, 'cs'::regnamespace)
union all
select 'index ' || indexdef from pg_indexes where schemaname in ('ocpp', 'cs')
union all
select 'view ' || schemaname || '.' || viewname || ' ' || definition
  from pg_views where schemaname in ('ocpp', 'cs')
union all
select 'function ' || pg_get_functiondef(p.oid) || ' acl=' || coalesce(p.proacl::text, '')
  from pg_proc p where p.pronamespace in ('ocpp'::regnamespace, 'cs'::regnamespace)
union all
select 'setting ' || key || '=' || value::text from cs.setting
order by 1
"""


def build_from_files(cluster) -> Database:
    # By the owner, as the template was migrated: the functions' owner is part of their acl.
    target = new_database(cluster, template="template0", owner=OWNER)
    # The functions in the order `ocpp-cs db upgrade` deploys them (one folder per domain).
    files = sqlfiles.schema_files() + sqlfiles.function_files()
    for f in files:
        subprocess.run([psql_bin(cluster), *cluster.psql_args(target.name, user=OWNER),
                        "-v", "ON_ERROR_STOP=1",
                        "-qf", str(f)], check=True, capture_output=True, text=True)
    return target


def test_schema_files_equal_migrations(cluster):
    from_files = build_from_files(cluster)
    from_migrations = Database(TEMPLATE, cluster.dsn(TEMPLATE), cluster)
    a = from_files.psql(SNAPSHOT).splitlines()
    b = from_migrations.psql(SNAPSHOT).splitlines()
    assert len(a) > 50
    missing = sorted(set(a) - set(b))
    extra = sorted(set(b) - set(a))
    assert not missing and not extra, (
        "db/schema + db/functions differ from the migrations:\n"
        + "\n".join(f"only in schema files: {x[:300]}" for x in missing)
        + "\n" + "\n".join(f"only in migrations: {x[:300]}" for x in extra))


PGTAP_FILES = sqlfiles.pgtap_files()


@pytest.mark.parametrize("path", PGTAP_FILES, ids=[p.name for p in PGTAP_FILES])
def test_pgtap(cluster, path: Path):
    target = new_database(cluster)
    target.psql("create extension if not exists pgtap")
    out = subprocess.run(["pg_prove", "--host", str(cluster.socket_dir), "--port", "5432",
                          "--username", "postgres", "--dbname", target.name, str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_there_are_pgtap_files():
    assert len(PGTAP_FILES) >= 5
