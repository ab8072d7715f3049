-- cs.reachable(station_id, soap_from, version): whether a command can reach the station now: it has
-- a WebSocket connection (cs.connection, on any node), or it speaks OCPP over SOAP (1.5 or 1.6 with a
-- wsa:From address), where the dispatcher POSTs to it without any connection. Raises nothing.
CREATE OR REPLACE FUNCTION cs.reachable(station_id integer, soap_from text, version text)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (SELECT FROM cs.connection AS c WHERE c.station_id = reachable.station_id)
        OR (reachable.soap_from IS NOT NULL AND reachable.version IN ('1.5', '1.6'));
$$;

-- cs.command_actions(version): the operations a central system sends to a station of OCPP version
-- version (1.5, 1.6, 2.0.1, 2.1): cs.action_list's csms_to_station (db/functions/00_core/actions.sql).
-- Returns text[], null for another version. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_actions(version text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT cs.action_list(version, 'csms_to_station')
$$;

-- cs.command_row(id, lock): the cs.command row id, locked FOR UPDATE when lock. Returns the row.
-- Raises OC010 for an unknown id.
CREATE OR REPLACE FUNCTION cs.command_row(id bigint, lock boolean)
RETURNS cs.command
LANGUAGE plpgsql
AS $$
DECLARE
    cmd cs.command;
BEGIN
    IF lock THEN
        SELECT * INTO cmd FROM cs.command AS c WHERE c.id = command_row.id FOR UPDATE;
    ELSE
        SELECT * INTO cmd FROM cs.command AS c WHERE c.id = command_row.id;
    END IF;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown command', format('no command %s', command_row.id));
    END IF;
    RETURN cmd;
END;
$$;

-- cs.command_sent(id): the cs.command row id, locked, which must be waiting for its answer.
-- Returns the row. Raises OC010 for an unknown id, OC004 when the command is not in status sent (an
-- answer without a question).
CREATE OR REPLACE FUNCTION cs.command_sent(id bigint)
RETURNS cs.command
LANGUAGE plpgsql
AS $$
DECLARE
    cmd cs.command := cs.command_row(command_sent.id, true);
BEGIN
    IF cmd.status <> 'sent' THEN
        PERFORM cs.raise_ocpp('OC004', 'command not waiting for an answer',
                              format('command %s is %s', cmd.id, cmd.status));
    END IF;
    RETURN cmd;
END;
$$;

-- ocpp.send(identity, action, payload, wait): queues the OCPP CALL action with payload for station
-- identity and wakes the dispatcher (NOTIFY ocpp_command, the id). The row's status:
--   refused (error SecurityError) for a Rejected station;
--   queued when the station is connected (with wait null it is sent now or never: should the station
--     disconnect before the dispatcher claims it, it becomes offline);
--   queued with wait_until = now() + wait when the station is not connected and wait is given;
--   offline when the station is not connected and wait is null.
-- To a 2.0.1 or 2.1 station a 1.6-style request is translated (cs.v201_translate): the row holds the
-- 2.0.1 action and payload, and requested what was asked ({"action", "payload"}).
-- Schema validation of the payload is the dispatcher's (it calls ocpp.command_refused).
-- A request that sets the station's Basic-auth password (cs.command_secret) is stored masked
-- ('********', in payload and requested), with the hash of the new password in credential_hash (it
-- becomes the station's when the station accepts); the clear value goes only in NOTIFY ocpp_secret
-- ({"command", "value", "until"}), which every dispatcher keeps in memory until it sends the command.
-- Returns the command id. Raises OC010 for an unknown station, OC007 for a negative wait, OC006 when payload
-- is not a JSON object, OC002 for a station of another version than 1.5 (SOAP), 1.6, 2.0.1, 2.1, OC001
-- for an action that is not a central-system operation of the station's version (nor, for 2.0.1 and
-- 2.1, a 1.6 one that translates). A request longer than a 2.0.1 / 2.1 station's ItemsPerMessage or
-- BytesPerMessage is queued as parts (cs.command_split): the id returned is the parent's. A 1.5 station takes the 1.6 form of the 1.5 operations (its
-- SOAP request is built by ocpp.jsontosoap); its answers have the 1.6 effects.
-- created_by is cs.command_creator(): the name of the API token in the setting ocpp.api_token (the REST
-- API and web UI set it), else the database role that logged in.
CREATE OR REPLACE FUNCTION ocpp.send(identity text, action text, payload jsonb DEFAULT '{}',
                                     wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st          cs.station;
    version     text;
    allowed     text[];
    translated  jsonb;
    cmd_action  text := send.action;
    cmd_payload jsonb := send.payload;
    requested   jsonb;
    connected   boolean;
    new_id      bigint;
    secret      jsonb;
    credential  text;
BEGIN
    SELECT * INTO st FROM cs.station AS s WHERE s.identity = send.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', send.identity));
    END IF;
    IF jsonb_typeof(send.payload) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'payload is not a JSON object', send.action);
    END IF;
    IF send.wait < interval '0' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid wait', format('wait %s is negative', send.wait));
    END IF;
    -- a station added by an operator that never connected has no version yet: 1.6
    version := coalesce(st.version, '1.6');
    allowed := cs.command_actions(version);
    IF allowed IS NULL THEN
        PERFORM cs.raise_ocpp('OC002', 'unsupported OCPP version',
                              format('station %s speaks %s', st.identity, st.version));
    END IF;
    IF version IN ('2.0.1', '2.1') THEN
        translated := cs.v201_translate(st.id, send.action, send.payload);
        IF translated IS NOT NULL THEN
            requested := jsonb_build_object('action', send.action, 'payload', send.payload);
            cmd_action := translated->>'action';
            cmd_payload := translated->'payload';
        END IF;
    END IF;
    IF cmd_action IS NULL OR cmd_action <> ALL (allowed) THEN
        PERFORM cs.raise_ocpp('OC001', 'action not implemented',
                              format('%s is not a central-system operation of OCPP %s',
                                     coalesce(send.action, 'null'), version));
    END IF;

    -- a new station password never lands in a table in clear: the row keeps it masked, its hash waits
    -- for the station's acceptance, and the clear value goes to the dispatchers by NOTIFY ocpp_secret
    secret := cs.command_secret(cmd_action, cmd_payload);
    IF secret IS NOT NULL THEN
        cmd_payload := cs.secret_mask(cmd_payload, secret);
        requested := jsonb_set(requested, '{payload}',
                               cs.secret_mask(send.payload, cs.command_secret(send.action, send.payload)));
        credential := cs.password_hash(decode(secret->>'credential', 'hex'));
    END IF;

    connected := cs.reachable(st.id, st.soap_from, st.version);

    IF st.registration_status = 'Rejected' THEN
        INSERT INTO cs.command AS c (station_id, action, payload, requested, status, error, finished_at,
                                     created_by)
        VALUES (st.id, cmd_action, cmd_payload, requested, 'refused',
                jsonb_build_object('code', 'SecurityError', 'description', 'station is rejected',
                                   'details', '{}'::jsonb),
                now(), cs.command_creator())
        RETURNING c.id INTO new_id;
    ELSIF NOT connected AND send.wait IS NULL THEN
        INSERT INTO cs.command AS c (station_id, action, payload, requested, status, finished_at, created_by)
        VALUES (st.id, cmd_action, cmd_payload, requested, 'offline', now(), cs.command_creator())
        RETURNING c.id INTO new_id;
    ELSE
        INSERT INTO cs.command AS c (station_id, action, payload, requested, status, wait_until,
                                     secret_path, credential_hash, created_by)
        VALUES (st.id, cmd_action, cmd_payload, requested, 'queued', now() + send.wait,
                CASE WHEN secret IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(secret->'path')) END,
                credential, cs.command_creator())
        RETURNING c.id INTO new_id;
        IF secret IS NULL AND version IN ('2.0.1', '2.1') AND cs.command_split_list(cmd_action) IS NOT NULL THEN
            PERFORM cs.command_split(new_id);  -- longer than the station's ItemsPerMessage / BytesPerMessage
        END IF;
        IF secret IS NOT NULL THEN  -- before ocpp_command: delivered in this order, in one transaction
            PERFORM pg_notify('ocpp_secret', jsonb_build_object('command', new_id, 'value', secret->'value',
                                                                'until', cs.ocpp_time(now() + coalesce(send.wait, interval '1 hour')))::text);
        END IF;
        PERFORM pg_notify('ocpp_command', new_id::text);
    END IF;
    RETURN new_id;
END;
$$;

-- cs.command_json(cmd): the API view of a command: {"id", "identity", "action", "payload", "requested",
-- "status", "response", "error", "uniqueId", "node", "waitUntil", "createdAt", "sentAt", "answeredAt",
-- "finishedAt", "createdBy"} (requested: the 1.6-style request it was translated from, or null), and
-- only for a split command "parts" (how many parts it was split into) or for a part "parentId" (the
-- split command's id), see cs.command_split.
-- Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_json(cmd cs.command)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN jsonb_build_object(
               'id', cmd.id,
               'identity', (SELECT s.identity FROM cs.station AS s WHERE s.id = cmd.station_id),
               'action', cmd.action,
               'payload', cmd.payload,
               'requested', cmd.requested,
               'status', cmd.status,
               'response', cmd.response,
               'error', cmd.error,
               'uniqueId', cmd.unique_id,
               'node', cmd.node,
               'waitUntil', cs.ocpp_time(cmd.wait_until),
               'createdAt', cs.ocpp_time(cmd.created_at),
               'sentAt', cs.ocpp_time(cmd.sent_at),
               'answeredAt', cs.ocpp_time(cmd.answered_at),
               'finishedAt', cs.ocpp_time(cmd.finished_at),
               'createdBy', cmd.created_by)
           || jsonb_strip_nulls(jsonb_build_object('parentId', cmd.parent_id, 'parts', cmd.parts));
END;
$$;

-- ocpp.command(id): the command id as jsonb (see cs.command_json). Raises OC010 for an unknown id.
CREATE OR REPLACE FUNCTION ocpp.command(id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN cs.command_json(cs.command_row(command.id, false));
END;
$$;

-- ocpp.cancel_command(id): a queued command becomes cancelled; for a split command its parts still
-- queued do (the parent is final once a part in flight is). Returns true when something was cancelled,
-- false when it was no longer queued (sent or final). Raises OC010 for an unknown id.
CREATE OR REPLACE FUNCTION ocpp.cancel_command(id bigint)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    cmd cs.command := cs.command_row(cancel_command.id, true);
BEGIN
    IF cmd.status <> 'queued' THEN
        RETURN false;
    END IF;
    IF cmd.parts IS NOT NULL THEN
        UPDATE cs.command AS c SET status = 'cancelled', finished_at = now()
         WHERE c.parent_id = cmd.id AND c.status = 'queued';
        RETURN FOUND;
    END IF;
    UPDATE cs.command AS c SET status = 'cancelled', finished_at = now() WHERE c.id = cmd.id;
    RETURN true;
END;
$$;

-- cs.command_sweep(): queued commands that can no longer be sent become final: offline when the
-- station is not connected and its wait is over (or it had none), refused (SecurityError) when the
-- station was Rejected since. Rows locked by another session are left for the next sweep. A split
-- command is left to its parts (cs.command_part_finished).
-- Returns the number of commands finished. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_sweep()
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    finished integer;
BEGIN
    WITH stale AS (
        SELECT c.id, s.registration_status = 'Rejected' AS rejected
          FROM cs.command AS c
          JOIN cs.station AS s ON s.id = c.station_id
         WHERE c.status = 'queued' AND c.parts IS NULL
           AND (s.registration_status = 'Rejected'
                OR (NOT cs.reachable(s.id, s.soap_from, s.version)
                    AND (c.wait_until IS NULL OR c.wait_until <= now())))
           FOR UPDATE OF c SKIP LOCKED
    )
    UPDATE cs.command AS c
       SET status = CASE WHEN stale.rejected THEN 'refused' ELSE 'offline' END,
           error = CASE WHEN stale.rejected
                        THEN jsonb_build_object('code', 'SecurityError', 'description', 'station is rejected',
                                                'details', '{}'::jsonb) END,
           finished_at = now()
      FROM stale
     WHERE c.id = stale.id;
    GET DIAGNOSTICS finished = ROW_COUNT;
    RETURN finished;
END;
$$;

-- ocpp.command_claim(node, identities, lim): for the dispatcher on node. First finishes the queued
-- commands that can no longer be sent (cs.command_sweep). Then, for at most lim stations connected to
-- node (only those of identities when given) with no command outstanding, marks the oldest queued
-- command sent with a fresh unique_id, node and sent_at (a split command's parts, never the split
-- command itself, cs.command_split). Stations another claim is working on are
-- skipped (SKIP LOCKED), so two claims never send two CALLs to one station.
-- Returns a jsonb array of {"id", "identity", "action", "payload", "uniqueId", "secretPath"}, oldest
-- first; secretPath, when not null, is where the payload holds a masked new station password whose clear
-- value came by NOTIFY ocpp_secret (ocpp.send).
-- Raises OC007 for an empty node or a negative lim.
CREATE OR REPLACE FUNCTION ocpp.command_claim(node text, identities text[] DEFAULT NULL, lim integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    conn    record;
    cmd     cs.command;
    claimed jsonb := '[]'::jsonb;
    n       integer := 0;
BEGIN
    IF command_claim.node IS NULL OR command_claim.node = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid node', 'the node name is empty');
    END IF;
    IF lim < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid limit', format('lim %s is negative', lim));
    END IF;

    PERFORM cs.command_sweep();

    -- the connection row is the station's claim lock: held to the end of the transaction, skipped by
    -- a concurrent claim; the per-station statements below run after it, with a fresh snapshot
    FOR conn IN
        SELECT c.station_id, s.identity
          FROM cs.connection AS c
          JOIN cs.station AS s ON s.id = c.station_id
         WHERE c.node = command_claim.node
           AND (identities IS NULL OR s.identity = ANY (identities))
           AND s.registration_status <> 'Rejected'
           AND EXISTS (SELECT FROM cs.command AS q
                        WHERE q.station_id = c.station_id AND q.status = 'queued' AND q.parts IS NULL)
         ORDER BY c.station_id
           FOR NO KEY UPDATE OF c SKIP LOCKED
    LOOP
        EXIT WHEN lim IS NOT NULL AND n >= lim;
        CONTINUE WHEN EXISTS (SELECT FROM cs.command AS q WHERE q.station_id = conn.station_id AND q.status = 'sent');

        UPDATE cs.command AS c
           SET status = 'sent', unique_id = gen_random_uuid()::text, node = command_claim.node,
               sent_at = now()
         WHERE c.id = (SELECT q.id FROM cs.command AS q
                        WHERE q.station_id = conn.station_id AND q.status = 'queued' AND q.parts IS NULL
                        ORDER BY q.id
                        LIMIT 1
                          FOR UPDATE SKIP LOCKED)
        RETURNING * INTO cmd;
        CONTINUE WHEN NOT FOUND;

        n := n + 1;
        claimed := claimed || jsonb_build_array(jsonb_build_object(
            'id', cmd.id, 'identity', conn.identity, 'action', cmd.action, 'payload', cmd.payload,
            'uniqueId', cmd.unique_id)
            || CASE WHEN cmd.secret_path IS NULL THEN '{}'::jsonb
                    ELSE jsonb_build_object('secretPath', to_jsonb(cmd.secret_path)) END);
    END LOOP;

    RETURN (SELECT coalesce(jsonb_agg(e ORDER BY (e->>'id')::bigint), '[]'::jsonb)
              FROM jsonb_array_elements(claimed) AS e);
END;
$$;

-- ocpp.command_result(id, response): the station's CALLRESULT of command id: status answered, the
-- response kept, and its business effect applied (cs.command_effect, per the station's version). An effect that fails does
-- not lose the answer: the failure goes to cs.review (action, "command effect failed: ...").
-- Returns nothing. Raises OC010 for an unknown id, OC004 when the command is not waiting for an answer
-- (status sent), OC006 when response is not a JSON object.
CREATE OR REPLACE FUNCTION ocpp.command_result(id bigint, response jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    cmd cs.command := cs.command_sent(command_result.id);
BEGIN
    IF jsonb_typeof(command_result.response) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'response is not a JSON object', cmd.action);
    END IF;
    UPDATE cs.command AS c
       SET status = 'answered', response = cs.mask_secrets(cmd.action, command_result.response),
           answered_at = now(), finished_at = now()
     WHERE c.id = cmd.id
    RETURNING * INTO cmd;

    BEGIN
        PERFORM cs.command_effect(cmd);
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (cmd.station_id, cmd.action, 'command effect failed: ' || SQLERRM,
                jsonb_build_object('command', cmd.id, 'payload', cmd.payload, 'response', cmd.response));
    END;
    -- credentials and security profile apart: a failed business effect must not lose a new password
    BEGIN
        PERFORM cs.command_security_effect(cmd);
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (cmd.station_id, cmd.action, 'command security effect failed: ' || SQLERRM,
                jsonb_build_object('command', cmd.id, 'payload', cmd.payload, 'response', cmd.response));
    END;
END;
$$;

-- ocpp.command_error(id, code, description, details): the station's CALLERROR of command id: status
-- error, error {"code", "description", "details"}. Returns nothing. Raises OC010 for an unknown id,
-- OC004 when the command is not waiting for an answer.
CREATE OR REPLACE FUNCTION ocpp.command_error(id bigint, code text, description text, details jsonb DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    cmd cs.command := cs.command_sent(command_error.id);
BEGIN
    UPDATE cs.command AS c
       SET status = 'error',
           error = jsonb_build_object('code', command_error.code, 'description', command_error.description,
                                      'details', coalesce(command_error.details, '{}'::jsonb)),
           answered_at = now(), finished_at = now()
     WHERE c.id = cmd.id;
END;
$$;

-- ocpp.command_timeout(id): no answer to command id in time: status timeout. Returns nothing.
-- Raises OC010 for an unknown id, OC004 when the command is not waiting for an answer.
CREATE OR REPLACE FUNCTION ocpp.command_timeout(id bigint)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    cmd cs.command := cs.command_sent(command_timeout.id);
BEGIN
    UPDATE cs.command AS c SET status = 'timeout', finished_at = now() WHERE c.id = cmd.id;
END;
$$;

-- ocpp.command_unclaim(id): the dispatcher claimed command id but never sent it (the station's socket
-- closed between the claim and the send): it goes back to the queue as it was (status queued, no
-- unique_id, node or sent_at), where cs.command_sweep and the next claim decide. Returns nothing.
-- Raises OC010 for an unknown id, OC004 when the command is not sent.
CREATE OR REPLACE FUNCTION ocpp.command_unclaim(id bigint)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    cmd cs.command := cs.command_sent(command_unclaim.id);
BEGIN
    UPDATE cs.command AS c SET status = 'queued', unique_id = NULL, node = NULL, sent_at = NULL
     WHERE c.id = cmd.id;
END;
$$;

-- ocpp.command_refused(id, code, description, details): the dispatcher did not send the claimed
-- command id (its payload breaks the schema): status refused, the error kept, sent_at and unique_id
-- cleared. Returns nothing. Raises OC010 for an unknown id, OC004 when the command is not claimed
-- (status sent).
CREATE OR REPLACE FUNCTION ocpp.command_refused(id bigint, code text, description text, details jsonb DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    cmd cs.command := cs.command_sent(command_refused.id);
BEGIN
    UPDATE cs.command AS c
       SET status = 'refused',
           error = jsonb_build_object('code', command_refused.code, 'description', command_refused.description,
                                      'details', coalesce(command_refused.details, '{}'::jsonb)),
           sent_at = NULL, unique_id = NULL, finished_at = now()
     WHERE c.id = cmd.id;
END;
$$;

-- ocpp.command_interrupted(node, identity): every sent command of node (and of station identity, when
-- given) becomes interrupted: its socket closed or the node restarted before an answer. Never resent.
-- Returns the number of commands interrupted. Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.command_interrupted(node text, identity text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    interrupted integer;
BEGIN
    UPDATE cs.command AS c
       SET status = 'interrupted', finished_at = now()
     WHERE c.status = 'sent' AND c.node = command_interrupted.node
       AND (command_interrupted.identity IS NULL
            OR c.station_id = (SELECT s.id FROM cs.station AS s WHERE s.identity = command_interrupted.identity));
    GET DIAGNOSTICS interrupted = ROW_COUNT;
    RETURN interrupted;
END;
$$;

-- ocpp.call(identity, action, payload, result, timeout): one step from psql: ocpp.send (no wait),
-- COMMIT so the dispatcher sees the command, then polls every 0.2 s until it is final or timeout has
-- passed; a command still queued then is cancelled. result: ocpp.command(id).
-- Must be CALLed outside an explicit transaction block. It is the one routine of schema ocpp that is
-- neither SECURITY DEFINER nor fixes search_path: PostgreSQL refuses COMMIT in such a procedure. It
-- runs with the caller's rights, names everything by schema, and only calls the API.
-- Raises what ocpp.send raises; OC007 for a null or negative timeout.
CREATE OR REPLACE PROCEDURE ocpp.call(identity text, action text, payload jsonb, INOUT result jsonb DEFAULT NULL,
                                      timeout interval DEFAULT '40 seconds')
LANGUAGE plpgsql
AS $$
DECLARE
    cmd_id   bigint;
    deadline timestamptz;
BEGIN
    IF timeout IS NULL OR timeout < interval '0' THEN
        RAISE EXCEPTION USING ERRCODE = 'OC007', MESSAGE = 'invalid timeout',
                              DETAIL = format('timeout %s', coalesce(timeout::text, 'null'));
    END IF;
    cmd_id := ocpp.send(identity, action, coalesce(payload, '{}'::jsonb));
    COMMIT;
    deadline := pg_catalog.clock_timestamp() + timeout;
    LOOP
        result := ocpp.command(cmd_id);
        EXIT WHEN result->>'status' NOT IN ('queued', 'sent');
        IF pg_catalog.clock_timestamp() >= deadline THEN
            IF result->>'status' = 'queued' AND ocpp.cancel_command(cmd_id) THEN
                result := ocpp.command(cmd_id);
            END IF;
            EXIT;
        END IF;
        COMMIT;  -- ends the snapshot, so the next poll sees the dispatcher's update
        PERFORM pg_catalog.pg_sleep(0.2);
    END LOOP;
END;
$$;

-- 99_privileges/privileges.sql acts on functions only (ALL FUNCTIONS leaves procedures out)
REVOKE EXECUTE ON PROCEDURE ocpp.call(text, text, jsonb, jsonb, interval) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE ocpp.call(text, text, jsonb, jsonb, interval) TO ocpp_frontend;

-- ocpp.commands: the commands of the last 7 days and every unfinished one, newest first (requested:
-- the 1.6-style request a 2.0.1 command was translated from). The parts of a split command
-- (cs.command_split) are in cs.command, not here: the view is deployed on databases of any revision.
CREATE OR REPLACE VIEW ocpp.commands AS
SELECT c.id, s.identity, c.action, c.status, c.payload, c.response, c.error, c.unique_id, c.node,
       c.wait_until, c.created_at, c.sent_at, c.answered_at, c.finished_at, c.created_by, c.requested
  FROM cs.command AS c
  JOIN cs.station AS s ON s.id = c.station_id
 WHERE c.created_at > now() - interval '7 days' OR c.status IN ('queued', 'sent')
 ORDER BY c.id DESC;

GRANT SELECT ON ocpp.commands TO ocpp_frontend;
