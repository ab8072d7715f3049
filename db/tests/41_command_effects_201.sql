-- What 2.0.1 answers do: transactions, availability, the device model, reports, monitoring, network
-- profiles, local list, reservations, charging profiles, firmware, display messages, certificates.
BEGIN;
SELECT plan(45);

SELECT ocpp.node_start('ne');
SELECT ocpp.connect('E201', NULL, '2.0.1', 'ne');
SELECT ocpp.connect('E201-B', NULL, '2.0.1', 'ne');

CREATE FUNCTION pg_temp.answer(cmd bigint, response jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cs.command SET status = 'sent', node = 'ne', sent_at = now(), unique_id = gen_random_uuid()::text
     WHERE id = cmd AND status = 'queued';
    PERFORM ocpp.command_result(cmd, response);
    RETURN cmd;
END $$;
CREATE TEMP TABLE st AS SELECT id FROM cs.station WHERE identity = 'E201';
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, started_at, transaction_ref)
VALUES ((SELECT id FROM st), 1, 1, 'TAG-A', now() - interval '10 minutes', 'TX-1'),
       ((SELECT id FROM st), 2, 1, 'TAG-B', now() - interval '5 minutes', 'TX-2');

-- transactions ------------------------------------------------------------------------------------
CREATE TEMP TABLE rs AS SELECT pg_temp.answer(ocpp.request_start_transaction('E201', 'TAG-A', evse_id => 1),
                                              '{"status": "Accepted", "transactionId": "TX-1"}') AS cmd;
SELECT is((SELECT remote_start_command FROM cs.transaction WHERE transaction_ref = 'TX-1'), (SELECT cmd FROM rs),
          'RequestStartTransaction Accepted with the transactionId of a running transaction links it');
SELECT pg_temp.answer(ocpp.request_stop_transaction('E201', 'TX-2'), '{"status": "Rejected"}');
SELECT is((SELECT remote_stop_command FROM cs.transaction WHERE transaction_ref = 'TX-2'), NULL,
          'RequestStopTransaction Rejected: nothing');
CREATE TEMP TABLE rst AS SELECT pg_temp.answer(ocpp.request_stop_transaction('E201', 'TX-2'), '{"status": "Accepted"}') AS cmd;
SELECT is((SELECT remote_stop_command FROM cs.transaction WHERE transaction_ref = 'TX-2'), (SELECT cmd FROM rst),
          'RequestStopTransaction Accepted: the transaction keeps the command');
SELECT pg_temp.answer(ocpp.get_transaction_status('E201', 'TX-2'), '{"ongoingIndicator": true, "messagesInQueue": false}');
SELECT pg_temp.answer(ocpp.get_transaction_status('E201', 'TX-2'), '{"ongoingIndicator": false, "messagesInQueue": true}');
SELECT is((SELECT count(*) FROM cs.review WHERE action = 'GetTransactionStatus'), 0::bigint,
          'GetTransactionStatus: ongoing, or messages still queued: nothing to look at');
SELECT pg_temp.answer(ocpp.get_transaction_status('E201', 'TX-2'), '{"ongoingIndicator": false, "messagesInQueue": false}');
SELECT is((SELECT reason FROM cs.review WHERE action = 'GetTransactionStatus'), 'transaction not ongoing at the station',
          'not ongoing, nothing queued, running here: cs.review');
SELECT pg_temp.answer(ocpp.cost_updated('E201', 'TX-1', 4.25), '{}');
SELECT results_eq($$SELECT total_cost, total_cost_at = now() FROM cs.transaction WHERE transaction_ref = 'TX-1'$$,
                  $$VALUES (4.25, true)$$, 'CostUpdated answered: the total cost is on the transaction');

-- availability ------------------------------------------------------------------------------------
INSERT INTO cs.evse (station_id, evse_id) VALUES ((SELECT id FROM st), 1), ((SELECT id FROM st), 2), ((SELECT id FROM st), 3);
SELECT pg_temp.answer(ocpp.change_availability('E201', 1, 'Inoperative', 3), '{"status": "Accepted"}');
SELECT results_eq($$SELECT connector_id, evse_connector_id, availability, scheduled FROM cs.connector_availability
                     WHERE station_id = (SELECT id FROM st) ORDER BY 1, 2$$,
                  $$VALUES (3, 1, 'Inoperative', NULL::text)$$, 'a connector of an EVSE');
SELECT pg_temp.answer(ocpp.change_availability('E201', 0, 'Inoperative', 3), '{"status": "Rejected"}');
SELECT is((SELECT count(*) FROM cs.connector_availability WHERE station_id = (SELECT id FROM st)), 1::bigint, 'Rejected: nothing');
SELECT pg_temp.answer(ocpp.change_availability('E201', 0, 'Operative', 3), '{"status": "Accepted"}');
SELECT results_eq($$SELECT connector_id, evse_connector_id, availability FROM cs.connector_availability
                     WHERE station_id = (SELECT id FROM st) ORDER BY 1, 2$$,
                  $$VALUES (3, 0, 'Operative'), (3, 1, 'Operative')$$, 'a whole EVSE: it and its connectors');
SELECT pg_temp.answer(ocpp.change_availability('E201', 0, 'Inoperative'), '{"status": "Scheduled"}');
SELECT results_eq($$SELECT connector_id, evse_connector_id, availability, scheduled FROM cs.connector_availability
                     WHERE station_id = (SELECT id FROM st) ORDER BY 1, 2$$,
                  $$VALUES (0, 0, NULL, 'Inoperative'), (1, 0, NULL, 'Inoperative'), (2, 0, NULL, 'Inoperative'),
                           (3, 0, 'Inoperative', NULL), (3, 1, 'Inoperative', NULL)$$,
                  'the station, Scheduled: EVSEs with a transaction wait, the others change now');
UPDATE cs.transaction SET stopped_at = now() WHERE transaction_ref = 'TX-1';
SELECT is(cs.apply_scheduled_availability((SELECT id FROM st), 1), 1, 'the transaction on EVSE 1 ends: EVSE 1 changes');
UPDATE cs.transaction SET stopped_at = now() WHERE transaction_ref = 'TX-2';
SELECT is(cs.apply_scheduled_availability((SELECT id FROM st), 2), 2, 'the last one ends: EVSE 2 and the station');
SELECT is((SELECT count(*) FROM cs.connector_availability
            WHERE station_id = (SELECT id FROM st) AND (availability <> 'Inoperative' OR scheduled IS NOT NULL)),
          0::bigint, 'everything Inoperative, nothing scheduled');

-- device model ------------------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.get_variables('E201', '[{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                                                   {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}, "attributeType": "MaxSet"},
                                                   {"component": {"name": "Foo"}, "variable": {"name": "Bar"}}]'),
    '{"getVariableResult": [
        {"attributeStatus": "Accepted", "attributeValue": "300", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
        {"attributeStatus": "Accepted", "attributeType": "MaxSet", "attributeValue": "22000", "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}},
        {"attributeStatus": "UnknownComponent", "component": {"name": "Foo"}, "variable": {"name": "Bar"}}]}');
SELECT results_eq($$SELECT component, evse_id, variable, attribute_type, value, attribute_status FROM cs.device_variable
                     WHERE station_id = (SELECT id FROM st) ORDER BY component$$,
                  $$VALUES ('EVSE', 1, 'Power', 'MaxSet', '22000', 'Accepted'),
                           ('Foo', 0, 'Bar', 'Actual', NULL, 'UnknownComponent'),
                           ('OCPPCommCtrlr', 0, 'HeartbeatInterval', 'Actual', '300', 'Accepted')$$,
                  'GetVariables: values and statuses stored in cs.device_variable');
SELECT pg_temp.answer(ocpp.set_variables('E201', '[{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}, "attributeValue": "60"},
                                                   {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}, "attributeType": "MaxSet", "attributeValue": "11000"},
                                                   {"component": {"name": "TxCtrlr"}, "variable": {"name": "EVConnectionTimeOut"}, "attributeValue": "90"}]'),
    '{"setVariableResult": [
        {"attributeStatus": "Accepted", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
        {"attributeStatus": "Rejected", "attributeType": "MaxSet", "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}},
        {"attributeStatus": "RebootRequired", "component": {"name": "TxCtrlr"}, "variable": {"name": "EVConnectionTimeOut"}}]}');
SELECT results_eq($$SELECT component, value, attribute_status, reboot_required FROM cs.device_variable
                     WHERE station_id = (SELECT id FROM st) AND component <> 'Foo' ORDER BY component$$,
                  $$VALUES ('EVSE', '22000', 'Rejected', false), ('OCPPCommCtrlr', '60', 'Accepted', false),
                           ('TxCtrlr', '90', 'RebootRequired', true)$$,
                  'SetVariables: Accepted and RebootRequired set the value sent, Rejected keeps it');
SELECT pg_temp.answer(ocpp.get_variable('E201', 'TxCtrlr', 'EVConnectionTimeOut'),
    '{"getVariableResult": [{"attributeStatus": "Accepted", "attributeValue": "90", "component": {"name": "TxCtrlr"}, "variable": {"name": "EVConnectionTimeOut"}}]}');
SELECT is((SELECT reboot_required FROM cs.device_variable WHERE station_id = (SELECT id FROM st) AND component = 'TxCtrlr'),
          true, 'read back before a reboot: still reboot_required');
UPDATE cs.station SET booted_at = now() + interval '1 minute' WHERE id = (SELECT id FROM st);
SELECT pg_temp.answer(ocpp.get_variable('E201', 'TxCtrlr', 'EVConnectionTimeOut'),
    '{"getVariableResult": [{"attributeStatus": "Accepted", "attributeValue": "90", "component": {"name": "TxCtrlr"}, "variable": {"name": "EVConnectionTimeOut"}}]}');
SELECT is((SELECT reboot_required FROM cs.device_variable WHERE station_id = (SELECT id FROM st) AND component = 'TxCtrlr'),
          false, 'read back after the station booted: the reboot happened');

-- reports -----------------------------------------------------------------------------------------
CREATE TEMP TABLE br AS SELECT pg_temp.answer(ocpp.get_base_report('E201', 'FullInventory', 700), '{"status": "Accepted"}') AS cmd;
SELECT pg_temp.answer(ocpp.get_report('E201', NULL, ARRAY['Problem'], 701), '{"status": "EmptyResultSet"}');
SELECT pg_temp.answer(ocpp.customer_information('E201', true, false, 'cust-9', request_id => 702), '{"status": "Accepted"}');
SELECT results_eq($$SELECT action, request_id, answer, criteria->>'reportBase' FROM cs.report_request
                     WHERE station_id = (SELECT id FROM st) ORDER BY request_id$$,
                  $$VALUES ('GetBaseReport', 700, 'Accepted', 'FullInventory'), ('GetReport', 701, 'EmptyResultSet', NULL),
                           ('CustomerInformation', 702, 'Accepted', NULL)$$,
                  'GetBaseReport, GetReport, CustomerInformation: the requestId remembered with the answer');
SELECT is((SELECT command_id FROM cs.report_request WHERE request_id = 700), (SELECT cmd FROM br), 'with the command');

-- monitoring --------------------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.set_variable_monitoring('E201',
    '[{"value": 250, "type": "UpperThreshold", "severity": 4, "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Voltage"}},
      {"value": 5, "type": "Delta", "severity": 8, "transaction": true, "component": {"name": "EVSE"}, "variable": {"name": "Current"}}]'),
    '{"setMonitoringResult": [
        {"id": 11, "status": "Accepted", "type": "UpperThreshold", "severity": 4, "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Voltage"}},
        {"status": "UnsupportedMonitorType", "type": "Delta", "severity": 8, "component": {"name": "EVSE"}, "variable": {"name": "Current"}}]}');
SELECT results_eq($$SELECT id, component, evse_id, variable, type, value, severity, transaction FROM cs.variable_monitor
                     WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (11, 'EVSE', 1, 'Voltage', 'UpperThreshold', 250::numeric, 4, false)$$,
                  'SetVariableMonitoring: the accepted monitor stored with the id the station gave');
SELECT pg_temp.answer(ocpp.clear_variable_monitoring('E201', ARRAY[11, 12]),
    '{"clearMonitoringResult": [{"id": 11, "status": "Accepted"}, {"id": 12, "status": "NotFound"}]}');
SELECT is((SELECT count(*) FROM cs.variable_monitor WHERE station_id = (SELECT id FROM st)), 0::bigint,
          'ClearVariableMonitoring Accepted: gone');
SELECT pg_temp.answer(ocpp.set_variable_monitoring('E201',
    '[{"id": 20, "value": 1, "type": "Periodic", "severity": 9, "component": {"name": "EVSE"}, "variable": {"name": "Power"}}]'),
    '{"setMonitoringResult": [{"id": 20, "status": "Accepted", "type": "Periodic", "severity": 9, "component": {"name": "EVSE"}, "variable": {"name": "Power"}}]}');
SELECT pg_temp.answer(ocpp.set_monitoring_level('E201', 3), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_monitoring_base('E201', 'All'), '{"status": "Rejected"}');
SELECT results_eq($$SELECT monitoring_base, monitoring_level FROM cs.monitoring_setting WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (NULL::text, 3)$$, 'SetMonitoringLevel Accepted stored, SetMonitoringBase Rejected not');
SELECT pg_temp.answer(ocpp.set_monitoring_base('E201', 'HardWiredOnly'), '{"status": "Accepted"}');
SELECT results_eq($$SELECT monitoring_base, monitoring_level, (SELECT count(*) FROM cs.variable_monitor WHERE station_id = (SELECT id FROM st))
                      FROM cs.monitoring_setting WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES ('HardWiredOnly', 3, 0::bigint)$$, 'SetMonitoringBase HardWiredOnly: custom monitors removed');

-- network profile ---------------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.set_network_profile('E201', 2, '{"ocppVersion": "OCPP20", "ocppTransport": "JSON",
    "ocppCsmsUrl": "wss://csms.example/ocpp", "messageTimeout": 30, "securityProfile": 2, "ocppInterface": "Wired0"}'),
    '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_network_profile('E201', 3, '{"ocppVersion": "OCPP20", "ocppTransport": "JSON",
    "ocppCsmsUrl": "wss://other/ocpp", "messageTimeout": 30, "securityProfile": 2, "ocppInterface": "Wired0"}'),
    '{"status": "Failed"}');
SELECT results_eq($$SELECT configuration_slot, connection_data->>'ocppCsmsUrl' FROM cs.network_profile WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (2, 'wss://csms.example/ocpp')$$, 'SetNetworkProfile: the accepted slot stored');

-- local list --------------------------------------------------------------------------------------
SELECT ocpp.set_id_tag('LT-1');
SELECT ocpp.set_id_tag('LT-2', 'Blocked');
UPDATE cs.id_tag SET token_type = 'eMAID' WHERE id_tag = 'LT-2';
SELECT pg_temp.answer(ocpp.send_local_list('E201'), '{"status": "Accepted"}');
SELECT results_eq($$SELECT id_tag, id_token_type, id_tag_info->>'status' FROM cs.local_list_entry
                     WHERE station_id = (SELECT id FROM st) ORDER BY id_tag$$,
                  $$VALUES ('LT-1', 'ISO14443', 'Accepted'), ('LT-2', 'eMAID', 'Blocked')$$,
                  'SendLocalList Full accepted: the entries with idToken type');
SELECT pg_temp.answer(ocpp.send_local_list('E201', 'Differential', ARRAY['LT-1', 'LT-9']), '{"status": "Accepted"}');
DELETE FROM cs.id_tag WHERE id_tag = 'LT-1';
SELECT pg_temp.answer(ocpp.send_local_list('E201', 'Differential', ARRAY['LT-1']), '{"status": "Accepted"}');
SELECT results_eq($$SELECT (SELECT array_agg(id_tag ORDER BY id_tag) FROM cs.local_list_entry WHERE station_id = (SELECT id FROM st)),
                           (SELECT version FROM cs.local_list WHERE station_id = (SELECT id FROM st))$$,
                  $$VALUES (ARRAY['LT-2'], 3)$$, 'Differential: an entry without idTokenInfo removed; versionNumber kept');
SELECT pg_temp.answer(ocpp.get_local_list_version('E201'), '{"versionNumber": 5}');
SELECT is((SELECT reported_version FROM cs.local_list WHERE station_id = (SELECT id FROM st)), 5, 'GetLocalListVersion: versionNumber');

-- reservations ------------------------------------------------------------------------------------
CREATE TEMP TABLE rn AS SELECT pg_temp.answer(ocpp.reserve_now('E201', 0, 'TAG-R', now() + interval '1 hour', 'GRP',
                                                               reservation_id => 4001, evse_id => 2,
                                                               id_token_type => 'ISO14443', connector_type => 'cType2'),
                                              '{"status": "Accepted"}') AS cmd;
SELECT results_eq($$SELECT id, connector_id, id_tag, id_token_type, parent_id_tag, connector_type, status, command_id
                      FROM cs.reservation WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (4001, 2, 'TAG-R', 'ISO14443', 'GRP', 'cType2', 'Accepted', (SELECT cmd FROM rn))$$,
                  'ReserveNow Accepted: the reservation of EVSE 2 with idToken type, groupIdToken, connector type');
SELECT pg_temp.answer(ocpp.cancel_reservation('E201', 4001), '{"status": "Accepted"}');
SELECT is((SELECT status FROM cs.reservation WHERE id = 4001), 'Cancelled', 'CancelReservation Accepted');

-- charging profiles -------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.profile(id integer, purpose text, stack integer) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('id', id, 'stackLevel', stack, 'chargingProfilePurpose', purpose,
                              'chargingProfileKind', 'Relative',
                              'chargingSchedule', '[{"id": 1, "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}]}]'::jsonb)
$$;
SELECT pg_temp.answer(ocpp.set_charging_profile('E201', NULL, pg_temp.profile(30, 'TxDefaultProfile', 0), evse_id => 1),
                      '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_charging_profile('E201', 1, pg_temp.profile(31, 'TxDefaultProfile', 0)), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_charging_profile('E201', 0, pg_temp.profile(32, 'ChargingStationMaxProfile', 0)), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_charging_profile('E201', 2, pg_temp.profile(33, 'TxDefaultProfile', 1)), '{"status": "Rejected"}');
SELECT results_eq($$SELECT id, connector_id, purpose, status FROM cs.charging_profile WHERE station_id = (SELECT id FROM st) ORDER BY id$$,
                  $$VALUES (30, 1, 'TxDefaultProfile', 'Replaced'), (31, 1, 'TxDefaultProfile', 'Installed'),
                           (32, 0, 'ChargingStationMaxProfile', 'Installed')$$,
                  'SetChargingProfile: installed on the EVSE, same purpose and stack level replaced, Rejected not stored');
SELECT pg_temp.answer(ocpp.clear_charging_profile('E201', NULL, NULL, 'ChargePointMaxProfile'), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.clear_charging_profile('E201', 31), '{"status": "Unknown"}');
SELECT results_eq($$SELECT id, status FROM cs.charging_profile WHERE station_id = (SELECT id FROM st) AND id > 30 ORDER BY id$$,
                  $$VALUES (31, 'Installed'), (32, 'Cleared')$$,
                  'ClearChargingProfile by criteria (the 1.6 purpose name read as 2.0.1''s); Unknown changes nothing');
SELECT pg_temp.answer(ocpp.clear_charging_profile('E201', 31), '{"status": "Accepted"}');
SELECT is((SELECT status FROM cs.charging_profile WHERE id = 31), 'Cleared', 'ClearChargingProfile by chargingProfileId');
SELECT pg_temp.answer(ocpp.get_composite_schedule('E201', 1, 3600, 'W'),
    '{"status": "Accepted", "schedule": {"evseId": 1, "duration": 3600, "scheduleStart": "2030-01-01T00:00:00Z",
      "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400}]}}');
SELECT results_eq($$SELECT connector_id, duration, charging_rate_unit, status, schedule_start, schedule->'chargingSchedulePeriod'
                      FROM cs.composite_schedule WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (1, 3600, 'W', 'Accepted', '2030-01-01T00:00:00Z'::timestamptz, '[{"startPeriod": 0, "limit": 7400}]'::jsonb)$$,
                  'GetCompositeSchedule: the schedule answered');
SELECT pg_temp.answer(ocpp.get_charging_profiles('E201', 900), '{"status": "NoProfiles"}');
SELECT is((SELECT answer FROM cs.report_request WHERE request_id = 900), 'NoProfiles', 'GetChargingProfiles: remembered');

-- firmware and logs -------------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.update_firmware('E201', 'https://fw/1.bin', request_id => 51), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.get_log('E201', 'DiagnosticsLog', 52, 'ftp://logs/'), '{"status": "Accepted", "filename": "diag.zip"}');
SELECT results_eq($$SELECT kind, request_id, location, answer, file_name, active FROM cs.file_transfer
                     WHERE station_id = (SELECT id FROM st) ORDER BY request_id$$,
                  $$VALUES ('Firmware', 51, 'https://fw/1.bin', 'Accepted', NULL, true), ('Log', 52, 'ftp://logs/', 'Accepted', 'diag.zip', true)$$,
                  'UpdateFirmware and GetLog: cs.file_transfer with the requestId');
SELECT isnt(cs.file_transfer_status((SELECT id FROM st), 'Firmware', 'Installed', 51), NULL, 'the status notification finds it');
SELECT pg_temp.answer(ocpp.update_firmware('E201', 'https://fw/2.bin', request_id => 53), '{"status": "InvalidCertificate"}');
SELECT results_eq($$SELECT request_id, status, answer, active FROM cs.file_transfer WHERE station_id = (SELECT id FROM st) AND kind = 'Firmware' ORDER BY request_id$$,
                  $$VALUES (51, 'Installed', 'Accepted', false), (53, NULL, 'InvalidCertificate', false)$$,
                  'Installed ends it; a refused update is kept, not active');
SELECT pg_temp.answer(ocpp.publish_firmware('E201', 'https://fw/p.bin', 'abc123', 60), '{"status": "Accepted"}');
SELECT results_eq($$SELECT request_id, checksum, answer, active FROM cs.published_firmware WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (60, 'abc123', 'Accepted', true)$$, 'PublishFirmware Accepted: published, active');
SELECT pg_temp.answer(ocpp.unpublish_firmware('E201', 'abc123'), '{"status": "Unpublished"}');
SELECT results_eq($$SELECT status, active FROM cs.published_firmware WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES ('Unpublished', false)$$, 'UnpublishFirmware Unpublished: no longer active');

-- display messages --------------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.set_display_message('E201', 7, 'Welcome', 'InFront', language => 'en'), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_display_message('E201', 8, 'Nope'), '{"status": "NotSupportedPriority"}');
SELECT results_eq($$SELECT id, priority, message FROM cs.display_message WHERE station_id = (SELECT id FROM st)$$,
                  $$VALUES (7, 'InFront', '{"format": "UTF8", "language": "en", "content": "Welcome"}'::jsonb)$$,
                  'SetDisplayMessage: the accepted message stored');
SELECT pg_temp.answer(ocpp.clear_display_message('E201', 7), '{"status": "Accepted"}');
SELECT is((SELECT count(*) FROM cs.display_message WHERE station_id = (SELECT id FROM st)), 0::bigint, 'ClearDisplayMessage');

-- certificates ------------------------------------------------------------------------------------
SELECT pg_temp.answer(ocpp.install_certificate('E201', 'V2GRootCertificate', 'PEM-V2G'), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.install_certificate('E201', 'CSMSRootCertificate', 'PEM-CSMS'), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.get_installed_certificate_ids('E201', 'V2GRootCertificate'),
    '{"status": "Accepted", "certificateHashDataChain": [{"certificateType": "V2GRootCertificate",
      "certificateHashData": {"hashAlgorithm": "SHA256", "issuerNameHash": "n1", "issuerKeyHash": "k1", "serialNumber": "s1"},
      "childCertificateHashData": [{"hashAlgorithm": "SHA256", "issuerNameHash": "n2", "issuerKeyHash": "k2", "serialNumber": "s2"}]}]}');
SELECT results_eq($$SELECT certificate_type, serial_number, certificate, child_hash_data->0->>'serialNumber'
                      FROM cs.installed_certificate WHERE station_id = (SELECT id FROM st) ORDER BY certificate_type$$,
                  $$VALUES ('CSMSRootCertificate', NULL, 'PEM-CSMS', NULL), ('V2GRootCertificate', 's1', NULL, 's2')$$,
                  'GetInstalledCertificateIds of one type replaces that type''s rows, with the child hashes');
SELECT pg_temp.answer(ocpp.get_installed_certificate_ids('E201'), '{"status": "NotFound"}');
SELECT is((SELECT count(*) FROM cs.installed_certificate WHERE station_id = (SELECT id FROM st)), 0::bigint,
          'of every type, NotFound: the station holds none');
INSERT INTO cs.certificate_request (station_id, csr) VALUES ((SELECT id FROM st), 'CSR');
SELECT pg_temp.answer(ocpp.certificate_signed('E201', 'CHAIN', 'ChargingStationCertificate'), '{"status": "Accepted"}');
SELECT is((SELECT status FROM cs.certificate_request WHERE station_id = (SELECT id FROM st)), 'Signed', 'CertificateSigned Accepted');

SELECT is((SELECT count(*) FROM cs.review WHERE reason LIKE 'command effect failed%'), 0::bigint, 'no effect failed');

SELECT * FROM finish();
ROLLBACK;
