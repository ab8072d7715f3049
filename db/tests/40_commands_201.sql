-- The command queue for 2.0.1 and 2.1 stations: ocpp.send accepts the operations of the station's
-- version, keeps a translated request in `requested`, and the dispatcher claims what goes on the wire.
BEGIN;
SELECT plan(27);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('Q16', NULL, '1.6', 'n1');
SELECT ocpp.connect('Q201', NULL, '2.0.1', 'n1');
SELECT ocpp.connect('Q21', NULL, '2.1', 'n1');
SELECT ocpp.add_station('Q15');
CREATE FUNCTION pg_temp.cmd(cmd bigint) RETURNS cs.command LANGUAGE sql AS $$
    SELECT * FROM cs.command WHERE id = cmd
$$;
UPDATE cs.station SET version = '1.2' WHERE identity = 'Q15';

-- the lists ---------------------------------------------------------------------------------------
SELECT is(cardinality(cs.command_actions('1.6')), 26, '1.6: 26 central-system operations');
SELECT is(cardinality(cs.command_actions('2.0.1')), 40, '2.0.1: 40 CSMS operations');
SELECT is(cardinality(cs.command_actions('2.1')), 55, '2.1: 2.0.1''s and 15 more');
SELECT is(cs.command_actions('1.2'), NULL, 'no list for another version');
SELECT ok(cs.command_actions('2.1') @> cs.command_actions('2.0.1')
          AND NOT cs.command_actions('2.0.1') && ARRAY['TransactionEvent', 'NotifyReport', 'BootNotification'],
          '2.1 holds 2.0.1; no station message is in a CSMS list');

-- every operation of the version is queued ---------------------------------------------------------
SELECT is((SELECT count(*) FROM unnest(cs.command_actions('2.0.1')) AS a
            WHERE (pg_temp.cmd(ocpp.send('Q201', a, '{}'))).action = a),
          40::bigint, 'ocpp.send queues each 2.0.1 operation for a 2.0.1 station');
SELECT is((SELECT count(*) FROM unnest(cs.command_actions('2.1')) AS a
            WHERE (pg_temp.cmd(ocpp.send('Q21', a, '{}'))).action = a),
          55::bigint, 'ocpp.send queues each 2.1 operation for a 2.1 station');

SELECT throws_ok($$SELECT ocpp.send('Q201', 'SetDefaultTariff', '{}')$$, 'OC001', 'action not implemented',
                 'a 2.1 operation for a 2.0.1 station');
SELECT throws_ok($$SELECT ocpp.send('Q201', 'TransactionEvent', '{}')$$, 'OC001', 'action not implemented',
                 'a message the station sends');
SELECT throws_ok($$SELECT ocpp.send('Q201', 'GetConfiguration', '{}')$$, 'OC001', 'action not implemented',
                 'a 1.6 operation that does not translate (GetConfiguration: use ocpp.get_variables)');
SELECT throws_ok($$SELECT ocpp.send('Q201', 'ChangeConfiguration', '{"key": "a", "value": "b"}')$$, 'OC001',
                 'action not implemented', 'ChangeConfiguration does not translate either');
SELECT throws_ok($$SELECT ocpp.send('Q16', 'RequestStartTransaction', '{}')$$, 'OC001', 'action not implemented',
                 'a 2.0.1 operation for a 1.6 station');
SELECT throws_ok($$SELECT ocpp.send('Q15', 'Reset', '{"type": "Soft"}')$$, 'OC002', 'unsupported OCPP version',
                 'a station of an unsupported version');
SELECT throws_ok($$SELECT ocpp.send('Q201', 'Reset', '[]')$$, 'OC006', 'payload is not a JSON object',
                 'the payload check comes before the translation');
SELECT throws_ok($$SELECT ocpp.send('Q201', NULL, '{}')$$, 'OC001', 'action not implemented', 'no action');

-- a translated request -----------------------------------------------------------------------------
CREATE TEMP TABLE t AS SELECT ocpp.send('Q201', 'Reset', '{"type": "Hard"}') AS id;
SELECT results_eq($$SELECT action, payload, requested FROM cs.command WHERE id = (SELECT id FROM t)$$,
                  $$VALUES ('Reset', '{"type": "Immediate"}'::jsonb, '{"action": "Reset", "payload": {"type": "Hard"}}'::jsonb)$$,
                  'Reset Hard to a 2.0.1 station: Reset Immediate stored, the request kept');
SELECT is(ocpp.command((SELECT id FROM t))->'requested', '{"action": "Reset", "payload": {"type": "Hard"}}',
          'ocpp.command shows requested');
SELECT is((SELECT requested FROM ocpp.commands WHERE id = (SELECT id FROM t)),
          '{"action": "Reset", "payload": {"type": "Hard"}}', 'and so does ocpp.commands');
SELECT is((pg_temp.cmd(ocpp.send('Q201', 'Reset', '{"type": "OnIdle"}'))).requested, NULL,
          'a 2.0.1 request is stored as asked, requested null');
SELECT is((pg_temp.cmd(ocpp.send('Q16', 'Reset', '{"type": "Hard"}'))).requested, NULL,
          'nothing is translated for a 1.6 station');
SELECT is((pg_temp.cmd(ocpp.send('Q21', 'Reset', '{"type": "Soft"}'))).payload,
          '{"type": "OnIdle"}', 'a 2.1 station gets the translation too');

-- a translated command to a Rejected or offline station keeps both
UPDATE cs.station SET registration_status = 'Rejected' WHERE identity = 'Q21';
SELECT results_eq($$SELECT status, action, requested->>'action'
                       FROM pg_temp.cmd(ocpp.send('Q21', 'RemoteStopTransaction', '{"transactionId": 1}'))$$,
                  $$VALUES ('refused', 'RequestStopTransaction', 'RemoteStopTransaction')$$,
                  'refused for a Rejected station, translated all the same');
SELECT ocpp.disconnect('Q201', 'n1');
SELECT results_eq($$SELECT status, action FROM pg_temp.cmd(ocpp.send('Q201', 'UnlockConnector', '{"connectorId": 2}'))$$,
                  $$VALUES ('offline', 'UnlockConnector')$$, 'offline without wait');

-- the dispatcher claims the translated CALL ---------------------------------------------------------
SELECT ocpp.connect('Q201', NULL, '2.0.1', 'n1');
DELETE FROM cs.command WHERE status IN ('queued', 'sent');
CREATE TEMP TABLE t2 AS SELECT ocpp.send('Q201', 'UnlockConnector', '{"connectorId": 2}') AS id;
SELECT is((SELECT e - 'uniqueId' FROM jsonb_array_elements(ocpp.command_claim('n1', ARRAY['Q201'])) AS e),
          jsonb_build_object('id', (SELECT id FROM t2), 'identity', 'Q201', 'action', 'UnlockConnector',
                             'payload', '{"evseId": 2, "connectorId": 1}'::jsonb),
          'command_claim hands out the 2.0.1 action and payload');

-- answers dispatch on the station's version -------------------------------------------------------
SELECT ocpp.command_result((SELECT id FROM t2), '{"status": "Unlocked"}');
SELECT results_eq($$SELECT status, response FROM cs.command WHERE id = (SELECT id FROM t2)$$,
                  $$VALUES ('answered', '{"status": "Unlocked"}'::jsonb)$$, 'the answer is kept');
CREATE TEMP TABLE t3 AS SELECT ocpp.send('Q201', 'ChangeAvailability', '{"operationalStatus": "Inoperative"}') AS id;
SELECT ocpp.command_claim('n1', ARRAY['Q201']);
SELECT ocpp.command_result((SELECT id FROM t3), '{"status": "Accepted"}');
SELECT is((SELECT availability FROM cs.connector_availability a JOIN cs.station s ON s.id = a.station_id
            WHERE s.identity = 'Q201' AND a.connector_id = 0 AND a.evse_connector_id = 0),
          'Inoperative', 'a 2.0.1 answer gets the 2.0.1 effect');
-- an effect that fails is kept for a person, the answer is not lost
CREATE TEMP TABLE t4 AS SELECT ocpp.send('Q201', 'SetNetworkProfile', '{"configurationSlot": "x"}') AS id;
SELECT ocpp.command_claim('n1', ARRAY['Q201']);
SELECT ocpp.command_result((SELECT id FROM t4), '{"status": "Accepted"}');
SELECT results_eq($$SELECT c.status, r.reason LIKE 'command effect failed: %' FROM cs.command c
                     JOIN cs.review r ON r.payload->>'command' = c.id::text WHERE c.id = (SELECT id FROM t4)$$,
                  $$VALUES ('answered', true)$$, 'a failing 2.0.1 effect goes to cs.review');

SELECT * FROM finish();
ROLLBACK;
