-- The embedded cluster's roles, run by the bootstrap superuser on every start, in one transaction,
-- connected to the ocpp database (psql -1 -f, variables owner, server and frontend set with -v).
--
--   owner     LOGIN, owns the database and everything of ocpp-cs in it; runs the migrations. Not a
--             superuser: as the database's owner it may still create trusted extensions (pgcrypto).
--   frontend  NOLOGIN, may only EXECUTE ocpp.* (db/schema/01_schemas_roles.sql grants it); made here
--             so the owner needs no CREATEROLE.
--   server    LOGIN for `ocpp-cs serve`, member of frontend only and owner of nothing, so an injected
--             SET ROLE can reach neither the owner nor the superuser.
--
-- Every statement is idempotent. Names are interpolated as :"identifier" or through format('%I'),
-- never pasted. A cluster made by an earlier ocpp-cs (everything owned by the superuser, the
-- migrations run as it) is converted object by object: REASSIGN OWNED BY the superuser is refused
-- for the system objects it also owns.

SELECT format('CREATE ROLE %I NOLOGIN', :'frontend')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'frontend')
\gexec
SELECT format('CREATE ROLE %I LOGIN', r.name)
  FROM (VALUES (:'owner'), (:'server')) AS r (name)
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r.name)
\gexec

-- Attributes put right on every start: a role changed by hand gets no more than it should have.
ALTER ROLE :"frontend" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE :"server" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
-- The membership lets the server log in and act as frontend (the `role` startup parameter); a
-- second GRANT only notices that it exists.
SELECT format('GRANT %I TO %I', :'frontend', :'server')
 WHERE NOT pg_catalog.pg_has_role(:'server', :'frontend', 'MEMBER')
\gexec

SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner')
  FROM pg_catalog.pg_database
 WHERE datname = current_database() AND datdba <> :'owner'::regrole
\gexec

-- Earlier versions: the schemas and what is in them, and alembic's table.
SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, :'owner')
  FROM pg_catalog.pg_namespace
 WHERE nspname IN ('cs', 'ocpp') AND nspowner <> :'owner'::regrole
\gexec
-- Tables, views and sequences; a sequence owned by a column (identity, serial) follows its table
-- and may not be given away on its own.
SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                             WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
              c.oid::regclass, :'owner')
  FROM pg_catalog.pg_class c
 WHERE (c.relnamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('cs', 'ocpp'))
        OR c.oid = to_regclass('public.alembic_version'))
   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
   AND c.relowner <> :'owner'::regrole
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype IN ('a', 'i'))
 ORDER BY c.relkind = 'S'
\gexec
SELECT format('ALTER %s %s OWNER TO %I',
              CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
              p.oid::regprocedure, :'owner')
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('cs', 'ocpp'))
   AND p.proowner <> :'owner'::regrole
\gexec
-- Enums, domains and ranges (a table's row type and the array types follow their owners).
SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
              t.oid::regtype, :'owner')
  FROM pg_catalog.pg_type t
 WHERE t.typnamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('cs', 'ocpp'))
   AND t.typtype IN ('e', 'd', 'r')
   AND t.typowner <> :'owner'::regrole
\gexec
-- Functions the owner creates later get EXECUTE for frontend as they did when the superuser made
-- them (zz_privileges.sql grants it after every deploy as well).
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA ocpp GRANT EXECUTE ON FUNCTIONS TO %I',
              :'owner', :'frontend')
 WHERE to_regnamespace('ocpp') IS NOT NULL
\gexec
