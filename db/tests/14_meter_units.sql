-- The unit of a sampled value sent without one (issue 13, item 9): cs.measurand_unit, for 1.6
-- MeterValues and 2.0.1 MeterValues / TransactionEvent alike.
BEGIN;
SELECT plan(6);

SELECT results_eq(
    $$SELECT m, cs.measurand_unit(m) FROM unnest(ARRAY[
        'Energy.Active.Import.Register', 'Energy.Active.Export.Interval', 'Energy.Active.Net',
        'Energy.Reactive.Import.Register', 'Energy.Reactive.Export.Interval', 'Energy.Reactive.Net',
        'Energy.Apparent.Net', 'Energy.Apparent.Import',
        'Power.Active.Import', 'Power.Offered', 'Power.Reactive.Export', 'Power.Factor',
        'Current.Import', 'Current.Offered', 'Voltage', 'Frequency', 'Temperature', 'SoC', 'RPM', 'Something.Else'])
        WITH ORDINALITY AS u (m, n) ORDER BY n$$,
    $$VALUES ('Energy.Active.Import.Register', 'Wh'), ('Energy.Active.Export.Interval', 'Wh'), ('Energy.Active.Net', 'Wh'),
             ('Energy.Reactive.Import.Register', 'varh'), ('Energy.Reactive.Export.Interval', 'varh'),
             ('Energy.Reactive.Net', 'varh'), ('Energy.Apparent.Net', 'VAh'), ('Energy.Apparent.Import', 'VAh'),
             ('Power.Active.Import', 'W'), ('Power.Offered', 'W'), ('Power.Reactive.Export', 'var'),
             ('Power.Factor', NULL), ('Current.Import', 'A'), ('Current.Offered', 'A'), ('Voltage', 'V'),
             ('Frequency', 'Hz'), ('Temperature', 'Celsius'), ('SoC', 'Percent'), ('RPM', NULL),
             ('Something.Else', NULL)$$,
    'cs.measurand_unit: the OCPP unit of each measurand');

SELECT ocpp.parse('U-1', 'u', 'MeterValues', '{"connectorId": 1, "meterValue": [{"timestamp": "2024-08-01T10:00:00Z",
    "sampledValue": [{"value": "10"}, {"value": "7400", "measurand": "Power.Active.Import"},
                     {"value": "32", "measurand": "Current.Import", "phase": "L1"}, {"value": "0.98", "measurand": "Power.Factor"},
                     {"value": "230", "measurand": "Voltage", "unit": "V"}, {"value": "50", "measurand": "Frequency"},
                     {"value": "1.2", "measurand": "Power.Active.Import", "unit": "kW"}]}]}');
SELECT results_eq($$SELECT measurand, unit FROM cs.meter_value ORDER BY id$$,
                  $$VALUES ('Energy.Active.Import.Register', 'Wh'), ('Power.Active.Import', 'W'), ('Current.Import', 'A'),
                           ('Power.Factor', NULL), ('Voltage', 'V'), ('Frequency', 'Hz'), ('Power.Active.Import', 'kW')$$,
                  '1.6: a missing unit is the measurand''s own, a unit sent is kept');

SELECT ocpp.parse('U-2', 'u', 'MeterValues', '{"evseId": 1, "meterValue": [{"timestamp": "2024-08-01T10:00:00Z",
    "sampledValue": [{"value": 10}, {"value": 7.4, "measurand": "Power.Active.Import", "unitOfMeasure": {"multiplier": 3}},
                     {"value": 80, "measurand": "SoC"}, {"value": 16, "measurand": "Current.Offered"}]}]}', NULL, '2.0.1');
SELECT results_eq($$SELECT m.measurand, m.unit, m.numeric_value FROM cs.meter_value AS m JOIN cs.station AS s ON s.id = m.station_id
                     WHERE s.identity = 'U-2' ORDER BY m.id$$,
                  $$VALUES ('Energy.Active.Import.Register', 'Wh', 10::numeric), ('Power.Active.Import', 'W', 7400),
                           ('SoC', 'Percent', 80), ('Current.Offered', 'A', 16)$$,
                  '2.0.1 MeterValues: the same defaults, multiplier applied');

SELECT ocpp.parse('U-2', 'u', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-08-01T10:00:00Z",
    "triggerReason": "CablePluggedIn", "seqNo": 0, "transactionInfo": {"transactionId": "UT-1"},
    "meterValue": [{"timestamp": "2024-08-01T10:00:00Z", "sampledValue": [
        {"value": 5000, "context": "Transaction.Begin"}, {"value": 11000, "measurand": "Power.Offered", "context": "Transaction.Begin"}]}]}',
    NULL, '2.0.1');
SELECT results_eq($$SELECT m.measurand, m.unit FROM cs.meter_value AS m JOIN cs.transaction AS t ON t.id = m.transaction_id
                     WHERE t.transaction_ref = 'UT-1' ORDER BY m.id$$,
                  $$VALUES ('Energy.Active.Import.Register', 'Wh'), ('Power.Offered', 'W')$$,
                  '2.0.1 TransactionEvent: the same defaults');
SELECT is((SELECT meter_start FROM cs.transaction WHERE transaction_ref = 'UT-1'), 5000::bigint,
          'the register value still gives the meter start');
SELECT is((SELECT count(*) FROM cs.meter_value WHERE unit IS NULL), 1::bigint, 'Power.Factor has no unit');

SELECT * FROM finish();
ROLLBACK;
