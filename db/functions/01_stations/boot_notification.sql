-- cs.boot_interval(station_id, registration): the interval a BootNotification answers: when Accepted
-- the station's own heartbeat_interval, else the setting boot.heartbeat_interval; when Pending or
-- Rejected the setting boot.retry_interval. Returns seconds. Raises nothing.
CREATE OR REPLACE FUNCTION cs.boot_interval(station_id integer, registration text)
RETURNS integer
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF registration = 'Accepted' THEN
        RETURN coalesce((SELECT s.heartbeat_interval FROM cs.station AS s WHERE s.id = boot_interval.station_id),
                        (cs.setting('boot.heartbeat_interval'))::integer);
    END IF;
    RETURN (cs.setting('boot.retry_interval'))::integer;
END;
$$;

-- ocpp.set_station_heartbeat_interval(identity, seconds): the HeartbeatInterval the station's next
-- BootNotifications answer (null: the setting boot.heartbeat_interval). It does not tell the station
-- now: ocpp.change_configuration / ocpp.set_variable do, and their accepted answer sets it too.
-- Returns nothing. Raises OC010 for an unknown station, OC007 for seconds not positive.
CREATE OR REPLACE FUNCTION ocpp.set_station_heartbeat_interval(identity text, seconds integer)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF seconds <= 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid heartbeat interval', format('%s seconds is not positive', seconds));
    END IF;
    UPDATE cs.station AS s SET heartbeat_interval = seconds
     WHERE s.identity = set_station_heartbeat_interval.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station',
                              format('no station %s', set_station_heartbeat_interval.identity));
    END IF;
END;
$$;

-- cs.close_transactions_at_boot(st): with setting transaction.stop_on_boot, closes the
-- station's open transactions (cs.close_transaction: stop reason PowerLoss, closed_by
-- BootNotification, at the time of receipt), each with a cs.review row of action 'BootNotification'.
-- Returns the number closed. Raises nothing.
CREATE OR REPLACE FUNCTION cs.close_transactions_at_boot(st cs.station)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    tx     cs.transaction;
    closed integer := 0;
BEGIN
    IF NOT (cs.setting('transaction.stop_on_boot'))::boolean THEN
        RETURN 0;
    END IF;
    FOR tx IN SELECT * FROM cs.transaction AS t
               WHERE t.station_id = st.id AND t.stopped_at IS NULL
               ORDER BY t.id FOR UPDATE
    LOOP
        tx := cs.close_transaction(tx, 'PowerLoss', 'BootNotification', now());
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'BootNotification', 'transaction closed: the station booted', cs.transaction_json(tx));
        closed := closed + 1;
    END LOOP;
    RETURN closed;
END;
$$;

-- cs.v16_boot_notification(st, payload): stores the BootNotification fields (and the payload as sent)
-- on the station, closes its open transactions (cs.close_transactions_at_boot); returns
-- {"status": registration, "currentTime", "interval"} with interval cs.boot_interval. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_boot_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    registration text;
BEGIN
    UPDATE cs.station AS s
       SET vendor = payload->>'chargePointVendor',
           model = payload->>'chargePointModel',
           charge_point_serial_number = payload->>'chargePointSerialNumber',
           charge_box_serial_number = payload->>'chargeBoxSerialNumber',
           firmware_version = payload->>'firmwareVersion',
           iccid = payload->>'iccid',
           imsi = payload->>'imsi',
           meter_type = payload->>'meterType',
           meter_serial_number = payload->>'meterSerialNumber',
           boot = payload,
           booted_at = now()
     WHERE s.id = st.id
    RETURNING s.registration_status INTO registration;
    PERFORM cs.close_transactions_at_boot(st);

    RETURN jsonb_build_object(
        'status', registration,
        'currentTime', cs.ocpp_time(now()),
        'interval', cs.boot_interval(st.id, registration));
END;
$$;

-- cs.v16_heartbeat(st, payload): returns {"currentTime"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_heartbeat(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN jsonb_build_object('currentTime', cs.ocpp_time(now()));
END;
$$;
