-- cs.close_transactions_at_available(st, evse, connector, status_at): with setting
-- transaction.stop_on_available, a connector reported Available at status_at runs no transaction:
-- the station's open transactions on that EVSE and connector started at or before status_at are
-- closed (cs.close_transaction: stop reason Other, closed_by StatusNotification, at status_at), each
-- with a cs.review row of action StatusNotification. Returns the number closed. Raises nothing.
CREATE OR REPLACE FUNCTION cs.close_transactions_at_available(st cs.station, evse integer, connector integer,
                                                              status_at timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    tx     cs.transaction;
    closed integer := 0;
BEGIN
    IF evse <= 0 OR NOT (cs.setting('transaction.stop_on_available'))::boolean THEN
        RETURN 0;
    END IF;
    FOR tx IN SELECT * FROM cs.transaction AS t
               WHERE t.station_id = st.id AND t.evse_id = evse AND t.connector_id = connector
                 AND t.stopped_at IS NULL AND t.started_at <= status_at
               ORDER BY t.id FOR UPDATE
    LOOP
        tx := cs.close_transaction(tx, 'Other', 'StatusNotification', status_at);
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'StatusNotification', 'transaction closed: its connector is Available', cs.transaction_json(tx));
        closed := closed + 1;
    END LOOP;
    RETURN closed;
END;
$$;

-- cs.v16_status_notification(st, payload): keeps the connector's current state in cs.connector and a
-- history row in cs.status_notification. 1.6 connector n is EVSE n / connector 1, connector 0 is
-- EVSE 0 / connector 0. A missing timestamp reads as the time of receipt. Status Available closes the
-- connector's open transaction (cs.close_transactions_at_available). Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_status_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
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

    IF payload->>'status' = 'Available' THEN
        PERFORM cs.close_transactions_at_available(st, evse, connector, status_at);
    END IF;
    RETURN '{}'::jsonb;
END;
$$;
