-- Diagnostics/Firmware/Log/SignedFirmware status notifications, SecurityEventNotification, SignCertificate.
BEGIN;
SELECT plan(12);

SELECT is(ocpp.parse('N-1', 'u1', 'DiagnosticsStatusNotification', '{"status": "Uploading"}'), '{}',
          'DiagnosticsStatusNotification answers {}');
SELECT is(ocpp.parse('N-1', 'u2', 'FirmwareStatusNotification', '{"status": "Downloading"}'), '{}',
          'FirmwareStatusNotification answers {}');
SELECT is(ocpp.parse('N-1', 'u3', 'LogStatusNotification', '{"status": "Uploaded", "requestId": 7}'), '{}',
          'LogStatusNotification answers {}');
SELECT results_eq($$SELECT diagnostics_status, firmware_status, log_status FROM cs.station WHERE identity = 'N-1'$$,
                  $$VALUES ('Uploading', 'Downloading', 'Uploaded')$$, 'the latest statuses are on the station');
SELECT is(ocpp.parse('N-1', 'u4', 'SignedFirmwareStatusNotification', '{"status": "SignatureVerified", "requestId": 8}'), '{}',
          'SignedFirmwareStatusNotification answers {}');
SELECT ocpp.parse('N-1', 'u5', 'DiagnosticsStatusNotification', '{"status": "Uploaded"}');
SELECT results_eq($$SELECT diagnostics_status, firmware_status, log_status FROM cs.station WHERE identity = 'N-1'$$,
                  $$VALUES ('Uploaded', 'SignatureVerified', 'Uploaded')$$, 'signed firmware status is the firmware status');
SELECT results_eq($$SELECT n.kind, n.status, n.request_id, n.received_at FROM cs.station_notification n
                      JOIN cs.station s ON s.id = n.station_id WHERE s.identity = 'N-1' ORDER BY n.id$$,
                  $$VALUES ('Diagnostics', 'Uploading', NULL::int, now()), ('Firmware', 'Downloading', NULL, now()),
                           ('Log', 'Uploaded', 7, now()), ('SignedFirmware', 'SignatureVerified', 8, now()),
                           ('Diagnostics', 'Uploaded', NULL, now())$$,
                  'the history of the notifications');

SELECT is(ocpp.parse('N-1', 'u6', 'SecurityEventNotification',
                     '{"type": "SettingSystemTime", "timestamp": "2024-06-01T08:00:00Z", "techInfo": "ntp"}'), '{}',
          'SecurityEventNotification answers {}');
SELECT ocpp.parse('N-1', 'u7', 'SecurityEventNotification', '{"type": "StartupOfTheDevice", "timestamp": "2024-06-01T09:00:00+01:00"}');
SELECT results_eq($$SELECT e.type, e.occurred_at, e.tech_info, e.received_at FROM cs.security_event e
                      JOIN cs.station s ON s.id = e.station_id WHERE s.identity = 'N-1' ORDER BY e.id$$,
                  $$VALUES ('SettingSystemTime', '2024-06-01T08:00:00Z'::timestamptz, 'ntp', now()),
                           ('StartupOfTheDevice', '2024-06-01T08:00:00Z', NULL, now())$$,
                  'security events are stored');

SELECT is(ocpp.parse('N-1', 'u8', 'SignCertificate', '{"csr": "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"}'),
          '{"status": "Accepted"}', 'SignCertificate answers Accepted');
SELECT results_eq($$SELECT c.csr, c.status, c.created_at FROM cs.certificate_request c
                      JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'N-1'$$,
                  $$VALUES (E'-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----', 'Pending', now())$$,
                  'the CSR is kept as a Pending request');
SELECT is((SELECT count(*) FROM cs.station_notification), 5::bigint, 'no other notification rows');

SELECT * FROM finish();
ROLLBACK;
