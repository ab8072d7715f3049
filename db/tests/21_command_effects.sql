-- What answers do: configuration keys, local list, reservations, charging profiles, availability,
-- file transfers, certificates, remote start links.
BEGIN;
SELECT plan(60);

SELECT ocpp.node_start('ne');
SELECT ocpp.connect('EFF-1', NULL, '1.6', 'ne');
SELECT ocpp.connect('EFF-2', NULL, '1.6', 'ne');

-- the dispatcher's part, in short: claim the command and record the answer
CREATE FUNCTION pg_temp.answer(cmd bigint, response jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cs.command SET status = 'sent', node = 'ne', sent_at = now(), unique_id = gen_random_uuid()::text
     WHERE id = cmd AND status = 'queued';
    PERFORM ocpp.command_result(cmd, response);
    RETURN cmd;
END $$;
CREATE TEMP TABLE st AS SELECT id FROM cs.station WHERE identity = 'EFF-1';

-- configuration keys -----------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.get_configuration('EFF-1'),
    '{"configurationKey": [{"key": "HeartbeatInterval", "readonly": false, "value": "300"},
                           {"key": "ReserveConnectorZeroSupported", "readonly": true, "value": "false"},
                           {"key": "NoValue", "readonly": true}],
      "unknownKey": ["Foo"]}');
SELECT results_eq($$SELECT key, value, readonly, unknown, reboot_required FROM cs.configuration_key
                     WHERE station_id = (SELECT id FROM st) ORDER BY key$$,
                  $$VALUES ('Foo', NULL, NULL, true, false), ('HeartbeatInterval', '300', false, false, false),
                           ('NoValue', NULL, true, false, false), ('ReserveConnectorZeroSupported', 'false', true, false, false)$$,
                  'GetConfiguration: configurationKey and unknownKey stored');

SELECT pg_temp.answer(ocpp.change_configuration('EFF-1', 'HeartbeatInterval', '60'), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.change_configuration('EFF-1', 'MeterValueSampleInterval', '15'), '{"status": "RebootRequired"}');
SELECT pg_temp.answer(ocpp.change_configuration('EFF-1', 'NoValue', 'x'), '{"status": "Rejected"}');
SELECT pg_temp.answer(ocpp.change_configuration('EFF-1', 'Other', 'y'), '{"status": "NotSupported"}');
SELECT results_eq($$SELECT key, value, reboot_required FROM cs.configuration_key
                     WHERE station_id = (SELECT id FROM st) AND key IN ('HeartbeatInterval', 'MeterValueSampleInterval', 'NoValue', 'Other')
                     ORDER BY key$$,
                  $$VALUES ('HeartbeatInterval', '60', false), ('MeterValueSampleInterval', '15', true), ('NoValue', NULL, false)$$,
                  'ChangeConfiguration: Accepted and RebootRequired set the value, Rejected and NotSupported do not');

SELECT pg_temp.answer(ocpp.get_configuration('EFF-1', ARRAY['MeterValueSampleInterval', 'Foo']),
    '{"configurationKey": [{"key": "MeterValueSampleInterval", "readonly": false, "value": "15"},
                           {"key": "Foo", "readonly": false, "value": "bar"}]}');
SELECT results_eq($$SELECT key, value, unknown, reboot_required FROM cs.configuration_key
                     WHERE station_id = (SELECT id FROM st) AND key IN ('MeterValueSampleInterval', 'Foo') ORDER BY key$$,
                  $$VALUES ('Foo', 'bar', false, false), ('MeterValueSampleInterval', '15', false, true)$$,
                  'a key reported later is no longer unknown; reboot still required before a reboot');
UPDATE cs.station SET booted_at = now() + interval '1 minute' WHERE id = (SELECT id FROM st);
SELECT pg_temp.answer(ocpp.get_configuration('EFF-1', ARRAY['MeterValueSampleInterval']),
    '{"configurationKey": [{"key": "MeterValueSampleInterval", "readonly": false, "value": "15"}]}');
SELECT is((SELECT reboot_required FROM cs.configuration_key WHERE station_id = (SELECT id FROM st) AND key = 'MeterValueSampleInterval'),
          false, 'reported after the station booted: the reboot happened');

-- local list -------------------------------------------------------------------------------------
SELECT ocpp.set_id_tag('TAG-A');
SELECT ocpp.set_id_tag('TAG-B', 'Blocked', '2030-01-01T00:00:00Z', 'TAG-A');
SELECT ocpp.set_id_tag('TAG-C');
CREATE TEMP TABLE ll AS SELECT pg_temp.answer(ocpp.send_local_list('EFF-1', 'Full', ARRAY['TAG-A', 'TAG-B', 'TAG-C']),
                                              '{"status": "Accepted"}') AS id;
SELECT results_eq($$SELECT id_tag, id_tag_info FROM cs.local_list_entry WHERE station_id = (SELECT id FROM st) ORDER BY id_tag$$,
                  $$VALUES ('TAG-A', '{"status": "Accepted"}'::jsonb),
                           ('TAG-B', '{"status": "Blocked", "expiryDate": "2030-01-01T00:00:00.000Z", "parentIdTag": "TAG-A"}'),
                           ('TAG-C', '{"status": "Accepted"}')$$,
                  'SendLocalList Full accepted: the list is the entries sent');
SELECT is((SELECT version FROM cs.local_list WHERE station_id = (SELECT id FROM st)), 1, 'and its version is current');

SELECT ocpp.set_id_tag('TAG-A', 'Blocked');
DELETE FROM cs.id_tag WHERE id_tag = 'TAG-C';
SELECT pg_temp.answer(ocpp.send_local_list('EFF-1', 'Differential', ARRAY['TAG-A', 'TAG-C']), '{"status": "Accepted"}');
SELECT results_eq($$SELECT id_tag, id_tag_info->>'status' FROM cs.local_list_entry WHERE station_id = (SELECT id FROM st) ORDER BY id_tag$$,
                  $$VALUES ('TAG-A', 'Blocked'), ('TAG-B', 'Blocked')$$,
                  'Differential accepted: a tag updated, a tag without idTagInfo removed, the rest kept');
SELECT is((SELECT version FROM cs.local_list WHERE station_id = (SELECT id FROM st)), 2, 'version 2');
SELECT pg_temp.answer(ocpp.send_local_list('EFF-1', 'Full', ARRAY['TAG-A']), '{"status": "VersionMismatch"}');
SELECT results_eq($$SELECT (SELECT count(*) FROM cs.local_list_entry WHERE station_id = (SELECT id FROM st)),
                           (SELECT version FROM cs.local_list WHERE station_id = (SELECT id FROM st))$$,
                  $$VALUES (2::bigint, 2)$$, 'a list not accepted changes nothing');
SELECT pg_temp.answer(ocpp.get_local_list_version('EFF-1'), '{"listVersion": 7}');
SELECT results_eq($$SELECT version, reported_version, reported_at = now() FROM cs.local_list WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (2, 7, true)$$, 'GetLocalListVersion: the reported version is stored');

-- reservations -----------------------------------------------------------------------------------
CREATE TEMP TABLE r1 AS SELECT ocpp.reserve_now('EFF-1', 1, 'TAG-B', now() + interval '1 hour') AS cmd;
CREATE TEMP TABLE r1id AS SELECT (payload->>'reservationId')::integer AS id FROM cs.command WHERE id = (SELECT cmd FROM r1);
SELECT is((SELECT count(*) FROM cs.reservation), 0::bigint, 'ReserveNow: nothing reserved before the answer');
SELECT throws_ok($$SELECT ocpp.reserve_now('EFF-1', 1, 'TAG-A', now() + interval '1 hour')$$, 'OC007', 'invalid connector_id',
                 'a connector with a ReserveNow outstanding cannot be reserved again');
SELECT pg_temp.answer((SELECT cmd FROM r1), '{"status": "Accepted"}');
SELECT results_eq($$SELECT id, connector_id, id_tag, parent_id_tag, expiry_date, status, command_id FROM cs.reservation$$,
                  $$SELECT (SELECT id FROM r1id), 1, 'TAG-B', 'TAG-A', date_trunc('milliseconds', now() + interval '1 hour'), 'Accepted',
                           (SELECT cmd FROM r1)$$,
                  'ReserveNow accepted: the reservation with the parent from cs.id_tag');
SELECT throws_ok($$SELECT ocpp.reserve_now('EFF-1', 1, 'TAG-A', now() + interval '1 hour')$$, 'OC007', 'invalid connector_id',
                 'a reserved connector cannot be reserved again');
SELECT pg_temp.answer(ocpp.reserve_now('EFF-1', 1, 'TAG-B', now() + interval '2 hours', NULL, (SELECT id FROM r1id)),
                      '{"status": "Accepted"}');
SELECT results_eq($$SELECT count(*), max(expiry_date) FROM cs.reservation$$,
                  $$VALUES (1::bigint, date_trunc('milliseconds', now() + interval '2 hours'))$$,
                  'the same reservationId replaces the reservation');
SELECT pg_temp.answer(ocpp.reserve_now('EFF-1', 2, 'TAG-A', now() + interval '1 hour'), '{"status": "Occupied"}');
SELECT is((SELECT count(*) FROM cs.reservation WHERE connector_id = 2), 0::bigint, 'ReserveNow Occupied: no reservation');
SELECT pg_temp.answer(ocpp.cancel_reservation('EFF-1', (SELECT id FROM r1id)), '{"status": "Accepted"}');
SELECT is((SELECT status FROM cs.reservation WHERE id = (SELECT id FROM r1id)), 'Cancelled', 'CancelReservation accepted: Cancelled');

INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date) VALUES
    (9001, (SELECT id FROM st), 3, 'TAG-A', now() + interval '1 hour'),
    (9002, (SELECT id FROM st), 4, 'TAG-A', now() - interval '1 second');
SELECT pg_temp.answer(ocpp.send('EFF-1', 'ReserveNow', jsonb_build_object('connectorId', 3, 'idTag', 'TAG-C',
                                'reservationId', 9003, 'expiryDate', cs.ocpp_time(now() + interval '1 hour'))),
                      '{"status": "Accepted"}');
SELECT results_eq($$SELECT id, status FROM cs.reservation WHERE id IN (9001, 9003) ORDER BY id$$,
                  $$VALUES (9001, 'Cancelled'), (9003, 'Accepted')$$,
                  'an accepted reservation supersedes an older one of the connector');
SELECT is(cs.expire_reservations(), 1, 'expire_reservations: one past its expiry');
SELECT is((SELECT status FROM cs.reservation WHERE id = 9002), 'Expired', 'it is Expired');
SELECT lives_ok($$SELECT ocpp.reserve_now('EFF-1', 4, 'TAG-A', now() + interval '1 hour')$$, 'an expired reservation does not block');

SELECT throws_ok($$SELECT ocpp.reserve_now('EFF-1', 0, 'TAG-A', now() + interval '1 hour')$$, 'OC007', 'invalid connector_id',
                 'connector 0 when ReserveConnectorZeroSupported is false');
SELECT lives_ok($$SELECT ocpp.reserve_now('EFF-2', 0, 'TAG-A', now() + interval '1 hour')$$,
                'connector 0 when the key is not known: sent, the station decides');
SELECT pg_temp.answer(ocpp.change_configuration('EFF-1', 'ReserveConnectorZeroSupported', 'true'), '{"status": "Accepted"}');
SELECT lives_ok($$SELECT ocpp.reserve_now('EFF-1', 0, 'TAG-A', now() + interval '1 hour')$$,
                'connector 0 once ReserveConnectorZeroSupported is true');
SELECT throws_ok($$SELECT ocpp.reserve_now('EFF-2', 1, 'TAG-A', now() + interval '1 hour', NULL, 9001)$$, 'OC007', 'invalid reservation_id',
                 'a reservation id of another station');

-- charging profiles ------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.profile(id integer, purpose text, stack integer) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('chargingProfileId', id, 'stackLevel', stack, 'chargingProfilePurpose', purpose,
                              'chargingProfileKind', 'Absolute',
                              'chargingSchedule', jsonb_build_object('chargingRateUnit', 'A',
                                  'chargingSchedulePeriod', jsonb_build_array(jsonb_build_object('startPeriod', 0, 'limit', 16))))
$$;
SELECT pg_temp.answer(ocpp.set_charging_profile('EFF-1', 1, pg_temp.profile(10, 'TxDefaultProfile', 0)), '{"status": "Accepted"}');
SELECT results_eq($$SELECT id, connector_id, purpose, stack_level, kind, schedule->>'chargingRateUnit' FROM cs.charging_profile WHERE status = 'Installed'$$,
                  $$VALUES (10, 1, 'TxDefaultProfile', 0, 'Absolute', 'A')$$, 'SetChargingProfile accepted: stored');
SELECT pg_temp.answer(ocpp.set_charging_profile('EFF-1', 1, pg_temp.profile(11, 'TxDefaultProfile', 0)), '{"status": "Accepted"}');
SELECT results_eq($$SELECT id, connector_id FROM cs.charging_profile WHERE status = 'Installed'$$, $$VALUES (11, 1)$$,
                  'same purpose and stack level on the connector: replaced');
SELECT pg_temp.answer(ocpp.set_charging_profile('EFF-1', 2, pg_temp.profile(11, 'TxDefaultProfile', 1)), '{"status": "Accepted"}');
SELECT results_eq($$SELECT id, connector_id, stack_level FROM cs.charging_profile WHERE status = 'Installed'$$, $$VALUES (11, 2, 1)$$,
                  'same chargingProfileId: replaced');
SELECT pg_temp.answer(ocpp.set_charging_profile('EFF-1', 0, pg_temp.profile(12, 'ChargePointMaxProfile', 0)), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_charging_profile('EFF-1', 0, pg_temp.profile(13, 'ChargePointMaxProfile', 1)), '{"status": "Rejected"}');
SELECT results_eq($$SELECT id FROM cs.charging_profile WHERE status = 'Installed' ORDER BY id$$, $$VALUES (11), (12)$$, 'a rejected profile is not stored');
SELECT pg_temp.answer(ocpp.clear_charging_profile('EFF-1', 12), '{"status": "Unknown"}');
SELECT is((SELECT count(*) FROM cs.charging_profile WHERE status = 'Installed'), 2::bigint, 'ClearChargingProfile Unknown: nothing removed');
SELECT pg_temp.answer(ocpp.clear_charging_profile('EFF-1', 12, 2), '{"status": "Accepted"}');
SELECT results_eq($$SELECT id FROM cs.charging_profile WHERE status = 'Installed'$$, $$VALUES (11)$$, 'clear by id (other criteria ignored)');
SELECT pg_temp.answer(ocpp.clear_charging_profile('EFF-1', NULL, NULL, 'TxDefaultProfile'), '{"status": "Accepted"}');
SELECT is((SELECT count(*) FROM cs.charging_profile WHERE status = 'Installed'), 0::bigint, 'clear by purpose');
SELECT results_eq($$SELECT id, connector_id, status, ended_by IS NOT NULL FROM cs.charging_profile ORDER BY entry_id$$,
                  $$VALUES (10, 1, 'Replaced', true), (11, 1, 'Replaced', true), (11, 2, 'Cleared', true), (12, 0, 'Cleared', true)$$,
                  'the history: replaced and cleared profiles with the command that ended them');
SELECT pg_temp.answer(ocpp.get_composite_schedule('EFF-1', 1, 3600),
    '{"status": "Accepted", "connectorId": 1, "scheduleStart": "2030-01-01T00:00:00Z",
      "chargingSchedule": {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000}]}}');
SELECT results_eq($$SELECT connector_id, duration, charging_rate_unit, status, schedule_start, schedule->'chargingSchedulePeriod'->0->>'limit'
                      FROM cs.composite_schedule$$,
                  $$VALUES (1, 3600, 'W', 'Accepted', '2030-01-01T00:00:00Z'::timestamptz, '7000')$$,
                  'GetCompositeSchedule: the answer is stored');

-- availability -----------------------------------------------------------------------------------
SELECT ocpp.parse('EFF-1', 's1', 'StatusNotification', '{"connectorId": 2, "errorCode": "NoError", "status": "Charging"}');
SELECT pg_temp.answer(ocpp.change_availability('EFF-1', 1, 'Inoperative'), '{"status": "Accepted"}');
SELECT results_eq($$SELECT connector_id, availability, scheduled FROM cs.connector_availability$$,
                  $$VALUES (1, 'Inoperative', NULL::text)$$, 'ChangeAvailability accepted: set');
CREATE TEMP TABLE tx AS
SELECT (ocpp.parse('EFF-1', 't1', 'StartTransaction',
                   jsonb_build_object('connectorId', 2, 'idTag', 'TAG-A', 'meterStart', 0, 'timestamp', cs.ocpp_time(now())))
        ->>'transactionId')::integer AS id;
SELECT pg_temp.answer(ocpp.change_availability('EFF-1', 2, 'Inoperative'), '{"status": "Scheduled"}');
SELECT results_eq($$SELECT availability, scheduled FROM cs.connector_availability WHERE connector_id = 2$$,
                  $$VALUES (NULL::text, 'Inoperative')$$, 'Scheduled: pending while the transaction runs');
SELECT is(cs.apply_scheduled_availability((SELECT id FROM st), 2), 0, 'nothing to apply while it runs');
SELECT ocpp.parse('EFF-1', 't2', 'StopTransaction',
                  jsonb_build_object('transactionId', (SELECT id FROM tx), 'meterStop', 10, 'timestamp', cs.ocpp_time(now())));
SELECT results_eq($$SELECT availability, scheduled FROM cs.connector_availability WHERE connector_id = 2$$,
                  $$VALUES ('Inoperative'::text, NULL::text)$$,
                  'StopTransaction applies the Scheduled availability');
SELECT results_eq($$SELECT availability, scheduled FROM cs.connector_availability WHERE connector_id = 2$$,
                  $$VALUES ('Inoperative', NULL::text)$$, 'the connector is Inoperative now');
SELECT pg_temp.answer(ocpp.change_availability('EFF-1', 0, 'Operative'), '{"status": "Accepted"}');
SELECT results_eq($$SELECT connector_id, availability FROM cs.connector_availability ORDER BY connector_id$$,
                  $$VALUES (0, 'Operative'), (1, 'Operative'), (2, 'Operative')$$, 'connector 0: the station and every connector');
SELECT pg_temp.answer(ocpp.change_availability('EFF-1', 1, 'Inoperative'), '{"status": "Rejected"}');
SELECT is((SELECT availability FROM cs.connector_availability WHERE connector_id = 1), 'Operative', 'Rejected: unchanged');

-- firmware, diagnostics, logs --------------------------------------------------------------------
CREATE TEMP TABLE fw AS SELECT pg_temp.answer(ocpp.update_firmware('EFF-1', 'https://fw.example/1.bin'), '{}') AS cmd;
SELECT results_eq($$SELECT kind, location, answer, active, status FROM cs.file_transfer WHERE command_id = (SELECT cmd FROM fw)$$,
                  $$VALUES ('Firmware', 'https://fw.example/1.bin', 'Accepted', true, NULL::text)$$, 'UpdateFirmware: tracked');
SELECT is(cs.file_transfer_status((SELECT id FROM st), 'Firmware', 'Downloading'),
          (SELECT id FROM cs.file_transfer WHERE command_id = (SELECT cmd FROM fw)), 'a notification updates the active transfer');
SELECT is(cs.file_transfer_status((SELECT id FROM st), 'Firmware', 'Idle'), NULL, 'Idle changes nothing');
SELECT cs.file_transfer_status((SELECT id FROM st), 'Firmware', 'Installed');
SELECT results_eq($$SELECT status, active FROM cs.file_transfer WHERE command_id = (SELECT cmd FROM fw)$$,
                  $$VALUES ('Installed', false)$$, 'a final status ends it');
SELECT is(cs.file_transfer_status((SELECT id FROM st), 'Firmware', 'Downloading'), NULL, 'no active transfer: nothing');

SELECT pg_temp.answer(ocpp.get_diagnostics('EFF-1', 'ftp://logs.example/'), '{"fileName": "diag.zip"}');
SELECT pg_temp.answer(ocpp.get_diagnostics('EFF-2', 'ftp://logs.example/'), '{}');
SELECT results_eq($$SELECT s.identity, f.answer, f.file_name, f.active FROM cs.file_transfer f JOIN cs.station s ON s.id = f.station_id
                     WHERE f.kind = 'Diagnostics' ORDER BY s.identity$$,
                  $$VALUES ('EFF-1', 'Accepted', 'diag.zip', true), ('EFF-2', 'NoFile', NULL, false)$$,
                  'GetDiagnostics: with fileName active, without none to upload');

SELECT pg_temp.answer(ocpp.get_log('EFF-1', 'SecurityLog', 5, 'https://logs.example/'), '{"status": "Accepted", "filename": "a.log"}');
SELECT pg_temp.answer(ocpp.get_log('EFF-1', 'DiagnosticsLog', 6, 'https://logs.example/'), '{"status": "AcceptedCanceled"}');
SELECT is(cs.file_transfer_status((SELECT id FROM st), 'Log', 'Uploaded', 5), NULL, 'a superseded log request takes no notification');
SELECT cs.file_transfer_status((SELECT id FROM st), 'Log', 'Uploaded', 6);
SELECT results_eq($$SELECT request_id, answer, file_name, status, active FROM cs.file_transfer WHERE kind = 'Log' ORDER BY request_id$$,
                  $$VALUES (5, 'Accepted', 'a.log', 'Superseded', false), (6, 'AcceptedCanceled', NULL, 'Uploaded', false)$$,
                  'GetLog: by requestId; a new request supersedes the older');
SELECT pg_temp.answer(ocpp.signed_update_firmware('EFF-1', 7, 'https://fw.example/2.bin', now(), 'CERT', 'SIG'),
                      '{"status": "InvalidCertificate"}');
SELECT results_eq($$SELECT request_id, location, answer, active FROM cs.file_transfer WHERE kind = 'SignedFirmware'$$,
                  $$VALUES (7, 'https://fw.example/2.bin', 'InvalidCertificate', false)$$, 'SignedUpdateFirmware refused: kept, not active');

-- certificates -----------------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.install_certificate('EFF-1', 'CentralSystemRootCertificate', 'PEM-1'), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.install_certificate('EFF-1', 'CentralSystemRootCertificate', 'PEM-2'), '{"status": "Rejected"}');
SELECT results_eq($$SELECT certificate_type, certificate, hash_algorithm FROM cs.installed_certificate$$,
                  $$VALUES ('CentralSystemRootCertificate', 'PEM-1', NULL::text)$$, 'InstallCertificate accepted: kept');
SELECT pg_temp.answer(ocpp.get_installed_certificate_ids('EFF-1', 'CentralSystemRootCertificate'),
    '{"status": "Accepted", "certificateHashData": [
        {"hashAlgorithm": "SHA256", "issuerNameHash": "n1", "issuerKeyHash": "k1", "serialNumber": "s1"},
        {"hashAlgorithm": "SHA256", "issuerNameHash": "n2", "issuerKeyHash": "k2", "serialNumber": "s2"}]}');
SELECT results_eq($$SELECT serial_number, certificate FROM cs.installed_certificate ORDER BY serial_number$$,
                  $$VALUES ('s1', NULL::text), ('s2', NULL)$$, 'GetInstalledCertificateIds: the station''s list replaces ours');
SELECT pg_temp.answer(ocpp.delete_certificate('EFF-1', 'SHA256', 'n1', 'k1', 's1'), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.delete_certificate('EFF-1', 'SHA256', 'n2', 'k2', 's2'), '{"status": "Failed"}');
SELECT results_eq($$SELECT serial_number FROM cs.installed_certificate$$, $$VALUES ('s2')$$,
                  'DeleteCertificate: Accepted removes, Failed keeps');
SELECT pg_temp.answer(ocpp.get_installed_certificate_ids('EFF-1', 'CentralSystemRootCertificate'), '{"status": "NotFound"}');
SELECT is((SELECT count(*) FROM cs.installed_certificate), 0::bigint, 'NotFound: none of that type');

SELECT ocpp.parse('EFF-1', 'c1', 'SignCertificate', '{"csr": "CSR-1"}');
SELECT ocpp.parse('EFF-1', 'c2', 'SignCertificate', '{"csr": "CSR-2"}');
SELECT pg_temp.answer(ocpp.certificate_signed('EFF-1', 'CHAIN-0'), '{"status": "Rejected"}');
CREATE TEMP TABLE cs1 AS SELECT pg_temp.answer(ocpp.certificate_signed('EFF-1', 'CHAIN-1'), '{"status": "Accepted"}') AS cmd;
SELECT results_eq($$SELECT csr, status, command_id FROM cs.certificate_request ORDER BY id$$,
                  $$VALUES ('CSR-1', 'Signed', (SELECT cmd FROM cs1)), ('CSR-2', 'Pending', NULL)$$,
                  'CertificateSigned: Rejected leaves the request, Accepted marks the oldest pending Signed');

-- remote start -----------------------------------------------------------------------------------
CREATE TEMP TABLE rs AS SELECT pg_temp.answer(ocpp.remote_start_transaction('EFF-1', 'TAG-C', 1), '{"status": "Accepted"}') AS cmd;
SELECT pg_temp.answer(ocpp.remote_start_transaction('EFF-1', 'TAG-D'), '{"status": "Rejected"}');
CREATE TEMP TABLE tx2 AS
SELECT (ocpp.parse('EFF-1', 't3', 'StartTransaction',
                   jsonb_build_object('connectorId', 1, 'idTag', 'TAG-C', 'meterStart', 0, 'timestamp', cs.ocpp_time(now())))
        ->>'transactionId')::integer AS id,
       (ocpp.parse('EFF-1', 't4', 'StartTransaction',
                   jsonb_build_object('connectorId', 2, 'idTag', 'TAG-D', 'meterStart', 0, 'timestamp', cs.ocpp_time(now())))
        ->>'transactionId')::integer AS other;
SELECT is(cs.link_remote_start((SELECT id FROM tx2)), (SELECT cmd FROM rs), 'link_remote_start: the accepted remote start');
SELECT is((SELECT remote_start_command FROM cs.transaction WHERE id = (SELECT id FROM tx2)), (SELECT cmd FROM rs),
          'the transaction names its command');
SELECT is(cs.link_remote_start((SELECT other FROM tx2)), NULL, 'a rejected remote start links nothing');
SELECT is(cs.link_remote_start(-1), NULL, 'an unknown transaction links nothing');

SELECT is((SELECT count(*) FROM cs.review), 0::bigint, 'no effect failed');

SELECT * FROM finish();
ROLLBACK;
