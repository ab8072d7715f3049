-- MeterValues: one row per sampled value, 1.6 defaults, numeric values, connector mapping.
BEGIN;
SELECT plan(9);

SELECT is(ocpp.parse('M-1', 'u1', 'MeterValues', '{
    "connectorId": 3, "transactionId": 77,
    "meterValue": [
        {"timestamp": "2024-04-01T10:00:00Z", "sampledValue": [
            {"value": "1234"},
            {"value": "7.2", "context": "Sample.Clock", "format": "Raw", "measurand": "Power.Active.Import",
             "phase": "L1-N", "location": "Inlet", "unit": "kW"}]},
        {"timestamp": "2024-04-01T10:01:00+02:00", "sampledValue": [
            {"value": "AB12CD", "format": "SignedData"},
            {"value": "-1.5e3"},
            {"value": "n/a"}]}]}'), '{}', 'MeterValues answers {}');

SELECT results_eq(
    $$SELECT s.identity, m.evse_id, m.connector_id, m.transaction_id, m.sampled_at, m.value, m.numeric_value,
             m.context, m.format, m.measurand, m.phase, m.location, m.unit, m.received_at
        FROM cs.meter_value m JOIN cs.station s ON s.id = m.station_id ORDER BY m.id$$,
    $$VALUES
        ('M-1', 3, 1, 77, '2024-04-01T10:00:00Z'::timestamptz, '1234', 1234::numeric,
         'Sample.Periodic', 'Raw', 'Energy.Active.Import.Register', NULL::text, 'Outlet', 'Wh', now()),
        ('M-1', 3, 1, 77, '2024-04-01T10:00:00Z', '7.2', 7.2,
         'Sample.Clock', 'Raw', 'Power.Active.Import', 'L1-N', 'Inlet', 'kW', now()),
        ('M-1', 3, 1, 77, '2024-04-01T08:01:00Z', 'AB12CD', NULL,
         'Sample.Periodic', 'SignedData', 'Energy.Active.Import.Register', NULL, 'Outlet', 'Wh', now()),
        ('M-1', 3, 1, 77, '2024-04-01T08:01:00Z', '-1.5e3', -1500,
         'Sample.Periodic', 'Raw', 'Energy.Active.Import.Register', NULL, 'Outlet', 'Wh', now()),
        ('M-1', 3, 1, 77, '2024-04-01T08:01:00Z', 'n/a', NULL,
         'Sample.Periodic', 'Raw', 'Energy.Active.Import.Register', NULL, 'Outlet', 'Wh', now())$$,
    'one row per sampled value, defaults filled in, values as sent and as numbers');

-- connector 0, no transaction
SELECT is(ocpp.parse('M-1', 'u2', 'MeterValues',
    '{"connectorId": 0, "meterValue": [{"timestamp": "2024-04-01T11:00:00Z", "sampledValue": [{"value": "230", "measurand": "Voltage", "unit": "V"}]}]}'),
    '{}', 'MeterValues of connector 0');
SELECT results_eq($$SELECT evse_id, connector_id, transaction_id, value, measurand, unit FROM cs.meter_value
                     WHERE sampled_at = '2024-04-01T11:00:00Z'$$,
                  $$VALUES (0, 0, NULL::int, '230', 'Voltage', 'V')$$, 'connector 0 is EVSE 0 / connector 0, no transaction');

-- a value too long to be a sane number is kept as text only
SELECT ocpp.parse('M-1', 'u3', 'MeterValues', jsonb_build_object('connectorId', 1, 'meterValue',
    jsonb_build_array(jsonb_build_object('timestamp', '2024-04-01T12:00:00Z', 'sampledValue',
        jsonb_build_array(jsonb_build_object('value', repeat('9', 200)))))));
SELECT results_eq($$SELECT length(value), numeric_value FROM cs.meter_value WHERE sampled_at = '2024-04-01T12:00:00Z'$$,
                  $$VALUES (200, NULL::numeric)$$, 'an absurdly long number is stored as text only');

-- meter values of a running transaction
SELECT ocpp.parse('M-1', 'u4', 'StartTransaction', '{"connectorId": 2, "idTag": "MV", "meterStart": 0, "timestamp": "2024-04-01T13:00:00Z"}') AS start \gset
SELECT ocpp.parse('M-1', 'u5', 'MeterValues', jsonb_build_object('connectorId', 2, 'transactionId', (:'start'::jsonb->>'transactionId')::int,
    'meterValue', '[{"timestamp": "2024-04-01T13:05:00Z", "sampledValue": [{"value": "100", "context": "Sample.Periodic"}]},
                    {"timestamp": "2024-04-01T13:10:00Z", "sampledValue": [{"value": "200"}]}]'::jsonb));
SELECT results_eq(format($$SELECT evse_id, connector_id, value FROM cs.meter_value WHERE transaction_id = %s ORDER BY sampled_at$$,
                         (:'start'::jsonb->>'transactionId')::int),
                  $$VALUES (2, 1, '100'), (2, 1, '200')$$, 'meter values are linked to their transaction');
SELECT is((SELECT count(*) FROM cs.meter_value), 9::bigint, 'nine rows in all');

-- the set-based insert writes rows and reports how many
SELECT is(cs.v16_insert_meter_values((SELECT id FROM cs.station WHERE identity = 'M-1'), 1, 1, NULL,
          '[{"timestamp": "2024-04-01T14:00:00Z", "sampledValue": [{"value": "1"}, {"value": "2"}, {"value": "3"}]}]'),
          3, 'cs.v16_insert_meter_values returns the row count');
SELECT is(cs.v16_insert_meter_values((SELECT id FROM cs.station WHERE identity = 'M-1'), 1, 1, NULL, '[]'), 0,
          'an empty meterValue array writes nothing');

SELECT * FROM finish();
ROLLBACK;
