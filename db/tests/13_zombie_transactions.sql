-- Transactions the station never stopped (issue 13, item 7): closed at BootNotification and at a
-- StatusNotification Available (settings transaction.stop_on_boot, transaction.stop_on_available),
-- a station's late stop wins, ConcurrentTx ignores transactions on idle connectors,
-- ocpp.close_transaction and ocpp.suspicious_transactions. 1.6 and 2.0.1.
BEGIN;
SELECT plan(41);

CREATE FUNCTION pg_temp.start16(identity text, connector integer, tag text, at text) RETURNS integer
LANGUAGE sql AS $$
    SELECT (ocpp.parse(identity, 'u', 'StartTransaction',
                       jsonb_build_object('connectorId', connector, 'idTag', tag, 'meterStart', 1000,
                                          'timestamp', at))->>'transactionId')::integer
$$;
CREATE TEMP TABLE ids (name text PRIMARY KEY, id integer);
CREATE FUNCTION pg_temp.id(name text) RETURNS integer LANGUAGE sql AS $$ SELECT ids.id FROM ids WHERE ids.name = id.name $$;
CREATE FUNCTION pg_temp.tx(id integer) RETURNS cs.transaction LANGUAGE sql AS $$
    SELECT * FROM cs.transaction WHERE transaction.id = tx.id
$$;
CREATE FUNCTION pg_temp.te(identity text, body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse(identity, 'u', 'TransactionEvent', body::jsonb, NULL, '2.0.1')
$$;
CREATE FUNCTION pg_temp.tx201(identity text, ref text) RETURNS cs.transaction LANGUAGE sql AS $$
    SELECT t.* FROM cs.transaction AS t JOIN cs.station AS s ON s.id = t.station_id
     WHERE s.identity = tx201.identity AND t.transaction_ref = ref
$$;

-- 1.6: a dead station's transaction locks its driver out everywhere ...
SELECT pg_temp.start16('Z-1', 1, 'DRIVER', '2024-06-01T10:00:00Z') AS z1 \gset
INSERT INTO ids VALUES ('z1', :z1);
SELECT ocpp.parse('Z-1', 'u', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [
    {"timestamp": "2024-06-01T10:30:00Z", "sampledValue": [{"value": "1500"}, {"value": "1.6", "unit": "kWh"}]}]}', :z1)::jsonb);
SELECT is(ocpp.parse('Z-OTHER', 'u', 'Authorize', '{"idTag": "DRIVER"}'), '{"idTagInfo": {"status": "ConcurrentTx"}}',
          'a running transaction: ConcurrentTx elsewhere');
-- ... until the station boots again
SELECT is(ocpp.parse('Z-1', 'u', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}') - 'currentTime',
          '{"status": "Accepted", "interval": 300}', 'the BootNotification is answered as before');
SELECT results_eq($$SELECT stopped_at, stop_reason, meter_stop, closed_by, closed_by_user FROM pg_temp.tx(pg_temp.id('z1'))$$,
                  $$VALUES (now(), 'PowerLoss', 1600::bigint, 'BootNotification', NULL::text)$$,
                  'boot: the open transaction is closed, PowerLoss, meter stop from the last register value (kWh in Wh)');
SELECT results_eq($$SELECT action, reason, payload->>'transactionId' FROM cs.review$$,
                  $$VALUES ('BootNotification', 'transaction closed: the station booted', pg_temp.id('z1')::text)$$,
                  'and a review row names it');
SELECT is(ocpp.parse('Z-OTHER', 'u', 'Authorize', '{"idTag": "DRIVER"}'), '{"idTagInfo": {"status": "Accepted"}}',
          'the driver may charge again');

-- the station's late StopTransaction wins over the rule's guess
SELECT is(ocpp.parse('Z-1', 'u', 'StopTransaction', format('{"transactionId": %s, "meterStop": 1700,
    "timestamp": "2024-06-01T11:00:00Z", "reason": "PowerLoss"}', :z1)::jsonb), '{}', 'a late StopTransaction is acknowledged');
SELECT results_eq($$SELECT stopped_at, stop_reason, meter_stop, closed_by FROM pg_temp.tx(pg_temp.id('z1'))$$,
                  $$VALUES ('2024-06-01T11:00:00Z'::timestamptz, 'PowerLoss', 1700::bigint, NULL::text)$$,
                  'the station''s stop replaces the one the rule made');
SELECT is((SELECT reason FROM cs.review ORDER BY id DESC LIMIT 1),
          'transaction closed by BootNotification, then stopped by the station', 'and is reviewed');
SELECT is(ocpp.parse('Z-1', 'u', 'StopTransaction', format('{"transactionId": %s, "meterStop": 1700,
    "timestamp": "2024-06-01T11:00:00Z", "reason": "PowerLoss"}', :z1)::jsonb), '{}', 'an identical retry');
SELECT is((SELECT count(*) FROM cs.review), 2::bigint, 'changes nothing');

-- with the setting off a boot closes nothing
SELECT ocpp.set_setting('transaction.stop_on_boot', 'false');
SELECT pg_temp.start16('Z-1', 2, 'D-2', '2024-06-01T12:00:00Z') AS z2 \gset
INSERT INTO ids VALUES ('z2', :z2);
SELECT ocpp.parse('Z-1', 'u', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}');
SELECT is((pg_temp.tx(:z2)).stopped_at, NULL, 'transaction.stop_on_boot false: the boot leaves it open');
SELECT ocpp.set_setting('transaction.stop_on_boot', 'true');

-- StatusNotification Available on its connector closes it (Other)
SELECT ocpp.parse('Z-1', 'u', 'StatusNotification',
                  '{"connectorId": 2, "status": "Available", "errorCode": "NoError", "timestamp": "2024-06-01T11:59:00Z"}');
SELECT is((pg_temp.tx(:z2)).stopped_at, NULL, 'an Available reported before the start closes nothing');
SELECT ocpp.parse('Z-1', 'u', 'StatusNotification',
                  '{"connectorId": 1, "status": "Available", "errorCode": "NoError", "timestamp": "2024-06-01T12:30:00Z"}');
SELECT is((pg_temp.tx(:z2)).stopped_at, NULL, 'Available on another connector closes nothing');
SELECT ocpp.parse('Z-1', 'u', 'StatusNotification',
                  '{"connectorId": 2, "status": "Charging", "errorCode": "NoError", "timestamp": "2024-06-01T12:31:00Z"}');
SELECT is((pg_temp.tx(:z2)).stopped_at, NULL, 'Charging closes nothing');
SELECT ocpp.parse('Z-1', 'u', 'StatusNotification',
                  '{"connectorId": 2, "status": "Available", "errorCode": "NoError", "timestamp": "2024-06-01T13:00:00Z"}');
SELECT results_eq($$SELECT stopped_at, stop_reason, meter_stop, closed_by FROM pg_temp.tx(pg_temp.id('z2'))$$,
                  $$VALUES ('2024-06-01T13:00:00Z'::timestamptz, 'Other', 1000::bigint, 'StatusNotification')$$,
                  'Available on its connector: closed at the status time, Other, meter stop = meter start without values');
SELECT results_eq($$SELECT action, reason, payload->>'transactionId' FROM cs.review ORDER BY id DESC LIMIT 1$$,
                  $$VALUES ('StatusNotification', 'transaction closed: its connector is Available', pg_temp.id('z2')::text)$$,
                  'with a review row');

-- with that setting off, the transaction stays open but no longer counts for ConcurrentTx
SELECT ocpp.set_setting('transaction.stop_on_available', 'false');
SELECT pg_temp.start16('Z-1', 3, 'D-3', '2024-06-01T14:00:00Z') AS z3 \gset
INSERT INTO ids VALUES ('z3', :z3);
SELECT is(ocpp.parse('Z-OTHER', 'u', 'Authorize', '{"idTag": "D-3"}')->'idTagInfo'->>'status', 'ConcurrentTx',
          'a running transaction counts');
SELECT ocpp.parse('Z-1', 'u', 'StatusNotification',
                  '{"connectorId": 3, "status": "Faulted", "errorCode": "GroundFailure", "timestamp": "2024-06-01T14:10:00Z"}');
SELECT is(ocpp.parse('Z-OTHER', 'u', 'Authorize', '{"idTag": "D-3"}')->'idTagInfo'->>'status', 'ConcurrentTx',
          'Faulted: it still counts (a fault may pass within a session)');
SELECT ocpp.parse('Z-1', 'u', 'StatusNotification',
                  '{"connectorId": 3, "status": "Available", "errorCode": "NoError", "timestamp": "2024-06-01T14:20:00Z"}');
SELECT is((pg_temp.tx(:z3)).stopped_at, NULL, 'transaction.stop_on_available false: Available leaves it open');
SELECT is(ocpp.parse('Z-OTHER', 'u', 'Authorize', '{"idTag": "D-3"}')->'idTagInfo'->>'status', 'Accepted',
          'but a transaction whose connector is Available no longer counts for ConcurrentTx');
SELECT is(ocpp.parse('Z-OTHER', 'u', 'StartTransaction',
    '{"connectorId": 1, "idTag": "D-3", "meterStart": 0, "timestamp": "2024-06-01T14:30:00Z"}')->'idTagInfo'->>'status',
    'Accepted', 'nor for StartTransaction');
SELECT is(ocpp.parse('Z-2', 'u', 'Authorize', '{"idTag": "D-3"}')->'idTagInfo'->>'status', 'ConcurrentTx',
          'the transaction that StartTransaction opened does count');
SELECT ocpp.set_setting('transaction.stop_on_available', 'true');

-- ocpp.suspicious_transactions: open transactions that look dead, with the reasons
SELECT ocpp.node_start('node-a');
SELECT ocpp.connect('Z-1', NULL, '1.6', 'node-a');
UPDATE cs.transaction SET created_at = now() - interval '2 days', updated_at = now() - interval '2 days'
 WHERE id = :z3;
UPDATE cs.station SET booted_at = now() - interval '3 days' WHERE identity = 'Z-1';
SELECT results_eq($$SELECT transaction_id, identity, reasons FROM ocpp.suspicious_transactions()$$,
                  $$VALUES (pg_temp.id('z3'), 'Z-1', ARRAY['no meter values for 12:00:00', 'connector Available'])$$,
                  'suspicious: not heard of for older_than, connector Available');
SELECT is((SELECT count(*) FROM ocpp.suspicious_transactions('3 days')), 1::bigint,
          'a longer older_than still lists it for its connector');
SELECT ocpp.disconnect('Z-1', 'node-a');
UPDATE cs.station_presence p SET last_seen = now() - interval '1 day' FROM cs.station s WHERE s.id = p.station_id AND s.identity = 'Z-1';
SELECT is((SELECT reasons FROM ocpp.suspicious_transactions() WHERE transaction_id = :z3),
          ARRAY['station disconnected', 'no meter values for 12:00:00', 'connector Available'],
          'a disconnected station, silent for older_than');
SELECT throws_ok($$SELECT * FROM ocpp.suspicious_transactions('-1 hour')$$, 'OC007', 'invalid older_than',
                 'older_than must be positive');

-- ocpp.close_transaction: an operator stop
SELECT is(ocpp.close_transaction(:z3, meter_stop => 1234) - 'stoppedAt' - 'id' - 'transactionId' - 'startedAt'
          - 'closedBy',  -- closedBy: 64_id_tokens_closed_by.sql
          '{"identity": "Z-1", "evseId": 3, "connectorId": 1, "idTag": "D-3", "idTagStatus": "Accepted", "meterStart": 1000,
            "meterStop": 1234, "energy": 234, "stopReason": "Other", "stopIdTag": null, "reservationId": null,
            "running": false}',
          'close_transaction returns the transaction as transactionlist shows it');
SELECT results_eq($$SELECT stopped_at, stop_reason, meter_stop, closed_by, closed_by_user FROM pg_temp.tx(pg_temp.id('z3'))$$,
                  $$VALUES (now(), 'Other', 1234::bigint, 'operator', session_user::text COLLATE "default")$$,
                  'recorded as an operator stop, with who');
SELECT throws_ok(format('SELECT ocpp.close_transaction(%s)', :z3), 'OC007', 'transaction already stopped',
                 'a stopped transaction cannot be closed');
SELECT throws_ok($$SELECT ocpp.close_transaction(-5)$$, 'OC010', 'unknown transaction', 'an unknown transaction');
SELECT throws_ok(format('SELECT ocpp.close_transaction(%s, %L)', pg_temp.start16('Z-2', 1, 'D-4', '2024-06-02T10:00:00Z'), 'Bored'),
                 'OC007', 'invalid reason', 'a reason OCPP does not have');
SELECT throws_ok(format('SELECT ocpp.close_transaction(%s, meter_stop => -1)', (SELECT max(id) FROM cs.transaction)),
                 'OC007', 'invalid meter_stop', 'a negative meter stop');
SELECT is(ocpp.close_transaction((SELECT max(id) FROM cs.transaction), 'EmergencyStop')->>'stopReason', 'EmergencyStop',
          'any OCPP stop reason');

-- 2.0.1: a boot ends the station's open transactions as PowerLoss
SELECT pg_temp.te('Y-1', '{"eventType": "Started", "timestamp": "2024-06-01T10:00:00Z", "triggerReason": "Authorized",
    "seqNo": 0, "transactionInfo": {"transactionId": "YT-1"}, "evse": {"id": 1, "connectorId": 1},
    "idToken": {"idToken": "Y-DRIVER", "type": "Central"},
    "meterValue": [{"timestamp": "2024-06-01T10:00:00Z", "sampledValue": [{"value": 500, "context": "Transaction.Begin"}]}]}');
SELECT is(ocpp.parse('Y-2', 'u', 'Authorize', '{"idToken": {"idToken": "Y-DRIVER", "type": "Central"}}', NULL, '2.0.1'),
          '{"idTokenInfo": {"status": "ConcurrentTx"}}', '2.0.1: a running transaction counts');
SELECT ocpp.parse('Y-1', 'u', 'BootNotification', '{"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}',
                  NULL, '2.0.1');
SELECT results_eq($$SELECT stopped_at, stop_reason, stopped_reason, meter_stop, closed_by FROM pg_temp.tx201('Y-1', 'YT-1')$$,
                  $$VALUES (now(), 'PowerLoss', NULL::text, 500::bigint, 'BootNotification')$$,
                  '2.0.1 boot: closed as PowerLoss (stoppedReason is what the station sent: none)');
SELECT is((SELECT count(*) FROM cs.review WHERE action = 'BootNotification'), 2::bigint, 'with a review row');
-- the station's own Ended event still wins
SELECT pg_temp.te('Y-1', '{"eventType": "Ended", "timestamp": "2024-06-01T10:40:00Z", "triggerReason": "AbnormalCondition",
    "seqNo": 1, "transactionInfo": {"transactionId": "YT-1", "stoppedReason": "PowerLoss"},
    "meterValue": [{"timestamp": "2024-06-01T10:40:00Z", "sampledValue": [{"value": 900, "context": "Transaction.End"}]}]}');
SELECT results_eq($$SELECT stopped_at, stop_reason, stopped_reason, meter_stop, closed_by FROM pg_temp.tx201('Y-1', 'YT-1')$$,
                  $$VALUES ('2024-06-01T10:40:00Z'::timestamptz, 'PowerLoss', 'PowerLoss', 900::bigint, NULL::text)$$,
                  '2.0.1: the station''s Ended replaces the rule''s stop');
SELECT is((SELECT reason FROM cs.review ORDER BY id DESC LIMIT 1),
          'transaction closed by BootNotification, then ended by the station', 'and is reviewed');

-- 2.0.1: connectorStatus Available on its EVSE and connector
SELECT pg_temp.te('Y-1', '{"eventType": "Started", "timestamp": "2024-06-01T11:00:00Z", "triggerReason": "Authorized",
    "seqNo": 0, "transactionInfo": {"transactionId": "YT-2"}, "evse": {"id": 2, "connectorId": 1},
    "idToken": {"idToken": "Y-DRIVER", "type": "Central"}}');
SELECT ocpp.parse('Y-1', 'u', 'StatusNotification',
                  '{"timestamp": "2024-06-01T11:05:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 1}',
                  NULL, '2.0.1');
SELECT is((pg_temp.tx201('Y-1', 'YT-2')).stopped_at, NULL, '2.0.1: Available on another EVSE closes nothing');
SELECT ocpp.set_setting('transaction.stop_on_available', 'false');
SELECT ocpp.parse('Y-1', 'u', 'StatusNotification',
                  '{"timestamp": "2024-06-01T11:06:00Z", "connectorStatus": "Available", "evseId": 2, "connectorId": 1}',
                  NULL, '2.0.1');
SELECT is(ocpp.parse('Y-2', 'u', 'Authorize', '{"idToken": {"idToken": "Y-DRIVER", "type": "Central"}}', NULL, '2.0.1'),
          '{"idTokenInfo": {"status": "Accepted"}}', '2.0.1: a transaction on an Available connector does not count');
SELECT ocpp.set_setting('transaction.stop_on_available', 'true');
SELECT ocpp.parse('Y-1', 'u', 'StatusNotification',
                  '{"timestamp": "2024-06-01T11:10:00Z", "connectorStatus": "Available", "evseId": 2, "connectorId": 1}',
                  NULL, '2.0.1');
SELECT results_eq($$SELECT stopped_at, stop_reason, closed_by FROM pg_temp.tx201('Y-1', 'YT-2')$$,
                  $$VALUES ('2024-06-01T11:10:00Z'::timestamptz, 'Other', 'StatusNotification')$$,
                  '2.0.1: Available on its EVSE and connector closes it as Other');

SELECT * FROM finish();
ROLLBACK;
