-- cs.v16_station_notification(st, kind, payload): Diagnostics-, Firmware-, Log- and
-- SignedFirmwareStatusNotification (kind Diagnostics, Firmware, Log, SignedFirmware): the latest
-- status on the station (diagnostics_status, firmware_status for both firmware kinds, log_status) and a
-- history row in cs.station_notification with requestId when sent. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_station_notification(st cs.station, kind text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    status text := payload->>'status';
BEGIN
    UPDATE cs.station AS s
       SET diagnostics_status = CASE WHEN kind = 'Diagnostics' THEN status ELSE s.diagnostics_status END,
           firmware_status = CASE WHEN kind IN ('Firmware', 'SignedFirmware') THEN status
                                  ELSE s.firmware_status END,
           log_status = CASE WHEN kind = 'Log' THEN status ELSE s.log_status END
     WHERE s.id = st.id;

    INSERT INTO cs.station_notification (station_id, kind, status, request_id)
    VALUES (st.id, kind, status, (payload->>'requestId')::integer);
    -- the firmware update, diagnostics or log upload this status belongs to (docs/commands.md)
    PERFORM cs.file_transfer_status(st.id, kind, status, (payload->>'requestId')::integer);
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v16_security_event_notification(st, payload): a cs.security_event row (type, timestamp,
-- techInfo). Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_security_event_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    INSERT INTO cs.security_event (station_id, type, occurred_at, tech_info)
    VALUES (st.id, payload->>'type', coalesce((payload->>'timestamp')::timestamptz, now()),
            payload->>'techInfo');
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v16_sign_certificate(st, payload): a cs.certificate_request row for the csr, status Pending (the
-- CertificateSigned call that answers it is sent later, see certificate_signing.sql), and a NOTIFY
-- ocpp_csr with its id to wake the signer. Returns {"status": "Accepted"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_sign_certificate(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    request bigint;
BEGIN
    INSERT INTO cs.certificate_request AS r (station_id, csr) VALUES (st.id, payload->>'csr')
    RETURNING r.id INTO request;
    PERFORM pg_notify('ocpp_csr', request::text);
    RETURN jsonb_build_object('status', 'Accepted');
END;
$$;
