-- ocpp.chargepointlist shape, ocpp.set_setting and its checks.
BEGIN;
SELECT plan(23);

DELETE FROM cs.station;
SELECT is(ocpp.chargepointlist(), '[]', 'no stations: []');

SELECT ocpp.add_station('Z-2', 'Pending', NULL, 'acme');
SELECT ocpp.connect('Z-1', 'acme', '1.6', 'node-a');
SELECT ocpp.parse('Z-1', 'u1', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M", "firmwareVersion": "9"}');
SELECT ocpp.parse('Z-1', 'u2', 'StatusNotification', '{"connectorId": 0, "errorCode": "NoError", "status": "Available", "timestamp": "2024-08-01T00:00:00Z"}');

SELECT is(ocpp.chargepointlist()->0,
          jsonb_build_object('identity', 'Z-1', 'account', 'acme', 'version', '1.6', 'connected', true, 'node', 'node-a', 'transport', 'websocket',
                             'securityProfile', 0, 'minimumSecurityProfile', 0,
                             'lastSeen', cs.ocpp_time(now()), 'registration', 'Accepted',
                             'boot', '{"chargePointVendor": "V", "chargePointModel": "M", "firmwareVersion": "9"}'::jsonb,
                             'connectors', '[{"evseId": 0, "connectorId": 0, "status": "Available", "errorCode": "NoError",
                                             "info": null, "vendorId": null, "vendorErrorCode": null,
                                             "timestamp": "2024-08-01T00:00:00.000Z"}]'::jsonb),
          'chargepointlist: a connected, booted station');
SELECT is(ocpp.chargepointlist()->1,
          '{"identity": "Z-2", "account": "acme", "version": null, "connected": false, "node": null, "transport": "websocket", "lastSeen": null,
            "securityProfile": null, "minimumSecurityProfile": 0,
            "registration": "Pending", "boot": null, "connectors": []}',
          'chargepointlist: a station never seen');
SELECT ocpp.disconnect('Z-1', 'node-a');
SELECT is(ocpp.chargepointlist()->0->'connected', 'false', 'chargepointlist: disconnected');
SELECT is(jsonb_array_length(ocpp.chargepointlist()), 2, 'chargepointlist: one object per station');

-- set_setting
SELECT ocpp.set_setting('boot.heartbeat_interval', '900');
SELECT is(cs.setting('boot.heartbeat_interval'), '900', 'set_setting changes the value');
SELECT ocpp.set_setting('message_log.retention', '"7 days"');
SELECT is(cs.setting('message_log.retention'), '"7 days"', 'set_setting of an interval');
SELECT ocpp.set_setting('data_transfer.unknown_vendor', '"Accepted"');
SELECT is(cs.setting('data_transfer.unknown_vendor'), '"Accepted"', 'set_setting of a status');
SELECT throws_ok($$SELECT ocpp.set_setting('no.such.key', '1')$$, 'OC010', 'unknown setting', 'set_setting of an unknown key');
SELECT throws_ok($$SELECT ocpp.set_setting(NULL, '1')$$, 'OC010', 'unknown setting', 'set_setting of a null key');
SELECT throws_ok($$SELECT ocpp.set_setting('boot.unknown_station', '"accepted"')$$, 'OC007', 'invalid setting value',
                 'boot.unknown_station outside its list');
SELECT throws_ok($$SELECT ocpp.set_setting('authorize.unknown_id_tag', '"Blocked"')$$, 'OC007', 'invalid setting value',
                 'authorize.unknown_id_tag outside its list');
SELECT throws_ok($$SELECT ocpp.set_setting('data_transfer.unknown_vendor', '"Maybe"')$$, 'OC007', 'invalid setting value',
                 'data_transfer.unknown_vendor outside its list');
SELECT throws_ok($$SELECT ocpp.set_setting('boot.heartbeat_interval', '"300"')$$, 'OC007', 'invalid setting value',
                 'an interval given as a string');
SELECT throws_ok($$SELECT ocpp.set_setting('boot.retry_interval', '0')$$, 'OC007', 'invalid setting value',
                 'an interval of 0');
SELECT throws_ok($$SELECT ocpp.set_setting('boot.retry_interval', '1.5')$$, 'OC007', 'invalid setting value',
                 'an interval that is not an integer');
SELECT throws_ok($$SELECT ocpp.set_setting('authorize.concurrent_tx', '"yes"')$$, 'OC007', 'invalid setting value',
                 'a boolean given as a string');
SELECT throws_ok($$SELECT ocpp.set_setting('station.auth_required', 'null')$$, 'OC007', 'invalid setting value',
                 'a boolean given as null');
SELECT throws_ok($$SELECT ocpp.set_setting('message_log.retention', '"forever"')$$, 'OC007', 'invalid setting value',
                 'a retention that is not an interval');
SELECT throws_ok($$SELECT ocpp.set_setting('message_log.retention', '"-1 day"')$$, 'OC007', 'invalid setting value',
                 'a negative retention');
SELECT throws_ok($$SELECT ocpp.set_setting('message_log.retention', '30')$$, 'OC007', 'invalid setting value',
                 'a retention given as a number');
SELECT throws_ok($$SELECT ocpp.set_setting('transaction.dedupe_start', NULL)$$, 'OC007', 'invalid setting value',
                 'an SQL null value');
SELECT results_eq($$SELECT key, value FROM cs.setting WHERE key IN ('boot.unknown_station', 'boot.retry_interval', 'message_log.retention') ORDER BY key$$,
                  $$VALUES ('boot.retry_interval', '60'::jsonb), ('boot.unknown_station', '"Accepted"'), ('message_log.retention', '"7 days"')$$,
                  'refused values change nothing');

SELECT * FROM finish();
ROLLBACK;
