-- cs.v16_insert_meter_values(station_id, evse_id, connector_id, transaction_id, meter_value):
-- one cs.meter_value row per sampledValue of the 1.6 meterValue array, in one INSERT, with the 1.6
-- defaults filled in (measurand Energy.Active.Import.Register, unit Wh, context Sample.Periodic,
-- format Raw, location Outlet) and numeric_value set when a Raw value reads as a plain number.
-- Returns the number of rows written. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_insert_meter_values(station_id integer, evse_id integer,
                                                      connector_id integer, transaction_id integer,
                                                      meter_value jsonb)
RETURNS integer
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
           coalesce(sv->>'unit', 'Wh')
      FROM jsonb_array_elements(meter_value) AS mv,
           jsonb_array_elements(mv->'sampledValue') AS sv;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END;
$$;

-- cs.v16_meter_values(st, payload): stores the MeterValues of connectorId (and transactionId as sent)
-- with cs.v16_insert_meter_values. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_meter_values(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    evse integer := (payload->>'connectorId')::integer;
BEGIN
    PERFORM cs.v16_insert_meter_values(st.id, evse, CASE WHEN evse = 0 THEN 0 ELSE 1 END,
                                       (payload->>'transactionId')::integer, payload->'meterValue');
    RETURN '{}'::jsonb;
END;
$$;
