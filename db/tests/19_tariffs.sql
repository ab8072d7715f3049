-- Tariffs and cost: price periods (across midnight, weekdays, time zones), VAT, session fee, the tariff
-- of an EVSE and of an id token group, the cost of 1.6 and 2.0.1 transactions, recompute, CostUpdated,
-- the California Pricing FinalCost and RunningCost messages, the 2.1 tariff messages and their effects, every error.
BEGIN;
SELECT plan(69);

SELECT ocpp.node_start('nt');
SELECT ocpp.connect('TF-16', NULL, '1.6', 'nt');
SELECT ocpp.connect('TF-201', NULL, '2.0.1', 'nt');
SELECT ocpp.connect('TF-21', NULL, '2.1', 'nt');
CREATE FUNCTION pg_temp.answer(cmd bigint, response jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cs.command SET status = 'sent', node = 'nt', sent_at = now(), unique_id = gen_random_uuid()::text
     WHERE id = cmd AND status = 'queued';
    PERFORM ocpp.command_result(cmd, response);
    RETURN cmd;
END $$;

-- a night tariff: 0.40/kWh and 1.20/h by day, 0.20/kWh Friday night 22:00-06:00, fee 0.50, VAT 10 %
SELECT is(ocpp.set_tariff('NIGHT', 'EUR', 0.40, 1.20, 0.50, 10,
                          '[{"start": "22:00", "end": "06:00", "days": ["Friday"], "energyPrice": 0.20}]')
              - 'updatedAt',
          '{"id": "NIGHT", "currency": "EUR", "energyPrice": 0.40, "timePrice": 1.20, "sessionFee": 0.50,
            "vatPercent": 10, "timeZone": "UTC", "description": null,
            "periods": [{"start": "22:00", "end": "06:00", "days": ["Friday"], "energyPrice": 0.20, "timePrice": 1.20}]}',
          'set_tariff stores a tariff; a period without timePrice takes the base one');

-- 2024-03-01 is a Friday
SELECT is((SELECT energy_price FROM cs.tariff_price_at('NIGHT', '2024-03-01T23:00:00Z')), 0.20, 'Friday 23:00: the night price');
SELECT is((SELECT energy_price FROM cs.tariff_price_at('NIGHT', '2024-03-02T02:00:00Z')), 0.20,
          'Saturday 02:00: still Friday''s night (past midnight)');
SELECT is((SELECT energy_price FROM cs.tariff_price_at('NIGHT', '2024-03-01T02:00:00Z')), 0.40,
          'Friday 02:00: Thursday''s night is not priced so');
SELECT is((SELECT energy_price FROM cs.tariff_price_at('NIGHT', '2024-03-02T23:00:00Z')), 0.40, 'Saturday 23:00: the day price');
SELECT is((SELECT energy_price FROM cs.tariff_price_at('NIGHT', '2024-03-02T06:00:00Z')), 0.40, 'the period ends at 06:00 (exclusive)');
SELECT results_eq($$SELECT starts_at, ends_at, energy_price FROM cs.tariff_segments('NIGHT', '2024-03-01T20:00:00Z', '2024-03-02T08:00:00Z')$$,
                  $$VALUES ('2024-03-01T20:00:00Z'::timestamptz, '2024-03-01T22:00:00Z'::timestamptz, 0.40),
                           ('2024-03-01T22:00:00Z', '2024-03-02T06:00:00Z', 0.20),
                           ('2024-03-02T06:00:00Z', '2024-03-02T08:00:00Z', 0.40)$$,
                  'segments across midnight, equal neighbours merged');

-- a time zone: 08:00-20:00 Berlin time
SELECT ocpp.set_tariff('DAY-BERLIN', 'EUR', 0.50, periods => '[{"start": "08:00", "end": "20:00", "energyPrice": 0.25}]',
                       time_zone => 'Europe/Berlin');
SELECT is((SELECT energy_price FROM cs.tariff_price_at('DAY-BERLIN', '2024-01-10T07:30:00Z')), 0.25,
          '07:30 UTC is 08:30 in Berlin (winter)');
SELECT is((SELECT energy_price FROM cs.tariff_price_at('DAY-BERLIN', '2024-07-10T18:30:00Z')), 0.50,
          '18:30 UTC is 20:30 in Berlin (summer)');

-- assignments: NIGHT the default everywhere, FLEET for tokens of group FLEET, EVSE2 at TF-16 EVSE 2
SELECT ocpp.set_tariff('FLEET', 'EUR', 0.10);
SELECT ocpp.set_tariff('EVSE2', 'EUR', 0.99);
SELECT ocpp.assign_tariff('NIGHT') AS a_default \gset
SELECT ocpp.assign_tariff('FLEET', id_token_group => 'FLEET');
SELECT ocpp.assign_tariff('EVSE2', 'TF-16', 2);
SELECT ocpp.set_id_tag('T-FLEET', 'Accepted', NULL, 'FLEET');
SELECT is(:'a_default'::jsonb - 'id' - 'createdAt',
          '{"tariffId": "NIGHT", "identity": null, "evseId": null, "idTokenGroup": null}', 'assign_tariff: the default tariff');
SELECT is(cs.tariff_for((SELECT id FROM cs.station WHERE identity = 'TF-16'), 1, 'T-ANY'), 'NIGHT', 'any token: the default');
SELECT is(cs.tariff_for((SELECT id FROM cs.station WHERE identity = 'TF-16'), 1, 't-fleet'), 'FLEET',
          'a token of group FLEET (its 1.6 parentIdTag, case insensitive): the group tariff');
SELECT is(cs.tariff_for((SELECT id FROM cs.station WHERE identity = 'TF-16'), 2, 'T-ANY'), 'EVSE2', 'an EVSE''s own tariff');
SELECT is(cs.tariff_for((SELECT id FROM cs.station WHERE identity = 'TF-16'), 2, 'T-FLEET'), 'FLEET', 'the group wins over the EVSE');
SELECT is((SELECT (ocpp.assign_tariff('DAY-BERLIN', 'TF-16', 2))->>'tariffId'), 'DAY-BERLIN', 'the same scope is replaced');
SELECT is((SELECT count(*) FROM cs.tariff_assignment), 3::bigint, 'and not added');
SELECT ocpp.assign_tariff('EVSE2', 'TF-16', 2);

-- the price periods for smart charging: VAT included, no token
SELECT results_eq($$SELECT starts_at, ends_at, energy_price, time_price, currency
                      FROM cs.tariff_price_periods((SELECT id FROM cs.station WHERE identity = 'TF-16'), 1,
                                                   '2024-03-01T21:00:00Z', '2024-03-01T23:00:00Z')$$,
                  $$VALUES ('2024-03-01T21:00:00Z'::timestamptz, '2024-03-01T22:00:00Z'::timestamptz, 0.440, 1.320, 'EUR'),
                           ('2024-03-01T22:00:00Z', '2024-03-01T23:00:00Z', 0.220, 1.320, 'EUR')$$,
                  'tariff_price_periods: the default tariff''s periods with VAT');
SELECT is((SELECT count(*) FROM cs.tariff_price_periods(0, 1, now(), now())), 0::bigint,
          'tariff_price_periods: an empty range has no period');

-- a 1.6 transaction Friday 21:00-23:00, 10 kWh before 22:00 and 10 kWh after
SELECT (ocpp.parse('TF-16', 'u1', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-ANY", "meterStart": 0, "timestamp": "2024-03-01T21:00:00Z"}')->>'transactionId')::int AS tx1 \gset
SELECT ocpp.parse('TF-16', 'u2', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [{"timestamp": "2024-03-01T22:00:00Z",
    "sampledValue": [{"value": "10", "unit": "kWh", "measurand": "Energy.Active.Import.Register"}]}]}', :tx1)::jsonb);
SELECT is((SELECT (total, final) FROM cs.transaction_cost WHERE transaction_id = :tx1),
          (4.00 + 1.20 + 0.50 + 0.57, false), 'MeterValues: the running cost up to the last reading');
SELECT ocpp.parse('TF-16', 'u3', 'StopTransaction',
    format('{"transactionId": %s, "meterStop": 20000, "timestamp": "2024-03-01T23:00:00Z"}', :tx1)::jsonb);
SELECT is((ocpp.transactionlist('TF-16', 1)->0->'cost') - 'computedAt',
          '{"total": 9.79, "currency": "EUR", "energy": 6.00, "time": 2.40, "fee": 0.50, "vat": 0.89,
            "energyWh": 20000, "tariffId": "NIGHT", "final": true}',
          'StopTransaction: the final cost (4.00 + 2.00 energy, 2 h, fee, VAT) in the transaction list');
SELECT is((SELECT count(*) FROM cs.command WHERE action = 'DataTransfer'), 0::bigint,
          'no California Pricing message to a station that did not announce it');

-- a rise without readings between is split over the periods in proportion to time
SELECT (ocpp.parse('TF-16', 'u4', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-ANY", "meterStart": 100000, "timestamp": "2024-03-01T21:30:00Z"}')->>'transactionId')::int AS tx2 \gset
INSERT INTO cs.configuration_key (station_id, key, value, readonly)
VALUES ((SELECT id FROM cs.station WHERE identity = 'TF-16'), 'CustomDisplayCostAndPrice', 'true', true);
SELECT ocpp.parse('TF-16', 'u5', 'StopTransaction',
    format('{"transactionId": %s, "meterStop": 110000, "timestamp": "2024-03-01T22:30:00Z"}', :tx2)::jsonb);
SELECT is((SELECT energy FROM cs.transaction_cost WHERE transaction_id = :tx2), 3.00, '5 kWh at 0.40 and 5 kWh at 0.20');
SELECT is((SELECT payload - 'data' FROM cs.command WHERE action = 'DataTransfer'),
          '{"vendorId": "org.openchargealliance.costmsg", "messageId": "FinalCost"}',
          'California Pricing: FinalCost to a station with CustomDisplayCostAndPrice true');
SELECT is((SELECT (payload->>'data')::jsonb - 'priceText' FROM cs.command WHERE action = 'DataTransfer'),
          jsonb_build_object('transactionId', :tx2, 'cost', 3.00 + 1.20 + 0.50 + 0.47), 'its data: the transactionId and the cost');
SELECT ocpp.set_setting('tariff.california_pricing', 'false');

-- a token of the group
SELECT (ocpp.parse('TF-16', 'u6', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-FLEET", "meterStart": 0, "timestamp": "2024-03-04T10:00:00Z"}')->>'transactionId')::int AS tx3 \gset
SELECT ocpp.parse('TF-16', 'u7', 'StopTransaction',
    format('{"transactionId": %s, "meterStop": 10000, "timestamp": "2024-03-04T11:00:00Z"}', :tx3)::jsonb);
SELECT is((SELECT (tariff_id, total) FROM cs.transaction_cost WHERE transaction_id = :tx3), ('FLEET'::text, 1.00),
          'the group''s tariff: 10 kWh at 0.10, no fee, no VAT');
SELECT is((SELECT count(*) FROM cs.command WHERE action = 'DataTransfer'), 1::bigint, 'tariff.california_pricing off: no message');

-- recompute after a price change
SELECT ocpp.set_tariff('FLEET', 'EUR', 0.15, vat_percent => 20);
SELECT is((SELECT total FROM cs.transaction_cost WHERE transaction_id = :tx3), 1.00, 'a price change leaves stored costs');
SELECT is(ocpp.transaction_cost(:tx3)->'total', '1.80', 'transaction_cost recomputes: 1.50 + 20 % VAT');
SELECT is((SELECT total FROM cs.transaction_cost WHERE transaction_id = :tx3), 1.80, 'and stores it');
SELECT is(ocpp.transaction_cost((SELECT id FROM cs.transaction WHERE id = :tx3)), ocpp.transaction_cost(:tx3),
          'recomputing twice gives the same');

-- an operator closes a transaction the station never stopped: it is priced too
SELECT (ocpp.parse('TF-16', 'u8', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-ANY", "meterStart": 0, "timestamp": "2024-03-04T10:00:00Z"}')->>'transactionId')::int AS tx4 \gset
SELECT is((ocpp.close_transaction(:tx4, 'Other', 2000, '2024-03-04T10:00:00Z')->'cost'->>'total')::numeric, 1.43,
          'ocpp.close_transaction: the final cost (2 kWh at 0.40, no time, fee, VAT)');

-- 2.0.1: totalCost on Ended, CostUpdated on Updated at the interval
SELECT is(ocpp.parse('TF-201', 'e1', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-03-04T10:00:00Z",
    "triggerReason": "Authorized", "seqNo": 0, "transactionInfo": {"transactionId": "TX-A"}, "evse": {"id": 1, "connectorId": 1},
    "meterValue": [{"timestamp": "2024-03-04T10:00:00Z", "sampledValue": [{"value": 0, "context": "Transaction.Begin"}]}]}',
    NULL, '2.0.1'), '{}', 'Started: no totalCost');
SELECT ocpp.set_setting('tariff.cost_updated_interval', '60');
SELECT ocpp.parse('TF-201', 'e2', 'TransactionEvent', '{"eventType": "Updated", "timestamp": "2024-03-04T10:30:00Z",
    "triggerReason": "MeterValuePeriodic", "seqNo": 1, "transactionInfo": {"transactionId": "TX-A"},
    "meterValue": [{"timestamp": "2024-03-04T10:30:00Z", "sampledValue": [{"value": 5000}]}]}', NULL, '2.0.1');
SELECT is((SELECT count(*) FROM cs.command WHERE action = 'CostUpdated'), 0::bigint, 'no CostUpdated before the interval passed');
UPDATE cs.transaction SET created_at = now() - interval '2 minutes' WHERE transaction_ref = 'TX-A';
SELECT is(ocpp.parse('TF-201', 'e3', 'TransactionEvent', '{"eventType": "Updated", "timestamp": "2024-03-04T10:40:00Z",
    "triggerReason": "MeterValuePeriodic", "seqNo": 2, "transactionInfo": {"transactionId": "TX-A"},
    "meterValue": [{"timestamp": "2024-03-04T10:40:00Z", "sampledValue": [{"value": 6000}]}]}', NULL, '2.0.1'),
    '{}', 'Updated: no totalCost in the answer');
SELECT is((SELECT payload FROM cs.command WHERE action = 'CostUpdated'),
          jsonb_build_object('totalCost', 2.40 + 0.80 + 0.50 + 0.37, 'transactionId', 'TX-A'),
          'then CostUpdated with the running total (6 kWh, 40 min, fee, VAT)');
SELECT ocpp.parse('TF-201', 'e4', 'TransactionEvent', '{"eventType": "Updated", "timestamp": "2024-03-04T10:50:00Z",
    "triggerReason": "MeterValuePeriodic", "seqNo": 3, "transactionInfo": {"transactionId": "TX-A"}}', NULL, '2.0.1');
SELECT is((SELECT count(*) FROM cs.command WHERE action = 'CostUpdated'), 1::bigint, 'not again within the interval');
SELECT is(ocpp.parse('TF-201', 'e5', 'TransactionEvent', '{"eventType": "Ended", "timestamp": "2024-03-04T11:00:00Z",
    "triggerReason": "EVDeparted", "seqNo": 4, "transactionInfo": {"transactionId": "TX-A"},
    "meterValue": [{"timestamp": "2024-03-04T11:00:00Z", "sampledValue": [{"value": 10000, "context": "Transaction.End"}]}]}',
    NULL, '2.0.1'), '{"totalCost": 6.27}', 'Ended: totalCost (4.00 + 1.20 + 0.50 + 0.57)');
SELECT is(ocpp.parse('TF-201', 'e5', 'TransactionEvent', '{"eventType": "Ended", "timestamp": "2024-03-04T11:00:00Z",
    "triggerReason": "EVDeparted", "seqNo": 4, "transactionInfo": {"transactionId": "TX-A"},
    "meterValue": [{"timestamp": "2024-03-04T11:00:00Z", "sampledValue": [{"value": 10000, "context": "Transaction.End"}]}]}',
    NULL, '2.0.1'), '{"totalCost": 6.27}', 'a retransmitted Ended gets the same');
SELECT is(ocpp.parse('TF-21', 'w1', 'TransactionEvent', '{"eventType": "Updated", "timestamp": "2024-03-04T10:30:00Z",
    "triggerReason": "RunningCost", "seqNo": 0, "transactionInfo": {"transactionId": "TX-W"}, "evse": {"id": 1, "connectorId": 1},
    "meterValue": [{"timestamp": "2024-03-04T10:30:00Z", "sampledValue": [{"value": 5000}]}]}', NULL, '2.1'),
    '{"totalCost": 0.55}', '2.1 Updated: the running cost as totalCost (its first reading is the start: the fee and VAT)');

-- 1.6 California Pricing RunningCost: on MeterValues of a running transaction at the interval
SELECT ocpp.set_setting('tariff.california_pricing', 'true');
SELECT (ocpp.parse('TF-16', 'r1', 'StartTransaction',
    '{"connectorId": 1, "idTag": "T-ANY", "meterStart": 0, "timestamp": "2024-03-05T10:00:00Z"}')->>'transactionId')::int AS tx5 \gset
SELECT ocpp.parse('TF-16', 'r2', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [{"timestamp": "2024-03-05T10:30:00Z",
    "sampledValue": [{"value": "5000", "measurand": "Energy.Active.Import.Register"}]}]}', :tx5)::jsonb);
SELECT is((SELECT count(*) FROM cs.command WHERE payload->>'messageId' = 'RunningCost'), 0::bigint,
          'no RunningCost before the interval passed');
UPDATE cs.transaction SET created_at = now() - interval '2 minutes' WHERE id = :tx5;
SELECT ocpp.parse('TF-16', 'r3', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [{"timestamp": "2024-03-05T10:40:00Z",
    "sampledValue": [{"value": "6", "unit": "kWh", "measurand": "Energy.Active.Import.Register"}]}]}', :tx5)::jsonb);
SELECT is((SELECT payload - 'data' FROM cs.command WHERE payload->>'messageId' = 'RunningCost'),
          '{"vendorId": "org.openchargealliance.costmsg", "messageId": "RunningCost"}',
          'then a RunningCost DataTransfer to the station with CustomDisplayCostAndPrice true');
SELECT is((SELECT (payload->>'data')::jsonb - 'timestamp' - 'chargingPrice' - 'nextPeriod' FROM cs.command
            WHERE payload->>'messageId' = 'RunningCost'),
          jsonb_build_object('transactionId', :tx5, 'meterValue', 6000, 'cost', 2.40 + 0.80 + 0.50 + 0.37, 'state', 'Charging'),
          'its data: the transaction, the register in Wh, the running total (6 kWh, 40 min, fee, VAT), Charging');
SELECT ok((SELECT (d->'chargingPrice'->>'kWhPrice')::numeric IN (0.44, 0.22)
                  AND d->'chargingPrice'->'hourPrice' = '1.32' AND d->'chargingPrice'->'flatFee' = '0.55'
                  AND (d->>'timestamp')::timestamptz IS NOT NULL
             FROM (SELECT (payload->>'data')::jsonb AS d FROM cs.command WHERE payload->>'messageId' = 'RunningCost') AS x),
          'and the prices in force, VAT included');
SELECT ocpp.parse('TF-16', 'r4', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [{"timestamp": "2024-03-05T10:50:00Z",
    "sampledValue": [{"value": "7", "unit": "kWh", "measurand": "Energy.Active.Import.Register"}]}]}', :tx5)::jsonb);
SELECT is((SELECT count(*) FROM cs.command WHERE payload->>'messageId' = 'RunningCost'), 1::bigint, 'not again within the interval');
UPDATE cs.transaction_cost SET cost_updated_at = now() - interval '2 minutes' WHERE transaction_id = :tx5;
SELECT ocpp.set_setting('tariff.california_pricing', 'false');
SELECT ocpp.parse('TF-16', 'r5', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [{"timestamp": "2024-03-05T10:55:00Z",
    "sampledValue": [{"value": "8", "unit": "kWh", "measurand": "Energy.Active.Import.Register"}]}]}', :tx5)::jsonb);
SELECT is((SELECT count(*) FROM cs.command WHERE payload->>'messageId' = 'RunningCost'), 1::bigint,
          'tariff.california_pricing off: no RunningCost');
DELETE FROM cs.tariff_assignment;
SELECT is(ocpp.parse('TF-201', 'e6', 'TransactionEvent', '{"eventType": "Ended", "timestamp": "2024-03-04T11:00:00Z",
    "triggerReason": "EVDeparted", "seqNo": 0, "transactionInfo": {"transactionId": "TX-B"}}', NULL, '2.0.1'),
    '{}', 'no tariff applies: no totalCost');
SELECT is(ocpp.transactionlist('TF-201', 1)->0 ? 'cost', false, 'and no cost in the transaction list');

-- 2.1 messages
SELECT is(cs.tariff_v21_json('NIGHT'),
          '{"tariffId": "NIGHT", "currency": "EUR",
            "energy": {"prices": [{"priceKwh": 0.20, "conditions": {"startTimeOfDay": "22:00", "endTimeOfDay": "06:00", "dayOfWeek": ["Friday"]}},
                                  {"priceKwh": 0.40}], "taxRates": [{"type": "VAT", "tax": 10}]},
            "chargingTime": {"prices": [{"priceMinute": 0.02000000000000000000, "conditions": {"startTimeOfDay": "22:00", "endTimeOfDay": "06:00", "dayOfWeek": ["Friday"]}},
                                        {"priceMinute": 0.02000000000000000000}], "taxRates": [{"type": "VAT", "tax": 10}]},
            "fixedFee": {"prices": [{"priceFixed": 0.50}], "taxRates": [{"type": "VAT", "tax": 10}]}}',
          'a tariff as 2.1 TariffType');
SELECT pg_temp.answer(ocpp.set_default_tariff('TF-21', 'NIGHT', 1), '{"status": "Accepted"}');
SELECT pg_temp.answer(ocpp.set_default_tariff('TF-21', 'FLEET'), '{"status": "Rejected"}');
SELECT results_eq($$SELECT evse_id, tariff_id FROM cs.station_tariff$$, $$VALUES (1, 'NIGHT')$$,
                  'SetDefaultTariff: Accepted is recorded, Rejected not');
SELECT pg_temp.answer(ocpp.get_tariffs('TF-21'), '{"status": "Accepted", "tariffAssignments": [
    {"tariffId": "T1", "tariffKind": "DefaultTariff", "evseIds": [1, 2]}, {"tariffId": "D1", "tariffKind": "DriverTariff"}]}');
SELECT results_eq($$SELECT evse_id, tariff_id FROM cs.station_tariff ORDER BY 1$$, $$VALUES (1, 'T1'), (2, 'T1')$$,
                  'GetTariffs: the default tariffs the station reports');
SELECT pg_temp.answer(ocpp.clear_tariffs('TF-21', ARRAY['T1'], 2), '{"clearTariffsResult": [{"tariffId": "T1", "status": "Accepted"}]}');
SELECT results_eq($$SELECT evse_id, tariff_id FROM cs.station_tariff$$, $$VALUES (1, 'T1')$$, 'ClearTariffs at EVSE 2');
INSERT INTO cs.transaction (station_id, evse_id, connector_id, started_at, transaction_ref)
VALUES ((SELECT id FROM cs.station WHERE identity = 'TF-21'), 1, 1, '2024-03-04T10:00:00Z', 'TX-21');
SELECT pg_temp.answer(ocpp.change_transaction_tariff('TF-21', 'TX-21', 'FLEET'), '{"status": "Accepted"}');
SELECT is((SELECT c.tariff_id FROM cs.transaction_cost AS c JOIN cs.transaction AS t ON t.id = c.transaction_id
            WHERE t.transaction_ref = 'TX-21'), 'FLEET', 'ChangeTransactionTariff Accepted: the transaction is priced so');

-- errors
SELECT throws_ok($$SELECT ocpp.set_tariff('X', 'euro')$$, 'OC007', 'invalid currency', 'a currency that is no ISO 4217 code');
SELECT throws_ok($$SELECT ocpp.set_tariff('X', 'EUR', -1)$$, 'OC007', 'invalid energy_price', 'a negative price');
SELECT throws_ok($$SELECT ocpp.set_tariff('X', 'EUR', vat_percent => 100)$$, 'OC007', 'invalid vat_percent', 'VAT of 100 %');
SELECT throws_ok($$SELECT ocpp.set_tariff('X', 'EUR', periods => '[{"start": "24:00", "end": "06:00"}]')$$, 'OC007',
                 'invalid periods', 'a period time that is not HH:MM');
SELECT throws_ok($$SELECT ocpp.set_tariff('X', 'EUR', periods => '[{"start": "01:00", "end": "06:00", "days": ["Funday"]}]')$$,
                 'OC007', 'invalid periods', 'a day that is no weekday');
SELECT throws_ok($$SELECT ocpp.set_tariff('X', 'EUR', time_zone => 'Mars/Olympus')$$, 'OC007', 'invalid time_zone', 'an unknown time zone');
SELECT throws_ok($$SELECT ocpp.assign_tariff('NOPE')$$, 'OC010', 'unknown tariff', 'assign an unknown tariff');
SELECT throws_ok($$SELECT ocpp.assign_tariff('NIGHT', 'NO-STATION')$$, 'OC010', 'unknown station', 'at an unknown station');
SELECT throws_ok($$SELECT ocpp.assign_tariff('NIGHT', NULL, 1)$$, 'OC007', 'invalid evse_id', 'an EVSE without a station');
SELECT throws_ok($$SELECT ocpp.unassign_tariff(-1)$$, 'OC010', 'unknown tariff assignment', 'unassign an unknown assignment');
SELECT throws_ok($$SELECT ocpp.delete_tariff('NOPE')$$, 'OC010', 'unknown tariff', 'delete an unknown tariff');
SELECT throws_ok($$SELECT ocpp.tariff('NOPE')$$, 'OC010', 'unknown tariff', 'show an unknown tariff');
SELECT throws_ok($$SELECT ocpp.transaction_cost(-1)$$, 'OC010', 'unknown transaction', 'the cost of an unknown transaction');
SELECT throws_ok($$SELECT ocpp.set_default_tariff('TF-201', 'NIGHT')$$, 'OC001', 'action not implemented',
                 'SetDefaultTariff to a 2.0.1 station');
SELECT throws_ok($$SELECT ocpp.set_default_tariff('TF-21', 'NOPE')$$, 'OC010', 'unknown tariff', 'SetDefaultTariff of an unknown tariff');
SELECT throws_ok($$SELECT ocpp.set_setting('tariff.cost_updated_interval', '-1')$$, 'OC007', 'invalid setting value',
                 'a negative CostUpdated interval');
SELECT throws_ok($$SELECT * FROM cs.tariff_segments('NIGHT', now(), now() + interval '400 days')$$, 'OC007', 'invalid range',
                 'price periods of more than 366 days');

SELECT * FROM finish();
ROLLBACK;
