-- cs.v16_status_notification(st, payload): keeps the connector's current state in cs.connector and a
-- history row in cs.status_notification. 1.6 connector n is EVSE n / connector 1, connector 0 is
-- EVSE 0 / connector 0. A missing timestamp reads as the time of receipt. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_status_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    evse      integer := (payload->>'connectorId')::integer;
    connector integer := CASE WHEN evse = 0 THEN 0 ELSE 1 END;
    status_at timestamptz := coalesce((payload->>'timestamp')::timestamptz, now());
BEGIN
    INSERT INTO cs.connector AS k (station_id, evse_id, connector_id, status, error_code, info,
                                   vendor_id, vendor_error_code, status_at, updated_at)
    VALUES (st.id, evse, connector, payload->>'status', payload->>'errorCode', payload->>'info',
            payload->>'vendorId', payload->>'vendorErrorCode', status_at, now())
    ON CONFLICT ON CONSTRAINT connector_pkey DO UPDATE
       SET status = excluded.status, error_code = excluded.error_code, info = excluded.info,
           vendor_id = excluded.vendor_id, vendor_error_code = excluded.vendor_error_code,
           status_at = excluded.status_at, updated_at = excluded.updated_at;

    INSERT INTO cs.status_notification (station_id, evse_id, connector_id, status, error_code, info,
                                        vendor_id, vendor_error_code, status_at)
    VALUES (st.id, evse, connector, payload->>'status', payload->>'errorCode', payload->>'info',
            payload->>'vendorId', payload->>'vendorErrorCode', status_at);

    RETURN '{}'::jsonb;
END;
$$;
