-- What a Pending station may send (B02, docs/v201.md "Pending stations"), by the setting
-- station.pending_policy: tolerant lets it send anything (what ocpp-cs always did: a triggered message
-- cannot be told from another by its content), strict answers SecurityError to anything but
-- BootNotification and the messages the central system asked for. Checked by ocpp.parse for every
-- message of a Pending station, in every OCPP version.

-- cs.pending_trigger_action(requested_message): the action a TriggerMessage / ExtendedTriggerMessage
-- requestedMessage makes the station send (the certificate signings all send SignCertificate).
-- Returns text, null for an unknown value. Raises nothing.
CREATE OR REPLACE FUNCTION cs.pending_trigger_action(requested_message text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE
        WHEN requested_message IN ('SignChargingStationCertificate', 'SignV2GCertificate', 'SignCombinedCertificate',
                                   'SignChargePointCertificate') THEN 'SignCertificate'
        WHEN requested_message IN ('BootNotification', 'Heartbeat', 'MeterValues', 'StatusNotification',
                                   'TransactionEvent', 'LogStatusNotification', 'FirmwareStatusNotification',
                                   'DiagnosticsStatusNotification', 'PublishFirmwareStatusNotification')
            THEN requested_message
    END
$$;

-- cs.pending_requests(action): the requests of the central system whose answer comes as a message of
-- action: NotifyReport for GetBaseReport / GetReport, NotifyMonitoringReport, NotifyCustomerInformation,
-- NotifyDisplayMessages, ReportChargingProfiles, and the status notifications of GetLog,
-- GetDiagnostics, UpdateFirmware, SignedUpdateFirmware, PublishFirmware. Returns text[], null for
-- another action. Raises nothing.
CREATE OR REPLACE FUNCTION cs.pending_requests(action text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE action
        WHEN 'NotifyReport' THEN ARRAY['GetBaseReport', 'GetReport']
        WHEN 'NotifyMonitoringReport' THEN ARRAY['GetMonitoringReport']
        WHEN 'NotifyCustomerInformation' THEN ARRAY['CustomerInformation']
        WHEN 'NotifyDisplayMessages' THEN ARRAY['GetDisplayMessages']
        WHEN 'ReportChargingProfiles' THEN ARRAY['GetChargingProfiles']
        WHEN 'LogStatusNotification' THEN ARRAY['GetLog']
        WHEN 'DiagnosticsStatusNotification' THEN ARRAY['GetDiagnostics']
        WHEN 'FirmwareStatusNotification' THEN ARRAY['UpdateFirmware']
        WHEN 'SignedFirmwareStatusNotification' THEN ARRAY['SignedUpdateFirmware']
        WHEN 'PublishFirmwareStatusNotification' THEN ARRAY['PublishFirmware']
    END
$$;

-- cs.pending_allowed(st, action, payload): whether the Pending station st may send action under
-- station.pending_policy. tolerant: always. strict: BootNotification; a message a TriggerMessage or
-- ExtendedTriggerMessage asked for, accepted by the station since its last BootNotification (a Pending
-- station boots again every boot.retry_interval, which bounds the window); a message answering a request
-- of cs.pending_requests sent or answered since its last BootNotification, or whose requestId is that
-- request's (a long report goes on across a boot). Returns boolean. Raises nothing.
CREATE OR REPLACE FUNCTION cs.pending_allowed(st cs.station, action text, payload jsonb)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    since timestamptz := coalesce(st.booted_at, '-infinity');
BEGIN
    IF cs.setting('station.pending_policy') #>> '{}' IS DISTINCT FROM 'strict' OR action = 'BootNotification' THEN
        RETURN true;
    END IF;
    RETURN EXISTS (SELECT FROM cs.command AS c
                    WHERE c.station_id = st.id AND c.action IN ('TriggerMessage', 'ExtendedTriggerMessage')
                      AND c.status = 'answered' AND c.response->>'status' = 'Accepted'
                      AND c.answered_at >= since
                      AND cs.pending_trigger_action(c.payload->>'requestedMessage') = pending_allowed.action)
        OR EXISTS (SELECT FROM cs.command AS c
                    WHERE c.station_id = st.id AND c.action = ANY (cs.pending_requests(pending_allowed.action))
                      AND c.status IN ('sent', 'answered')
                      AND (c.created_at >= since
                           OR (c.payload ? 'requestId' AND c.payload->'requestId' = pending_allowed.payload->'requestId')));
END;
$$;

-- cs.pending_check(st, action, payload): refuses what a Pending station may not send
-- (cs.pending_allowed). Returns nothing. Raises OC005 (SecurityError) when st is Pending and the
-- message is not allowed.
CREATE OR REPLACE FUNCTION cs.pending_check(st cs.station, action text, payload jsonb)
RETURNS void
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF st.registration_status = 'Pending' AND NOT cs.pending_allowed(st, action, payload) THEN
        PERFORM cs.raise_ocpp('OC005', 'station is pending',
                              format('%s is Pending and may only send BootNotification and what the central system asked for (station.pending_policy strict), not %s',
                                     st.identity, coalesce(action, 'null')));
    END IF;
END;
$$;
