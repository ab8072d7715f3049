-- BootNotification, Heartbeat, the unknown-station policy and Rejected stations.
BEGIN;
SELECT plan(28);

SET LOCAL TimeZone = 'America/New_York';  -- replies must be UTC whatever the session zone

-- Heartbeat answers the time
SELECT ok(ocpp.parse('B-HB', 'u1', 'Heartbeat', '{}')->>'currentTime' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$',
          'Heartbeat currentTime is an ISO date-time ending in Z');
SELECT ok(abs(extract(epoch FROM (ocpp.parse('B-HB', 'u2', 'Heartbeat', '{}')->>'currentTime')::timestamptz - now())) < 0.001,
          'Heartbeat currentTime is the server time in UTC');
SELECT is(jsonb_object_keys(ocpp.parse('B-HB', 'u3', 'Heartbeat', '{}')), 'currentTime', 'Heartbeat reply has only currentTime');
SELECT results_eq($$SELECT account, version, registration_status, (SELECT p.last_seen FROM cs.station_presence p WHERE p.station_id = s.id) FROM cs.station s WHERE identity = 'B-HB'$$,
                  $$VALUES (NULL::text, '1.6', 'Accepted', now())$$, 'parse creates an unknown station, last_seen set');

-- BootNotification with every field
SELECT ocpp.parse('B-1', 'u1', 'BootNotification', '{
    "chargePointVendor": "Vend", "chargePointModel": "Mod", "chargePointSerialNumber": "cp-sn",
    "chargeBoxSerialNumber": "cb-sn", "firmwareVersion": "1.2.3", "iccid": "8931", "imsi": "2620",
    "meterType": "MT", "meterSerialNumber": "m-sn"}', 'acct') AS boot \gset
SELECT is(:'boot'::jsonb - 'currentTime', '{"status": "Accepted", "interval": 300}', 'Accepted with the heartbeat interval');
SELECT ok(:'boot'::jsonb->>'currentTime' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
          AND (:'boot'::jsonb->>'currentTime')::timestamptz = date_trunc('milliseconds', now()),
          'BootNotification currentTime: UTC, ending in Z');
SELECT results_eq(
    $$SELECT vendor, model, charge_point_serial_number, charge_box_serial_number, firmware_version, iccid, imsi,
             meter_type, meter_serial_number, booted_at, account FROM cs.station WHERE identity = 'B-1'$$,
    $$VALUES ('Vend', 'Mod', 'cp-sn', 'cb-sn', '1.2.3', '8931', '2620', 'MT', 'm-sn', now(), 'acct')$$,
    'every boot field is stored');
SELECT is((SELECT boot FROM cs.station WHERE identity = 'B-1'),
          '{"chargePointVendor": "Vend", "chargePointModel": "Mod", "chargePointSerialNumber": "cp-sn",
            "chargeBoxSerialNumber": "cb-sn", "firmwareVersion": "1.2.3", "iccid": "8931", "imsi": "2620",
            "meterType": "MT", "meterSerialNumber": "m-sn"}'::jsonb, 'the boot payload is kept as sent');

-- a second boot with fewer fields replaces the old ones
SELECT ocpp.parse('B-1', 'u2', 'BootNotification', '{"chargePointVendor": "Vend", "chargePointModel": "Mod2"}');
SELECT results_eq($$SELECT model, firmware_version, iccid FROM cs.station WHERE identity = 'B-1'$$,
                  $$VALUES ('Mod2', NULL::text, NULL::text)$$, 'a new boot replaces the boot fields');

SELECT ocpp.set_setting('boot.heartbeat_interval', '120');
SELECT is(ocpp.parse('B-1', 'u3', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}')->'interval',
          '120', 'the interval follows boot.heartbeat_interval');

-- unknown stations Pending
SELECT ocpp.set_setting('boot.unknown_station', '"Pending"');
SELECT is(ocpp.parse('B-P', 'u1', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}') - 'currentTime',
          '{"status": "Pending", "interval": 60}', 'unknown station Pending: retry interval');
SELECT is((SELECT registration_status FROM cs.station WHERE identity = 'B-P'), 'Pending', 'stored as Pending');
SELECT ocpp.set_setting('boot.retry_interval', '45');
SELECT is(ocpp.parse('B-P', 'u2', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}') - 'currentTime',
          '{"status": "Pending", "interval": 45}', 'the interval follows boot.retry_interval');
SELECT is(ocpp.parse('B-P', 'u3', 'Heartbeat', '{}') ? 'currentTime', true, 'a Pending station may send other messages');
SELECT is(ocpp.parse('B-1', 'u4', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}')->>'status',
          'Accepted', 'a known station keeps its registration whatever the policy');
SELECT ocpp.add_station('B-P', 'Accepted');
SELECT is(ocpp.parse('B-P', 'u4', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}') - 'currentTime',
          '{"status": "Accepted", "interval": 120}', 'an operator accepts the Pending station');
SELECT is(ocpp.connect('B-P2', NULL, '1.6', 'n1')->'accepted', 'true', 'connect of an unknown station under Pending');
SELECT is((SELECT registration_status FROM cs.station WHERE identity = 'B-P2'), 'Pending',
          'connect also creates with the unknown-station registration');

-- unknown stations Rejected
SELECT ocpp.set_setting('boot.unknown_station', '"Rejected"');
SELECT is(ocpp.parse('B-R', 'u1', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}') - 'currentTime',
          '{"status": "Rejected", "interval": 45}', 'unknown station Rejected: retry interval');
SELECT is((SELECT vendor FROM cs.station WHERE identity = 'B-R'), 'V', 'a Rejected station''s boot is stored');
SELECT throws_ok($$SELECT ocpp.parse('B-R', 'u2', 'Heartbeat', '{}')$$, 'OC005', 'station is rejected',
                 'a Rejected station may not send Heartbeat');
SELECT throws_ok($$SELECT ocpp.parse('B-R', 'u3', 'StatusNotification', '{"connectorId": 1, "errorCode": "NoError", "status": "Available"}')$$,
                 'OC005', 'station is rejected', 'a Rejected station may not send StatusNotification');
SELECT throws_ok($$SELECT ocpp.parse('B-R', 'u4', 'Authorize', '{"idTag": "T"}')$$, 'OC005', 'station is rejected',
                 'a Rejected station may not send Authorize');
SELECT throws_ok($$SELECT ocpp.parse('B-NEW', 'u1', 'Heartbeat', '{}')$$, 'OC005', 'station is rejected',
                 'an unknown station under Rejected may not send Heartbeat first');
SELECT is(ocpp.parse('B-R', 'u5', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}')->>'status',
          'Rejected', 'a Rejected station may still boot');
SELECT is((SELECT p.last_seen FROM cs.station_presence p JOIN cs.station s ON s.id = p.station_id WHERE s.identity = 'B-R'),
          now(), 'last_seen of a Rejected station is updated');
SELECT ocpp.add_station('B-R', 'Accepted');
SELECT is(ocpp.parse('B-R', 'u6', 'Heartbeat', '{}') ? 'currentTime', true, 'accepted by an operator, it may send Heartbeat');
SELECT is(ocpp.parse('B-1', 'u5', 'Heartbeat', '{}') ? 'currentTime', true, 'Accepted stations are not affected');

SELECT * FROM finish();
ROLLBACK;
