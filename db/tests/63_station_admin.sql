-- What an operator changes on a station (registration, account) and removes (the station and its
-- rows), and the list of settings.
BEGIN;
SELECT plan(20);

SELECT ocpp.node_start('n1');
SELECT ocpp.add_station('SA-1', 'Pending');

-- ocpp.set_station_registration -----------------------------------------------------------------------
SELECT is((ocpp.parse('SA-1', 'b1', 'BootNotification',
                      '{"chargePointVendor": "V", "chargePointModel": "M"}'))->>'status', 'Pending',
          'a Pending station boots Pending');
SELECT lives_ok($$SELECT ocpp.set_station_registration('SA-1', 'Accepted')$$, 'an operator accepts it');
SELECT is((SELECT registration_status FROM cs.station WHERE identity = 'SA-1'), 'Accepted', 'stored');
SELECT is((ocpp.parse('SA-1', 'b2', 'BootNotification',
                      '{"chargePointVendor": "V", "chargePointModel": "M"}'))->>'status', 'Accepted',
          'its next BootNotification is Accepted');
SELECT ocpp.set_station_registration('SA-1', 'Rejected');
SELECT throws_ok($$SELECT ocpp.parse('SA-1', 'h1', 'Heartbeat', '{}')$$, 'OC005', 'station is rejected',
                 'a Rejected station may send nothing but BootNotification');
SELECT throws_ok($$SELECT ocpp.set_station_registration('SA-1', 'Maybe')$$, 'OC007', 'invalid registration',
                 'a status outside Accepted, Pending, Rejected');
SELECT throws_ok($$SELECT ocpp.set_station_registration('SA-1', NULL)$$, 'OC007', 'invalid registration',
                 'a null status');
SELECT throws_ok($$SELECT ocpp.set_station_registration('nobody', 'Accepted')$$, 'OC010', 'unknown station',
                 'an unknown station');

-- ocpp.set_station_account ------------------------------------------------------------------------------
SELECT ocpp.set_station_account('SA-1', 'fleet-a');
SELECT is((SELECT account FROM cs.station WHERE identity = 'SA-1'), 'fleet-a', 'an account');
SELECT ocpp.set_station_account('SA-1', '');
SELECT is((SELECT account FROM cs.station WHERE identity = 'SA-1'), NULL, 'an empty account removes it');
SELECT throws_ok($$SELECT ocpp.set_station_account('nobody', 'x')$$, 'OC010', 'unknown station',
                 'account of an unknown station');

-- ocpp.delete_station -----------------------------------------------------------------------------------
SELECT ocpp.set_station_registration('SA-1', 'Accepted');
SELECT ocpp.declare_evse('SA-1', 1, 1);
SELECT ocpp.parse('SA-1', 't1', 'StartTransaction',
                  '{"connectorId": 1, "idTag": "T1", "meterStart": 0, "timestamp": "2026-01-01T00:00:00Z"}');
SELECT ocpp.log_frames(jsonb_build_array(jsonb_build_object('identity', 'SA-1', 'direction', 'in',
                                                            'messageType', 2, 'action', 'Heartbeat',
                                                            'uniqueId', 'h9', 'payload', '{}')));
CREATE TEMP TABLE gone AS SELECT id FROM cs.station WHERE identity = 'SA-1';
SELECT lives_ok($$SELECT ocpp.delete_station('SA-1')$$, 'a station is removed');
SELECT is((SELECT count(*) FROM cs.station WHERE identity = 'SA-1'), 0::bigint, 'its row is gone');
SELECT is((SELECT count(*) FROM cs.transaction WHERE station_id = (SELECT id FROM gone)),
          0::bigint, 'its transactions went with it');
SELECT is((SELECT count(*) FROM cs.connector WHERE station_id = (SELECT id FROM gone)),
          0::bigint, 'and its connectors');
SELECT is((SELECT count(*) FROM cs.message_log WHERE identity = 'SA-1' AND unique_id = 'h9'), 1::bigint,
          'the message log keeps its frames');
SELECT throws_ok($$SELECT ocpp.delete_station('SA-1')$$, 'OC010', 'unknown station', 'removing it twice');

-- ocpp.settings -----------------------------------------------------------------------------------------
SELECT is((SELECT s->'value' FROM jsonb_array_elements(ocpp.settings()) AS s WHERE s->>'key' = 'boot.unknown_station'),
          '"Accepted"'::jsonb, 'a setting with its value');
SELECT ok((SELECT s->>'description' FROM jsonb_array_elements(ocpp.settings()) AS s
            WHERE s->>'key' = 'boot.unknown_station') LIKE 'registration given%', 'and its description');
SELECT is(jsonb_array_length(ocpp.settings()), (SELECT count(*)::integer FROM cs.setting), 'every setting');

SELECT * FROM finish();
ROLLBACK;
