-- What the web UI reads (db/functions/api.sql, db/schema/16_live.sql): the message log after an id,
-- configuration keys, the device model, the operations of each version, transactions by id tag, and
-- the triggers that NOTIFY the live feed. (NOTIFY itself is only delivered at commit, which a pgTAP
-- transaction never reaches: tests/test_live.py listens to it through a real server.)
BEGIN;
SELECT plan(34);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('L-16', NULL, '1.6', 'n1');
SELECT ocpp.connect('L-201', NULL, '2.0.1', 'n1');

-- message log after an id ---------------------------------------------------------------------------
SELECT ocpp.log_frames('[{"identity": "L-16", "direction": "in", "messageType": 2, "action": "Heartbeat",
                          "uniqueId": "1", "payload": {}},
                         {"identity": "L-16", "direction": "out", "messageType": 3, "action": "Heartbeat",
                          "uniqueId": "1", "payload": {"currentTime": "2026-01-01T00:00:00Z"}},
                         {"identity": "L-201", "direction": "in", "messageType": 2, "action": "Heartbeat",
                          "uniqueId": "2", "payload": {}}]');
SELECT min(id) - 1 AS before, max(id) AS last FROM cs.message_log \gset
SELECT is(jsonb_array_length(ocpp.api_message_log_after(:before)), 3, 'after: every row past the id');
SELECT is((SELECT array_agg((e->>'id')::bigint) FROM jsonb_array_elements(ocpp.api_message_log_after(:before)) AS e),
          (SELECT array_agg(id ORDER BY id) FROM cs.message_log), 'after: oldest first');
SELECT is(ocpp.api_message_log_after(:before, :before + 1)->0->>'direction', 'in', 'after: up to an id');
SELECT is(jsonb_array_length(ocpp.api_message_log_after(:before, :before + 1)), 1, 'after: no row past upto_id');
SELECT is(jsonb_array_length(ocpp.api_message_log_after(:before, NULL, 2)), 2, 'after: at most lim');
SELECT is(ocpp.api_message_log_after(:last), '[]', 'after the last id: nothing');
SELECT is((ocpp.api_message_log_after(:before)->1) - 'id' - 'createdAt',
          '{"identity": "L-16", "account": null, "direction": "out", "messageType": 3, "action": "Heartbeat",
            "uniqueId": "1", "payload": {"currentTime": "2026-01-01T00:00:00Z"}, "errorCode": null,
            "errorDescription": null, "latencyMs": null}', 'after: the row as the message log list shows it');
SELECT is(ocpp.api_message_log_after(:before)->0, ocpp.api_message_log('L-16', NULL, NULL, 1, 1)->0,
          'after and the list give one shape');
SELECT throws_ok($$SELECT ocpp.api_message_log_after(0, NULL, -1)$$, 'OC007', 'invalid limit', 'after: a negative lim');

-- configuration keys ---------------------------------------------------------------------------------
INSERT INTO cs.configuration_key (station_id, key, value, readonly)
SELECT id, k, v, r FROM cs.station, (VALUES ('MeterValueSampleInterval', '60', false),
                                           ('NumberOfConnectors', '2', true)) AS x (k, v, r)
 WHERE identity = 'L-16';
SELECT is((SELECT jsonb_agg(e - 'updatedAt') FROM jsonb_array_elements(ocpp.api_configuration('L-16')) AS e),
          '[{"key": "MeterValueSampleInterval", "value": "60", "readonly": false, "unknown": false, "rebootRequired": false},
            {"key": "NumberOfConnectors", "value": "2", "readonly": true, "unknown": false, "rebootRequired": false}]',
          'configuration: the keys by name');
SELECT is(ocpp.api_configuration('L-201'), '[]', 'configuration of a station without keys: []');
SELECT throws_ok($$SELECT ocpp.api_configuration('NOBODY')$$, 'OC010', 'unknown station', 'configuration: unknown station');

-- device model -------------------------------------------------------------------------------------
INSERT INTO cs.device_variable (station_id, component, evse_id, variable, value, mutability, data_type)
SELECT id, 'EVSE', 1, 'Power', '22000', 'ReadOnly', 'decimal' FROM cs.station WHERE identity = 'L-201';
INSERT INTO cs.device_variable (station_id, component, variable, value, mutability, data_type)
SELECT id, 'OCPPCommCtrlr', 'HeartbeatInterval', '300', 'ReadWrite', 'integer' FROM cs.station WHERE identity = 'L-201';
SELECT is((SELECT array_agg(e->>'variable') FROM jsonb_array_elements(ocpp.api_variables('L-201')) AS e),
          ARRAY['Power', 'HeartbeatInterval'], 'variables: by component, then variable');
SELECT is((ocpp.api_variables('L-201')->0) - 'updatedAt',
          '{"component": "EVSE", "componentInstance": null, "evseId": 1, "connectorId": null, "variable": "Power",
            "variableInstance": null, "attributeType": "Actual", "value": "22000", "mutability": "ReadOnly",
            "persistent": null, "constant": null, "dataType": "decimal", "unit": null, "minLimit": null,
            "maxLimit": null, "valuesList": null, "supportsMonitoring": null}', 'variables: the row shape');
SELECT throws_ok($$SELECT ocpp.api_variables('NOBODY')$$, 'OC010', 'unknown station', 'variables: unknown station');

-- operations of a version ------------------------------------------------------------------------------
SELECT ok(ocpp.api_operations('1.6')->'operations' ? 'RemoteStartTransaction', '1.6 has RemoteStartTransaction');
SELECT ok(NOT (ocpp.api_operations('1.6')->'operations' ? 'RequestStartTransaction'), 'but not RequestStartTransaction');
SELECT ok(ocpp.api_operations('2.0.1')->'operations' ? 'RequestStartTransaction', '2.0.1 has RequestStartTransaction');
SELECT is(jsonb_array_length(ocpp.api_operations('2.1')->'operations'),
          cardinality(cs.command_actions('2.1')), '2.1: as cs.command_actions has them');
SELECT ok(NOT (ocpp.api_operations('1.5')->'operations' ? 'SetChargingProfile'), '1.5 has no smart charging');
SELECT throws_ok($$SELECT ocpp.api_operations('3.0')$$, 'OC010', 'unknown version', 'an unknown version');

-- transactions by id tag ---------------------------------------------------------------------------------
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, id_tag_status, meter_start, started_at, stop_id_tag)
SELECT id, 1, 1, t, 'Accepted', 0, s, x FROM cs.station,
       (VALUES ('TAG-A', '2026-01-01T10:00:00Z'::timestamptz, NULL), ('TAG-B', '2026-01-02T10:00:00Z', 'TAG-A'),
               ('TAG-B', '2026-01-03T10:00:00Z', NULL)) AS v (t, s, x)
 WHERE identity = 'L-16';
SELECT is((SELECT array_agg(e->>'startedAt') FROM jsonb_array_elements(ocpp.api_transactionlist(NULL, NULL, NULL, 100, 0, 'TAG-A')) AS e),
          ARRAY['2026-01-02T10:00:00.000Z', '2026-01-01T10:00:00.000Z'], 'by id tag: started or stopped with it, newest first');
SELECT is(jsonb_array_length(ocpp.api_transactionlist('L-201', NULL, NULL, 100, 0, 'TAG-B')), 0, 'by station and tag');
UPDATE cs.transaction SET stopped_at = started_at + interval '1 hour' WHERE id_tag = 'TAG-A';
SELECT is((SELECT array_agg(e->>'idTag') FROM jsonb_array_elements(ocpp.api_transactionlist(NULL, NULL, NULL, 100, 0, NULL, true)) AS e),
          ARRAY['TAG-B', 'TAG-B'], 'running: only running ones');
SELECT is((SELECT array_agg(e->>'idTag') FROM jsonb_array_elements(ocpp.api_transactionlist(NULL, NULL, NULL, 100, 0, NULL, false)) AS e),
          ARRAY['TAG-A'], 'running false: only stopped ones');

-- reservations by status, the message log by action and direction ----------------------------------------
INSERT INTO cs.reservation (station_id, id_tag, expiry_date, status)
SELECT id, 'R', now() + interval '1 hour', s FROM cs.station, (VALUES ('Accepted'), ('Cancelled')) AS v (s)
 WHERE identity = 'L-16';
SELECT is((SELECT array_agg(e->>'status') FROM jsonb_array_elements(ocpp.api_reservationlist('L-16', NULL, NULL, 100, 0, 'Cancelled')) AS e),
          ARRAY['Cancelled'], 'reservations by status');
SELECT is((SELECT array_agg(e->>'identity' ORDER BY e->>'identity') FROM jsonb_array_elements(ocpp.api_message_log(NULL, NULL, NULL, 100, 0, 'Heartbeat', 'in')) AS e),
          ARRAY['L-16', 'L-201'], 'message log by action and direction');
SELECT is(jsonb_array_length(ocpp.api_message_log(NULL, NULL, NULL, 100, 0, NULL, 'out')), 1, 'message log by direction');
SELECT throws_ok($$SELECT ocpp.api_message_log(NULL, NULL, NULL, 100, 0, NULL, 'sideways')$$, 'OC007', 'invalid direction',
                 'message log: a direction not in or out');

-- the triggers of the live feed --------------------------------------------------------------------------
SELECT is((SELECT array_agg(tgname::text ORDER BY tgname) FROM pg_trigger
            WHERE NOT tgisinternal AND tgfoid = 'cs.notify_station'::regproc),
          ARRAY['connection_notify', 'connector_notify', 'connector_status_notify', 'evse_notify', 'evse_status_notify',
                'station_boot_notify', 'station_notify', 'transaction_notify', 'transaction_stop_notify'],
          'station changes notify ocpp_station');
SELECT is((SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgfoid = 'cs.notify_message_log'::regproc),
          'cs.message_log', 'message log batches notify ocpp_log');

-- the first token of an installation ------------------------------------------------------------------------
DELETE FROM cs.api_token;
SELECT matches(ocpp.api_token_first('admin', 'operator'), '^ocs_[0-9a-f]{64}$', 'first token: made when there is none');
SELECT is(ocpp.api_token_first('admin2', 'operator'), NULL, 'but only then');
SELECT ocpp.api_token_revoke('admin');
SELECT is(ocpp.api_token_first('admin3', 'operator'), NULL, 'not again once every token is revoked');

SELECT * FROM finish();
ROLLBACK;
