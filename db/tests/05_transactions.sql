-- StartTransaction, StopTransaction, reservations, retries, cs.review, ocpp.transactionlist.
BEGIN;
SELECT plan(41);

SELECT ocpp.set_id_tag('T-BLK', 'Blocked');
SELECT ocpp.add_station('X-OTHER');

-- start
SELECT ocpp.parse('X-1', 'u1', 'StartTransaction',
    '{"connectorId": 2, "idTag": "T-1", "meterStart": 1000, "timestamp": "2024-03-01T10:00:00+01:00"}') AS start1 \gset
SELECT (:'start1'::jsonb->>'transactionId')::int AS tx1 \gset
SELECT is(jsonb_typeof(:'start1'::jsonb->'transactionId'), 'number', 'transactionId is a JSON number');
SELECT is(:'start1'::jsonb - 'transactionId', '{"idTagInfo": {"status": "Accepted"}}', 'idTagInfo of the start');
SELECT results_eq(
    format($$SELECT s.identity, t.evse_id, t.connector_id, t.id_tag, t.id_tag_status, t.meter_start, t.started_at,
                    t.reservation_id, t.stopped_at FROM cs.transaction t JOIN cs.station s ON s.id = t.station_id
              WHERE t.id = %s$$, :tx1),
    $$VALUES ('X-1', 2, 1, 'T-1', 'Accepted', 1000::bigint, '2024-03-01T09:00:00Z'::timestamptz, NULL::int, NULL::timestamptz)$$,
    'the transaction row (1.6 connector 2 = EVSE 2 / connector 1)');

-- a retry of the same start opens nothing
SELECT is(ocpp.parse('X-1', 'u2', 'StartTransaction',
    '{"connectorId": 2, "idTag": "T-1", "meterStart": 1000, "timestamp": "2024-03-01T10:00:00+01:00"}'),
    :'start1'::jsonb, 'a retried StartTransaction gets the same transactionId and idTagInfo');
SELECT is((SELECT count(*) FROM cs.transaction t JOIN cs.station s ON s.id = t.station_id WHERE s.identity = 'X-1'),
          1::bigint, 'no second transaction');

-- another start of the same tag: ConcurrentTx, but a transaction is opened
SELECT ocpp.parse('X-1', 'u3', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-1", "meterStart": 5, "timestamp": "2024-03-01T10:05:00Z"}') AS start2 \gset
SELECT is(:'start2'::jsonb->'idTagInfo', '{"status": "ConcurrentTx"}', 'a second start of a tag: ConcurrentTx');
SELECT isnt((:'start2'::jsonb->>'transactionId')::int, :tx1, 'and a new transaction id');
SELECT is((SELECT id_tag_status FROM cs.transaction WHERE id = (:'start2'::jsonb->>'transactionId')::int),
          'ConcurrentTx', 'the answered status is kept on the transaction');

-- with dedupe off a retry opens a second transaction
SELECT ocpp.set_setting('transaction.dedupe_start', 'false');
SELECT ocpp.set_setting('authorize.concurrent_tx', 'false');
SELECT ocpp.parse('X-1', 'u4', 'StartTransaction',
    '{"connectorId": 2, "idTag": "T-1", "meterStart": 1000, "timestamp": "2024-03-01T10:00:00+01:00"}') AS start3 \gset
SELECT isnt((:'start3'::jsonb->>'transactionId')::int, :tx1, 'dedupe off: a retry opens another transaction');
SELECT is((SELECT count(*) FROM cs.transaction WHERE started_at = '2024-03-01T09:00:00Z'), 2::bigint, 'two rows');
SELECT ocpp.set_setting('transaction.dedupe_start', 'true');

-- a Blocked tag still gets a transaction
SELECT ocpp.parse('X-1', 'u5', 'StartTransaction',
    '{"connectorId": 3, "idTag": "T-BLK", "meterStart": 0, "timestamp": "2024-03-01T11:00:00Z"}') AS start4 \gset
SELECT is(:'start4'::jsonb->'idTagInfo', '{"status": "Blocked"}', 'a Blocked tag is answered Blocked');
SELECT is((SELECT id_tag_status FROM cs.transaction WHERE id = (:'start4'::jsonb->>'transactionId')::int), 'Blocked',
          'and its transaction is recorded');

-- reservations
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date)
SELECT 901, id, 1, 'T-R', now() + interval '1 hour' FROM cs.station WHERE identity = 'X-1';
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date)
SELECT 902, id, 1, 'T-R', now() + interval '1 hour' FROM cs.station WHERE identity = 'X-OTHER';
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date, status)
SELECT 903, id, 1, 'T-R', now() + interval '1 hour', 'Cancelled' FROM cs.station WHERE identity = 'X-1';
SELECT ocpp.parse('X-1', 'u6', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-R", "meterStart": 0, "timestamp": "2024-03-01T12:00:00Z", "reservationId": 901}') AS start5 \gset
SELECT is((SELECT status FROM cs.reservation WHERE id = 901), 'Used', 'the reservation is consumed');
SELECT is((SELECT reservation_id FROM cs.transaction WHERE id = (:'start5'::jsonb->>'transactionId')::int), 901,
          'the transaction names the reservation');
SELECT ocpp.parse('X-1', 'u7', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-R", "meterStart": 0, "timestamp": "2024-03-01T12:01:00Z", "reservationId": 902}') AS start6 \gset
SELECT is((SELECT status FROM cs.reservation WHERE id = 902), 'Accepted', 'another station''s reservation is not consumed');
SELECT is((SELECT reservation_id FROM cs.transaction WHERE id = (:'start6'::jsonb->>'transactionId')::int), NULL,
          'and not linked');
SELECT ocpp.parse('X-1', 'u8', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-R", "meterStart": 0, "timestamp": "2024-03-01T12:02:00Z", "reservationId": 903}') AS start7 \gset
SELECT is((SELECT status FROM cs.reservation WHERE id = 903), 'Cancelled', 'a cancelled reservation stays cancelled');
SELECT ocpp.parse('X-1', 'u9', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-R", "meterStart": 0, "timestamp": "2024-03-01T12:03:00Z", "reservationId": 999999}') AS start8 \gset
SELECT is((SELECT reservation_id FROM cs.transaction WHERE id = (:'start8'::jsonb->>'transactionId')::int), NULL,
          'an unknown reservationId is ignored');

-- stop with everything
SELECT is(ocpp.parse('X-1', 'u10', 'StopTransaction', jsonb_build_object(
    'transactionId', :tx1, 'idTag', 'T-1', 'meterStop', 1500, 'timestamp', '2024-03-01T11:00:00Z', 'reason', 'EVDisconnected',
    'transactionData', '[{"timestamp": "2024-03-01T11:00:00Z", "sampledValue": [{"value": "1500", "context": "Transaction.End"}, {"value": "16.5", "measurand": "Current.Import", "unit": "A", "phase": "L1"}]}]'::jsonb)),
    '{"idTagInfo": {"status": "Accepted"}}', 'StopTransaction answers the idTag''s info');
SELECT results_eq(format($$SELECT meter_stop, stopped_at, stop_reason, stop_id_tag, updated_at FROM cs.transaction WHERE id = %s$$, :tx1),
                  $$VALUES (1500::bigint, '2024-03-01T11:00:00Z'::timestamptz, 'EVDisconnected', 'T-1', now())$$,
                  'the transaction is stopped with meterStop, timestamp, reason and idTag');
SELECT results_eq(format($$SELECT evse_id, connector_id, transaction_id, sampled_at, value, context, measurand, unit, phase
                             FROM cs.meter_value WHERE transaction_id = %s ORDER BY id$$, :tx1),
                  format($$VALUES (2, 1, %s, '2024-03-01T11:00:00Z'::timestamptz, '1500', 'Transaction.End', 'Energy.Active.Import.Register', 'Wh', NULL::text),
                                  (2, 1, %s, '2024-03-01T11:00:00Z'::timestamptz, '16.5', 'Sample.Periodic', 'Current.Import', 'A', 'L1')$$, :tx1, :tx1),
                  'transactionData is stored as meter values of the transaction, defaults filled');

-- an identical retry of the stop changes nothing
SELECT is(ocpp.parse('X-1', 'u11', 'StopTransaction', jsonb_build_object(
    'transactionId', :tx1, 'idTag', 'T-1', 'meterStop', 1500, 'timestamp', '2024-03-01T11:00:00Z', 'reason', 'EVDisconnected',
    'transactionData', '[{"timestamp": "2024-03-01T11:00:00Z", "sampledValue": [{"value": "1500"}]}]'::jsonb)),
    '{"idTagInfo": {"status": "Accepted"}}', 'a retried StopTransaction is answered');
SELECT is((SELECT count(*) FROM cs.meter_value WHERE transaction_id = :tx1), 2::bigint, 'its meter values are not stored twice');
SELECT is((SELECT count(*) FROM cs.review), 0::bigint, 'and nothing goes to review');

-- a different stop of a stopped transaction goes to review
SELECT is(ocpp.parse('X-1', 'u12', 'StopTransaction', jsonb_build_object(
    'transactionId', :tx1, 'meterStop', 1600, 'timestamp', '2024-03-01T11:30:00Z')), '{}', 'a second, different stop is acknowledged');
SELECT results_eq($$SELECT action, reason, payload->>'meterStop' FROM cs.review$$,
                  $$VALUES ('StopTransaction', 'transaction already stopped', '1600')$$, 'and kept in cs.review');
SELECT is((SELECT meter_stop FROM cs.transaction WHERE id = :tx1), 1500::bigint, 'the first stop stands');
DELETE FROM cs.review;

-- stop without idTag and reason
SELECT is(ocpp.parse('X-1', 'u13', 'StopTransaction', jsonb_build_object(
    'transactionId', (:'start2'::jsonb->>'transactionId')::int, 'meterStop', 50, 'timestamp', '2024-03-01T12:00:00Z')),
    '{}', 'StopTransaction without idTag answers {}');
SELECT results_eq(format($$SELECT stop_reason, stop_id_tag, meter_stop FROM cs.transaction WHERE id = %s$$, (:'start2'::jsonb->>'transactionId')::int),
                  $$VALUES ('Local', NULL::text, 50::bigint)$$, 'a missing reason is Local');

-- stop of a Blocked tag answers Blocked
SELECT is(ocpp.parse('X-1', 'u14', 'StopTransaction', jsonb_build_object(
    'transactionId', (:'start4'::jsonb->>'transactionId')::int, 'idTag', 'T-BLK', 'meterStop', 1, 'timestamp', '2024-03-01T12:00:00Z')),
    '{"idTagInfo": {"status": "Blocked"}}', 'StopTransaction answers the status of the stopping tag');

-- unknown transaction, and another station's transaction
SELECT is(ocpp.parse('X-1', 'u15', 'StopTransaction',
    '{"transactionId": 2000000000, "idTag": "T-1", "meterStop": 9, "timestamp": "2024-03-01T12:00:00Z"}'),
    '{"idTagInfo": {"status": "Accepted"}}', 'an unknown transactionId is acknowledged');
SELECT results_eq($$SELECT s.identity, r.action, r.reason, r.payload, r.resolved_at FROM cs.review r JOIN cs.station s ON s.id = r.station_id$$,
                  $$VALUES ('X-1', 'StopTransaction', 'unknown transactionId',
                            '{"transactionId": 2000000000, "idTag": "T-1", "meterStop": 9, "timestamp": "2024-03-01T12:00:00Z"}'::jsonb, NULL::timestamptz)$$,
                  'and kept in cs.review for a person');
DELETE FROM cs.review;
SELECT is(ocpp.parse('X-OTHER', 'u1', 'StopTransaction', jsonb_build_object(
    'transactionId', (:'start5'::jsonb->>'transactionId')::int, 'meterStop', 9, 'timestamp', '2024-03-01T12:00:00Z')),
    '{}', 'a stop of another station''s transaction is acknowledged');
SELECT is((SELECT stopped_at FROM cs.transaction WHERE id = (:'start5'::jsonb->>'transactionId')::int), NULL,
          'but does not stop it');
SELECT is((SELECT reason FROM cs.review), 'unknown transactionId', 'and goes to review');

-- transactionlist
SELECT is(jsonb_array_length(ocpp.transactionlist()), (SELECT count(*)::int FROM cs.transaction), 'transactionlist lists every transaction');
SELECT is(ocpp.transactionlist('X-1', 1)->0,
          jsonb_build_object('id', (:'start8'::jsonb->>'transactionId')::int, 'transactionId', (:'start8'::jsonb->>'transactionId')::int, 'identity', 'X-1', 'evseId', 1,
                             'connectorId', 1, 'idTag', 'T-R', 'idTagStatus', 'Accepted', 'meterStart', 0,
                             'meterStop', NULL, 'energy', NULL, 'startedAt', '2024-03-01T12:03:00.000Z',
                             'stoppedAt', NULL, 'stopReason', NULL, 'stopIdTag', NULL, 'reservationId', NULL,
                             'running', true),
          'transactionlist: newest first, the object shape');
SELECT is(ocpp.transactionlist('X-1')->-1,
          jsonb_build_object('id', :tx1, 'transactionId', :tx1, 'identity', 'X-1', 'evseId', 2, 'connectorId', 1, 'idTag', 'T-1',
                             'idTagStatus', 'Accepted', 'meterStart', 1000, 'meterStop', 1500, 'energy', 500,
                             'startedAt', '2024-03-01T09:00:00.000Z', 'stoppedAt', '2024-03-01T11:00:00.000Z',
                             'stopReason', 'EVDisconnected', 'stopIdTag', 'T-1', 'reservationId', NULL, 'running', false),
          'transactionlist: a stopped transaction with its energy');
SELECT is(jsonb_array_length(ocpp.transactionlist('X-1', 3)), 3, 'transactionlist honours lim');
SELECT is(ocpp.transactionlist('X-OTHER'), '[]', 'transactionlist of a station without transactions is []');
SELECT throws_ok($$SELECT ocpp.transactionlist(NULL, -1)$$, 'OC007', 'invalid limit', 'transactionlist with a negative lim');

SELECT * FROM finish();
ROLLBACK;
