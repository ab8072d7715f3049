#!/bin/sh
# The postgres service's part of ocpp-cs's least-privilege logins (docker-compose.yml mounts this
# folder as /docker-entrypoint-initdb.d, so it runs once, when the volume is initialised).
#
# The superuser POSTGRES_USER stays the database's own; ocpp-cs gets two logins without superuser
# rights: ocpp_owner (owns the database POSTGRES_DB; the migrations, OCPP_CS_DATABASE_OWNER_URL) and
# ocpp_server (member of ocpp_frontend only; the server, OCPP_CS_DATABASE_URL). The roles are made by
# the same file as the embedded cluster's (server/embedded/bootstrap.sql, mounted read-only), which
# also hands an older database's objects to ocpp_owner. Idempotent: for a volume made before this
# script existed, run it once by hand:
#     docker compose exec postgres sh /docker-entrypoint-initdb.d/10-ocpp-roles.sh
set -eu
: "${OCPP_OWNER_PASSWORD:?the postgres service needs OCPP_OWNER_PASSWORD}"
: "${OCPP_SERVER_PASSWORD:?the postgres service needs OCPP_SERVER_PASSWORD}"

bootstrap="${OCPP_BOOTSTRAP_SQL:-/ocpp-cs/bootstrap.sql}"
export PGUSER="${POSTGRES_USER:-postgres}" PGDATABASE="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"

psql -X -q -v ON_ERROR_STOP=1 -1 -v owner=ocpp_owner -v server=ocpp_server \
     -v frontend=ocpp_frontend -f "$bootstrap"

# Passwords from the environment through \getenv, so they are quoted by psql and never on a
# command line.
psql -X -q -v ON_ERROR_STOP=1 -1 <<'SQL'
\getenv owner_password OCPP_OWNER_PASSWORD
\getenv server_password OCPP_SERVER_PASSWORD
ALTER ROLE ocpp_owner PASSWORD :'owner_password';
ALTER ROLE ocpp_server PASSWORD :'server_password';
SQL
