-- Device-model limits: a request longer than the station's ItemsPerMessage / BytesPerMessage is queued
-- as parts (cs.command_split), sent one after another, and the caller's command gets the merged answer
-- once every part is final; a part that fails stops the rest (cs.command_part_finished).
BEGIN;
SELECT plan(47);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('L201', NULL, '2.0.1', 'n1');
SELECT ocpp.connect('L16', NULL, '1.6', 'n1');
CREATE FUNCTION pg_temp.cmd(cmd bigint) RETURNS cs.command LANGUAGE sql AS $$
    SELECT * FROM cs.command WHERE id = cmd
$$;
-- getVariableData of n variables V1..Vn of component C
CREATE FUNCTION pg_temp.get_data(n integer) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('getVariableData', jsonb_agg(jsonb_build_object(
               'component', jsonb_build_object('name', 'C'), 'variable', jsonb_build_object('name', 'V' || i))
               ORDER BY i))
      FROM generate_series(1, n) AS i
$$;
-- the station's answer to a GetVariables part: each variable Accepted with value "v<name>"
CREATE FUNCTION pg_temp.get_answer(payload jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('getVariableResult', jsonb_agg(jsonb_build_object(
               'attributeStatus', 'Accepted', 'attributeValue', 'v' || (d #>> '{variable,name}'),
               'component', d->'component', 'variable', d->'variable') ORDER BY n))
      FROM jsonb_array_elements(payload->'getVariableData') WITH ORDINALITY AS e (d, n)
$$;
-- claims the station's next CALL and answers it with answer(payload); returns the part's id
CREATE FUNCTION pg_temp.answer_next(identity text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c jsonb := ocpp.command_claim('n1', ARRAY[identity])->0;
BEGIN
    IF c IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM ocpp.command_result((c->>'id')::bigint,
                                CASE c->>'action' WHEN 'GetVariables' THEN pg_temp.get_answer(c->'payload')
                                     WHEN 'SetVariables' THEN jsonb_build_object('setVariableResult', (
                                         SELECT jsonb_agg(jsonb_build_object('attributeStatus', 'Accepted',
                                                                             'component', d->'component',
                                                                             'variable', d->'variable'))
                                           FROM jsonb_array_elements(c #> '{payload,setVariableData}') AS d))
                                     ELSE '{"status": "Accepted"}' END);
    RETURN (c->>'id')::bigint;
END;
$$;

-- no known limit: sent as today ---------------------------------------------------------------------
SELECT is((pg_temp.cmd(ocpp.send('L201', 'GetVariables', pg_temp.get_data(5)))).parts, NULL,
          'without a known limit a GetVariables of 5 items is one command');
SELECT ocpp.cancel_command(id) FROM cs.command WHERE status = 'queued';

-- ItemsPerMessage: 5 items, limit 2 -> 3 parts ---------------------------------------------------------
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'ItemsPerMessage', '2', variable_instance => 'GetVariables');
SELECT is(cs.device_limit(cs.station_id('L201'), 'DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables'), 2,
          'the limit comes from the stored device model');
CREATE TEMP TABLE p AS SELECT ocpp.send('L201', 'GetVariables', pg_temp.get_data(5)) AS id;
SELECT is((pg_temp.cmd((SELECT id FROM p))).parts, 3, 'the command is split into 3 parts');
SELECT is(ARRAY(SELECT jsonb_array_length(c.payload->'getVariableData') FROM cs.command AS c
                 WHERE c.parent_id = (SELECT id FROM p) ORDER BY c.id),
          ARRAY[2, 2, 1], 'of 2, 2 and 1 items');
SELECT is((SELECT jsonb_agg(d ORDER BY c.id, n) FROM cs.command AS c,
                  jsonb_array_elements(c.payload->'getVariableData') WITH ORDINALITY AS e (d, n)
            WHERE c.parent_id = (SELECT id FROM p)),
          pg_temp.get_data(5)->'getVariableData', 'the parts hold the items in order');
SELECT is((SELECT count(*) FROM cs.command AS c WHERE c.parent_id = (SELECT id FROM p) AND c.status = 'queued'),
          3::bigint, 'every part is queued');
SELECT is(ocpp.command((SELECT id FROM p))->'parts', '3', 'ocpp.command shows the parts');
SELECT is((ocpp.command((SELECT min(id) FROM cs.command WHERE parent_id = (SELECT id FROM p))))->'parentId',
          to_jsonb((SELECT id FROM p)), 'and a part its parent');

CREATE TEMP TABLE claim1 AS SELECT ocpp.command_claim('n1', ARRAY['L201']) AS c;
SELECT is(jsonb_array_length((SELECT c FROM claim1)), 1, 'one CALL at a time');
SELECT is(((SELECT c FROM claim1)->0->>'id')::bigint, (SELECT min(id) FROM cs.command WHERE parent_id = (SELECT id FROM p)),
          'the first part is claimed, never the parent');
SELECT ocpp.command_result(((SELECT c FROM claim1)->0->>'id')::bigint,
                           pg_temp.get_answer((SELECT c FROM claim1)->0->'payload'));
SELECT is((pg_temp.cmd((SELECT id FROM p))).status, 'queued', 'the parent waits while parts remain');
SELECT ok(pg_temp.answer_next('L201') IS NOT NULL AND pg_temp.answer_next('L201') IS NOT NULL,
          'the second and third parts are claimed and answered in turn');
SELECT is((pg_temp.cmd((SELECT id FROM p))).status, 'answered', 'the parent is answered with the last part');
SELECT is(jsonb_array_length((pg_temp.cmd((SELECT id FROM p))).response->'getVariableResult'), 5,
          'its response merges the 5 results');
SELECT is((SELECT jsonb_agg(r->>'attributeValue' ORDER BY n)
             FROM jsonb_array_elements((pg_temp.cmd((SELECT id FROM p))).response->'getVariableResult')
                  WITH ORDINALITY AS e (r, n)),
          '["vV1", "vV2", "vV3", "vV4", "vV5"]', 'in the order asked');
SELECT ok((SELECT sent_at IS NOT NULL AND answered_at IS NOT NULL AND finished_at IS NOT NULL
             FROM cs.command WHERE id = (SELECT id FROM p)), 'sent, answered and finished times are set');
SELECT is((SELECT count(*) FROM cs.device_variable AS d
            WHERE d.station_id = cs.station_id('L201') AND d.component = 'C' AND d.value LIKE 'vV%'),
          5::bigint, 'each part''s answer had its effect (5 device-model values)');
SELECT is(ocpp.command_claim('n1', ARRAY['L201']), '[]', 'nothing left to claim: the parent is never sent');

-- the legacy name and a value that is not a limit ---------------------------------------------------------
SELECT ocpp.seed_variable('L201', 'MonitoringCtrlr', 'ItemsPerMessageClearVariableMonitoring', '3');
SELECT is(cs.device_limit(cs.station_id('L201'), 'MonitoringCtrlr', 'ItemsPerMessage', 'ClearVariableMonitoring'),
          3, 'ItemsPerMessageClearVariableMonitoring without instance counts too');
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'ItemsPerMessage', 'many', variable_instance => 'GetReport');
SELECT is(cs.device_limit(cs.station_id('L201'), 'DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport'), NULL,
          'a value that is not a positive integer is no limit');

-- ClearVariableMonitoring: 7 ids, limit 3 -> 3 + 3 + 1, merged clearMonitoringResult ----------------------
CREATE TEMP TABLE cl AS SELECT ocpp.send('L201', 'ClearVariableMonitoring', '{"id": [1, 2, 3, 4, 5, 6, 7]}') AS id;
SELECT is(ARRAY(SELECT c.payload->'id' FROM cs.command AS c WHERE c.parent_id = (SELECT id FROM cl) ORDER BY c.id),
          ARRAY['[1, 2, 3]', '[4, 5, 6]', '[7]']::jsonb[], 'ids split 3, 3, 1');
CREATE FUNCTION pg_temp.clear_next() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c jsonb := ocpp.command_claim('n1', ARRAY['L201'])->0;
BEGIN
    PERFORM ocpp.command_result((c->>'id')::bigint, jsonb_build_object('clearMonitoringResult', (
        SELECT jsonb_agg(jsonb_build_object('id', i, 'status', 'Accepted')) FROM jsonb_array_elements(c #> '{payload,id}') AS i)));
END;
$$;
SELECT pg_temp.clear_next(), pg_temp.clear_next(), pg_temp.clear_next();
SELECT is((SELECT jsonb_agg(r->'id' ORDER BY n)
             FROM jsonb_array_elements((pg_temp.cmd((SELECT id FROM cl))).response->'clearMonitoringResult')
                  WITH ORDINALITY AS e (r, n)),
          '[1, 2, 3, 4, 5, 6, 7]', 'clearMonitoringResult merged in order');

-- BytesPerMessage ------------------------------------------------------------------------------------
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'ItemsPerMessage', NULL, variable_instance => 'GetVariables');
-- a frame of 1 item is 46 + 12 ("GetVariables") + the payload; allow about 3 items of this size
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'BytesPerMessage',
                          (46 + 12 + octet_length(pg_temp.get_data(3)::text))::text, variable_instance => 'GetVariables');
CREATE TEMP TABLE b AS SELECT ocpp.send('L201', 'GetVariables', pg_temp.get_data(7)) AS id;
SELECT is(ARRAY(SELECT jsonb_array_length(c.payload->'getVariableData') FROM cs.command AS c
                 WHERE c.parent_id = (SELECT id FROM b) ORDER BY c.id),
          ARRAY[3, 3, 1], 'BytesPerMessage alone splits 7 items 3, 3, 1');
SELECT ok((SELECT bool_and(46 + 12 + octet_length(c.payload::text)
                           <= cs.device_limit(c.station_id, 'DeviceDataCtrlr', 'BytesPerMessage', 'GetVariables'))
             FROM cs.command AS c WHERE c.parent_id = (SELECT id FROM b)),
          'every part''s frame stays within BytesPerMessage');
SELECT ocpp.cancel_command((SELECT id FROM b));
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'BytesPerMessage', '10', variable_instance => 'GetVariables');
CREATE TEMP TABLE b2 AS SELECT ocpp.send('L201', 'GetVariables', pg_temp.get_data(2)) AS id;
SELECT is((SELECT count(*) FROM cs.command AS c WHERE c.parent_id = (SELECT id FROM b2)
             AND jsonb_array_length(c.payload->'getVariableData') = 1),
          2::bigint, 'an item longer than the limit on its own goes alone');
SELECT ocpp.cancel_command((SELECT id FROM b2));
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'BytesPerMessage', NULL, variable_instance => 'GetVariables');

-- cancelling a split command ----------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM cs.command AS c WHERE c.parent_id IN ((SELECT id FROM b), (SELECT id FROM b2))
             AND c.status = 'cancelled'), 5::bigint, 'ocpp.cancel_command cancels the queued parts');
SELECT is((pg_temp.cmd((SELECT id FROM b))).status, 'cancelled', 'and the parent is cancelled');
SELECT is(ocpp.cancel_command((SELECT id FROM b)), false, 'a finished split command is not cancelled again');

-- a part fails: the rest is not sent, the parent takes the failure ---------------------------------------------
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'ItemsPerMessage', '1', variable_instance => 'SetVariables');
CREATE TEMP TABLE f AS SELECT ocpp.send('L201', 'SetVariables', '{"setVariableData": [
    {"component": {"name": "C"}, "variable": {"name": "A"}, "attributeValue": "1"},
    {"component": {"name": "C"}, "variable": {"name": "B"}, "attributeValue": "2"},
    {"component": {"name": "C"}, "variable": {"name": "D"}, "attributeValue": "3"}]}') AS id;
SELECT is((pg_temp.cmd((SELECT id FROM f))).parts, 3, 'SetVariables of 3 with ItemsPerMessageSetVariables 1: 3 parts');
SELECT pg_temp.answer_next('L201');
CREATE TEMP TABLE f2 AS SELECT (ocpp.command_claim('n1', ARRAY['L201'])->0->>'id')::bigint AS id;
SELECT ocpp.command_error((SELECT id FROM f2), 'InternalError', 'boom', '{}');
SELECT is((pg_temp.cmd((SELECT id FROM f))).status, 'error', 'the parent takes the failed part''s status');
SELECT is((pg_temp.cmd((SELECT id FROM f))).error->>'description', 'boom', 'and its error');
SELECT is(jsonb_array_length((pg_temp.cmd((SELECT id FROM f))).response->'setVariableResult'), 1,
          'the response keeps what the answered part did');
SELECT is((SELECT status FROM cs.command WHERE parent_id = (SELECT id FROM f) ORDER BY id DESC LIMIT 1), 'cancelled',
          'the part after the failure is cancelled, never sent');
SELECT is(ocpp.command_claim('n1', ARRAY['L201']), '[]', 'nothing more goes to the station');

-- a timeout, and a cancel while a part is out -------------------------------------------------------------
CREATE TEMP TABLE t AS SELECT ocpp.send('L201', 'SetVariables', '{"setVariableData": [
    {"component": {"name": "C"}, "variable": {"name": "A"}, "attributeValue": "1"},
    {"component": {"name": "C"}, "variable": {"name": "B"}, "attributeValue": "2"}]}') AS id;
SELECT ocpp.command_timeout((ocpp.command_claim('n1', ARRAY['L201'])->0->>'id')::bigint);
SELECT is((pg_temp.cmd((SELECT id FROM t))).status, 'timeout', 'a part timed out: the parent times out');
SELECT is((pg_temp.cmd((SELECT id FROM t))).response, NULL, 'with no response when no part was answered');
CREATE TEMP TABLE k AS SELECT ocpp.send('L201', 'SetVariables', '{"setVariableData": [
    {"component": {"name": "C"}, "variable": {"name": "A"}, "attributeValue": "1"},
    {"component": {"name": "C"}, "variable": {"name": "B"}, "attributeValue": "2"}]}') AS id;
CREATE TEMP TABLE k1 AS SELECT (ocpp.command_claim('n1', ARRAY['L201'])->0) AS c;
SELECT is(ocpp.cancel_command((SELECT id FROM k)), true, 'cancel while the first part is out');
SELECT is((pg_temp.cmd((SELECT id FROM k))).status, 'queued', 'the parent waits for the part in flight');
SELECT ocpp.command_result(((SELECT c FROM k1)->>'id')::bigint, '{"setVariableResult": [
    {"attributeStatus": "Accepted", "component": {"name": "C"}, "variable": {"name": "A"}}]}');
SELECT is((pg_temp.cmd((SELECT id FROM k))).status, 'cancelled', 'then is cancelled, with the answered part''s result');

-- the station goes away: the parts become offline, so does the parent --------------------------------------------
CREATE TEMP TABLE o AS SELECT ocpp.send('L201', 'GetVariables', pg_temp.get_data(3)) AS id;
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'ItemsPerMessage', '2', variable_instance => 'GetVariables');
CREATE TEMP TABLE o2 AS SELECT ocpp.send('L201', 'GetVariables', pg_temp.get_data(3), interval '1 hour') AS id;
SELECT ocpp.disconnect('L201', 'n1');
UPDATE cs.command SET wait_until = now() - interval '1 second' WHERE id = (SELECT id FROM o2) OR parent_id = (SELECT id FROM o2);
SELECT ocpp.command_claim('n1');
SELECT is((pg_temp.cmd((SELECT id FROM o2))).status, 'offline', 'the sweep makes the parts offline, and the parent');
SELECT ocpp.connect('L201', NULL, '2.0.1', 'n1');

-- GetReport and SetVariableMonitoring ---------------------------------------------------------------------
SELECT ocpp.seed_variable('L201', 'DeviceDataCtrlr', 'ItemsPerMessage', '1', variable_instance => 'GetReport');
CREATE TEMP TABLE r AS SELECT ocpp.send('L201', 'GetReport', '{"requestId": 42, "componentVariable": [
    {"component": {"name": "A"}}, {"component": {"name": "B"}}]}') AS id;
SELECT is(ARRAY(SELECT (c.payload->>'requestId')::integer FROM cs.command AS c WHERE c.parent_id = (SELECT id FROM r)),
          ARRAY[42, 42], 'every GetReport part keeps the requestId');
SELECT ocpp.command_result((ocpp.command_claim('n1', ARRAY['L201'])->0->>'id')::bigint, '{"status": "EmptyResultSet"}');
SELECT ocpp.command_result((ocpp.command_claim('n1', ARRAY['L201'])->0->>'id')::bigint, '{"status": "Accepted"}');
SELECT is((pg_temp.cmd((SELECT id FROM r))).response, '{"status": "Accepted"}',
          'GetReport: Accepted when one part is');
SELECT ocpp.seed_variable('L201', 'MonitoringCtrlr', 'ItemsPerMessage', '2', variable_instance => 'SetVariableMonitoring');
SELECT is((pg_temp.cmd(ocpp.send('L201', 'SetVariableMonitoring', jsonb_build_object('setMonitoringData', (
              SELECT jsonb_agg(jsonb_build_object('value', i, 'type', 'UpperThreshold', 'severity', 5,
                                                  'component', jsonb_build_object('name', 'C'),
                                                  'variable', jsonb_build_object('name', 'V')))
                FROM generate_series(1, 3) AS i))))).parts,
          2, 'SetVariableMonitoring follows MonitoringCtrlr ItemsPerMessage');

-- what is never split ---------------------------------------------------------------------------------------
SELECT ocpp.seed_variable('L16', 'DeviceDataCtrlr', 'ItemsPerMessage', '1', variable_instance => 'GetVariables');
SELECT is((SELECT count(*) FROM cs.command AS c JOIN cs.station AS s ON s.id = c.station_id
            WHERE s.identity = 'L16' AND c.parent_id IS NOT NULL), 0::bigint, 'no part for a 1.6 station');
SELECT is(cs.command_split(ocpp.send('L16', 'GetConfiguration', '{}')), 0, 'cs.command_split leaves a 1.6 station alone');
SELECT is(cs.command_split(ocpp.send('L201', 'Reset', '{"type": "Immediate"}')), 0, 'and an action without a list');
SELECT throws_ok($$SELECT cs.command_split(-1)$$, 'OC010', 'unknown command', 'cs.command_split of an unknown id');

SELECT * FROM finish();
ROLLBACK;
