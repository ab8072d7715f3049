-- Schemas and the front end's role.
-- ocpp: the API, functions only. cs: tables and internal functions.
-- Roles are cluster-wide and many databases share a cluster, so the role is created only when missing
-- (and a concurrent creation by another database's build is tolerated).

CREATE SCHEMA ocpp;
CREATE SCHEMA cs;

COMMENT ON SCHEMA ocpp IS 'ocpp-cs API: functions only, EXECUTE granted to ocpp_frontend';
COMMENT ON SCHEMA cs IS 'ocpp-cs tables and internal functions';

-- bcrypt for station passwords and random secrets (a trusted extension: the database owner may create it)
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA cs;
DO $$
BEGIN
    IF (SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
         WHERE e.extname = 'pgcrypto') <> 'cs' THEN
        RAISE EXCEPTION 'pgcrypto is installed in another schema; ocpp-cs calls it in schema cs'
              USING HINT = 'ALTER EXTENSION pgcrypto SET SCHEMA cs, then qualify other uses of it with cs.';
    END IF;
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ocpp_frontend') THEN
        CREATE ROLE ocpp_frontend NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created meanwhile by another database build in the same cluster
END
$$;

GRANT USAGE ON SCHEMA ocpp TO ocpp_frontend;
ALTER DEFAULT PRIVILEGES IN SCHEMA ocpp GRANT EXECUTE ON FUNCTIONS TO ocpp_frontend;
