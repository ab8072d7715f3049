-- Privileges of the functions above. Sorts last on purpose: it acts on every function that exists.
-- PostgreSQL lets PUBLIC execute a new function; the SECURITY DEFINER API is for ocpp_frontend only
-- (granted by the default privileges of db/schema/01_schemas_roles.sql), and the cs functions for the
-- owner only. CREATE OR REPLACE keeps a function's privileges, so redeploying changes nothing.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA ocpp, cs FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ocpp TO ocpp_frontend;
