-- OCPP 2.1: the 2.0.1 messages with the same rules, and the messages new in 2.1.
BEGIN;
SELECT plan(27);

CREATE FUNCTION pg_temp.p(action text, body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse('W-1', 'u', action, body::jsonb, NULL, '2.1')
$$;

SELECT is(pg_temp.p('BootNotification', '{"chargingStation": {"model": "M21", "vendorName": "V"}, "reason": "PowerUp"}') - 'currentTime',
          '{"status": "Accepted", "interval": 300}', 'BootNotification (2.1)');
SELECT is((SELECT model FROM cs.station WHERE identity = 'W-1'), 'M21', 'the 2.1 boot is stored');
SELECT pg_temp.p('TransactionEvent', '{"eventType": "Started", "timestamp": "2024-05-01T10:00:00Z", "triggerReason": "Authorized",
    "seqNo": 0, "transactionInfo": {"transactionId": "W-TX", "operationMode": "ChargingOnly"}, "evse": {"id": 1},
    "idToken": {"idToken": "W-TOKEN", "type": "PSPToken"}, "preconditioningStatus": "Unknown"}');
SELECT results_eq($$SELECT id_tag, id_token_type, evse_id FROM cs.transaction WHERE transaction_ref = 'W-TX'$$,
                  $$VALUES ('W-TOKEN', 'PSPToken', 1)$$, 'a 2.1 TransactionEvent, with a 2.1 token type');
SELECT is(pg_temp.p('NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "DC_BPT"}}'),
          '{"status": "NoChargingProfile"}', 'NotifyEVChargingNeeds (2.1) without a hook: NoChargingProfile');
SELECT is(pg_temp.p('SignCertificate', '{"csr": "CSR21", "requestId": 4, "certificateType": "V2G20Certificate"}'),
          '{"status": "Accepted"}', 'SignCertificate (2.1)');
SELECT results_eq($$SELECT certificate_type, request_id FROM cs.certificate_request WHERE csr = 'CSR21'$$,
                  $$VALUES ('V2G20Certificate', 4)$$, 'the 2.1 requestId is kept');
SELECT pg_temp.p('ReservationStatusUpdate', '{"reservationId": 1, "reservationUpdateStatus": "NoTransaction"}');
SELECT is((SELECT reason FROM cs.review WHERE action = 'ReservationStatusUpdate'), 'unknown reservation',
          'ReservationStatusUpdate (2.1) of an unknown reservation');

-- new in 2.1
SELECT is(pg_temp.p('BatterySwap', '{"eventType": "BatteryIn", "requestId": 3, "idToken": {"idToken": "B", "type": "Local"},
    "batteryData": [{"evseId": 1, "serialNumber": "BAT-1", "soC": 80, "soH": 99}]}'), '{}', 'BatterySwap answers {}');
SELECT results_eq($$SELECT event_type, request_id, battery_data->0->>'serialNumber' FROM cs.battery_swap$$,
                  $$VALUES ('BatteryIn', 3, 'BAT-1')$$, 'the battery swap is stored');
SELECT is(pg_temp.p('OpenPeriodicEventStream', '{"constantStreamData": {"id": 1, "variableMonitoringId": 9,
    "params": {"interval": 10, "values": 5}}}'), '{"status": "Accepted"}', 'OpenPeriodicEventStream is Accepted');
SELECT is(pg_temp.p('NotifyPeriodicEventStream', '{"id": 1, "pending": 0, "basetime": "2024-05-01T10:00:00Z",
    "data": [{"t": 0, "v": "1.5"}, {"t": 10, "v": "1.7"}]}'), '{}', 'NotifyPeriodicEventStream (a SEND) returns {}');
SELECT results_eq($$SELECT stream_id, pending, jsonb_array_length(data) FROM cs.event_stream_data$$,
                  $$VALUES (1, 0, 2)$$, 'the stream data is stored');
SELECT is(pg_temp.p('ClosePeriodicEventStream', '{"id": 1}'), '{}', 'ClosePeriodicEventStream answers {}');
SELECT results_eq($$SELECT id, variable_monitoring_id, interval, "values", closed_at IS NOT NULL FROM cs.event_stream$$,
                  $$VALUES (1, 9, 10, 5, true)$$, 'the stream is opened and closed');
SELECT pg_temp.p('ClosePeriodicEventStream', '{"id": 2}');
SELECT is((SELECT reason FROM cs.review WHERE action = 'ClosePeriodicEventStream'), 'unknown event stream',
          'closing an unknown stream goes to review');
SELECT pg_temp.p('NotifyDERAlarm', '{"controlType": "HVMustTrip", "gridEventFault": "OverVoltage", "timestamp": "2024-05-01T10:00:00Z"}');
SELECT pg_temp.p('NotifyDERStartStop', '{"controlId": "c1", "started": true, "timestamp": "2024-05-01T10:01:00Z"}');
SELECT results_eq($$SELECT kind, occurred_at FROM cs.der_notification ORDER BY id$$,
                  $$VALUES ('Alarm', '2024-05-01T10:00:00Z'::timestamptz), ('StartStop', '2024-05-01T10:01:00Z'::timestamptz)$$,
                  'DER alarms and start/stop are stored');
SELECT is(pg_temp.p('NotifyPriorityCharging', '{"transactionId": "W-TX", "activated": true}'), '{}', 'NotifyPriorityCharging answers {}');
SELECT is((SELECT priority_charging FROM cs.transaction WHERE transaction_ref = 'W-TX'), true, 'priority charging is on the transaction');
SELECT is(pg_temp.p('NotifySettlement', '{"transactionId": "W-TX", "pspRef": "psp-1", "status": "Settled", "settlementAmount": 12.5,
    "settlementTime": "2024-05-01T11:00:00Z"}'), '{}', 'NotifySettlement without a hook answers {}');
SELECT results_eq($$SELECT st.transaction_ref, st.transaction_id = t.id, st.psp_ref, st.status, st.amount
                      FROM cs.settlement AS st JOIN cs.transaction AS t ON t.transaction_ref = 'W-TX'$$,
                  $$VALUES ('W-TX', true, 'psp-1', 'Settled', 12.5)$$, 'the settlement is linked to the transaction');
SELECT is(pg_temp.p('GetCertificateChainStatus', '{"certificateStatusRequests": [{"source": "OCSP", "urls": ["http://o"],
    "certificateHashData": {"hashAlgorithm": "SHA256", "issuerNameHash": "a", "issuerKeyHash": "b", "serialNumber": "c"}}]}'),
    jsonb_build_object('certificateStatus', jsonb_build_array(jsonb_build_object(
        'certificateHashData', '{"hashAlgorithm": "SHA256", "issuerNameHash": "a", "issuerKeyHash": "b", "serialNumber": "c"}'::jsonb,
        'source', 'OCSP', 'status', 'Failed', 'nextUpdate', cs.ocpp_time(now())))),
    'GetCertificateChainStatus without a hook: every certificate Failed');
SELECT is(pg_temp.p('PullDynamicScheduleUpdate', '{"chargingProfileId": 5}')->>'status', 'Rejected',
          'PullDynamicScheduleUpdate without a hook: Rejected');
SELECT is(pg_temp.p('VatNumberValidation', '{"vatNumber": "DE123", "evseId": 1}') - 'statusInfo',
          '{"vatNumber": "DE123", "evseId": 1, "status": "Rejected"}', 'VatNumberValidation without a hook: Rejected, echoing the number');
CREATE FUNCTION pg_temp.vat(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('vatNumber', payload->'vatNumber', 'status', 'Accepted',
                              'company', '{"name": "ACME", "address1": "Main 1", "city": "X", "country": "DE"}'::jsonb)
$$;
INSERT INTO cs.action_handler (action, handler) VALUES ('VatNumberValidation', 'pg_temp.vat(text, jsonb)');
SELECT is(pg_temp.p('VatNumberValidation', '{"vatNumber": "DE123"}')->>'status', 'Accepted', 'VatNumberValidation with a hook');
SELECT is(pg_temp.p('ReportDERControl', '{"requestId": 21, "tbc": false, "curve": []}'), '{}', 'ReportDERControl answers {}');
SELECT results_eq($$SELECT request_id, payload->'curve' FROM cs.report_part WHERE action = 'ReportDERControl'$$,
                  $$VALUES (21, '[]'::jsonb)$$, 'the DER control report is kept as sent');
SELECT throws_ok($$SELECT pg_temp.p('RequestBatterySwap', '{}')$$, 'OC002', 'action not supported from a charging station',
                 'RequestBatterySwap is sent by the CSMS');

SELECT * FROM finish();
ROLLBACK;
