-- The convenience functions: one per 1.6 operation, the payload they build, the arguments they refuse.
BEGIN;
SELECT plan(106);

SELECT ocpp.node_start('no');
SELECT ocpp.connect('OP-1', NULL, '1.6', 'no');

CREATE FUNCTION pg_temp.sent(cmd bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('action', action, 'payload', payload) FROM cs.command WHERE id = cmd
$$;
CREATE FUNCTION pg_temp.cmd(cmd bigint) RETURNS cs.command LANGUAGE sql AS $$
    SELECT * FROM cs.command WHERE id = cmd
$$;
CREATE FUNCTION pg_temp.profile(purpose text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('chargingProfileId', 1, 'stackLevel', 0, 'chargingProfilePurpose', purpose,
                              'chargingProfileKind', 'Relative',
                              'chargingSchedule', '{"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}]}'::jsonb)
$$;

-- every function queues its action for the station, and passes wait on
SELECT is(pg_temp.sent(ocpp.cancel_reservation('OP-1', 4)),
          '{"action": "CancelReservation", "payload": {"reservationId": 4}}', 'cancel_reservation');
SELECT is(pg_temp.sent(ocpp.change_availability('OP-1', 0, 'Inoperative')),
          '{"action": "ChangeAvailability", "payload": {"connectorId": 0, "type": "Inoperative"}}', 'change_availability');
SELECT is(pg_temp.sent(ocpp.change_configuration('OP-1', 'HeartbeatInterval', '60')),
          '{"action": "ChangeConfiguration", "payload": {"key": "HeartbeatInterval", "value": "60"}}', 'change_configuration');
SELECT is(pg_temp.sent(ocpp.clear_cache('OP-1')), '{"action": "ClearCache", "payload": {}}', 'clear_cache');
SELECT is(pg_temp.sent(ocpp.clear_charging_profile('OP-1')), '{"action": "ClearChargingProfile", "payload": {}}',
          'clear_charging_profile without criteria');
SELECT is(pg_temp.sent(ocpp.clear_charging_profile('OP-1', NULL, 1, 'TxProfile', 2)),
          '{"action": "ClearChargingProfile", "payload": {"connectorId": 1, "chargingProfilePurpose": "TxProfile", "stackLevel": 2}}',
          'clear_charging_profile with criteria');
SELECT is(pg_temp.sent(ocpp.data_transfer('OP-1', 'acme')), '{"action": "DataTransfer", "payload": {"vendorId": "acme"}}',
          'data_transfer, vendor only');
SELECT is(pg_temp.sent(ocpp.data_transfer('OP-1', 'acme', 'msg', '{"a":1}')),
          '{"action": "DataTransfer", "payload": {"vendorId": "acme", "messageId": "msg", "data": "{\"a\":1}"}}', 'data_transfer');
SELECT is(pg_temp.sent(ocpp.get_composite_schedule('OP-1', 1, 600, 'A')),
          '{"action": "GetCompositeSchedule", "payload": {"connectorId": 1, "duration": 600, "chargingRateUnit": "A"}}',
          'get_composite_schedule');
SELECT is(pg_temp.sent(ocpp.get_configuration('OP-1')), '{"action": "GetConfiguration", "payload": {}}', 'get_configuration, all keys');
SELECT is(pg_temp.sent(ocpp.get_configuration('OP-1', ARRAY['A', 'B'])),
          '{"action": "GetConfiguration", "payload": {"key": ["A", "B"]}}', 'get_configuration of keys');
SELECT is(pg_temp.sent(ocpp.get_diagnostics('OP-1', 'ftp://x/', 3, 60, '2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z')),
          '{"action": "GetDiagnostics", "payload": {"location": "ftp://x/", "retries": 3, "retryInterval": 60,
            "startTime": "2030-01-01T00:00:00.000Z", "stopTime": "2030-01-02T00:00:00.000Z"}}', 'get_diagnostics');
SELECT is(pg_temp.sent(ocpp.get_local_list_version('OP-1')), '{"action": "GetLocalListVersion", "payload": {}}', 'get_local_list_version');
SELECT is(pg_temp.sent(ocpp.remote_start_transaction('OP-1', 'TAG-1')),
          '{"action": "RemoteStartTransaction", "payload": {"idTag": "TAG-1"}}', 'remote_start_transaction, tag only');
SELECT is(pg_temp.sent(ocpp.remote_start_transaction('OP-1', 'TAG-1', 2, pg_temp.profile('TxProfile'))),
          jsonb_build_object('action', 'RemoteStartTransaction',
                             'payload', jsonb_build_object('idTag', 'TAG-1', 'connectorId', 2, 'chargingProfile', pg_temp.profile('TxProfile'))),
          'remote_start_transaction with connector and profile');
SELECT is(pg_temp.sent(ocpp.remote_stop_transaction('OP-1', 42)),
          '{"action": "RemoteStopTransaction", "payload": {"transactionId": 42}}', 'remote_stop_transaction');
SELECT is(pg_temp.sent(ocpp.reserve_now('OP-1', 1, 'TAG-1', '2030-01-01T00:00:00Z', 'PARENT', 77)),
          '{"action": "ReserveNow", "payload": {"connectorId": 1, "expiryDate": "2030-01-01T00:00:00.000Z", "idTag": "TAG-1",
            "parentIdTag": "PARENT", "reservationId": 77}}', 'reserve_now');
SELECT ok((SELECT (c.payload->>'reservationId')::bigint >= 1 AND NOT c.payload ? 'parentIdTag'
             FROM pg_temp.cmd(ocpp.reserve_now('OP-1', 2, 'TAG-2', now() + interval '1 hour')) AS c),
          'reserve_now takes a reservation id from cs.reservation when none is given');
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date)
SELECT last_value + 1, (SELECT id FROM cs.station WHERE identity = 'OP-1'), 5, 'T', now() + interval '1 hour'
  FROM cs.reservation_id_seq;
SELECT isnt((pg_temp.cmd(ocpp.reserve_now('OP-1', 6, 'TAG-2', now() + interval '1 hour'))).payload->'reservationId',
            (SELECT to_jsonb(max(id)) FROM cs.reservation),
            'reserve_now skips an id taken without the sequence');
SELECT is(pg_temp.sent(ocpp.reset('OP-1')), '{"action": "Reset", "payload": {"type": "Soft"}}', 'reset: Soft by default');
SELECT is(pg_temp.sent(ocpp.reset('OP-1', 'Hard')), '{"action": "Reset", "payload": {"type": "Hard"}}', 'reset Hard');
SELECT is(pg_temp.sent(ocpp.set_charging_profile('OP-1', 0, pg_temp.profile('ChargePointMaxProfile'))),
          jsonb_build_object('action', 'SetChargingProfile',
                             'payload', jsonb_build_object('connectorId', 0, 'csChargingProfiles', pg_temp.profile('ChargePointMaxProfile'))),
          'set_charging_profile');
SELECT is(pg_temp.sent(ocpp.trigger_message('OP-1', 'StatusNotification', 1)),
          '{"action": "TriggerMessage", "payload": {"requestedMessage": "StatusNotification", "connectorId": 1}}', 'trigger_message');
SELECT is(pg_temp.sent(ocpp.unlock_connector('OP-1', 1)), '{"action": "UnlockConnector", "payload": {"connectorId": 1}}', 'unlock_connector');
SELECT is(pg_temp.sent(ocpp.update_firmware('OP-1', 'https://fw/', '2030-01-01T00:00:00Z', 2, 30)),
          '{"action": "UpdateFirmware", "payload": {"location": "https://fw/", "retrieveDate": "2030-01-01T00:00:00.000Z",
            "retries": 2, "retryInterval": 30}}', 'update_firmware');
SELECT is((pg_temp.cmd(ocpp.update_firmware('OP-1', 'https://fw/'))).payload->>'retrieveDate', cs.ocpp_time(now()),
          'update_firmware: retrieve now by default');
SELECT is(pg_temp.sent(ocpp.certificate_signed('OP-1', 'CHAIN')),
          '{"action": "CertificateSigned", "payload": {"certificateChain": "CHAIN"}}', 'certificate_signed');
SELECT is(pg_temp.sent(ocpp.delete_certificate('OP-1', 'SHA256', 'nh', 'kh', 'sn')),
          '{"action": "DeleteCertificate", "payload": {"certificateHashData": {"hashAlgorithm": "SHA256", "issuerNameHash": "nh",
            "issuerKeyHash": "kh", "serialNumber": "sn"}}}', 'delete_certificate');
SELECT is(pg_temp.sent(ocpp.extended_trigger_message('OP-1', 'SignChargePointCertificate')),
          '{"action": "ExtendedTriggerMessage", "payload": {"requestedMessage": "SignChargePointCertificate"}}', 'extended_trigger_message');
SELECT is(pg_temp.sent(ocpp.get_installed_certificate_ids('OP-1', 'ManufacturerRootCertificate')),
          '{"action": "GetInstalledCertificateIds", "payload": {"certificateType": "ManufacturerRootCertificate"}}',
          'get_installed_certificate_ids');
SELECT is(pg_temp.sent(ocpp.get_log('OP-1', 'SecurityLog', 9, 'https://logs/', '2030-01-01T00:00:00Z', NULL, 1)),
          '{"action": "GetLog", "payload": {"logType": "SecurityLog", "requestId": 9, "retries": 1,
            "log": {"remoteLocation": "https://logs/", "oldestTimestamp": "2030-01-01T00:00:00.000Z"}}}', 'get_log');
SELECT is(pg_temp.sent(ocpp.install_certificate('OP-1', 'CentralSystemRootCertificate', 'PEM')),
          '{"action": "InstallCertificate", "payload": {"certificateType": "CentralSystemRootCertificate", "certificate": "PEM"}}',
          'install_certificate');
SELECT is(pg_temp.sent(ocpp.signed_update_firmware('OP-1', 3, 'https://fw/s.bin', '2030-01-01T00:00:00Z', 'CERT', 'SIG',
                                                   '2030-01-02T00:00:00Z', 5)),
          '{"action": "SignedUpdateFirmware", "payload": {"requestId": 3, "retries": 5, "firmware": {"location": "https://fw/s.bin",
            "retrieveDateTime": "2030-01-01T00:00:00.000Z", "installDateTime": "2030-01-02T00:00:00.000Z",
            "signingCertificate": "CERT", "signature": "SIG"}}}', 'signed_update_firmware');
SELECT is((SELECT c.status || ' ' || (c.wait_until = now() + interval '5 minutes')
             FROM pg_temp.cmd(ocpp.reset('OP-1', 'Soft', wait => '5 minutes')) AS c), 'queued true', 'wait is passed on');

-- send_local_list
SELECT ocpp.set_id_tag('L-1');
SELECT ocpp.set_id_tag('L-2', 'Expired');
SELECT ocpp.set_id_tag('L-TOO-LONG-FOR-A-1.6-LIST-000000');
SELECT is(pg_temp.sent(ocpp.send_local_list('OP-1')),
          '{"action": "SendLocalList", "payload": {"listVersion": 1, "updateType": "Full", "localAuthorizationList": [
            {"idTag": "L-1", "idTagInfo": {"status": "Accepted"}}, {"idTag": "L-2", "idTagInfo": {"status": "Expired"}}]}}',
          'send_local_list: Full from cs.id_tag, tags longer than 20 left out');
SELECT is(pg_temp.sent(ocpp.send_local_list('OP-1', 'Differential', ARRAY['L-2', 'GONE', 'L-2'])),
          '{"action": "SendLocalList", "payload": {"listVersion": 2, "updateType": "Differential", "localAuthorizationList": [
            {"idTag": "GONE"}, {"idTag": "L-2", "idTagInfo": {"status": "Expired"}}]}}',
          'send_local_list Differential: a tag not in cs.id_tag is sent without idTagInfo; the version counts the list still queued');
DELETE FROM cs.command WHERE action = 'SendLocalList';
INSERT INTO cs.local_list (station_id, version, reported_version) SELECT id, 4, 6 FROM cs.station WHERE identity = 'OP-1';
SELECT is((pg_temp.cmd(ocpp.send_local_list('OP-1', 'Full', ARRAY['L-1']))).payload,
          '{"listVersion": 7, "updateType": "Full", "localAuthorizationList": [{"idTag": "L-1", "idTagInfo": {"status": "Accepted"}}]}',
          'send_local_list: the given tags; version after the highest known');
DELETE FROM cs.id_tag;
DELETE FROM cs.command WHERE action = 'SendLocalList';
SELECT is((pg_temp.cmd(ocpp.send_local_list('OP-1'))).payload->'localAuthorizationList', '[]',
          'send_local_list Full of an empty cs.id_tag clears the list');

-- the arguments each function refuses
SELECT throws_ok($$SELECT ocpp.cancel_reservation('OP-1', NULL)$$, 'OC007', 'invalid reservation_id', 'cancel_reservation without id');
SELECT throws_ok($$SELECT ocpp.change_availability('OP-1', -1, 'Operative')$$, 'OC007', 'invalid connector_id', 'change_availability: negative connector');
SELECT throws_ok($$SELECT ocpp.change_availability('OP-1', NULL, 'Operative')$$, 'OC007', 'invalid connector_id', 'change_availability: no connector');
SELECT throws_ok($$SELECT ocpp.change_availability('OP-1', 1, 'Broken')$$, 'OC007', 'invalid type', 'change_availability: bad type');
SELECT throws_ok($$SELECT ocpp.change_configuration('OP-1', '', 'x')$$, 'OC007', 'invalid key', 'change_configuration: empty key');
SELECT throws_ok($$SELECT ocpp.change_configuration('OP-1', repeat('k', 51), 'x')$$, 'OC007', 'invalid key', 'change_configuration: key too long');
SELECT throws_ok($$SELECT ocpp.change_configuration('OP-1', 'k', repeat('v', 501))$$, 'OC007', 'invalid value', 'change_configuration: value too long');
SELECT throws_ok($$SELECT ocpp.change_configuration('OP-1', 'k', NULL)$$, 'OC007', 'invalid value', 'change_configuration: no value');
SELECT throws_ok($$SELECT ocpp.clear_charging_profile('OP-1', NULL, -1)$$, 'OC007', 'invalid connector_id', 'clear_charging_profile: negative connector');
SELECT throws_ok($$SELECT ocpp.clear_charging_profile('OP-1', NULL, NULL, 'Max')$$, 'OC007', 'invalid purpose', 'clear_charging_profile: bad purpose');
SELECT throws_ok($$SELECT ocpp.clear_charging_profile('OP-1', NULL, NULL, NULL, -1)$$, 'OC007', 'invalid stack_level', 'clear_charging_profile: negative stack level');
SELECT throws_ok($$SELECT ocpp.data_transfer('OP-1', NULL)$$, 'OC007', 'invalid vendor_id', 'data_transfer: no vendor');
SELECT throws_ok($$SELECT ocpp.data_transfer('OP-1', repeat('v', 256))$$, 'OC007', 'invalid vendor_id', 'data_transfer: vendor too long');
SELECT throws_ok($$SELECT ocpp.data_transfer('OP-1', 'v', repeat('m', 51))$$, 'OC007', 'invalid message_id', 'data_transfer: message id too long');
SELECT throws_ok($$SELECT ocpp.get_composite_schedule('OP-1', NULL, 60)$$, 'OC007', 'invalid connector_id', 'get_composite_schedule: no connector');
SELECT throws_ok($$SELECT ocpp.get_composite_schedule('OP-1', 1, -60)$$, 'OC007', 'invalid duration', 'get_composite_schedule: negative duration');
SELECT throws_ok($$SELECT ocpp.get_composite_schedule('OP-1', 1, 60, 'kW')$$, 'OC007', 'invalid charging_rate_unit', 'get_composite_schedule: bad unit');
SELECT throws_ok($$SELECT ocpp.get_configuration('OP-1', ARRAY['ok', NULL])$$, 'OC007', 'invalid keys', 'get_configuration: a null key');
SELECT throws_ok($$SELECT ocpp.get_configuration('OP-1', ARRAY[repeat('k', 51)])$$, 'OC007', 'invalid keys', 'get_configuration: a key too long');
SELECT throws_ok($$SELECT ocpp.get_diagnostics('OP-1', '')$$, 'OC007', 'invalid location', 'get_diagnostics: no location');
SELECT throws_ok($$SELECT ocpp.get_diagnostics('OP-1', 'ftp://x/', -1)$$, 'OC007', 'invalid retries', 'get_diagnostics: negative retries');
SELECT throws_ok($$SELECT ocpp.get_diagnostics('OP-1', 'ftp://x/', NULL, -1)$$, 'OC007', 'invalid retry_interval', 'get_diagnostics: negative interval');
SELECT throws_ok($$SELECT ocpp.get_diagnostics('OP-1', 'ftp://x/', NULL, NULL, now(), now() - interval '1 hour')$$, 'OC007', 'invalid start_time',
                 'get_diagnostics: start after stop');
SELECT throws_ok($$SELECT ocpp.remote_start_transaction('OP-1', repeat('t', 21))$$, 'OC007', 'invalid id_tag', 'remote_start_transaction: tag too long');
SELECT throws_ok($$SELECT ocpp.remote_start_transaction('OP-1', 'T', 0)$$, 'OC007', 'invalid connector_id', 'remote_start_transaction: connector 0');
SELECT throws_ok($$SELECT ocpp.remote_start_transaction('OP-1', 'T', 1, pg_temp.profile('TxDefaultProfile'))$$, 'OC007', 'invalid charging_profile',
                 'remote_start_transaction: not a TxProfile');
SELECT throws_ok($$SELECT ocpp.remote_start_transaction('OP-1', 'T', 1, pg_temp.profile('TxProfile') - 'chargingSchedule')$$, 'OC007',
                 'invalid charging_profile', 'remote_start_transaction: a profile without schedule');
SELECT throws_ok($$SELECT ocpp.remote_stop_transaction('OP-1', NULL)$$, 'OC007', 'invalid transaction_id', 'remote_stop_transaction without id');
SELECT throws_ok($$SELECT ocpp.reserve_now('nobody', 1, 'T', now() + interval '1 hour')$$, 'OC010', 'unknown station', 'reserve_now: unknown station');
SELECT throws_ok($$SELECT ocpp.reserve_now('OP-1', -1, 'T', now() + interval '1 hour')$$, 'OC007', 'invalid connector_id', 'reserve_now: negative connector');
SELECT throws_ok($$SELECT ocpp.reserve_now('OP-1', 3, '', now() + interval '1 hour')$$, 'OC007', 'invalid id_tag', 'reserve_now: empty tag');
SELECT throws_ok($$SELECT ocpp.reserve_now('OP-1', 3, 'T', now() + interval '1 hour', repeat('p', 21))$$, 'OC007', 'invalid parent_id_tag',
                 'reserve_now: parent too long');
SELECT throws_ok($$SELECT ocpp.reserve_now('OP-1', 3, 'T', now())$$, 'OC007', 'invalid expiry_date', 'reserve_now: expiry not in the future');
SELECT throws_ok($$SELECT ocpp.reset('OP-1', 'Medium')$$, 'OC007', 'invalid type', 'reset: bad type');
SELECT throws_ok($$SELECT ocpp.reset('OP-1', NULL)$$, 'OC007', 'invalid type', 'reset: null type');
SELECT throws_ok($$SELECT ocpp.send_local_list('nobody')$$, 'OC010', 'unknown station', 'send_local_list: unknown station');
SELECT throws_ok($$SELECT ocpp.send_local_list('OP-1', 'Partial')$$, 'OC007', 'invalid update_type', 'send_local_list: bad update type');
SELECT throws_ok($$SELECT ocpp.send_local_list('OP-1', 'Differential')$$, 'OC007', 'invalid id_tags', 'send_local_list: Differential without tags');
SELECT throws_ok($$SELECT ocpp.send_local_list('OP-1', 'Differential', ARRAY[repeat('t', 21)])$$, 'OC007', 'invalid id_tags',
                 'send_local_list: a tag too long');
SELECT throws_ok($$SELECT ocpp.send_local_list('OP-1', 'Full', ARRAY['NOT-KNOWN'])$$, 'OC007', 'invalid id_tags',
                 'send_local_list: a Full list with a tag not in cs.id_tag');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('OP-1', NULL, pg_temp.profile('TxProfile'))$$, 'OC007', 'invalid connector_id',
                 'set_charging_profile: no connector');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('OP-1', 1, pg_temp.profile('Cheap'))$$, 'OC007', 'invalid profile',
                 'set_charging_profile: bad purpose');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('OP-1', 1, pg_temp.profile('TxProfile') || '{"chargingProfileKind": "Sometimes"}')$$,
                 'OC007', 'invalid profile', 'set_charging_profile: bad kind');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('OP-1', 1, pg_temp.profile('TxProfile') || '{"recurrencyKind": "Monthly"}')$$,
                 'OC007', 'invalid profile', 'set_charging_profile: bad recurrency');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('OP-1', 1, pg_temp.profile('TxProfile') || '{"stackLevel": -1}')$$,
                 'OC007', 'invalid profile', 'set_charging_profile: negative stack level');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('OP-1', 1, '[]')$$, 'OC007', 'invalid profile', 'set_charging_profile: not an object');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('OP-1', 1, pg_temp.profile('ChargePointMaxProfile'))$$, 'OC007', 'invalid profile',
                 'set_charging_profile: a ChargePointMaxProfile on a connector');
SELECT throws_ok($$SELECT ocpp.trigger_message('OP-1', 'LogStatusNotification')$$, 'OC007', 'invalid requested_message',
                 'trigger_message: not a 1.6 TriggerMessage');
SELECT throws_ok($$SELECT ocpp.trigger_message('OP-1', 'Heartbeat', -1)$$, 'OC007', 'invalid connector_id', 'trigger_message: negative connector');
SELECT throws_ok($$SELECT ocpp.unlock_connector('OP-1', 0)$$, 'OC007', 'invalid connector_id', 'unlock_connector: connector 0');
SELECT throws_ok($$SELECT ocpp.update_firmware('OP-1', NULL)$$, 'OC007', 'invalid location', 'update_firmware: no location');
SELECT throws_ok($$SELECT ocpp.update_firmware('OP-1', 'x', NULL)$$, 'OC007', 'invalid retrieve_date', 'update_firmware: null retrieve date');
SELECT throws_ok($$SELECT ocpp.update_firmware('OP-1', 'x', now(), -1)$$, 'OC007', 'invalid retries', 'update_firmware: negative retries');
SELECT throws_ok($$SELECT ocpp.certificate_signed('OP-1', repeat('c', 10001))$$, 'OC007', 'invalid certificate_chain', 'certificate_signed: too long');
SELECT throws_ok($$SELECT ocpp.delete_certificate('OP-1', 'MD5', 'a', 'b', 'c')$$, 'OC007', 'invalid hash_algorithm', 'delete_certificate: bad algorithm');
SELECT throws_ok($$SELECT ocpp.delete_certificate('OP-1', 'SHA256', 'a', 'b', repeat('s', 41))$$, 'OC007', 'invalid serial_number',
                 'delete_certificate: serial too long');
SELECT throws_ok($$SELECT ocpp.extended_trigger_message('OP-1', 'DiagnosticsStatusNotification')$$, 'OC007', 'invalid requested_message',
                 'extended_trigger_message: not in its enum');
SELECT throws_ok($$SELECT ocpp.get_installed_certificate_ids('OP-1', 'V2GRootCertificate')$$, 'OC007', 'invalid certificate_type',
                 'get_installed_certificate_ids: bad type');
SELECT throws_ok($$SELECT ocpp.get_log('OP-1', 'AllLogs', 1, 'x')$$, 'OC007', 'invalid log_type', 'get_log: bad type');
SELECT throws_ok($$SELECT ocpp.get_log('OP-1', 'SecurityLog', NULL, 'x')$$, 'OC007', 'invalid request_id', 'get_log: no request id');
SELECT throws_ok($$SELECT ocpp.get_log('OP-1', 'SecurityLog', 1, repeat('x', 513))$$, 'OC007', 'invalid remote_location', 'get_log: location too long');
SELECT throws_ok($$SELECT ocpp.get_log('OP-1', 'SecurityLog', 1, 'x', now(), now() - interval '1 day')$$, 'OC007', 'invalid oldest_timestamp',
                 'get_log: oldest after latest');
SELECT throws_ok($$SELECT ocpp.install_certificate('OP-1', 'CentralSystemRootCertificate', '')$$, 'OC007', 'invalid certificate',
                 'install_certificate: empty certificate');
SELECT throws_ok($$SELECT ocpp.signed_update_firmware('OP-1', NULL, 'x', now(), 'c', 's')$$, 'OC007', 'invalid request_id',
                 'signed_update_firmware: no request id');
SELECT throws_ok($$SELECT ocpp.signed_update_firmware('OP-1', 1, 'x', NULL, 'c', 's')$$, 'OC007', 'invalid retrieve_date_time',
                 'signed_update_firmware: no retrieve time');
SELECT throws_ok($$SELECT ocpp.signed_update_firmware('OP-1', 1, 'x', now(), 'c', repeat('s', 801))$$, 'OC007', 'invalid signature',
                 'signed_update_firmware: signature too long');

-- what ocpp.send raises comes through
SELECT throws_ok($$SELECT ocpp.reset('nobody')$$, 'OC010', 'unknown station', 'a convenience function for an unknown station');
UPDATE cs.station SET version = '1.2' WHERE identity = 'OP-1';
SELECT throws_ok($$SELECT ocpp.clear_cache('OP-1')$$, 'OC002', 'unsupported OCPP version', 'a convenience function for a 1.2 station');

SELECT * FROM finish();
ROLLBACK;
