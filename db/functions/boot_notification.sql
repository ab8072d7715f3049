-- cs.v16_boot_notification(st, payload): stores the BootNotification fields (and the payload as sent)
-- on the station; returns {"status": registration, "currentTime", "interval"} with interval
-- boot.heartbeat_interval when Accepted, boot.retry_interval when Pending or Rejected. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_boot_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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

    RETURN jsonb_build_object(
        'status', registration,
        'currentTime', cs.ocpp_time(now()),
        'interval', (cs.setting(CASE registration WHEN 'Accepted' THEN 'boot.heartbeat_interval'
                                                  ELSE 'boot.retry_interval' END))::integer);
END;
$$;

-- cs.v16_heartbeat(st, payload): returns {"currentTime"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_heartbeat(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = cs, pg_temp
AS $$
BEGIN
    RETURN jsonb_build_object('currentTime', cs.ocpp_time(now()));
END;
$$;
