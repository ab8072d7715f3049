-- OCPP 2.0.1 TransactionEvent with a repeated seqNo (issue 13, item 8): a station that sends every
-- event with the same seqNo loses nothing; a true retransmission is stored once.
BEGIN;
SELECT plan(10);

CREATE FUNCTION pg_temp.te(body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse('R-1', 'u', 'TransactionEvent', body::jsonb, NULL, '2.0.1')
$$;
CREATE FUNCTION pg_temp.tx() RETURNS cs.transaction LANGUAGE sql AS $$
    SELECT t.* FROM cs.transaction AS t JOIN cs.station AS s ON s.id = t.station_id
     WHERE s.identity = 'R-1' AND t.transaction_ref = 'RT-1'
$$;

SELECT ocpp.parse('R-1', 'u', 'StatusNotification',
                  '{"timestamp": "2024-07-01T09:00:00Z", "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1}',
                  NULL, '2.0.1');
SELECT pg_temp.te('{"eventType": "Started", "timestamp": "2024-07-01T10:00:00Z", "triggerReason": "CablePluggedIn",
    "seqNo": 0, "transactionInfo": {"transactionId": "RT-1"}, "evse": {"id": 1, "connectorId": 1},
    "meterValue": [{"timestamp": "2024-07-01T10:00:00Z", "sampledValue": [{"value": 100, "context": "Transaction.Begin"}]}]}');
-- the station's firmware sends seqNo 1 with every update, and with its Ended event
SELECT pg_temp.te(format('{"eventType": "Updated", "timestamp": "2024-07-01T10:%s:00Z", "triggerReason": "MeterValuePeriodic",
    "seqNo": 1, "transactionInfo": {"transactionId": "RT-1", "chargingState": "Charging"},
    "meterValue": [{"timestamp": "2024-07-01T10:%s:00Z", "sampledValue": [{"value": %s}]}]}',
    lpad(n::text, 2, '0'), lpad(n::text, 2, '0'), 100 + 10 * n))
  FROM generate_series(1, 25) AS n;
SELECT is((SELECT count(*) FROM cs.meter_value WHERE transaction_id = (pg_temp.tx()).id), 26::bigint,
          'all 25 updates with the same seqNo keep their meter values');
SELECT is((SELECT count(*) FROM cs.transaction_event WHERE transaction_ref = 'RT-1'), 26::bigint, 'and their events');
SELECT is((SELECT count(*) FROM cs.review WHERE reason = 'duplicate seqNo with other content'), 24::bigint,
          'each repeat with other content has a review row');
SELECT results_eq($$SELECT seq_no, seq_gaps, charging_state FROM pg_temp.tx()$$, $$VALUES (1, 0, 'Charging')$$,
                  'a repeat neither opens nor fills a gap');

SELECT is(pg_temp.te('{"eventType": "Ended", "timestamp": "2024-07-01T11:00:00Z", "triggerReason": "EVDeparted",
    "seqNo": 1, "transactionInfo": {"transactionId": "RT-1", "stoppedReason": "EVDisconnected"},
    "meterValue": [{"timestamp": "2024-07-01T11:00:00Z", "sampledValue": [{"value": 400, "context": "Transaction.End"}]}]}'),
    '{}', 'an Ended event with a repeated seqNo is answered');
SELECT results_eq($$SELECT stopped_at, stop_reason, meter_start, meter_stop FROM pg_temp.tx()$$,
                  $$VALUES ('2024-07-01T11:00:00Z'::timestamptz, 'EVDisconnected', 100::bigint, 400::bigint)$$,
                  'and ends the transaction');

-- a true retransmission (same seqNo, same content) is stored once and answered as before
SELECT is(pg_temp.te('{"eventType": "Ended", "timestamp": "2024-07-01T11:00:00Z", "triggerReason": "EVDeparted",
    "seqNo": 1, "transactionInfo": {"transactionId": "RT-1", "stoppedReason": "EVDisconnected"},
    "meterValue": [{"timestamp": "2024-07-01T11:00:00Z", "sampledValue": [{"value": 400, "context": "Transaction.End"}]}]}'),
    '{}', 'a retransmitted Ended event');
SELECT is((SELECT count(*) FROM cs.transaction_event WHERE transaction_ref = 'RT-1'), 27::bigint, 'is stored once');
SELECT is((SELECT count(*) FROM cs.meter_value WHERE transaction_id = (pg_temp.tx()).id), 27::bigint,
          'writes no meter values');
SELECT is((SELECT count(*) FROM cs.review), 25::bigint, 'and is no review');

SELECT * FROM finish();
ROLLBACK;
