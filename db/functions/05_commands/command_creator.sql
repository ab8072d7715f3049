-- cs.command_creator(): who sends the command being queued, for cs.command.created_by. The REST API and
-- the web UI run ocpp.send with the caller's API token in the transaction-local setting ocpp.api_token
-- (server/database/api.sql, `send`): then the token's name, when it is a live token. Otherwise (psql,
-- other systems, or no live token in the setting) the database role that logged in (session_user; a
-- SECURITY DEFINER function does not change it). The name comes from the token table, never from the
-- setting itself, so a session cannot claim a name without holding that token.
-- Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_creator()
RETURNS text
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    token text := nullif(current_setting('ocpp.api_token', true), '');
    name  text;
BEGIN
    IF token IS NOT NULL THEN
        SELECT t.name INTO name FROM cs.api_token AS t
         WHERE t.token_hash = cs.api_token_hash(token) AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now());
    END IF;
    RETURN coalesce(name, session_user::text);
END;
$$;
