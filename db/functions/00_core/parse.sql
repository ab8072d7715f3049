-- cs.parse(identity, unique_id, action, payload, account, version): one station CALL (or 2.1 SEND).
-- Looks the station up once (creating an unknown one, registration from boot.unknown_station),
-- records it as seen (cs.station_seen), refuses a Rejected station anything but BootNotification, and hands the message
-- to the handler of its version: '1.6' cs.v16_parse, '2.0.1' cs.v201_parse, '2.1' cs.v21_parse.
-- What a Pending station may send follows station.pending_policy (cs.pending_check: tolerant, anything;
-- strict, B02). Returns the CALLRESULT payload.
-- Raises OC002 for an unknown version, OC005 for a Rejected station or a message a Pending station may
-- not send, OC006 when the payload is not a
-- JSON object, OC007 for an empty identity, and whatever the version's handler raises.
-- The hot path: no subtransactions; a known station costs one index lookup and one HOT update of
-- its cs.station_presence row.
-- Called by ocpp.parse and ocpp.parse_logged, which fix search_path and TimeZone (UTC) once for it.
CREATE OR REPLACE FUNCTION cs.parse(identity text, unique_id text, action text, payload jsonb,
                                    account text, version text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    st cs.station;
BEGIN
    IF parse.version IS NULL OR parse.version NOT IN ('1.6', '2.0.1', '2.1') THEN
        PERFORM cs.raise_ocpp('OC002', 'unsupported OCPP version',
                              format('version %s is not supported', coalesce(parse.version, 'null')));
    END IF;
    IF jsonb_typeof(parse.payload) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'payload is not a JSON object', parse.action);
    END IF;

    SELECT * INTO st FROM cs.station AS s WHERE s.identity = parse.identity;
    IF NOT FOUND THEN
        st := cs.station_create(parse.identity, parse.account, parse.version);
    END IF;
    -- cs.station_seen, with its usual case (the row is there) inline
    UPDATE cs.station_presence AS p SET last_seen = now() WHERE p.station_id = st.id;
    IF NOT FOUND THEN
        PERFORM cs.station_seen(st.id);
    END IF;

    IF st.registration_status = 'Rejected' AND parse.action IS DISTINCT FROM 'BootNotification' THEN
        PERFORM cs.raise_ocpp('OC005', 'station is rejected',
                              format('%s may only send BootNotification', st.identity));
    END IF;
    IF st.registration_status = 'Pending' THEN
        PERFORM cs.pending_check(st, parse.action, parse.payload);
    END IF;

    CASE parse.version
        WHEN '1.6' THEN
            RETURN cs.v16_parse(st, parse.action, parse.payload);
        WHEN '2.0.1' THEN
            RETURN cs.v201_parse(st, parse.action, parse.payload);
        ELSE
            RETURN cs.v21_parse(st, parse.action, parse.payload);
    END CASE;
END;
$$;

-- ocpp.parse(identity, unique_id, action, payload, account, version): one station CALL (or 2.1 SEND),
-- by cs.parse (see there), with the owner's rights and TimeZone UTC, so that a station timestamp without
-- offset reads as UTC (OCPP times are UTC) whatever the session's zone. Returns the CALLRESULT payload.
-- Raises what cs.parse raises.
CREATE OR REPLACE FUNCTION ocpp.parse(identity text, unique_id text, action text, payload jsonb,
                                      account text DEFAULT NULL, version text DEFAULT '1.6')
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    RETURN cs.parse(identity, unique_id, action, payload, account, version);
END;
$$;


-- cs.v16_parse(st, action, payload): dispatches an OCPP 1.6 CALL of station st to its handler and
-- returns the handler's reply. Raises OC002 for an action only the central system sends, OC001 for an
-- unknown action, and whatever the handler raises.
CREATE OR REPLACE FUNCTION cs.v16_parse(st cs.station, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
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
        ELSE
            IF action = ANY (cs.action_list('1.6', 'csms_to_station')) THEN
                PERFORM cs.raise_ocpp('OC002', 'action not supported from a charge point',
                                      format('%s is sent by the central system', action));
            END IF;
            PERFORM cs.raise_ocpp('OC001', 'action not implemented',
                                  format('unknown action %s', coalesce(action, 'null')));
    END CASE;
    RETURN NULL;  -- not reached: every branch above returns or raises
END;
$$;

-- cs.v201_parse(st, action, payload): dispatches an OCPP 2.0.1 CALL of station st to its handler
-- (db/functions/*/v201_*.sql) and returns the handler's reply. Raises OC002 for an action only the
-- central system sends, OC001 for an unknown action (2.1-only actions included), and whatever the
-- handler raises.
CREATE OR REPLACE FUNCTION cs.v201_parse(st cs.station, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    -- the most frequent actions first
    CASE action
        WHEN 'Heartbeat' THEN
            RETURN cs.v16_heartbeat(st, payload);  -- the same answer in every version
        WHEN 'TransactionEvent' THEN
            RETURN cs.v201_transaction_event(st, payload);
        WHEN 'MeterValues' THEN
            RETURN cs.v201_meter_values(st, payload);
        WHEN 'StatusNotification' THEN
            RETURN cs.v201_status_notification(st, payload);
        WHEN 'Authorize' THEN
            RETURN cs.v201_authorize(st, payload);
        WHEN 'NotifyEvent' THEN
            RETURN cs.v201_notify_event(st, payload);
        WHEN 'BootNotification' THEN
            RETURN cs.v201_boot_notification(st, payload);
        WHEN 'NotifyReport' THEN
            RETURN cs.v201_notify_report(st, cs.mask_secrets('NotifyReport', payload));
        WHEN 'NotifyMonitoringReport' THEN
            RETURN cs.v201_notify_monitoring_report(st, payload);
        WHEN 'DataTransfer' THEN
            RETURN cs.v201_data_transfer(st, payload);
        WHEN 'FirmwareStatusNotification' THEN
            RETURN cs.v201_station_notification(st, 'Firmware', payload);
        WHEN 'LogStatusNotification' THEN
            RETURN cs.v201_station_notification(st, 'Log', payload);
        WHEN 'PublishFirmwareStatusNotification' THEN
            RETURN cs.v201_station_notification(st, 'PublishFirmware', payload);
        WHEN 'SecurityEventNotification' THEN
            RETURN cs.v16_security_event_notification(st, payload);  -- the same fields in 2.0.1
        WHEN 'SignCertificate' THEN
            RETURN cs.v201_sign_certificate(st, payload);
        WHEN 'Get15118EVCertificate' THEN
            RETURN cs.v201_service_request(st, 'Get15118EVCertificate', payload);
        WHEN 'GetCertificateStatus' THEN
            RETURN cs.v201_service_request(st, 'GetCertificateStatus', payload);
        WHEN 'NotifyEVChargingNeeds' THEN
            RETURN cs.v201_notify_ev_charging_needs(st, payload, 'Rejected');
        WHEN 'NotifyEVChargingSchedule' THEN
            RETURN cs.v201_notify_ev_charging_schedule(st, payload);
        WHEN 'NotifyChargingLimit' THEN
            RETURN cs.v201_notify_charging_limit(st, payload);
        WHEN 'ClearedChargingLimit' THEN
            RETURN cs.v201_cleared_charging_limit(st, payload);
        WHEN 'ReportChargingProfiles' THEN
            RETURN cs.v201_report_charging_profiles(st, payload);
        WHEN 'ReservationStatusUpdate' THEN
            RETURN cs.v201_reservation_status_update(st, payload);
        WHEN 'NotifyCustomerInformation' THEN
            RETURN cs.v201_notify_customer_information(st, payload);
        WHEN 'NotifyDisplayMessages' THEN
            RETURN cs.v201_notify_display_messages(st, payload);
        ELSE
            IF action = ANY (cs.action_list('2.0.1', 'csms_to_station')) THEN
                PERFORM cs.raise_ocpp('OC002', 'action not supported from a charging station',
                                      format('%s is sent by the CSMS', action));
            END IF;
            PERFORM cs.raise_ocpp('OC001', 'action not implemented',
                                  format('unknown action %s', coalesce(action, 'null')));
    END CASE;
    RETURN NULL;  -- not reached: every branch above returns or raises
END;
$$;

-- cs.v21_parse(st, action, payload): dispatches an OCPP 2.1 CALL (or the SEND NotifyPeriodicEventStream)
-- of station st: the messages new in 2.1 to their handlers (db/functions/*/v21_*.sql), the
-- NotifyEVChargingNeeds of 2.1 with NoChargingProfile as its answer without a hook, and every other
-- action to cs.v201_parse (2.1 has every 2.0.1 message with the same rules). Returns the handler's
-- reply ({} for the SEND, which the front end discards). Raises OC002 for an action only the central
-- system sends, OC001 for an unknown action, and whatever the handler raises.
CREATE OR REPLACE FUNCTION cs.v21_parse(st cs.station, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    CASE action
        WHEN 'NotifyPeriodicEventStream' THEN
            RETURN cs.v21_notify_periodic_event_stream(st, payload);
        WHEN 'BatterySwap' THEN
            RETURN cs.v21_battery_swap(st, payload);
        WHEN 'OpenPeriodicEventStream' THEN
            RETURN cs.v21_open_periodic_event_stream(st, payload);
        WHEN 'ClosePeriodicEventStream' THEN
            RETURN cs.v21_close_periodic_event_stream(st, payload);
        WHEN 'GetCertificateChainStatus' THEN
            RETURN cs.v201_service_request(st, 'GetCertificateChainStatus', payload);
        WHEN 'NotifyDERAlarm' THEN
            RETURN cs.v21_der_notification(st, 'Alarm', payload);
        WHEN 'NotifyDERStartStop' THEN
            RETURN cs.v21_der_notification(st, 'StartStop', payload);
        WHEN 'NotifyPriorityCharging' THEN
            RETURN cs.v21_notify_priority_charging(st, payload);
        WHEN 'NotifySettlement' THEN
            RETURN cs.v21_notify_settlement(st, payload);
        WHEN 'PullDynamicScheduleUpdate' THEN
            RETURN cs.v201_service_request(st, 'PullDynamicScheduleUpdate', payload);
        WHEN 'ReportDERControl' THEN
            RETURN cs.v201_report_part(st, 'ReportDERControl', payload, true);
        WHEN 'VatNumberValidation' THEN
            RETURN cs.v201_service_request(st, 'VatNumberValidation', payload);
        WHEN 'NotifyEVChargingNeeds' THEN
            RETURN cs.v201_notify_ev_charging_needs(st, payload, 'NoChargingProfile');
        ELSE
            -- what only the CSMS sends is refused here; the rest is 2.0.1's (DataTransfer goes both ways)
            IF action = ANY (cs.action_list('2.1', 'csms_to_station'))
               AND action <> ALL (cs.action_list('2.1', 'station_to_csms')) THEN
                PERFORM cs.raise_ocpp('OC002', 'action not supported from a charging station',
                                      format('%s is sent by the CSMS', action));
            END IF;
            RETURN cs.v201_parse(st, action, payload);
    END CASE;
    RETURN NULL;  -- not reached: every branch above returns or raises
END;
$$;
