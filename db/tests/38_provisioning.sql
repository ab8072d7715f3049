-- Provisioning: EVSEs and connectors, device-model values and auth_required declared before a station
-- connects; what a Pending station may send under station.pending_policy (B02).
BEGIN;
SELECT plan(46);

SELECT ocpp.node_start('n1');
SELECT ocpp.add_station('PR-1');

-- ocpp.declare_evse --------------------------------------------------------------------------------
SELECT is(ocpp.declare_evse('PR-1', 1, 2), 2, 'EVSE 1 with connectors 1 and 2');
SELECT is(ocpp.declare_evse('PR-1', 2), 1, 'EVSE 2 with one connector (a 1.6 connector 2)');
SELECT is(ocpp.declare_evse('PR-1', 0, 0), 0, 'EVSE 0 alone adds no connector');
SELECT set_eq($$SELECT evse_id, connector_id, status FROM cs.connector WHERE station_id = cs.station_id('PR-1')$$,
              $$VALUES (1, 1, NULL::text), (1, 2, NULL), (2, 1, NULL)$$, 'the connectors, with no status yet');
SELECT set_eq($$SELECT evse_id FROM cs.evse WHERE station_id = cs.station_id('PR-1')$$, ARRAY[1, 2],
              'the EVSEs (not EVSE 0)');
UPDATE cs.connector SET status = 'Available' WHERE station_id = cs.station_id('PR-1') AND evse_id = 1 AND connector_id = 1;
SELECT is(ocpp.declare_evse('PR-1', 1, 3), 1, 'declaring again adds only the new connector');
SELECT is((SELECT status FROM cs.connector WHERE station_id = cs.station_id('PR-1') AND evse_id = 1 AND connector_id = 1),
          'Available', 'and keeps a reported status');
SELECT throws_ok($$SELECT ocpp.declare_evse('nobody', 1)$$, 'OC010', 'unknown station', 'unknown station');
SELECT throws_ok($$SELECT ocpp.declare_evse('PR-1', -1)$$, 'OC007', 'invalid evse_id', 'negative EVSE');
SELECT throws_ok($$SELECT ocpp.declare_evse('PR-1', NULL)$$, 'OC007', 'invalid evse_id', 'null EVSE');
SELECT throws_ok($$SELECT ocpp.declare_evse('PR-1', 1, 65)$$, 'OC007', 'invalid connectors', 'too many connectors');
SELECT throws_ok($$SELECT ocpp.declare_evse('PR-1', 1, -1)$$, 'OC007', 'invalid connectors', 'negative connectors');
SELECT throws_ok($$SELECT ocpp.declare_evse('PR-1', 0, 1)$$, 'OC007', 'invalid connectors', 'connectors on EVSE 0');

-- ocpp.seed_variable ------------------------------------------------------------------------------------
SELECT ocpp.seed_variable('PR-1', 'DeviceDataCtrlr', 'ItemsPerMessage', '4', variable_instance => 'GetVariables',
                          mutability => 'ReadOnly', data_type => 'integer');
SELECT is((SELECT (value, mutability, data_type, request_id)::text FROM cs.device_variable
            WHERE station_id = cs.station_id('PR-1') AND component = 'DeviceDataCtrlr' AND variable = 'ItemsPerMessage'
              AND variable_instance = 'GetVariables' AND attribute_type = 'Actual'),
          '(4,ReadOnly,integer,)', 'a seeded value, as if reported');
SELECT ocpp.seed_variable('PR-1', 'DeviceDataCtrlr', 'ItemsPerMessage', '6', variable_instance => 'GetVariables');
SELECT is((SELECT (value, mutability)::text FROM cs.device_variable
            WHERE station_id = cs.station_id('PR-1') AND variable = 'ItemsPerMessage' AND variable_instance = 'GetVariables'),
          '(6,ReadOnly)', 'seeding again changes the value and keeps what was not given');
SELECT is(cs.device_limit(cs.station_id('PR-1'), 'DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables'), 6,
          'the limit the command queue reads');
SELECT ocpp.seed_variable('PR-1', 'EVSE', 'Power', '22000', 'MaxSet', evse_id => 1);
SELECT is((SELECT value FROM cs.device_variable WHERE station_id = cs.station_id('PR-1') AND component = 'EVSE'
             AND evse_id = 1 AND attribute_type = 'MaxSet'), '22000', 'an EVSE component and another attribute type');
SELECT throws_ok($$SELECT ocpp.seed_variable('nobody', 'C', 'V', '1')$$, 'OC010', 'unknown station', 'unknown station');
SELECT throws_ok($$SELECT ocpp.seed_variable('PR-1', '', 'V', '1')$$, 'OC007', 'invalid component', 'empty component');
SELECT throws_ok($$SELECT ocpp.seed_variable('PR-1', 'C', repeat('v', 51), '1')$$, 'OC007', 'invalid variable',
                 'a variable of 51 characters');
SELECT throws_ok($$SELECT ocpp.seed_variable('PR-1', 'C', 'V', '1', 'Bogus')$$, 'OC007', 'invalid attribute_type',
                 'an attribute type outside the enum');
SELECT throws_ok($$SELECT ocpp.seed_variable('PR-1', 'C', 'V', repeat('x', 2501))$$, 'OC007', 'invalid value',
                 'a value of 2501 characters');
SELECT throws_ok($$SELECT ocpp.seed_variable('PR-1', 'C', 'V', '1', evse_id => -1)$$, 'OC007', 'invalid evse_id',
                 'a negative EVSE');
SELECT throws_ok($$SELECT ocpp.seed_variable('PR-1', 'C', 'V', '1', mutability => 'Sometimes')$$, 'OC007',
                 'invalid mutability', 'a mutability outside the enum');
SELECT throws_ok($$SELECT ocpp.seed_variable('PR-1', 'C', 'V', '1', variable_instance => repeat('i', 51))$$, 'OC007',
                 'invalid variable_instance', 'an instance of 51 characters');

-- ocpp.set_station_auth_required ------------------------------------------------------------------------
SELECT ocpp.set_station_password('PR-1', 'secret-1');
SELECT ocpp.set_station_auth_required('PR-1', true);
SELECT is(ocpp.connect('PR-1', NULL, '2.0.1', 'n1')->'accepted', 'false', 'auth required: no password refused');
SELECT is(ocpp.connect('PR-1', NULL, '2.0.1', 'n1', convert_to('secret-1', 'UTF8'))->'accepted', 'true',
          'the right password accepted');
SELECT ocpp.set_station_auth_required('PR-1', NULL);
SELECT is(ocpp.connect('PR-1', NULL, '2.0.1', 'n1')->'accepted', 'true', 'null follows station.auth_required (false)');
SELECT ocpp.set_station_auth_required('PR-1', false);
SELECT ocpp.set_setting('station.auth_required', 'true');
SELECT is(ocpp.connect('PR-1', NULL, '2.0.1', 'n1')->'accepted', 'true', 'false beats the setting');
SELECT ocpp.set_setting('station.auth_required', 'false');
SELECT throws_ok($$SELECT ocpp.set_station_auth_required('nobody', true)$$, 'OC010', 'unknown station', 'unknown station');

-- station.pending_policy ------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT ocpp.set_setting('station.pending_policy', '"lenient"')$$, 'OC007', 'invalid setting value',
                 'pending_policy is tolerant or strict');
SELECT ocpp.add_station('PD-1', 'Pending');
SELECT ocpp.connect('PD-1', NULL, '2.0.1', 'n1');
SELECT is(ocpp.parse('PD-1', 'b1', 'BootNotification',
                     '{"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}', NULL, '2.0.1')->>'status',
          'Pending', 'the station is Pending');
SELECT ok(ocpp.parse('PD-1', 'h1', 'Heartbeat', '{}', NULL, '2.0.1') ? 'currentTime', 'tolerant: a Heartbeat is answered');
SELECT ocpp.set_setting('station.pending_policy', '"strict"');
SELECT throws_ok($$SELECT ocpp.parse('PD-1', 'h2', 'Heartbeat', '{}', NULL, '2.0.1')$$, 'OC005', 'station is pending',
                 'strict: a Heartbeat nobody asked for is SecurityError');
SELECT throws_ok($$SELECT ocpp.parse('PD-1', 's1', 'StatusNotification', '{"timestamp": "2026-01-01T00:00:00Z",
                     "connectorStatus": "Available", "evseId": 1, "connectorId": 1}', NULL, '2.0.1')$$,
                 'OC005', 'station is pending', 'strict: a StatusNotification too');
SELECT ok(ocpp.parse('PD-1', 'b2', 'BootNotification',
                     '{"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}', NULL, '2.0.1') ? 'status',
          'strict: BootNotification is always answered');
-- the central system triggers a StatusNotification
CREATE TEMP TABLE tr AS SELECT ocpp.send('PD-1', 'TriggerMessage', '{"requestedMessage": "StatusNotification"}') AS id;
SELECT ocpp.command_claim('n1', ARRAY['PD-1']);
SELECT ocpp.command_result((SELECT id FROM tr), '{"status": "Accepted"}');
SELECT is(ocpp.parse('PD-1', 's2', 'StatusNotification', '{"timestamp": "2026-01-01T00:00:00Z",
              "connectorStatus": "Available", "evseId": 1, "connectorId": 1}', NULL, '2.0.1'), '{}',
          'strict: the triggered StatusNotification is answered');
SELECT throws_ok($$SELECT ocpp.parse('PD-1', 'h3', 'Heartbeat', '{}', NULL, '2.0.1')$$, 'OC005', 'station is pending',
                 'but still not a Heartbeat');
-- a trigger the station rejected allows nothing
CREATE TEMP TABLE tr2 AS SELECT ocpp.send('PD-1', 'TriggerMessage', '{"requestedMessage": "Heartbeat"}') AS id;
SELECT ocpp.command_claim('n1', ARRAY['PD-1']);
SELECT ocpp.command_result((SELECT id FROM tr2), '{"status": "Rejected"}');
SELECT throws_ok($$SELECT ocpp.parse('PD-1', 'h4', 'Heartbeat', '{}', NULL, '2.0.1')$$, 'OC005', 'station is pending',
                 'a trigger the station rejected allows nothing');
-- a new boot ends the triggers' window
SELECT ocpp.parse('PD-1', 'b3', 'BootNotification',
                  '{"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}', NULL, '2.0.1');
UPDATE cs.station SET booted_at = now() + interval '1 second' WHERE identity = 'PD-1';  -- later than the trigger
SELECT throws_ok($$SELECT ocpp.parse('PD-1', 's3', 'StatusNotification', '{"timestamp": "2026-01-01T00:00:00Z",
                     "connectorStatus": "Available", "evseId": 1, "connectorId": 1}', NULL, '2.0.1')$$,
                 'OC005', 'station is pending', 'a trigger answered before the last boot allows nothing');
-- a report the central system asked for
CREATE TEMP TABLE gb AS SELECT ocpp.send('PD-1', 'GetBaseReport', '{"requestId": 7, "reportBase": "FullInventory"}') AS id;
SELECT ocpp.command_claim('n1', ARRAY['PD-1']);
UPDATE cs.station SET booted_at = now() + interval '2 seconds' WHERE identity = 'PD-1';  -- a boot meanwhile
SELECT throws_ok($$SELECT ocpp.parse('PD-1', 'r0', 'NotifyReport', '{"requestId": 8, "generatedAt": "2026-01-01T00:00:00Z",
                     "seqNo": 0}', NULL, '2.0.1')$$, 'OC005', 'station is pending', 'a report of another requestId is refused');
SELECT is(ocpp.parse('PD-1', 'r1', 'NotifyReport', '{"requestId": 7, "generatedAt": "2026-01-01T00:00:00Z", "seqNo": 0,
              "reportData": [{"component": {"name": "DeviceDataCtrlr"}, "variable": {"name": "ItemsPerMessage", "instance": "GetVariables"},
                              "variableAttribute": [{"value": "2"}]}]}', NULL, '2.0.1'), '{}',
          'the NotifyReport of the GetBaseReport sent is answered, across a boot');
SELECT is(cs.device_limit(cs.station_id('PD-1'), 'DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables'), 2,
          'and stored: the station reported its limit');
-- 1.6 Pending stations follow the same policy
SELECT ocpp.add_station('PD-16', 'Pending');
SELECT throws_ok($$SELECT ocpp.parse('PD-16', 'h1', 'Heartbeat', '{}')$$, 'OC005', 'station is pending',
                 'a 1.6 Pending station too');
SELECT ocpp.add_station('PD-16', 'Accepted');
SELECT ok(ocpp.parse('PD-16', 'h2', 'Heartbeat', '{}') ? 'currentTime', 'an Accepted station is never limited');
SELECT ocpp.set_setting('station.pending_policy', '"tolerant"');
SELECT ok(ocpp.parse('PD-1', 'h5', 'Heartbeat', '{}', NULL, '2.0.1') ? 'currentTime', 'back to tolerant');

SELECT * FROM finish();
ROLLBACK;
