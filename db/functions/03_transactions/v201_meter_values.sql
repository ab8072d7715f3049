-- OCPP 2.0.1 / 2.1 meter values (MeterValues, and TransactionEvent's meterValue). docs/v201.md.

-- cs.v201_insert_meter_values(station_id, evse_id, connector_id, transaction_id, meter_value): one
-- cs.meter_value row per sampledValue of the 2.0.1 meterValue array, in one INSERT: value as sent,
-- numeric_value = value × 10^unitOfMeasure.multiplier (in unit), multiplier and signedMeterValue as
-- sent, the 2.0.1 defaults filled in (measurand Energy.Active.Import.Register, context
-- Sample.Periodic, location Outlet, unit cs.measurand_unit of the measurand; format Raw).
-- transaction_id: the cs.transaction id.
-- Returns the number of rows written and, from the rows of measurand Energy.Active.Import.Register
-- without phase, in Wh: begin_wh (the first of context Transaction.Begin), end_wh (the last of
-- context Transaction.End), first_wh and last_wh (the earliest and latest sampled); null when none.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_insert_meter_values(station_id integer, evse_id integer,
                                                       connector_id integer, transaction_id integer,
                                                       meter_value jsonb,
                                                       OUT written integer, OUT begin_wh bigint,
                                                       OUT end_wh bigint, OUT first_wh bigint,
                                                       OUT last_wh bigint)
LANGUAGE plpgsql
AS $$
BEGIN
    WITH ins AS (
        INSERT INTO cs.meter_value AS m (station_id, evse_id, connector_id, transaction_id, sampled_at,
                                         value, numeric_value, context, format, measurand, phase,
                                         location, unit, multiplier, signed_meter_value)
        SELECT v201_insert_meter_values.station_id, v201_insert_meter_values.evse_id,
               v201_insert_meter_values.connector_id, v201_insert_meter_values.transaction_id,
               (mv->>'timestamp')::timestamptz,
               sv->>'value',
               -- bounded digits and multiplier so that no value can make the arithmetic fail
               CASE WHEN sv->>'value' ~ '^-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?$'
                     AND coalesce((sv#>>'{unitOfMeasure,multiplier}')::integer, 0) BETWEEN -30 AND 30
                    THEN trim_scale((sv->>'value')::numeric
                                    * power(10::numeric, coalesce((sv#>>'{unitOfMeasure,multiplier}')::integer, 0)))
               END,
               coalesce(sv->>'context', 'Sample.Periodic'),
               'Raw',
               coalesce(sv->>'measurand', 'Energy.Active.Import.Register'),
               sv->>'phase',
               coalesce(sv->>'location', 'Outlet'),
               coalesce(sv#>>'{unitOfMeasure,unit}',
                        cs.measurand_unit(coalesce(sv->>'measurand', 'Energy.Active.Import.Register'))),
               (sv#>>'{unitOfMeasure,multiplier}')::integer,
               sv->'signedMeterValue'
          FROM jsonb_array_elements(meter_value) AS mv,
               jsonb_array_elements(mv->'sampledValue') AS sv
        RETURNING m.sampled_at, m.context, m.measurand, m.phase, m.unit, m.numeric_value
    ), register AS (
        SELECT i.sampled_at, i.context,
               round(i.numeric_value * CASE i.unit WHEN 'kWh' THEN 1000 WHEN 'MWh' THEN 1000000 ELSE 1 END)::bigint AS wh
          FROM ins AS i
         WHERE i.measurand = 'Energy.Active.Import.Register' AND i.phase IS NULL
           AND i.unit IN ('Wh', 'kWh', 'MWh')
           AND abs(i.numeric_value) < 1e15
    )
    SELECT (SELECT count(*) FROM ins),
           (SELECT r.wh FROM register AS r WHERE r.context = 'Transaction.Begin' ORDER BY r.sampled_at LIMIT 1),
           (SELECT r.wh FROM register AS r WHERE r.context = 'Transaction.End' ORDER BY r.sampled_at DESC LIMIT 1),
           (SELECT r.wh FROM register AS r ORDER BY r.sampled_at LIMIT 1),
           (SELECT r.wh FROM register AS r ORDER BY r.sampled_at DESC LIMIT 1)
      INTO written, begin_wh, end_wh, first_wh, last_wh;
END;
$$;

-- cs.v201_meter_values(st, payload): stores the MeterValues of evseId (connector 0: MeterValues names
-- no connector; no transaction) with cs.v201_insert_meter_values. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_meter_values(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM cs.v201_insert_meter_values(st.id, (payload->>'evseId')::integer, 0, NULL, payload->'meterValue');
    PERFORM cs.site_rebalance_station(st.id);  -- site load balancing (db/functions/15_sites)
    RETURN '{}'::jsonb;
END;
$$;
