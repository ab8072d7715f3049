-- Device-model limits (docs/commands.md, "Requests longer than the station takes"): a 2.0.1 / 2.1
-- request with a list longer than the station's ItemsPerMessage or BytesPerMessage (DeviceDataCtrlr for
-- GetVariables, SetVariables, GetReport; MonitoringCtrlr for SetVariableMonitoring,
-- ClearVariableMonitoring) is queued as parts. The caller keeps one command id (the parent, never
-- claimed); the parts are ordinary queued rows with parent_id, claimed one after another by
-- ocpp.command_claim, each with its own business effect. When the last part is final the parent takes
-- the merged answer (cs.command_part_finished, run by the trigger command_part_finished).

-- cs.command_split_list(action): where the limits of a request of action live and which list they cut:
-- {"component", "instance", "list"}, or null for an action that is never split. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_split_list(action text)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE action
        WHEN 'GetVariables' THEN '{"component": "DeviceDataCtrlr", "instance": "GetVariables", "list": "getVariableData"}'
        WHEN 'SetVariables' THEN '{"component": "DeviceDataCtrlr", "instance": "SetVariables", "list": "setVariableData"}'
        WHEN 'GetReport' THEN '{"component": "DeviceDataCtrlr", "instance": "GetReport", "list": "componentVariable"}'
        WHEN 'SetVariableMonitoring' THEN
            '{"component": "MonitoringCtrlr", "instance": "SetVariableMonitoring", "list": "setMonitoringData"}'
        WHEN 'ClearVariableMonitoring' THEN
            '{"component": "MonitoringCtrlr", "instance": "ClearVariableMonitoring", "list": "id"}'
    END::jsonb
$$;

-- cs.device_limit(station_id, component, variable, instance): the station's limit variable (e.g.
-- DeviceDataCtrlr ItemsPerMessage, instance GetVariables) from the stored device model (NotifyReport,
-- GetVariables, ocpp.seed_variable): the Actual value of the station-wide component, also when a station
-- names it without instance (ItemsPerMessageGetVariables, as some 2.0 firmware does). Returns a positive
-- integer, null when unknown or not a positive integer. Raises nothing.
CREATE OR REPLACE FUNCTION cs.device_limit(station_id integer, component text, variable text, instance text)
RETURNS integer
LANGUAGE sql
STABLE
AS $$
    SELECT nullif(trim(d.value), '')::integer
      FROM cs.device_variable AS d
     WHERE d.station_id = device_limit.station_id AND d.component = device_limit.component
       AND d.component_instance = '' AND d.evse_id = 0 AND d.connector_id = 0
       AND d.attribute_type = 'Actual'
       AND ((d.variable = device_limit.variable AND d.variable_instance = device_limit.instance)
            OR (d.variable = device_limit.variable || device_limit.instance AND d.variable_instance = ''))
       AND trim(d.value) ~ '^[0-9]{1,9}$' AND trim(d.value)::integer > 0
     ORDER BY d.variable_instance DESC   -- the standard name first
     LIMIT 1
$$;

-- cs.command_split(id): splits the queued command id when its list is longer than the station's limits
-- (cs.device_limit ItemsPerMessage, BytesPerMessage): the items are packed in order, greedily, into parts
-- of at most ItemsPerMessage items whose CALL frame ([2, "<uuid>", "<action>", payload] as jsonb prints
-- it, a little longer than the compact JSON on the wire) stays within BytesPerMessage; an item too long
-- on its own goes alone. Each part is a queued row with the same station, action, wait_until and
-- created_by, the other payload fields unchanged (a GetReport keeps its requestId in every part), and
-- parent_id = id; the command gets parts = their number. Left alone: a command not queued, to a station
-- that is not 2.0.1 / 2.1, carrying a masked password (secret_path), of another action, without a known
-- limit, or that fits. Returns the number of parts (0: not split). Raises OC010 for an unknown id.
CREATE OR REPLACE FUNCTION cs.command_split(id bigint)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    cmd       cs.command := cs.command_row(command_split.id, true);
    spec      jsonb := cs.command_split_list(cmd.action);
    list      jsonb := cmd.payload->(spec->>'list');
    max_items integer;
    max_bytes integer;
    base      integer;
    size      integer;
    item_size integer;
    part      jsonb := '[]';
    pieces    jsonb := '[]';
    item      jsonb;
BEGIN
    IF spec IS NULL OR cmd.status <> 'queued' OR cmd.secret_path IS NOT NULL OR cmd.parent_id IS NOT NULL
       OR jsonb_typeof(list) IS DISTINCT FROM 'array'
       OR (SELECT coalesce(s.version, '1.6') FROM cs.station AS s WHERE s.id = cmd.station_id) NOT IN ('2.0.1', '2.1') THEN
        RETURN 0;
    END IF;
    max_items := cs.device_limit(cmd.station_id, spec->>'component', 'ItemsPerMessage', spec->>'instance');
    max_bytes := cs.device_limit(cmd.station_id, spec->>'component', 'BytesPerMessage', spec->>'instance');
    IF max_items IS NULL AND max_bytes IS NULL THEN
        RETURN 0;
    END IF;

    -- [2, "<36-character uuid>", "<action>", <payload>]: 46 bytes and the action around the payload
    base := 46 + octet_length(cmd.action)
            + octet_length(jsonb_set(cmd.payload, ARRAY[spec->>'list'], '[]')::text);
    size := base;
    FOR item IN SELECT e FROM jsonb_array_elements(list) WITH ORDINALITY AS l (e, n) ORDER BY n LOOP
        item_size := octet_length(item::text);
        IF jsonb_array_length(part) > 0
           AND (jsonb_array_length(part) >= max_items OR size + 2 + item_size > max_bytes) THEN
            pieces := pieces || jsonb_build_array(part);
            part := '[]';
            size := base;
        END IF;
        size := size + item_size + CASE WHEN jsonb_array_length(part) > 0 THEN 2 ELSE 0 END;  -- ", "
        part := part || jsonb_build_array(item);
    END LOOP;
    IF jsonb_array_length(part) > 0 THEN
        pieces := pieces || jsonb_build_array(part);
    END IF;
    IF jsonb_array_length(pieces) < 2 THEN
        RETURN 0;
    END IF;

    INSERT INTO cs.command (station_id, action, payload, status, wait_until, created_by, parent_id)
    SELECT cmd.station_id, cmd.action, jsonb_set(cmd.payload, ARRAY[spec->>'list'], p.part), 'queued',
           cmd.wait_until, cmd.created_by, cmd.id
      FROM jsonb_array_elements(pieces) WITH ORDINALITY AS p (part, n)
     ORDER BY p.n;
    UPDATE cs.command AS c SET parts = jsonb_array_length(pieces) WHERE c.id = cmd.id;
    RETURN jsonb_array_length(pieces);
END;
$$;

-- cs.command_merge(parent_id): the answer of a split command from its answered parts, in order: the
-- result lists concatenated (getVariableResult, setVariableResult, setMonitoringResult,
-- clearMonitoringResult) into the first part's response; for GetReport the first Accepted part's
-- response, else the first part's (one part Accepted means the station reports). Returns jsonb, null
-- when no part was answered. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_merge(parent_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    action text := (SELECT c.action FROM cs.command AS c WHERE c.id = command_merge.parent_id);
    key    text := CASE action
                       WHEN 'GetVariables' THEN 'getVariableResult'
                       WHEN 'SetVariables' THEN 'setVariableResult'
                       WHEN 'SetVariableMonitoring' THEN 'setMonitoringResult'
                       WHEN 'ClearVariableMonitoring' THEN 'clearMonitoringResult'
                   END;
    first  jsonb;
BEGIN
    SELECT c.response INTO first
      FROM cs.command AS c
     WHERE c.parent_id = command_merge.parent_id AND c.status = 'answered'
     ORDER BY (key IS NULL AND c.response->>'status' = 'Accepted') DESC, c.id
     LIMIT 1;
    IF first IS NULL OR key IS NULL THEN
        RETURN first;
    END IF;
    RETURN jsonb_set(first, ARRAY[key],
                     (SELECT coalesce(jsonb_agg(r ORDER BY c.id, n), '[]'::jsonb)
                        FROM cs.command AS c,
                             jsonb_array_elements(coalesce(c.response->key, '[]'::jsonb)) WITH ORDINALITY AS e (r, n)
                       WHERE c.parent_id = command_merge.parent_id AND c.status = 'answered'));
END;
$$;

-- cs.command_part_finished(part): part of a split command reached a final status. A part that is not
-- answered (error, timeout, interrupted, offline, refused, cancelled) cancels the parts still queued:
-- what follows a failure is not sent. Once no part is queued or sent, the parent becomes final: status
-- answered when every part was, else the status and error of the first part (by id) that was not;
-- response the merged answers of the parts answered (cs.command_merge; partial after a failure, null
-- when none was), sent_at the first part's, answered_at the last answer's, finished_at now. A parent
-- already final is left alone. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_part_finished(part cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    failed cs.command;
BEGIN
    PERFORM FROM cs.command AS c WHERE c.id = part.parent_id AND c.status = 'queued' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF part.status <> 'answered' THEN
        -- each cancelled part comes back here (the trigger), and may finish the parent first
        UPDATE cs.command AS c SET status = 'cancelled', finished_at = now()
         WHERE c.parent_id = part.parent_id AND c.status = 'queued';
    END IF;
    IF EXISTS (SELECT FROM cs.command AS c
                WHERE c.parent_id = part.parent_id AND c.status IN ('queued', 'sent'))
       OR NOT EXISTS (SELECT FROM cs.command AS c WHERE c.id = part.parent_id AND c.status = 'queued') THEN
        RETURN;
    END IF;

    SELECT * INTO failed FROM cs.command AS c
     WHERE c.parent_id = part.parent_id AND c.status <> 'answered'
     ORDER BY c.id
     LIMIT 1;
    UPDATE cs.command AS c
       SET status = coalesce(failed.status, 'answered'), error = failed.error,
           response = cs.command_merge(part.parent_id),
           sent_at = (SELECT min(p.sent_at) FROM cs.command AS p WHERE p.parent_id = part.parent_id),
           answered_at = (SELECT max(p.answered_at) FROM cs.command AS p WHERE p.parent_id = part.parent_id),
           finished_at = now()
     WHERE c.id = part.parent_id;
END;
$$;
