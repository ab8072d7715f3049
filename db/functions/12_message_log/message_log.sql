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
           -- station passwords never land in the log (cs.mask_secrets); other actions pass as they are
           CASE WHEN f->>'action' IN ('ChangeConfiguration', 'SetVariables', 'SetNetworkProfile',
                                      'GetConfiguration', 'GetVariables', 'NotifyReport')
                THEN cs.mask_secrets(f->>'action', nullif(f->'payload', 'null'::jsonb))
                ELSE nullif(f->'payload', 'null'::jsonb) END,
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
