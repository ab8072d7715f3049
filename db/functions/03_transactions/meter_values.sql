-- cs.measurand_unit(measurand): the unit of a sampled value of measurand sent without one, OCPP's
-- one table for 1.6 and 2.0.1/2.1 (1.6 defaults only Energy to Wh; 2.0.1 writes "Wh" as the
-- default of every unitOfMeasure, which only fits energy): Energy.Active.* (Register, Interval, Net)
-- Wh; Energy.Reactive.* varh; Energy.Apparent.* VAh; Power.Active.* and Power.Offered W;
-- Power.Reactive.* var; Current.* A; Voltage V; Frequency Hz (1.6 has no unit for it: hertz, it
-- says); Temperature Celsius; SoC Percent; Power.Factor, RPM and any other measurand none (null).
-- Returns the unit or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.measurand_unit(measurand text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE
               WHEN measurand LIKE 'Energy.Active.%' THEN 'Wh'
               WHEN measurand LIKE 'Energy.Reactive.%' THEN 'varh'
               WHEN measurand LIKE 'Energy.Apparent.%' THEN 'VAh'
               WHEN measurand LIKE 'Power.Active.%' OR measurand = 'Power.Offered' THEN 'W'
               WHEN measurand LIKE 'Power.Reactive.%' THEN 'var'
               WHEN measurand LIKE 'Current.%' THEN 'A'
               WHEN measurand = 'Voltage' THEN 'V'
               WHEN measurand = 'Frequency' THEN 'Hz'
               WHEN measurand = 'Temperature' THEN 'Celsius'
               WHEN measurand = 'SoC' THEN 'Percent'
           END
$$;

-- cs.v16_insert_meter_values(station_id, evse_id, connector_id, transaction_id, meter_value):
-- one cs.meter_value row per sampledValue of the 1.6 meterValue array, in one INSERT, with the 1.6
-- defaults filled in (measurand Energy.Active.Import.Register, context Sample.Periodic, format Raw,
-- location Outlet; unit cs.measurand_unit of the measurand) and numeric_value set when a Raw value
-- reads as a plain number.
-- Returns the number of rows written. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_insert_meter_values(station_id integer, evse_id integer,
                                                      connector_id integer, transaction_id integer,
                                                      meter_value jsonb)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    written integer;
BEGIN
    INSERT INTO cs.meter_value (station_id, evse_id, connector_id, transaction_id, sampled_at, value,
                                numeric_value, context, format, measurand, phase, location, unit)
    SELECT v16_insert_meter_values.station_id, v16_insert_meter_values.evse_id,
           v16_insert_meter_values.connector_id, v16_insert_meter_values.transaction_id,
           (mv->>'timestamp')::timestamptz,
           sv->>'value',
           -- bounded digits so that no value can make the cast fail
           CASE WHEN coalesce(sv->>'format', 'Raw') = 'Raw'
                 AND sv->>'value' ~ '^[+-]?([0-9]{1,30}(\.[0-9]{0,30})?|\.[0-9]{1,30})([eE][+-]?[0-9]{1,3})?$'
                THEN (sv->>'value')::numeric END,
           coalesce(sv->>'context', 'Sample.Periodic'),
           coalesce(sv->>'format', 'Raw'),
           coalesce(sv->>'measurand', 'Energy.Active.Import.Register'),
           sv->>'phase',
           coalesce(sv->>'location', 'Outlet'),
           coalesce(sv->>'unit', cs.measurand_unit(coalesce(sv->>'measurand', 'Energy.Active.Import.Register')))
      FROM jsonb_array_elements(meter_value) AS mv,
           jsonb_array_elements(mv->'sampledValue') AS sv;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END;
$$;

-- cs.v16_meter_values(st, payload): stores the MeterValues of connectorId (and transactionId as sent)
-- with cs.v16_insert_meter_values, and the running cost of the transaction (cs.tariff_meter_values).
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_meter_values(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    evse integer := (payload->>'connectorId')::integer;
BEGIN
    PERFORM cs.v16_insert_meter_values(st.id, evse, CASE WHEN evse = 0 THEN 0 ELSE 1 END,
                                       (payload->>'transactionId')::integer, payload->'meterValue');
    PERFORM cs.tariff_meter_values(st.id, (payload->>'transactionId')::integer);  -- running cost
    PERFORM cs.site_rebalance_station(st.id);  -- site load balancing (db/functions/15_sites)
    RETURN '{}'::jsonb;
END;
$$;
