-- OCPP 2.0.1 TransactionEvent and MeterValues.
BEGIN;
SELECT plan(40);

CREATE FUNCTION pg_temp.te(body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse('T-1', 'u', 'TransactionEvent', body::jsonb, NULL, '2.0.1')
$$;
CREATE FUNCTION pg_temp.tx(ref text) RETURNS cs.transaction LANGUAGE sql AS $$
    SELECT t.* FROM cs.transaction AS t JOIN cs.station AS s ON s.id = t.station_id
     WHERE s.identity = 'T-1' AND t.transaction_ref = ref
$$;

SELECT ocpp.parse('T-1', 'u', 'StatusNotification',
                  '{"timestamp": "2024-05-01T09:00:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 1}',
                  NULL, '2.0.1');
SELECT ocpp.set_id_token('TOK-1', token_type => 'ISO14443');
-- a RequestStartTransaction the station accepted (as the dispatcher leaves it)
INSERT INTO cs.command (station_id, action, payload, status, response, answered_at)
SELECT s.id, 'RequestStartTransaction', '{"remoteStartId": 77, "idToken": {"idToken": "TOK-1", "type": "ISO14443"}}',
       'answered', '{"status": "Accepted"}', now()
  FROM cs.station AS s WHERE s.identity = 'T-1';
-- a reservation, and a ChangeAvailability answered Scheduled on EVSE 1
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date)
SELECT 9001, s.id, 1, 'TOK-1', '2030-01-01' FROM cs.station AS s WHERE s.identity = 'T-1';
INSERT INTO cs.connector_availability (station_id, connector_id, availability, scheduled)
SELECT s.id, 1, 'Operative', 'Inoperative' FROM cs.station AS s WHERE s.identity = 'T-1';

-- Started
SELECT is(pg_temp.te('{"eventType": "Started", "timestamp": "2024-05-01T10:00:00Z", "triggerReason": "RemoteStart",
    "seqNo": 0, "reservationId": 9001,
    "transactionInfo": {"transactionId": "TX-1", "chargingState": "EVConnected", "remoteStartId": 77},
    "evse": {"id": 1, "connectorId": 1}, "idToken": {"idToken": "TOK-1", "type": "ISO14443"},
    "meterValue": [{"timestamp": "2024-05-01T10:00:00Z", "sampledValue": [
        {"value": 1.5, "context": "Transaction.Begin", "unitOfMeasure": {"unit": "kWh"}},
        {"value": 230, "measurand": "Voltage", "phase": "L1", "unitOfMeasure": {"unit": "V"}}]}]}'),
    '{"idTokenInfo": {"status": "Accepted"}}', 'Started answers the idTokenInfo');
SELECT results_eq(
    $$SELECT evse_id, connector_id, id_tag, id_token_type, id_tag_status, meter_start, started_at, charging_state,
             remote_start_id, seq_no, seq_gaps, offline, reservation_id, stopped_at
        FROM pg_temp.tx('TX-1')$$,
    $$VALUES (1, 1, 'TOK-1', 'ISO14443', 'Accepted', 1500::bigint, '2024-05-01T10:00:00Z'::timestamptz, 'EVConnected',
              77, 0, 0, false, 9001, NULL::timestamptz)$$,
    'Started opens the transaction: EVSE, token, meter start in Wh from the kWh register');
SELECT is((SELECT c.payload->>'remoteStartId' FROM cs.command AS c WHERE c.id = (pg_temp.tx('TX-1')).remote_start_command),
          '77', 'remoteStartId links the RequestStartTransaction');
SELECT is((SELECT status FROM cs.reservation WHERE id = 9001), 'Used', 'reservationId consumes the reservation');
SELECT results_eq($$SELECT evse_id, connector_id, transaction_id, value, numeric_value, unit, measurand, phase, context
                      FROM cs.meter_value WHERE transaction_id = (pg_temp.tx('TX-1')).id ORDER BY id$$,
                  $$VALUES (1, 1, (pg_temp.tx('TX-1')).id, '1.5', 1.5, 'kWh', 'Energy.Active.Import.Register', NULL, 'Transaction.Begin'),
                           (1, 1, (pg_temp.tx('TX-1')).id, '230', 230, 'V', 'Voltage', 'L1', 'Sample.Periodic')$$,
                  'meter values with the 2.0.1 defaults and the cs.transaction id');
SELECT results_eq($$SELECT event_type, trigger_reason, seq_no, offline, reservation_id, evse, reply
                      FROM cs.transaction_event WHERE transaction_ref = 'TX-1'$$,
                  $$VALUES ('Started', 'RemoteStart', 0, false, 9001, '{"id": 1, "connectorId": 1}'::jsonb,
                            '{"idTokenInfo": {"status": "Accepted"}}'::jsonb)$$,
                  'the event is stored with its answer');

-- Updated with a gap (seqNo 1 missing), multiplier, offline
SELECT is(pg_temp.te('{"eventType": "Updated", "timestamp": "2024-05-01T10:10:00Z", "triggerReason": "MeterValuePeriodic",
    "seqNo": 2, "offline": true, "transactionInfo": {"transactionId": "TX-1", "chargingState": "Charging"},
    "meterValue": [{"timestamp": "2024-05-01T10:10:00Z", "sampledValue": [{"value": 2.25, "unitOfMeasure": {"unit": "Wh", "multiplier": 3}}]}]}'),
    '{}', 'Updated without idToken answers {}');
SELECT results_eq($$SELECT seq_no, seq_gaps, offline, charging_state, trigger_reason FROM pg_temp.tx('TX-1')$$,
                  $$VALUES (2, 1, true, 'Charging', 'MeterValuePeriodic')$$, 'a seqNo gap is counted, offline sticks');
SELECT results_eq($$SELECT numeric_value, multiplier FROM cs.meter_value WHERE transaction_id = (pg_temp.tx('TX-1')).id
                     AND sampled_at = '2024-05-01T10:10:00Z'$$,
                  $$VALUES (2250::numeric, 3)$$, 'numeric_value applies the multiplier');
-- a duplicate is idempotent
SELECT is(pg_temp.te('{"eventType": "Updated", "timestamp": "2024-05-01T10:10:00Z", "triggerReason": "MeterValuePeriodic",
    "seqNo": 2, "offline": true, "transactionInfo": {"transactionId": "TX-1", "chargingState": "Charging"},
    "meterValue": [{"timestamp": "2024-05-01T10:10:00Z", "sampledValue": [{"value": 2.25, "unitOfMeasure": {"unit": "Wh", "multiplier": 3}}]}]}'),
    '{}', 'a duplicate gets the same answer');
SELECT is((SELECT count(*) FROM cs.transaction_event WHERE transaction_ref = 'TX-1'), 2::bigint, 'a duplicate is stored once');
SELECT is((SELECT count(*) FROM cs.meter_value WHERE transaction_id = (pg_temp.tx('TX-1')).id), 3::bigint,
          'a duplicate writes no meter values');
SELECT is((SELECT count(*) FROM cs.review), 0::bigint, 'an identical duplicate is no review');
SELECT pg_temp.te('{"eventType": "Updated", "timestamp": "2024-05-01T10:11:00Z", "triggerReason": "Trigger",
    "seqNo": 2, "transactionInfo": {"transactionId": "TX-1"}}');
SELECT is((SELECT reason FROM cs.review), 'duplicate seqNo with other content', 'a duplicate seqNo with other content goes to review');
-- the late seqNo 1 fills the gap; a token change mid-transaction
SELECT is(pg_temp.te('{"eventType": "Updated", "timestamp": "2024-05-01T10:05:00Z", "triggerReason": "Authorized",
    "seqNo": 1, "transactionInfo": {"transactionId": "TX-1"}, "idToken": {"idToken": "TOK-2", "type": "Central"}}'),
    '{"idTokenInfo": {"status": "Accepted"}}', 'a new token mid-transaction is answered');
SELECT results_eq($$SELECT seq_no, seq_gaps, id_tag, id_token_type FROM pg_temp.tx('TX-1')$$,
                  $$VALUES (2, 0, 'TOK-2', 'Central')$$, 'the late event fills the gap; the token changes');
SELECT is((SELECT array_agg(id_token->>'idToken' ORDER BY seq_no) FROM cs.transaction_event WHERE transaction_ref = 'TX-1'),
          ARRAY['TOK-1', 'TOK-2', NULL, NULL], 'the token history is in the events (the repeated seqNo 2 too)');

-- Ended: trigger → stop reason, meter stop, stop token, scheduled availability
SELECT is(pg_temp.te('{"eventType": "Ended", "timestamp": "2024-05-01T11:00:00Z", "triggerReason": "EVCommunicationLost",
    "seqNo": 3, "transactionInfo": {"transactionId": "TX-1", "chargingState": "Idle"},
    "idToken": {"idToken": "TOK-1", "type": "ISO14443"},
    "meterValue": [{"timestamp": "2024-05-01T11:00:00Z", "sampledValue": [
        {"value": 4000, "context": "Transaction.End"}, {"value": 3999, "context": "Sample.Periodic"}]}]}'),
    '{"idTokenInfo": {"status": "Accepted"}}', 'Ended with the stop token: no ConcurrentTx for the stop');
SELECT results_eq($$SELECT stopped_at, stop_reason, stopped_reason, meter_stop, stop_id_tag, id_tag, charging_state
                      FROM pg_temp.tx('TX-1')$$,
                  $$VALUES ('2024-05-01T11:00:00Z'::timestamptz, 'EVDisconnected', NULL::text, 4000::bigint, 'TOK-1', 'TOK-2', 'Idle')$$,
                  'Ended: stop reason from triggerReason, meter stop from Transaction.End');
SELECT is((SELECT availability || '/' || coalesce(scheduled, '-') FROM cs.connector_availability AS a
             JOIN cs.station AS s ON s.id = a.station_id WHERE s.identity = 'T-1'), 'Inoperative/-',
          'Ended applies the scheduled availability of the EVSE');
SELECT pg_temp.te('{"eventType": "Ended", "timestamp": "2024-05-01T11:30:00Z", "triggerReason": "StopAuthorized",
    "seqNo": 4, "transactionInfo": {"transactionId": "TX-1"}}');
SELECT is((SELECT reason FROM cs.review ORDER BY id DESC LIMIT 1), 'transaction already stopped',
          'a second Ended at another time goes to review');
SELECT is((pg_temp.tx('TX-1')).stopped_at, '2024-05-01T11:00:00Z'::timestamptz, 'and changes nothing');

-- a transaction whose Started was lost; stoppedReason as sent; meter stop from stored values
DELETE FROM cs.review;
SELECT is(pg_temp.te('{"eventType": "Updated", "timestamp": "2024-05-01T12:00:00Z", "triggerReason": "MeterValuePeriodic",
    "seqNo": 5, "transactionInfo": {"transactionId": "TX-2"}, "evse": {"id": 1},
    "meterValue": [{"timestamp": "2024-05-01T12:00:00Z", "sampledValue": [{"value": 100}]}]}'),
    '{}', 'an Updated event of an unknown transaction is accepted');
SELECT results_eq($$SELECT evse_id, connector_id, id_tag, meter_start, started_at, seq_no FROM pg_temp.tx('TX-2')$$,
                  $$VALUES (1, 0, NULL::text, 100::bigint, '2024-05-01T12:00:00Z'::timestamptz, 5)$$,
                  'it opens the transaction: no token yet, connector 0 (not given), meter start from the first register');
SELECT is((SELECT reason FROM cs.review), 'Started event missing', 'the missing Started goes to review');
SELECT pg_temp.te('{"eventType": "Updated", "timestamp": "2024-05-01T12:10:00Z", "triggerReason": "MeterValuePeriodic",
    "seqNo": 6, "transactionInfo": {"transactionId": "TX-2"},
    "meterValue": [{"timestamp": "2024-05-01T12:10:00Z", "sampledValue": [{"value": 700}]}]}');
SELECT pg_temp.te('{"eventType": "Ended", "timestamp": "2024-05-01T12:20:00Z", "triggerReason": "RemoteStop", "seqNo": 7,
    "transactionInfo": {"transactionId": "TX-2", "stoppedReason": "EmergencyStop"}}');
SELECT results_eq($$SELECT stop_reason, stopped_reason, meter_stop FROM pg_temp.tx('TX-2')$$,
                  $$VALUES ('EmergencyStop', 'EmergencyStop', 700::bigint)$$,
                  'stoppedReason wins; meter stop from the last stored register value');

-- EVSE and connector checked against what the station reported; the ConcurrentTx of a new token
DELETE FROM cs.review;
SELECT is(pg_temp.te('{"eventType": "Started", "timestamp": "2024-05-01T13:00:00Z", "triggerReason": "Authorized", "seqNo": 0,
    "transactionInfo": {"transactionId": "TX-3"}, "evse": {"id": 1, "connectorId": 5},
    "idToken": {"idToken": "TOK-9", "type": "Local"}}')->'idTokenInfo'->>'status', 'Accepted', 'a third transaction');
SELECT is((SELECT reason FROM cs.review), 'unknown connector', 'an unknown connector goes to review, not refused');
SELECT is(pg_temp.te('{"eventType": "Started", "timestamp": "2024-05-01T13:00:00Z", "triggerReason": "Authorized", "seqNo": 0,
    "transactionInfo": {"transactionId": "TX-4"}, "evse": {"id": 7, "connectorId": 1},
    "idToken": {"idToken": "TOK-9", "type": "Local"}}')->'idTokenInfo'->>'status', 'ConcurrentTx',
    'the same token in another running transaction: ConcurrentTx');
SELECT is((SELECT reason FROM cs.review ORDER BY id DESC LIMIT 1), 'unknown EVSE', 'an unknown EVSE goes to review');
SELECT is((SELECT count(*) FROM cs.evse AS e JOIN cs.station AS s ON s.id = e.station_id
            WHERE s.identity = 'T-1' AND e.evse_id = 7), 1::bigint, 'and is recorded in cs.evse');
SELECT is(pg_temp.te('{"eventType": "Updated", "timestamp": "2024-05-01T13:05:00Z", "triggerReason": "ChargingStateChanged",
    "seqNo": 1, "transactionInfo": {"transactionId": "TX-4"}, "idToken": {"idToken": "TOK-9", "type": "Local"}}')
    ->'idTokenInfo'->>'status', 'Accepted', 'ConcurrentTx is checked only when the token is new to the transaction');
SELECT is(pg_temp.te('{"eventType": "Ended", "timestamp": "2024-05-01T13:10:00Z", "triggerReason": "StopAuthorized",
    "seqNo": 1, "transactionInfo": {"transactionId": "TX-3"}, "idToken": {"idToken": "TOK-9", "type": "Local"}}')
    ->'idTokenInfo'->>'status', 'Accepted', 'a stop token gets no ConcurrentTx');
SELECT is((pg_temp.tx('TX-3')).stop_reason, 'Local', 'StopAuthorized without stoppedReason: Local');
SELECT throws_ok($$SELECT pg_temp.te('{"eventType": "Started", "timestamp": "2024-05-01T13:00:00Z", "triggerReason": "Authorized",
    "seqNo": 0, "transactionInfo": {"transactionId": "TX-5"}, "evse": {"id": -1}}')$$, 'OC007', 'invalid evse', 'a negative EVSE id');

-- triggerReason → stoppedReason
SELECT results_eq($$SELECT cs.v201_stop_reason(r) FROM unnest(ARRAY['StopAuthorized', 'Deauthorized', 'EVDeparted',
                     'RemoteStop', 'UnlockCommand', 'EnergyLimitReached', 'TimeLimitReached', 'EVConnectTimeout',
                     'ResetCommand', 'AbnormalCondition', 'SoCLimitReached', 'ChargingStateChanged']) WITH ORDINALITY AS x (r, n)
                     ORDER BY n$$,
                  $$VALUES ('Local'), ('DeAuthorized'), ('EVDisconnected'), ('Remote'), ('Remote'), ('EnergyLimitReached'),
                           ('TimeLimitReached'), ('Timeout'), ('ImmediateReset'), ('Other'), ('SOCLimitReached'), ('Local')$$,
                  'the triggerReason → stoppedReason mapping');

-- a 2.1 station: the same rules
SELECT is(ocpp.parse('T-21', 'u', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-05-01T10:00:00Z",
    "triggerReason": "CablePluggedIn", "seqNo": 0, "transactionInfo": {"transactionId": "TX-1"}, "evse": {"id": 1}}',
    NULL, '2.1'), '{}', 'a 2.1 TransactionEvent');
SELECT is((SELECT count(*) FROM cs.transaction WHERE transaction_ref = 'TX-1'), 2::bigint,
          'transactionIds are per station');

-- MeterValues
SELECT is(ocpp.parse('T-1', 'u', 'MeterValues', '{"evseId": 0, "meterValue": [{"timestamp": "2024-05-01T14:00:00Z",
    "sampledValue": [{"value": 12345.5, "measurand": "Energy.Active.Import.Register", "location": "Inlet",
                      "signedMeterValue": {"signedMeterData": "abc", "signingMethod": "m", "encodingMethod": "e", "publicKey": "k"}},
                     {"value": -3, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW", "multiplier": -1}}]}]}',
    NULL, '2.0.1'), '{}', 'MeterValues answers {}');
SELECT results_eq($$SELECT evse_id, connector_id, transaction_id, numeric_value, unit, location, format,
                           signed_meter_value->>'signedMeterData'
                      FROM cs.meter_value WHERE sampled_at = '2024-05-01T14:00:00Z' ORDER BY id$$,
                  $$VALUES (0, 0, NULL::integer, 12345.5, 'Wh', 'Inlet', 'Raw', 'abc'),
                           (0, 0, NULL::integer, -0.3, 'kW', 'Outlet', 'Raw', NULL)$$,
                  'MeterValues: one row per sampled value, multiplier applied, signed value kept');

SELECT * FROM finish();
ROLLBACK;
