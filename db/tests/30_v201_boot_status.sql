-- OCPP 2.0.1 / 2.1 dispatch, BootNotification, Heartbeat, StatusNotification, registration rules.
BEGIN;
SELECT plan(30);

SET LOCAL TimeZone = 'America/New_York';  -- replies must be UTC whatever the session zone

-- BootNotification
SELECT ocpp.parse('V-1', 'u1', 'BootNotification', '{
    "chargingStation": {"model": "Mod", "vendorName": "Vend", "serialNumber": "sn-1", "firmwareVersion": "2.0",
                        "modem": {"iccid": "8931", "imsi": "2620"}},
    "reason": "PowerUp"}', 'acct', '2.0.1') AS boot \gset
SELECT is(:'boot'::jsonb - 'currentTime', '{"status": "Accepted", "interval": 300}', 'Boot: Accepted with the heartbeat interval');
SELECT ok((:'boot'::jsonb->>'currentTime') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
          AND (:'boot'::jsonb->>'currentTime')::timestamptz = date_trunc('milliseconds', now()),
          'Boot currentTime: the server time in UTC ending in Z');
SELECT results_eq(
    $$SELECT vendor, model, charge_point_serial_number, firmware_version, iccid, imsi, boot_reason, booted_at, account
        FROM cs.station WHERE identity = 'V-1'$$,
    $$VALUES ('Vend', 'Mod', 'sn-1', '2.0', '8931', '2620', 'PowerUp', now(), 'acct')$$,
    'Boot: chargingStation and reason stored in the registry columns');
SELECT is((SELECT boot->>'reason' FROM cs.station WHERE identity = 'V-1'), 'PowerUp', 'Boot: the payload is kept as sent');

SELECT ocpp.parse('V-1', 'u2', 'BootNotification', '{"chargingStation": {"model": "Mod2", "vendorName": "Vend"}, "reason": "RemoteReset"}',
                  NULL, '2.0.1');
SELECT results_eq($$SELECT model, charge_point_serial_number, iccid, boot_reason FROM cs.station WHERE identity = 'V-1'$$,
                  $$VALUES ('Mod2', NULL::text, NULL::text, 'RemoteReset')$$, 'a new boot replaces the boot fields');

-- Pending and Rejected, as for 1.6
SELECT ocpp.add_station('V-P', 'Pending');
SELECT is(ocpp.parse('V-P', 'u1', 'BootNotification', '{"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}',
                     NULL, '2.0.1') - 'currentTime',
          '{"status": "Pending", "interval": 60}', 'a Pending station gets Pending and the retry interval');
SELECT is(ocpp.parse('V-P', 'u2', 'StatusNotification',
                     '{"timestamp": "2024-05-01T10:00:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 1}',
                     NULL, '2.0.1'), '{}', 'a Pending station may send other messages (what the CSMS triggers)');
SELECT ocpp.add_station('V-R', 'Rejected');
SELECT is(ocpp.parse('V-R', 'u1', 'BootNotification', '{"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}',
                     NULL, '2.0.1') - 'currentTime',
          '{"status": "Rejected", "interval": 60}', 'a Rejected station gets Rejected');
SELECT throws_ok($$SELECT ocpp.parse('V-R', 'u2', 'Heartbeat', '{}', NULL, '2.0.1')$$, 'OC005', 'station is rejected',
                 'a Rejected 2.0.1 station may only send BootNotification');
SELECT throws_ok($$SELECT ocpp.parse('V-R', 'u2', 'Heartbeat', '{}', NULL, '2.1')$$, 'OC005', 'station is rejected',
                 'a Rejected 2.1 station may only send BootNotification');

-- Heartbeat
SELECT is(jsonb_object_keys(ocpp.parse('V-1', 'u3', 'Heartbeat', '{}', NULL, '2.0.1')), 'currentTime',
          'Heartbeat answers only currentTime');
SELECT ok(abs(extract(epoch FROM (ocpp.parse('V-1', 'u4', 'Heartbeat', '{}', NULL, '2.1')->>'currentTime')::timestamptz - now())) < 0.001,
          'Heartbeat (2.1) answers the server time');

-- StatusNotification
SELECT is(ocpp.parse('V-1', 'u5', 'StatusNotification',
                     '{"timestamp": "2024-05-01T10:00:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 2}',
                     NULL, '2.0.1'), '{}', 'StatusNotification answers {}');
SELECT results_eq($$SELECT k.evse_id, k.connector_id, k.status, k.status_at FROM cs.connector AS k
                     JOIN cs.station AS s ON s.id = k.station_id WHERE s.identity = 'V-1'$$,
                  $$VALUES (1, 2, 'Available', '2024-05-01T10:00:00Z'::timestamptz)$$,
                  'StatusNotification: the connector of the EVSE, its status and time');
SELECT results_eq($$SELECT e.evse_id, e.status FROM cs.evse AS e JOIN cs.station AS s ON s.id = e.station_id
                     WHERE s.identity = 'V-1'$$,
                  $$VALUES (1, 'Available')$$, 'StatusNotification records the EVSE');
SELECT ocpp.parse('V-1', 'u6', 'StatusNotification',
                  '{"timestamp": "2024-05-01T10:05:00Z", "connectorStatus": "Occupied", "evseId": 1, "connectorId": 2}',
                  NULL, '2.0.1');
SELECT results_eq($$SELECT k.status, e.status FROM cs.connector AS k JOIN cs.station AS s ON s.id = k.station_id
                     JOIN cs.evse AS e ON e.station_id = s.id AND e.evse_id = k.evse_id WHERE s.identity = 'V-1'$$,
                  $$VALUES ('Occupied', 'Occupied')$$, 'a new status replaces the current one');
SELECT results_eq($$SELECT n.evse_id, n.connector_id, n.status FROM cs.status_notification AS n
                     JOIN cs.station AS s ON s.id = n.station_id WHERE s.identity = 'V-1' ORDER BY n.id$$,
                  $$VALUES (1, 2, 'Available'), (1, 2, 'Occupied')$$, 'StatusNotification history');
SELECT ocpp.parse('V-1', 'u7', 'StatusNotification',
                  '{"timestamp": "2024-05-01T10:05:00Z", "connectorStatus": "Unavailable", "evseId": 0, "connectorId": 0}',
                  NULL, '2.0.1');
SELECT is((SELECT count(*) FROM cs.evse AS e JOIN cs.station AS s ON s.id = e.station_id WHERE s.identity = 'V-1'),
          1::bigint, 'EVSE 0 (the station) is no cs.evse row');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u8', 'StatusNotification',
                   '{"timestamp": "2024-05-01T10:05:00Z", "connectorStatus": "Available", "evseId": -1, "connectorId": 1}',
                   NULL, '2.0.1')$$, 'OC007', 'invalid evseId or connectorId', 'a negative evseId');

-- dispatch refusals
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'Heartbeat', '{}', NULL, '2.0')$$, 'OC002', 'unsupported OCPP version',
                 'version 2.0 is not supported');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'RequestStartTransaction', '{}', NULL, '2.0.1')$$, 'OC002',
                 'action not supported from a charging station', 'RequestStartTransaction is sent by the CSMS');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'GetVariables', '{}', NULL, '2.1')$$, 'OC002',
                 'action not supported from a charging station', 'GetVariables is sent by the CSMS (2.1)');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'SetDERControl', '{}', NULL, '2.1')$$, 'OC002',
                 'action not supported from a charging station', 'SetDERControl is sent by the CSMS (2.1 only)');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'BatterySwap', '{}', NULL, '2.0.1')$$, 'OC001',
                 'action not implemented', 'a 2.1 message is unknown to 2.0.1');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'StartTransaction', '{}', NULL, '2.0.1')$$, 'OC001',
                 'action not implemented', 'a 1.6 message is unknown to 2.0.1');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'FlyToTheMoon', '{}', NULL, '2.1')$$, 'OC001',
                 'action not implemented', 'an unknown action (2.1)');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', NULL, '{}', NULL, '2.0.1')$$, 'OC001',
                 'action not implemented', 'a null action (2.0.1)');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'Heartbeat', '[]', NULL, '2.0.1')$$, 'OC006',
                 'payload is not a JSON object', 'an array payload (2.0.1)');
SELECT throws_ok($$SELECT ocpp.parse('V-1', 'u1', 'TransactionEvent', '{}', NULL, '1.6')$$, 'OC001',
                 'action not implemented', 'a 2.0.1 message is unknown to 1.6');
SELECT is(ocpp.parse('V-1', 'u9', 'Heartbeat', '{}', NULL, '1.6') ? 'currentTime', true,
          'the same station may still speak 1.6 (the version is per call)');

SELECT * FROM finish();
ROLLBACK;
