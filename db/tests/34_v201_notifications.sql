-- OCPP 2.0.1 firmware / log / publish status, security events, certificates and hooks, smart charging
-- reports, reservations, customer information, display messages, DataTransfer.
BEGIN;
SELECT plan(35);

CREATE FUNCTION pg_temp.p(action text, body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse('N-1', 'u', action, body::jsonb, NULL, '2.0.1')
$$;
SELECT ocpp.add_station('N-1');
CREATE TEMP TABLE sid AS SELECT id FROM cs.station WHERE identity = 'N-1';

-- firmware, log, publish firmware
INSERT INTO cs.file_transfer (station_id, kind, request_id, answer, active) SELECT id, 'Firmware', 5, 'Accepted', true FROM sid;
INSERT INTO cs.published_firmware (station_id, request_id, location, checksum, answer, active)
SELECT id, 8, 'https://fw/x.bin', 'abc', 'Accepted', true FROM sid;
SELECT is(pg_temp.p('FirmwareStatusNotification', '{"status": "Downloading", "requestId": 5}'), '{}',
          'FirmwareStatusNotification answers {}');
SELECT pg_temp.p('FirmwareStatusNotification', '{"status": "Installed", "requestId": 5}');
SELECT results_eq($$SELECT status, active FROM cs.file_transfer WHERE request_id = 5$$, $$VALUES ('Installed', false)$$,
                  'the firmware update of the requestId follows the status');
SELECT pg_temp.p('LogStatusNotification', '{"status": "Uploading", "requestId": 6}');
SELECT pg_temp.p('PublishFirmwareStatusNotification', '{"status": "Published", "requestId": 8, "location": ["http://lc/fw.bin"]}');
SELECT results_eq($$SELECT firmware_status, log_status, publish_firmware_status FROM cs.station WHERE identity = 'N-1'$$,
                  $$VALUES ('Installed', 'Uploading', 'Published')$$, 'the latest statuses on the station');
SELECT results_eq($$SELECT kind, status, request_id, details FROM cs.station_notification ORDER BY id$$,
                  $$VALUES ('Firmware', 'Downloading', 5, NULL::jsonb), ('Firmware', 'Installed', 5, NULL),
                           ('Log', 'Uploading', 6, NULL), ('PublishFirmware', 'Published', 8, '{"location": ["http://lc/fw.bin"]}')$$,
                  'the history, with the locations published');
SELECT results_eq($$SELECT status, locations, active FROM cs.published_firmware$$,
                  $$VALUES ('Published', '["http://lc/fw.bin"]'::jsonb, true)$$, 'the published firmware gets status and locations');
SELECT pg_temp.p('PublishFirmwareStatusNotification', '{"status": "PublishFailed", "requestId": 8}');
SELECT is((SELECT active FROM cs.published_firmware), false, 'PublishFailed ends it');

-- security events and certificates
SELECT is(pg_temp.p('SecurityEventNotification', '{"type": "FirmwareUpdated", "timestamp": "2024-05-01T10:00:00Z", "techInfo": "v2"}'),
          '{}', 'SecurityEventNotification answers {}');
SELECT results_eq($$SELECT type, occurred_at, tech_info FROM cs.security_event$$,
                  $$VALUES ('FirmwareUpdated', '2024-05-01T10:00:00Z'::timestamptz, 'v2')$$, 'the security event is stored');
SELECT is(pg_temp.p('SignCertificate', '{"csr": "-----BEGIN CSR-----", "certificateType": "V2GCertificate"}'),
          '{"status": "Accepted"}', 'SignCertificate is Accepted');
SELECT results_eq($$SELECT csr, certificate_type, status FROM cs.certificate_request$$,
                  $$VALUES ('-----BEGIN CSR-----', 'V2GCertificate', 'Pending')$$, 'the CSR waits for the signer, with its type');
SELECT is(pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef", "action": "Install", "exiRequest": "AAA"}'),
          '{"status": "Failed", "exiResponse": "", "statusInfo": {"reasonCode": "NoPKI", "additionalInfo": "no certificate service is configured"}}',
          'Get15118EVCertificate without a hook: Failed, NoPKI');
SELECT is(pg_temp.p('GetCertificateStatus', '{"ocspRequestData": {"hashAlgorithm": "SHA256", "issuerNameHash": "a", "issuerKeyHash": "b",
                    "serialNumber": "c", "responderURL": "http://ocsp"}}')->>'status', 'Failed',
          'GetCertificateStatus without a hook: Failed');
CREATE FUNCTION pg_temp.pki(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('status', 'Accepted', 'exiResponse', 'EXI-for-' || identity || '-' || (payload->>'exiRequest'))
$$;
INSERT INTO cs.action_handler (action, handler) VALUES ('Get15118EVCertificate', 'pg_temp.pki(text, jsonb)');
SELECT is(pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Update", "exiRequest": "BBB"}'),
          '{"status": "Accepted", "exiResponse": "EXI-for-N-1-BBB"}', 'with a hook: the handler''s reply');
SELECT results_eq($$SELECT action, status FROM cs.service_request ORDER BY id$$,
                  $$VALUES ('Get15118EVCertificate', 'Failed'), ('GetCertificateStatus', 'Failed'), ('Get15118EVCertificate', 'Accepted')$$,
                  'the requests and answers are kept');
CREATE FUNCTION pg_temp.broken(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT '"nope"'::jsonb $$;
UPDATE cs.action_handler SET handler = 'pg_temp.broken(text, jsonb)';
SELECT throws_ok($$SELECT pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Update", "exiRequest": "C"}')$$,
                 'OC003', 'internal error', 'a hook that returns no object');

-- smart charging
SELECT is(pg_temp.p('NotifyEVChargingNeeds', '{"evseId": 1, "maxScheduleTuples": 3, "chargingNeeds": {"requestedEnergyTransfer": "DC",
    "departureTime": "2024-05-01T18:00:00Z", "dcChargingParameters": {"evMaxCurrent": 200, "evMaxVoltage": 800}}}'),
    '{"status": "Rejected"}', 'NotifyEVChargingNeeds without a hook: Rejected (no schedule will come)');
SELECT results_eq($$SELECT evse_id, requested_energy_transfer, departure_time, max_schedule_tuples, status FROM cs.ev_charging_needs$$,
                  $$VALUES (1, 'DC', '2024-05-01T18:00:00Z'::timestamptz, 3, 'Rejected')$$, 'the needs are stored');
SELECT is(pg_temp.p('NotifyEVChargingSchedule', '{"evseId": 1, "timeBase": "2024-05-01T10:00:00Z", "chargingSchedule": {"id": 1,
    "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}]}}'),
    '{"status": "Accepted"}', 'NotifyEVChargingSchedule is Accepted');
SELECT is((SELECT charging_schedule->>'chargingRateUnit' FROM cs.ev_charging_schedule), 'W', 'the EV''s schedule is stored');
SELECT is(pg_temp.p('NotifyChargingLimit', '{"evseId": 1, "chargingLimit": {"chargingLimitSource": "EMS", "isGridCritical": true},
    "chargingSchedule": [{"id": 2, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}]}'),
    '{}', 'NotifyChargingLimit answers {}');
SELECT pg_temp.p('NotifyChargingLimit', '{"chargingLimit": {"chargingLimitSource": "SO"}}');
SELECT pg_temp.p('ClearedChargingLimit', '{"chargingLimitSource": "EMS", "evseId": 1}');
SELECT results_eq($$SELECT evse_id, source, is_grid_critical, cleared_at IS NOT NULL FROM cs.charging_limit ORDER BY id$$,
                  $$VALUES (1, 'EMS', true, true), (0, 'SO', NULL::boolean, false)$$,
                  'ClearedChargingLimit closes the limit of its source and EVSE');
SELECT pg_temp.p('ClearedChargingLimit', '{"chargingLimitSource": "SO"}');
SELECT is((SELECT count(*) FROM cs.charging_limit WHERE cleared_at IS NULL), 0::bigint, 'without evseId: every limit of the source');
SELECT is(pg_temp.p('ReportChargingProfiles', '{"requestId": 11, "chargingLimitSource": "CSO", "evseId": 1, "tbc": false,
    "chargingProfile": [{"id": 100, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
                         "chargingSchedule": [{"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32}]}]}]}'),
    '{}', 'ReportChargingProfiles answers {}');
SELECT results_eq($$SELECT request_id, evse_id, charging_limit_source, profile_id, stack_level, purpose, kind FROM cs.reported_charging_profile$$,
                  $$VALUES (11, 1, 'CSO', 100, 0, 'TxDefaultProfile', 'Absolute')$$, 'the reported profile is stored');

-- reservations
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date) SELECT 7001, id, 1, 'T', '2030-01-01' FROM sid;
SELECT is(pg_temp.p('ReservationStatusUpdate', '{"reservationId": 7001, "reservationUpdateStatus": "Removed"}'), '{}',
          'ReservationStatusUpdate answers {}');
SELECT results_eq($$SELECT status, status_at FROM cs.reservation WHERE id = 7001$$, $$VALUES ('Removed', now())$$,
                  'the reservation takes the status');
SELECT pg_temp.p('ReservationStatusUpdate', '{"reservationId": 7001, "reservationUpdateStatus": "Expired"}');
SELECT is((SELECT reason FROM cs.review), 'unknown reservation', 'a reservation no longer Accepted goes to review');

-- customer information, display messages
SELECT is(pg_temp.p('NotifyCustomerInformation', '{"data": "name=x", "seqNo": 0, "generatedAt": "2024-05-01T10:00:00Z", "requestId": 12}'),
          '{}', 'NotifyCustomerInformation answers {}');
SELECT is((SELECT payload->>'data' FROM cs.report_part WHERE action = 'NotifyCustomerInformation'), 'name=x', 'the data is kept');
SELECT is(pg_temp.p('NotifyDisplayMessages', '{"requestId": 13, "messageInfo": [{"id": 1, "priority": "InFront", "state": "Idle",
    "message": {"format": "UTF8", "content": "Welcome"}}]}'), '{}', 'NotifyDisplayMessages answers {}');
SELECT results_eq($$SELECT id, request_id, priority, state, message->>'content' FROM cs.reported_display_message$$,
                  $$VALUES (1, 13, 'InFront', 'Idle', 'Welcome')$$, 'the display message is stored');

-- DataTransfer
SELECT is(pg_temp.p('DataTransfer', '{"vendorId": "acme", "data": {"x": 1}}'), '{"status": "UnknownVendorId"}',
          'DataTransfer of an unknown vendor');
CREATE FUNCTION pg_temp.dt(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('status', 'Accepted', 'data', jsonb_build_object('echo', payload->'data'))
$$;
INSERT INTO cs.data_transfer_handler (vendor_id, message_id, handler) VALUES ('acme', NULL, 'pg_temp.dt(text, jsonb)');
SELECT is(pg_temp.p('DataTransfer', '{"vendorId": "acme", "messageId": "m", "data": {"x": 1}}'),
          '{"status": "Accepted", "data": {"echo": {"x": 1}}}', 'a handler''s data is sent as JSON (2.0.1 data has any type)');
SELECT results_eq($$SELECT vendor_id, message_id, data, status FROM cs.data_transfer ORDER BY id$$,
                  $$VALUES ('acme', NULL, '{"x": 1}', 'UnknownVendorId'), ('acme', 'm', '{"x": 1}', 'Accepted')$$,
                  'DataTransfers are stored');
CREATE FUNCTION pg_temp.dt_bad(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{"status": "Maybe"}'::jsonb $$;
UPDATE cs.data_transfer_handler SET handler = 'pg_temp.dt_bad(text, jsonb)';
SELECT throws_ok($$SELECT pg_temp.p('DataTransfer', '{"vendorId": "acme"}')$$, 'OC003', 'internal error',
                 'a handler without a valid status');

SELECT * FROM finish();
ROLLBACK;
