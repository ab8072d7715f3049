-- OCPP 2.0.1 / 2.1 BootNotification and StatusNotification (Heartbeat: cs.v16_heartbeat, the same
-- answer in every version). docs/v201.md.

-- cs.v201_boot_notification(st, payload): stores chargingStation (vendorName, model, serialNumber,
-- firmwareVersion, modem iccid / imsi) in the station's boot columns (the 1.6-only ones become null),
-- the reason in boot_reason and the payload as sent in boot, closes the station's open transactions
-- (cs.close_transactions_at_boot: stop reason PowerLoss); returns {"currentTime", "interval",
-- "status": registration} with interval cs.boot_interval, as for 1.6. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_boot_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    cs_info      jsonb := payload->'chargingStation';
    registration text;
BEGIN
    UPDATE cs.station AS s
       SET vendor = cs_info->>'vendorName',
           model = cs_info->>'model',
           charge_point_serial_number = cs_info->>'serialNumber',
           charge_box_serial_number = NULL,
           firmware_version = cs_info->>'firmwareVersion',
           iccid = cs_info#>>'{modem,iccid}',
           imsi = cs_info#>>'{modem,imsi}',
           meter_type = NULL,
           meter_serial_number = NULL,
           boot_reason = payload->>'reason',
           boot = payload,
           booted_at = now()
     WHERE s.id = st.id
    RETURNING s.registration_status INTO registration;
    PERFORM cs.close_transactions_at_boot(st);

    RETURN jsonb_build_object(
        'currentTime', cs.ocpp_time(now()),
        'interval', cs.boot_interval(st.id, registration),
        'status', registration);
END;
$$;

-- cs.v201_status_notification(st, payload): the connector's current state in cs.connector (evseId,
-- connectorId, connectorStatus, timestamp), a history row in cs.status_notification, and the EVSE in
-- cs.evse with the status just reported (EVSE 0 is the station itself and gets no cs.evse row);
-- Available closes the connector's open transaction (cs.close_transactions_at_available).
-- Returns {}. Raises OC007 for a negative evseId or connectorId.
CREATE OR REPLACE FUNCTION cs.v201_status_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    evse      integer := (payload->>'evseId')::integer;
    connector integer := (payload->>'connectorId')::integer;
    status    text := payload->>'connectorStatus';
    status_at timestamptz := (payload->>'timestamp')::timestamptz;
BEGIN
    IF evse < 0 OR connector < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid evseId or connectorId',
                              format('evseId %s, connectorId %s', evse, connector));
    END IF;
    INSERT INTO cs.connector AS k (station_id, evse_id, connector_id, status, status_at, updated_at)
    VALUES (st.id, evse, connector, status, status_at, now())
    ON CONFLICT ON CONSTRAINT connector_pkey DO UPDATE
       SET status = excluded.status, error_code = NULL, info = NULL, vendor_id = NULL,
           vendor_error_code = NULL, status_at = excluded.status_at, updated_at = excluded.updated_at;

    INSERT INTO cs.status_notification (station_id, evse_id, connector_id, status, status_at)
    VALUES (st.id, evse, connector, status, status_at);

    IF evse > 0 THEN
        INSERT INTO cs.evse AS e (station_id, evse_id, status, updated_at)
        VALUES (st.id, evse, status, now())
        ON CONFLICT ON CONSTRAINT evse_pkey DO UPDATE
           SET status = excluded.status, updated_at = excluded.updated_at;
    END IF;
    IF status = 'Available' THEN
        PERFORM cs.close_transactions_at_available(st, evse, connector, status_at);
    END IF;
    RETURN '{}'::jsonb;
END;
$$;
