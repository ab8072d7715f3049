-- ocpp.parse(identity, unique_id, action, payload, account, version): one station CALL.
-- Looks the station up once (creating an unknown one, registration from boot.unknown_station),
-- updates last_seen, refuses a Rejected station anything but BootNotification, and hands the message
-- to the handler of its version. Returns the CALLRESULT payload.
-- Raises OC002 for an unknown version, OC005 for a Rejected station, OC006 when the payload is not a
-- JSON object, OC007 for an empty identity, and whatever the version's handler raises.
-- The hot path: no subtransactions, one UPDATE for the lookup of a known station.
-- TimeZone is fixed to UTC so that a station timestamp without offset reads as UTC (OCPP times are UTC)
-- whatever the session's zone.
CREATE OR REPLACE FUNCTION ocpp.parse(identity text, unique_id text, action text, payload jsonb,
                                      account text DEFAULT NULL, version text DEFAULT '1.6')
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    st cs.station;
BEGIN
    IF parse.version IS DISTINCT FROM '1.6' THEN
        PERFORM cs.raise_ocpp('OC002', 'unsupported OCPP version',
                              format('version %s is not supported', coalesce(parse.version, 'null')));
    END IF;
    IF jsonb_typeof(parse.payload) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'payload is not a JSON object', parse.action);
    END IF;

    UPDATE cs.station AS s SET last_seen = now() WHERE s.identity = parse.identity RETURNING * INTO st;
    IF NOT FOUND THEN
        st := cs.station_create(parse.identity, parse.account, parse.version);
    END IF;

    IF st.registration_status = 'Rejected' AND parse.action IS DISTINCT FROM 'BootNotification' THEN
        PERFORM cs.raise_ocpp('OC005', 'station is rejected',
                              format('%s may only send BootNotification', st.identity));
    END IF;

    RETURN cs.v16_parse(st, parse.action, parse.payload);
END;
$$;

-- cs.v16_parse(st, action, payload): dispatches an OCPP 1.6 CALL of station st to its handler and
-- returns the handler's reply. Raises OC002 for an action only the central system sends, OC001 for an
-- unknown action, and whatever the handler raises.
CREATE OR REPLACE FUNCTION cs.v16_parse(st cs.station, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    -- the most frequent actions first
    CASE action
        WHEN 'Heartbeat' THEN
            RETURN cs.v16_heartbeat(st, payload);
        WHEN 'StatusNotification' THEN
            RETURN cs.v16_status_notification(st, payload);
        WHEN 'MeterValues' THEN
            RETURN cs.v16_meter_values(st, payload);
        WHEN 'Authorize' THEN
            RETURN cs.v16_authorize(st, payload);
        WHEN 'StartTransaction' THEN
            RETURN cs.v16_start_transaction(st, payload);
        WHEN 'StopTransaction' THEN
            RETURN cs.v16_stop_transaction(st, payload);
        WHEN 'BootNotification' THEN
            RETURN cs.v16_boot_notification(st, payload);
        WHEN 'DataTransfer' THEN
            RETURN cs.v16_data_transfer(st, payload);
        WHEN 'DiagnosticsStatusNotification' THEN
            RETURN cs.v16_station_notification(st, 'Diagnostics', payload);
        WHEN 'FirmwareStatusNotification' THEN
            RETURN cs.v16_station_notification(st, 'Firmware', payload);
        WHEN 'LogStatusNotification' THEN
            RETURN cs.v16_station_notification(st, 'Log', payload);
        WHEN 'SignedFirmwareStatusNotification' THEN
            RETURN cs.v16_station_notification(st, 'SignedFirmware', payload);
        WHEN 'SecurityEventNotification' THEN
            RETURN cs.v16_security_event_notification(st, payload);
        WHEN 'SignCertificate' THEN
            RETURN cs.v16_sign_certificate(st, payload);
        WHEN 'CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ChangeConfiguration',
             'ClearCache', 'ClearChargingProfile', 'DeleteCertificate', 'ExtendedTriggerMessage',
             'GetCompositeSchedule', 'GetConfiguration', 'GetDiagnostics', 'GetInstalledCertificateIds',
             'GetLocalListVersion', 'GetLog', 'InstallCertificate', 'RemoteStartTransaction',
             'RemoteStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile',
             'SignedUpdateFirmware', 'TriggerMessage', 'UnlockConnector', 'UpdateFirmware' THEN
            PERFORM cs.raise_ocpp('OC002', 'action not supported from a charge point',
                                  format('%s is sent by the central system', action));
        ELSE
            PERFORM cs.raise_ocpp('OC001', 'action not implemented',
                                  format('unknown action %s', coalesce(action, 'null')));
    END CASE;
    RETURN NULL;  -- not reached: every branch above returns or raises
END;
$$;
