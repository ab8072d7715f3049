-- cs.log_payload(action, payload): payload as the message log keeps it: station passwords never land in
-- the log (cs.mask_secrets for the actions that can carry one); other actions pass as they are.
-- Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.log_payload(action text, payload jsonb)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN action IN ('ChangeConfiguration', 'SetVariables', 'SetNetworkProfile',
                                'GetConfiguration', 'GetVariables', 'NotifyReport')
                THEN cs.mask_secrets(action, payload)
                ELSE payload END;
$$;

-- ocpp.log_frames(frames): writes a batch of message-log rows in one INSERT. frames is an array of
-- {"identity", "account", "direction": "in"|"out", "messageType": 2|3|4|null, "action", "uniqueId",
-- "payload", "errorCode", "errorDescription", "at", "latencyMs"}; "at" defaults to now().
-- Station passwords in the payloads are masked (cs.mask_secrets). Returns the number of rows written. Raises OC006 when frames is not an array; a frame without
-- identity, with another direction or message type violates the table (23502, 23514).
CREATE OR REPLACE FUNCTION ocpp.log_frames(frames jsonb)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    written integer;
BEGIN
    IF jsonb_typeof(frames) IS DISTINCT FROM 'array' THEN
        PERFORM cs.raise_ocpp('OC006', 'frames is not an array', jsonb_typeof(frames));
    END IF;
    INSERT INTO cs.message_log (identity, account, direction, message_type, action, unique_id, payload,
                                error_code, error_description, created_at, latency_ms)
    SELECT f->>'identity', f->>'account', f->>'direction', (f->>'messageType')::smallint, f->>'action',
           f->>'uniqueId',
           cs.log_payload(f->>'action', nullif(f->'payload', 'null'::jsonb)),
           f->>'errorCode', f->>'errorDescription',
           coalesce((f->>'at')::timestamptz, now()), (f->>'latencyMs')::real
      FROM jsonb_array_elements(frames) AS f;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END;
$$;

-- ocpp.log_cleanup(): removes the message-log rows older than setting message_log.retention: runs
-- ocpp.partition_maintain(), which drops the days wholly past retention and, with
-- history.exact_retention (the default), deletes the older rows of the day that straddles the boundary;
-- it also creates the partitions ahead and applies meter_value.retention. The server runs it at start
-- and hourly. Returns the number of message-log rows removed. Raises OC007 when a history setting holds
-- a value ocpp.set_setting refuses.
CREATE OR REPLACE FUNCTION ocpp.log_cleanup()
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN (SELECT m.removed FROM ocpp.partition_maintain() AS m WHERE m.table_name = 'message_log');
END;
$$;

-- ocpp.parse_logged(identities, unique_ids, actions, payloads, accounts, versions, received, raw):
-- cs.parse (what ocpp.parse runs) of each station CALL of a group, in order, and their message-log rows in the same
-- transaction: the CALL (direction in, created_at its received time, its payload as it came: raw,
-- or payloads when raw is null) and the CALLRESULT (direction out, latency_ms the time from
-- received to now). A station is answered only after this commits, so an acknowledged message has
-- its rows in the log whatever happens to the node after (the buffered writer of the front end
-- keeps the rest: refusals, errors, commands, connects). The arrays are parallel; payloads and raw
-- are JSON text. Returns the replies as JSON text, in the order of the arrays. Raises what
-- cs.parse raises (the whole group is rolled back, rows included), OC006 when the arrays differ
-- in length.
CREATE OR REPLACE FUNCTION ocpp.parse_logged(identities text[], unique_ids text[], actions text[],
                                             payloads text[], accounts text[], versions text[],
                                             received timestamptz[], raw text[])
RETURNS SETOF text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
SET TimeZone = 'UTC'  -- as ocpp.parse's, set once for the group
AS $$
DECLARE
    n       integer := coalesce(cardinality(identities), 0);
    parsed  jsonb[] := payloads::jsonb[];  -- each payload read once, for cs.parse and for the log
    replies jsonb[] := '{}';
BEGIN
    IF n <> ALL (ARRAY[cardinality(unique_ids), cardinality(actions), cardinality(payloads),
                       cardinality(accounts), cardinality(versions), cardinality(received),
                       cardinality(raw)]) THEN
        PERFORM cs.raise_ocpp('OC006', 'the arrays of a group differ in length', n::text);
    END IF;
    FOR i IN 1 .. n LOOP
        replies := array_append(replies, cs.parse(identities[i], unique_ids[i], actions[i],
                                                    parsed[i], accounts[i], versions[i]));
    END LOOP;
    INSERT INTO cs.message_log (identity, account, direction, message_type, action, unique_id, payload,
                                created_at, latency_ms)
    SELECT m.identity, m.account, r.direction, r.message_type, m.action, m.unique_id,
           cs.log_payload(m.action, r.payload), r.at, r.latency_ms
      FROM unnest(identities, accounts, actions, unique_ids, raw, parsed, received,
                  replies) WITH ORDINALITY
           AS m (identity, account, action, unique_id, raw, payload, received, reply, i)
     CROSS JOIN LATERAL (VALUES
           ('in', 2::smallint, coalesce(m.raw::jsonb, m.payload), m.received, NULL::real),
           ('out', 3::smallint, m.reply, clock_timestamp(),
            (extract(epoch FROM clock_timestamp() - m.received) * 1000)::real))
           AS r (direction, message_type, payload, at, latency_ms)
     ORDER BY m.i, r.direction;
    RETURN QUERY SELECT x::text FROM unnest(replies) WITH ORDINALITY AS u (x, i) ORDER BY u.i;
END;
$$;
