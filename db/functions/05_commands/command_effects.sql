-- What a station's answer to a command does (docs/commands.md, "Business effects"). Each
-- cs.v16_effect_* / cs.v201_effect_* function takes the answered cs.command row (payload = what was
-- sent, response = the CALLRESULT) and returns nothing; they raise nothing of their own
-- (ocpp.command_result keeps a failure in cs.review).

-- cs.command_effect(cmd): the effect of the answered command cmd, per its station's version: 2.0.1 and
-- 2.1 stations cs.v201_command_effect, the others cs.v16_command_effect. Returns nothing.
CREATE OR REPLACE FUNCTION cs.command_effect(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF (SELECT s.version FROM cs.station AS s WHERE s.id = cmd.station_id) IN ('2.0.1', '2.1') THEN
        PERFORM cs.v201_command_effect(cmd);
    ELSE
        PERFORM cs.v16_command_effect(cmd);
    END IF;
    PERFORM cs.site_command_answered(cmd);  -- site load balancing (db/functions/15_sites)
END;
$$;

-- cs.v16_command_effect(cmd): dispatches the answered 1.6 command cmd on its action. Actions without
-- an effect (Reset, UnlockConnector, TriggerMessage, ClearCache, DataTransfer, ExtendedTriggerMessage,
-- RemoteStartTransaction: its answer is linked later by cs.link_remote_start) keep only the response
-- on the command. Returns nothing.
CREATE OR REPLACE FUNCTION cs.v16_command_effect(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    CASE cmd.action
        WHEN 'GetConfiguration' THEN
            PERFORM cs.v16_effect_get_configuration(cmd);
        WHEN 'ChangeConfiguration' THEN
            PERFORM cs.v16_effect_change_configuration(cmd);
        WHEN 'SendLocalList' THEN
            PERFORM cs.v16_effect_send_local_list(cmd);
        WHEN 'GetLocalListVersion' THEN
            PERFORM cs.v16_effect_get_local_list_version(cmd);
        WHEN 'ReserveNow' THEN
            PERFORM cs.v16_effect_reserve_now(cmd);
        WHEN 'CancelReservation' THEN
            PERFORM cs.v16_effect_cancel_reservation(cmd);
        WHEN 'SetChargingProfile' THEN
            PERFORM cs.v16_effect_set_charging_profile(cmd);
        WHEN 'ClearChargingProfile' THEN
            PERFORM cs.v16_effect_clear_charging_profile(cmd);
        WHEN 'GetCompositeSchedule' THEN
            PERFORM cs.v16_effect_get_composite_schedule(cmd);
        WHEN 'ChangeAvailability' THEN
            PERFORM cs.v16_effect_change_availability(cmd);
        WHEN 'UpdateFirmware', 'SignedUpdateFirmware', 'GetDiagnostics', 'GetLog' THEN
            PERFORM cs.v16_effect_file_transfer(cmd);
        WHEN 'InstallCertificate' THEN
            PERFORM cs.v16_effect_install_certificate(cmd);
        WHEN 'DeleteCertificate' THEN
            PERFORM cs.v16_effect_delete_certificate(cmd);
        WHEN 'GetInstalledCertificateIds' THEN
            PERFORM cs.v16_effect_get_installed_certificate_ids(cmd);
        WHEN 'CertificateSigned' THEN
            PERFORM cs.v16_effect_certificate_signed(cmd);
        WHEN 'RemoteStopTransaction' THEN
            PERFORM cs.remote_stop_accepted(cmd, cs.transaction_of(cmd.station_id, cmd.payload->'transactionId'));
        ELSE
            NULL;
    END CASE;
END;
$$;

-- Configuration keys ------------------------------------------------------------------------------

-- cs.v16_effect_get_configuration(cmd): every configurationKey answered is stored (value, readonly;
-- unknown cleared; reboot_required cleared when the station booted after the key was last changed),
-- every unknownKey is stored with unknown = true and no value.
CREATE OR REPLACE FUNCTION cs.v16_effect_get_configuration(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.configuration_key AS k (station_id, key, value, readonly, unknown, command_id, updated_at)
    SELECT cmd.station_id, e->>'key', e->>'value', (e->>'readonly')::boolean, false, cmd.id, now()
      FROM jsonb_array_elements(coalesce(cmd.response->'configurationKey', '[]'::jsonb)) AS e
    ON CONFLICT ON CONSTRAINT configuration_key_pkey DO UPDATE
       SET value = excluded.value, readonly = excluded.readonly, unknown = false,
           reboot_required = k.reboot_required
                             AND coalesce((SELECT s.booted_at FROM cs.station AS s WHERE s.id = k.station_id)
                                          <= k.updated_at, true),
           command_id = excluded.command_id, updated_at = excluded.updated_at;

    INSERT INTO cs.configuration_key AS k (station_id, key, value, readonly, unknown, command_id, updated_at)
    SELECT cmd.station_id, u #>> '{}', NULL, NULL, true, cmd.id, now()
      FROM jsonb_array_elements(coalesce(cmd.response->'unknownKey', '[]'::jsonb)) AS u
    ON CONFLICT ON CONSTRAINT configuration_key_pkey DO UPDATE
       SET value = NULL, readonly = NULL, unknown = true, reboot_required = false,
           command_id = excluded.command_id, updated_at = excluded.updated_at;
END;
$$;

-- cs.heartbeat_interval_accepted(station_id, value): the station accepted value as its
-- HeartbeatInterval: a positive number of seconds becomes cs.station.heartbeat_interval, which
-- BootNotification answers from now on; anything else changes nothing.
CREATE OR REPLACE FUNCTION cs.heartbeat_interval_accepted(station_id integer, value text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF value ~ '^[0-9]{1,9}$' AND value::integer > 0 THEN
        UPDATE cs.station AS s SET heartbeat_interval = value::integer
         WHERE s.id = heartbeat_interval_accepted.station_id;
    END IF;
END;
$$;

-- cs.v16_effect_change_configuration(cmd): Accepted or RebootRequired sets the key's value (and
-- reboot_required for RebootRequired), for HeartbeatInterval also the station's heartbeat_interval
-- (cs.heartbeat_interval_accepted); Rejected and NotSupported leave the key as it was.
CREATE OR REPLACE FUNCTION cs.v16_effect_change_configuration(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    status text := cmd.response->>'status';
BEGIN
    IF status NOT IN ('Accepted', 'RebootRequired') THEN
        RETURN;
    END IF;
    INSERT INTO cs.configuration_key AS k (station_id, key, value, readonly, unknown, reboot_required,
                                           command_id, updated_at)
    VALUES (cmd.station_id, cmd.payload->>'key', cmd.payload->>'value', false, false,
            status = 'RebootRequired', cmd.id, now())
    ON CONFLICT ON CONSTRAINT configuration_key_pkey DO UPDATE
       SET value = excluded.value, unknown = false, reboot_required = excluded.reboot_required,
           command_id = excluded.command_id, updated_at = excluded.updated_at;
    IF cmd.payload->>'key' = 'HeartbeatInterval' THEN
        PERFORM cs.heartbeat_interval_accepted(cmd.station_id, cmd.payload->>'value');
    END IF;
END;
$$;

-- Local authorization list ------------------------------------------------------------------------

-- cs.apply_local_list(station_id, replace_all, version, entries): the station accepted a local list:
-- entries is [{"idTag", "type"?, "info"?}] (the 1.6 idTag or 2.0.1 idToken, its type, the
-- idTagInfo / idTokenInfo); replace_all replaces the station's entries, otherwise entries with info are
-- upserted and those without removed; cs.local_list.version becomes version. Raises nothing.
CREATE OR REPLACE FUNCTION cs.apply_local_list(station_id integer, replace_all boolean, version integer,
                                               entries jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF replace_all THEN
        DELETE FROM cs.local_list_entry AS l WHERE l.station_id = apply_local_list.station_id;
    ELSE
        DELETE FROM cs.local_list_entry AS l
         USING jsonb_array_elements(entries) AS e
         WHERE l.station_id = apply_local_list.station_id AND l.id_tag = e->>'idTag'
           AND NOT e ? 'info';
    END IF;
    INSERT INTO cs.local_list_entry AS l (station_id, id_tag, id_token_type, id_tag_info, updated_at)
    SELECT apply_local_list.station_id, e->>'idTag', e->>'type', e->'info', now()
      FROM jsonb_array_elements(entries) AS e
     WHERE e ? 'info'
    ON CONFLICT ON CONSTRAINT local_list_entry_pkey DO UPDATE
       SET id_token_type = excluded.id_token_type, id_tag_info = excluded.id_tag_info,
           updated_at = excluded.updated_at;

    INSERT INTO cs.local_list AS v (station_id, version, updated_at)
    VALUES (apply_local_list.station_id, apply_local_list.version, now())
    ON CONFLICT ON CONSTRAINT local_list_pkey DO UPDATE
       SET version = excluded.version, updated_at = excluded.updated_at;
END;
$$;

-- cs.v16_effect_send_local_list(cmd): Accepted makes the sent list current (cs.apply_local_list):
-- Full replaces the station's entries, Differential upserts the entries with idTagInfo and removes
-- those without; the version is the listVersion sent. Failed, NotSupported, VersionMismatch change
-- nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_send_local_list(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    PERFORM cs.apply_local_list(
        cmd.station_id, cmd.payload->>'updateType' = 'Full', (cmd.payload->>'listVersion')::integer,
        coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                             'idTag', e->'idTag', 'info', e->'idTagInfo')))
                    FROM jsonb_array_elements(cmd.payload->'localAuthorizationList') AS e),
                 '[]'::jsonb));
END;
$$;

-- cs.v16_effect_get_local_list_version(cmd): stores the listVersion answered as reported_version.
CREATE OR REPLACE FUNCTION cs.v16_effect_get_local_list_version(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.local_list AS v (station_id, reported_version, reported_at)
    VALUES (cmd.station_id, (cmd.response->>'listVersion')::integer, now())
    ON CONFLICT ON CONSTRAINT local_list_pkey DO UPDATE
       SET reported_version = excluded.reported_version, reported_at = excluded.reported_at;
END;
$$;

-- Reservations ------------------------------------------------------------------------------------

-- cs.expire_reservations(): Accepted reservations past their expiry_date become Expired.
-- Returns the number expired. Raises nothing.
CREATE OR REPLACE FUNCTION cs.expire_reservations()
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    expired integer;
BEGIN
    UPDATE cs.reservation AS r SET status = 'Expired'
     WHERE r.status = 'Accepted' AND r.expiry_date <= now();
    GET DIAGNOSTICS expired = ROW_COUNT;
    RETURN expired;
END;
$$;

-- cs.v16_effect_reserve_now(cmd): Accepted creates the reservation (id = reservationId, status
-- Accepted, expiry, id tag, parent, command) or, for a reservationId the station already held,
-- replaces it (1.6); other Accepted reservations of the same connector are Cancelled (the station now
-- holds this one). A reservationId used by another station's reservation cannot be stored: cs.review.
-- Faulted, Occupied, Rejected, Unavailable create nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_reserve_now(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    PERFORM cs.accept_reservation(cmd, (cmd.payload->>'reservationId')::integer,
                                  (cmd.payload->>'connectorId')::integer, cmd.payload->>'idTag', NULL,
                                  cmd.payload->>'parentIdTag', (cmd.payload->>'expiryDate')::timestamptz, NULL);
END;
$$;

-- cs.accept_reservation(cmd, reservation_id, connector_id, id_tag, id_token_type, parent_id_tag,
-- expiry_date, connector_type): the reservation the station accepted with command cmd is stored (or,
-- for a reservationId it already held, replaced); other Accepted reservations of the same connector
-- (1.6) or EVSE (2.0.1) are Cancelled. A reservationId used by another station's reservation goes to
-- cs.review. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.accept_reservation(cmd cs.command, reservation_id integer, connector_id integer,
                                                 id_tag text, id_token_type text, parent_id_tag text,
                                                 expiry_date timestamptz, connector_type text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.reservation AS r (id, station_id, connector_id, id_tag, id_token_type, parent_id_tag,
                                     expiry_date, connector_type, status, command_id)
    VALUES (accept_reservation.reservation_id, cmd.station_id, accept_reservation.connector_id,
            accept_reservation.id_tag, accept_reservation.id_token_type, accept_reservation.parent_id_tag,
            accept_reservation.expiry_date, accept_reservation.connector_type, 'Accepted', cmd.id)
    ON CONFLICT ON CONSTRAINT reservation_pkey DO UPDATE
       SET connector_id = excluded.connector_id, id_tag = excluded.id_tag, id_token_type = excluded.id_token_type,
           parent_id_tag = excluded.parent_id_tag, expiry_date = excluded.expiry_date,
           connector_type = excluded.connector_type, status = 'Accepted', command_id = excluded.command_id
     WHERE r.station_id = excluded.station_id;
    IF NOT FOUND THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (cmd.station_id, 'ReserveNow', 'reservationId used by another station',
                jsonb_build_object('command', cmd.id, 'payload', cmd.payload));
        RETURN;
    END IF;
    UPDATE cs.reservation AS r SET status = 'Cancelled'
     WHERE r.station_id = cmd.station_id AND r.connector_id = accept_reservation.connector_id
       AND r.status = 'Accepted' AND r.id <> accept_reservation.reservation_id;
END;
$$;

-- cs.v16_effect_cancel_reservation(cmd): Accepted cancels the station's Accepted reservation
-- reservationId. Rejected (the station holds no such reservation) changes nothing: expiry or use
-- will settle it.
CREATE OR REPLACE FUNCTION cs.v16_effect_cancel_reservation(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    UPDATE cs.reservation AS r SET status = 'Cancelled'
     WHERE r.id = (cmd.payload->>'reservationId')::integer AND r.station_id = cmd.station_id
       AND r.status = 'Accepted';
END;
$$;

-- Charging profiles -------------------------------------------------------------------------------

-- cs.v16_effect_set_charging_profile(cmd): Accepted installs csChargingProfiles on connectorId; the
-- station's installed profile with the same chargingProfileId and the connector's with the same
-- purpose and stackLevel become Replaced (1.6 replaces them). Rejected and NotSupported change nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_set_charging_profile(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    p         jsonb := cmd.payload->'csChargingProfiles';
    connector integer := (cmd.payload->>'connectorId')::integer;
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    PERFORM cs.install_charging_profile(cmd, connector, (p->>'chargingProfileId')::integer,
                                        (p->>'transactionId')::integer, NULL, p);
END;
$$;

-- cs.install_charging_profile(cmd, connector_id, profile_id, transaction_id, transaction_ref, p): the
-- profile p (1.6 csChargingProfiles or 2.0.1 chargingProfile) accepted with command cmd is stored
-- Installed on connector_id (1.6 connector, 2.0.1 EVSE); the station's installed profile profile_id and
-- the connector's with the same purpose and stackLevel become Replaced. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.install_charging_profile(cmd cs.command, connector_id integer, profile_id integer,
                                                       transaction_id integer, transaction_ref text, p jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE cs.charging_profile AS c
       SET status = 'Replaced', ended_by = cmd.id, updated_at = now()
     WHERE c.station_id = cmd.station_id AND c.status = 'Installed'
       AND (c.id = profile_id
            OR (c.connector_id = install_charging_profile.connector_id AND c.purpose = p->>'chargingProfilePurpose'
                AND c.stack_level = (p->>'stackLevel')::integer));
    INSERT INTO cs.charging_profile (station_id, id, connector_id, purpose, stack_level, kind, recurrency,
                                     valid_from, valid_to, transaction_id, transaction_ref, schedule, profile,
                                     command_id)
    VALUES (cmd.station_id, profile_id, install_charging_profile.connector_id, p->>'chargingProfilePurpose',
            (p->>'stackLevel')::integer, p->>'chargingProfileKind', p->>'recurrencyKind',
            (p->>'validFrom')::timestamptz, (p->>'validTo')::timestamptz, install_charging_profile.transaction_id,
            install_charging_profile.transaction_ref, p->'chargingSchedule', p, cmd.id);
END;
$$;

-- cs.v16_effect_clear_charging_profile(cmd): Accepted clears (status Cleared) the installed profile id
-- when id was sent (the other criteria are then ignored, as in 1.6), else every installed profile
-- matching the criteria sent (connectorId, chargingProfilePurpose, stackLevel; an absent one matches
-- all). Unknown changes nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_clear_charging_profile(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    p jsonb := cmd.payload;
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    UPDATE cs.charging_profile AS c
       SET status = 'Cleared', ended_by = cmd.id, updated_at = now()
     WHERE c.station_id = cmd.station_id AND c.status = 'Installed'
       AND CASE WHEN p ? 'id' THEN c.id = (p->>'id')::integer
                ELSE (NOT p ? 'connectorId' OR c.connector_id = (p->>'connectorId')::integer)
                     AND (NOT p ? 'chargingProfilePurpose' OR c.purpose = p->>'chargingProfilePurpose')
                     AND (NOT p ? 'stackLevel' OR c.stack_level = (p->>'stackLevel')::integer) END;
END;
$$;

-- cs.v16_effect_get_composite_schedule(cmd): a cs.composite_schedule row for every answer (Accepted
-- with its schedule, or Rejected).
CREATE OR REPLACE FUNCTION cs.v16_effect_get_composite_schedule(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.composite_schedule (station_id, connector_id, duration, charging_rate_unit, status,
                                       schedule_start, schedule, command_id)
    VALUES (cmd.station_id,
            coalesce((cmd.response->>'connectorId')::integer, (cmd.payload->>'connectorId')::integer),
            (cmd.payload->>'duration')::integer,
            coalesce(cmd.response #>> '{chargingSchedule,chargingRateUnit}', cmd.payload->>'chargingRateUnit'),
            cmd.response->>'status', (cmd.response->>'scheduleStart')::timestamptz,
            cmd.response->'chargingSchedule', cmd.id);
END;
$$;

-- Availability ------------------------------------------------------------------------------------

DROP FUNCTION IF EXISTS cs.set_availability(integer, integer, text, boolean, bigint);

-- cs.set_availability(station_id, evse_id, connector_id, type, scheduled, command_id): sets the
-- availability to type of EVSE evse_id (a 1.6 connector), or of its connector connector_id (2.0.1,
-- > 0). EVSE 0 is the station: it and every EVSE known (cs.connector, cs.evse) and every row of
-- cs.connector_availability of the station; a whole EVSE: it and the rows of its connectors. When
-- scheduled, an EVSE with a running transaction (for EVSE 0: the station while any transaction runs)
-- keeps its availability and gets scheduled = type instead. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.set_availability(station_id integer, evse_id integer, connector_id integer, type text,
                                               scheduled boolean, command_id bigint)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.connector_availability AS a (station_id, connector_id, evse_connector_id, availability,
                                                scheduled, command_id, updated_at)
    SELECT set_availability.station_id, t.evse, t.conn,
           CASE WHEN t.busy THEN NULL ELSE set_availability.type END,
           CASE WHEN t.busy THEN set_availability.type END,
           set_availability.command_id, now()
      FROM (SELECT c.evse, c.conn,
                   scheduled AND EXISTS (SELECT FROM cs.transaction AS x
                                          WHERE x.station_id = set_availability.station_id
                                            AND x.stopped_at IS NULL
                                            AND (c.evse = 0 OR x.evse_id = c.evse)) AS busy
              FROM (SELECT set_availability.evse_id, coalesce(set_availability.connector_id, 0)
                    UNION
                    SELECT k.evse_id, 0 FROM cs.connector AS k
                     WHERE set_availability.evse_id = 0 AND k.station_id = set_availability.station_id
                       AND k.evse_id > 0
                    UNION
                    SELECT e.evse_id, 0 FROM cs.evse AS e
                     WHERE set_availability.evse_id = 0 AND e.station_id = set_availability.station_id
                       AND e.evse_id > 0
                    UNION
                    SELECT v.connector_id, v.evse_connector_id FROM cs.connector_availability AS v
                     WHERE v.station_id = set_availability.station_id
                       AND (set_availability.evse_id = 0
                            OR (coalesce(set_availability.connector_id, 0) = 0
                                AND v.connector_id = set_availability.evse_id))
                   ) AS c (evse, conn)
           ) AS t
    ON CONFLICT ON CONSTRAINT connector_availability_pkey DO UPDATE
       SET availability = coalesce(excluded.availability, a.availability),
           scheduled = excluded.scheduled,
           command_id = excluded.command_id, updated_at = excluded.updated_at;
END;
$$;

-- cs.v16_effect_change_availability(cmd): Accepted sets the availability of connectorId to type;
-- Scheduled does so for the connectors without a running transaction and schedules it for the
-- others (cs.apply_scheduled_availability applies it when the transaction ends). Rejected: nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_change_availability(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    status text := cmd.response->>'status';
BEGIN
    IF status IN ('Accepted', 'Scheduled') THEN
        PERFORM cs.set_availability(cmd.station_id, (cmd.payload->>'connectorId')::integer, 0,
                                    cmd.payload->>'type', status = 'Scheduled', cmd.id);
    END IF;
END;
$$;

-- cs.apply_scheduled_availability(station_id, connector_id): for the StopTransaction and the
-- TransactionEvent Ended handlers, after the transaction on 1.6 connector / 2.0.1 EVSE connector_id
-- (cs.transaction.evse_id) stopped: the scheduled availability of the connector, or of the EVSE and
-- its connectors, takes effect, and the station's (EVSE 0) once no transaction of the station runs any
-- more. Returns the number of rows changed. Raises nothing.
CREATE OR REPLACE FUNCTION cs.apply_scheduled_availability(station_id integer, connector_id integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    changed integer;
BEGIN
    UPDATE cs.connector_availability AS a
       SET availability = a.scheduled, scheduled = NULL, updated_at = now()
     WHERE a.station_id = apply_scheduled_availability.station_id
       AND a.scheduled IS NOT NULL
       AND NOT EXISTS (SELECT FROM cs.transaction AS x
                        WHERE x.station_id = a.station_id AND x.stopped_at IS NULL
                          AND (a.connector_id = 0 OR x.evse_id = a.connector_id))
       AND (a.connector_id = apply_scheduled_availability.connector_id OR a.connector_id = 0);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END;
$$;

-- Firmware, diagnostics, logs ---------------------------------------------------------------------

-- cs.v16_effect_file_transfer(cmd): a cs.file_transfer row for UpdateFirmware (kind Firmware, answer
-- Accepted: its 1.6 response is empty; the status answered in 2.0.1), SignedUpdateFirmware (SignedFirmware), GetDiagnostics
-- (Diagnostics: answer Accepted with the fileName, NoFile when the station has none) and GetLog (Log),
-- with requestId and location. The row is active while the answer is Accepted or AcceptedCanceled; a
-- new active request of the same kind ends the station's older active ones (status Superseded).
CREATE OR REPLACE FUNCTION cs.v16_effect_file_transfer(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    transfer_kind text := CASE cmd.action WHEN 'UpdateFirmware' THEN 'Firmware'
                                          WHEN 'SignedUpdateFirmware' THEN 'SignedFirmware'
                                          WHEN 'GetDiagnostics' THEN 'Diagnostics'
                                          ELSE 'Log' END;
    answer        text := CASE cmd.action WHEN 'UpdateFirmware' THEN coalesce(cmd.response->>'status', 'Accepted')
                                          WHEN 'GetDiagnostics' THEN CASE WHEN cmd.response ? 'fileName'
                                                                          THEN 'Accepted' ELSE 'NoFile' END
                                          ELSE cmd.response->>'status' END;
    active        boolean := answer IN ('Accepted', 'AcceptedCanceled');
BEGIN
    IF active THEN
        UPDATE cs.file_transfer AS f SET active = false, status = 'Superseded', updated_at = now()
         WHERE f.station_id = cmd.station_id AND f.kind = transfer_kind AND f.active;
    END IF;
    INSERT INTO cs.file_transfer (station_id, kind, command_id, request_id, location, answer, file_name, active)
    VALUES (cmd.station_id, transfer_kind, cmd.id, (cmd.payload->>'requestId')::integer,
            coalesce(cmd.payload->>'location', cmd.payload #>> '{log,remoteLocation}',
                     cmd.payload #>> '{firmware,location}'),
            answer, coalesce(cmd.response->>'fileName', cmd.response->>'filename'), active);
END;
$$;

-- cs.file_transfer_status(station_id, kind, status, request_id): for the Diagnostics-, Firmware-, Log-
-- and SignedFirmwareStatusNotification handler (kind Diagnostics, Firmware, Log, SignedFirmware): the
-- station's active cs.file_transfer of that kind (with request_id when given, else the newest) takes
-- status; a final status ends it (active false). Idle changes nothing (nothing is going on). A firmware
-- notification also matches a SignedFirmware transfer (the station may report either way).
-- Returns the id of the file transfer updated, or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.file_transfer_status(station_id integer, kind text, status text,
                                                   request_id integer DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    final   boolean := status IN ('Uploaded', 'UploadFailed', 'UploadFailure', 'BadMessage',
                                  'NotSupportedOperation', 'PermissionDenied', 'Installed',
                                  'InstallationFailed', 'DownloadFailed', 'InstallVerificationFailed',
                                  'InvalidSignature');
    updated bigint;
BEGIN
    IF status IS NULL OR status = 'Idle' THEN
        RETURN NULL;
    END IF;
    UPDATE cs.file_transfer AS f
       SET status = file_transfer_status.status, active = NOT final, updated_at = now()
     WHERE f.id = (SELECT g.id FROM cs.file_transfer AS g
                    WHERE g.station_id = file_transfer_status.station_id AND g.active
                      AND (g.kind = file_transfer_status.kind
                           OR (file_transfer_status.kind IN ('Firmware', 'SignedFirmware')
                               AND g.kind IN ('Firmware', 'SignedFirmware')))
                      AND (file_transfer_status.request_id IS NULL OR g.request_id = file_transfer_status.request_id)
                    ORDER BY g.kind = file_transfer_status.kind DESC, g.id DESC
                    LIMIT 1)
    RETURNING f.id INTO updated;
    RETURN updated;
END;
$$;

-- Certificates ------------------------------------------------------------------------------------

-- cs.v16_effect_install_certificate(cmd): Accepted keeps the certificate as installed (type and text;
-- its hash data is known once GetInstalledCertificateIds lists it). Failed, Rejected: nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_install_certificate(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    INSERT INTO cs.installed_certificate (station_id, certificate_type, certificate, command_id)
    VALUES (cmd.station_id, cmd.payload->>'certificateType', cmd.payload->>'certificate', cmd.id);
END;
$$;

-- cs.v16_effect_delete_certificate(cmd): Accepted or NotFound: the station does not hold the
-- certificate (any more), its row goes. Failed: nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_delete_certificate(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    h jsonb := cmd.payload->'certificateHashData';
BEGIN
    IF cmd.response->>'status' NOT IN ('Accepted', 'NotFound') THEN
        RETURN;
    END IF;
    DELETE FROM cs.installed_certificate AS c
     WHERE c.station_id = cmd.station_id AND c.hash_algorithm = h->>'hashAlgorithm'
       AND c.issuer_name_hash = h->>'issuerNameHash' AND c.issuer_key_hash = h->>'issuerKeyHash'
       AND c.serial_number = h->>'serialNumber';
END;
$$;

-- cs.v16_effect_get_installed_certificate_ids(cmd): the answer is the station's list of that
-- certificateType: its rows of the type (those installed by InstallCertificate without hash data
-- too) are replaced by the certificateHashData answered (none for NotFound).
CREATE OR REPLACE FUNCTION cs.v16_effect_get_installed_certificate_ids(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    cert_type text := cmd.payload->>'certificateType';
BEGIN
    IF cmd.response->>'status' NOT IN ('Accepted', 'NotFound') THEN
        RETURN;
    END IF;
    DELETE FROM cs.installed_certificate AS c
     WHERE c.station_id = cmd.station_id AND c.certificate_type = cert_type;
    INSERT INTO cs.installed_certificate AS c (station_id, certificate_type, hash_algorithm, issuer_name_hash,
                                               issuer_key_hash, serial_number, command_id)
    SELECT DISTINCT cmd.station_id, cert_type, h->>'hashAlgorithm', h->>'issuerNameHash', h->>'issuerKeyHash',
           h->>'serialNumber', cmd.id
      FROM jsonb_array_elements(CASE WHEN cmd.response->>'status' = 'Accepted'
                                     THEN coalesce(cmd.response->'certificateHashData', '[]'::jsonb)
                                     ELSE '[]'::jsonb END) AS h
    -- a certificate listed under another type stays where it is
    ON CONFLICT (station_id, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
       WHERE hash_algorithm IS NOT NULL DO NOTHING;
END;
$$;

-- cs.v16_effect_certificate_signed(cmd): Accepted marks Signed the cs.certificate_request this
-- command was sent for (ocpp.certificate_request_signed), or else the station's oldest Pending one.
-- Rejected: the request stays Pending (sign again).
CREATE OR REPLACE FUNCTION cs.v16_effect_certificate_signed(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    UPDATE cs.certificate_request AS r
       SET status = 'Signed', command_id = cmd.id, updated_at = now()
     WHERE r.id = (SELECT q.id FROM cs.certificate_request AS q
                    WHERE q.station_id = cmd.station_id AND q.status = 'Pending'
                    ORDER BY q.command_id IS NOT DISTINCT FROM cmd.id DESC, q.id
                    LIMIT 1);
END;
$$;

-- Remote start ------------------------------------------------------------------------------------

-- cs.link_remote_start(transaction_id, within): for the StartTransaction handler, after it opened
-- transaction transaction_id: links it to the newest RemoteStartTransaction of the same station and
-- idTag answered Accepted within `within` before the transaction was recorded, not linked yet, whose
-- connectorId (when one was sent) is the transaction's 1.6 connector. Sets
-- cs.transaction.remote_start_command. Returns the command id, or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.link_remote_start(transaction_id integer, within interval DEFAULT '5 minutes')
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    tx     cs.transaction;
    cmd_id bigint;
BEGIN
    SELECT * INTO tx FROM cs.transaction AS t WHERE t.id = link_remote_start.transaction_id;
    IF NOT FOUND OR tx.remote_start_command IS NOT NULL THEN
        RETURN tx.remote_start_command;
    END IF;
    SELECT c.id INTO cmd_id
      FROM cs.command AS c
     WHERE c.station_id = tx.station_id AND c.action = 'RemoteStartTransaction' AND c.status = 'answered'
       AND c.response->>'status' = 'Accepted'
       AND c.payload->>'idTag' = tx.id_tag
       AND (NOT c.payload ? 'connectorId' OR (c.payload->>'connectorId')::integer = tx.evse_id)
       AND c.answered_at BETWEEN tx.created_at - within AND tx.created_at
       AND NOT EXISTS (SELECT FROM cs.transaction AS o WHERE o.remote_start_command = c.id)
     ORDER BY c.answered_at DESC
     LIMIT 1;
    IF FOUND THEN
        UPDATE cs.transaction AS t SET remote_start_command = cmd_id WHERE t.id = tx.id;
    END IF;
    RETURN cmd_id;
END;
$$;

-- Remote stop ---------------------------------------------------------------------------------------

-- cs.transaction_of(station_id, transaction_id): the cs.transaction of station station_id that a
-- command names: a number is cs.transaction.id (1.6), a string the 2.0.1 transaction_ref. Returns the
-- id, or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.transaction_of(station_id integer, transaction_id jsonb)
RETURNS integer
LANGUAGE sql
STABLE
AS $$
    SELECT t.id FROM cs.transaction AS t
     WHERE t.station_id = transaction_of.station_id
       AND CASE jsonb_typeof(transaction_id)
               WHEN 'number' THEN t.id::numeric = (transaction_id #>> '{}')::numeric
               WHEN 'string' THEN t.transaction_ref = transaction_id #>> '{}'
               ELSE false END
$$;

-- cs.remote_stop_accepted(cmd, transaction_id): RemoteStopTransaction / RequestStopTransaction cmd
-- answered Accepted: the transaction (when known) keeps the command as remote_stop_command.
-- Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.remote_stop_accepted(cmd cs.command, transaction_id integer)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' = 'Accepted' AND transaction_id IS NOT NULL THEN
        UPDATE cs.transaction AS t SET remote_stop_command = cmd.id, updated_at = now()
         WHERE t.id = remote_stop_accepted.transaction_id;
    END IF;
END;
$$;

-- OCPP 2.0.1 and 2.1 ------------------------------------------------------------------------------

-- cs.v201_command_effect(cmd): dispatches the answered 2.0.1 / 2.1 command cmd on its action. Actions
-- without an effect (Reset, UnlockConnector, TriggerMessage, ClearCache, DataTransfer, the 2.1 ones
-- but the tariff messages) keep only the response on the command. Returns nothing.
CREATE OR REPLACE FUNCTION cs.v201_command_effect(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    CASE cmd.action
        WHEN 'RequestStartTransaction' THEN
            PERFORM cs.v201_effect_request_start_transaction(cmd);
        WHEN 'RequestStopTransaction' THEN
            PERFORM cs.remote_stop_accepted(cmd, cs.transaction_of(cmd.station_id, cmd.payload->'transactionId'));
        WHEN 'GetTransactionStatus' THEN
            PERFORM cs.v201_effect_get_transaction_status(cmd);
        WHEN 'SetDefaultTariff', 'ClearTariffs', 'GetTariffs', 'ChangeTransactionTariff' THEN
            PERFORM cs.v21_effect_tariff(cmd);   -- 14_tariffs/v21_tariffs.sql
        WHEN 'CostUpdated' THEN
            UPDATE cs.transaction AS t
               SET total_cost = (cmd.payload->>'totalCost')::numeric, total_cost_at = now(), updated_at = now()
             WHERE t.id = cs.transaction_of(cmd.station_id, cmd.payload->'transactionId');
        WHEN 'ChangeAvailability' THEN
            PERFORM cs.v201_effect_change_availability(cmd);
        WHEN 'GetVariables' THEN
            PERFORM cs.v201_effect_get_variables(cmd);
        WHEN 'SetVariables' THEN
            PERFORM cs.v201_effect_set_variables(cmd);
        WHEN 'GetBaseReport', 'GetReport', 'GetMonitoringReport', 'GetChargingProfiles', 'GetDisplayMessages',
             'CustomerInformation' THEN
            PERFORM cs.v201_effect_report_request(cmd);
            IF cmd.action = 'CustomerInformation' THEN
                PERFORM cs.v201_effect_customer_clear(cmd);  -- N10.FR.02
            END IF;
        WHEN 'SetVariableMonitoring' THEN
            PERFORM cs.v201_effect_set_variable_monitoring(cmd);
        WHEN 'ClearVariableMonitoring' THEN
            DELETE FROM cs.variable_monitor AS m
             USING jsonb_array_elements(coalesce(cmd.response->'clearMonitoringResult', '[]'::jsonb)) AS r
             WHERE m.station_id = cmd.station_id AND m.id = (r->>'id')::integer
               AND r->>'status' IN ('Accepted', 'NotFound');
        WHEN 'SetMonitoringBase', 'SetMonitoringLevel' THEN
            PERFORM cs.v201_effect_monitoring_setting(cmd);
        WHEN 'SetNetworkProfile' THEN
            IF cmd.response->>'status' = 'Accepted' THEN
                INSERT INTO cs.network_profile AS n (station_id, configuration_slot, connection_data, command_id)
                VALUES (cmd.station_id, (cmd.payload->>'configurationSlot')::integer, cmd.payload->'connectionData',
                        cmd.id)
                ON CONFLICT ON CONSTRAINT network_profile_pkey DO UPDATE
                   SET connection_data = excluded.connection_data, command_id = excluded.command_id,
                       updated_at = now();
            END IF;
        WHEN 'SendLocalList' THEN
            PERFORM cs.v201_effect_send_local_list(cmd);
        WHEN 'GetLocalListVersion' THEN
            INSERT INTO cs.local_list AS v (station_id, reported_version, reported_at)
            VALUES (cmd.station_id, (cmd.response->>'versionNumber')::integer, now())
            ON CONFLICT ON CONSTRAINT local_list_pkey DO UPDATE
               SET reported_version = excluded.reported_version, reported_at = excluded.reported_at;
        WHEN 'ReserveNow' THEN
            IF cmd.response->>'status' = 'Accepted' THEN
                PERFORM cs.accept_reservation(cmd, (cmd.payload->>'id')::integer,
                                              coalesce((cmd.payload->>'evseId')::integer, 0),
                                              cmd.payload #>> '{idToken,idToken}', cmd.payload #>> '{idToken,type}',
                                              cmd.payload #>> '{groupIdToken,idToken}',
                                              (cmd.payload->>'expiryDateTime')::timestamptz,
                                              cmd.payload->>'connectorType');
            END IF;
        WHEN 'CancelReservation' THEN
            PERFORM cs.v16_effect_cancel_reservation(cmd);
        WHEN 'SetChargingProfile' THEN
            IF cmd.response->>'status' = 'Accepted' THEN
                PERFORM cs.install_charging_profile(cmd, (cmd.payload->>'evseId')::integer,
                                                    (cmd.payload #>> '{chargingProfile,id}')::integer, NULL,
                                                    cmd.payload #>> '{chargingProfile,transactionId}',
                                                    cmd.payload->'chargingProfile');
            END IF;
        WHEN 'ClearChargingProfile' THEN
            PERFORM cs.v201_effect_clear_charging_profile(cmd);
        WHEN 'GetCompositeSchedule' THEN
            INSERT INTO cs.composite_schedule (station_id, connector_id, duration, charging_rate_unit, status,
                                               schedule_start, schedule, command_id)
            VALUES (cmd.station_id,
                    coalesce((cmd.response #>> '{schedule,evseId}')::integer, (cmd.payload->>'evseId')::integer),
                    coalesce((cmd.response #>> '{schedule,duration}')::integer, (cmd.payload->>'duration')::integer),
                    coalesce(cmd.response #>> '{schedule,chargingRateUnit}', cmd.payload->>'chargingRateUnit'),
                    cmd.response->>'status', (cmd.response #>> '{schedule,scheduleStart}')::timestamptz,
                    cmd.response->'schedule', cmd.id);
        WHEN 'UpdateFirmware', 'GetLog' THEN
            PERFORM cs.v16_effect_file_transfer(cmd);
        WHEN 'PublishFirmware' THEN
            PERFORM cs.v201_effect_publish_firmware(cmd);
        WHEN 'UnpublishFirmware' THEN
            IF cmd.response->>'status' IN ('Unpublished', 'NoFirmware') THEN
                UPDATE cs.published_firmware AS f SET active = false, status = 'Unpublished', updated_at = now()
                 WHERE f.station_id = cmd.station_id AND f.checksum = cmd.payload->>'checksum' AND f.active;
            END IF;
        WHEN 'SetDisplayMessage' THEN
            PERFORM cs.v201_effect_set_display_message(cmd);
        WHEN 'ClearDisplayMessage' THEN
            IF cmd.response->>'status' IN ('Accepted', 'Unknown') THEN
                DELETE FROM cs.display_message AS m
                 WHERE m.station_id = cmd.station_id AND m.id = (cmd.payload->>'id')::integer;
            END IF;
        WHEN 'InstallCertificate' THEN
            PERFORM cs.v16_effect_install_certificate(cmd);
        WHEN 'DeleteCertificate' THEN
            PERFORM cs.v16_effect_delete_certificate(cmd);
        WHEN 'GetInstalledCertificateIds' THEN
            PERFORM cs.v201_effect_get_installed_certificate_ids(cmd);
        WHEN 'CertificateSigned' THEN
            PERFORM cs.v16_effect_certificate_signed(cmd);
        ELSE
            NULL;
    END CASE;
END;
$$;

-- cs.v201_effect_request_start_transaction(cmd): Accepted with a transactionId (the station had
-- started the transaction already, e.g. on a cable plugged in): the transaction, when known and not
-- linked yet, keeps the command as remote_start_command (a transaction started later is linked by the
-- TransactionEvent handler through its remoteStartId).
CREATE OR REPLACE FUNCTION cs.v201_effect_request_start_transaction(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' = 'Accepted' AND cmd.response ? 'transactionId' THEN
        UPDATE cs.transaction AS t SET remote_start_command = cmd.id, updated_at = now()
         WHERE t.id = cs.transaction_of(cmd.station_id, cmd.response->'transactionId')
           AND t.remote_start_command IS NULL;
    END IF;
END;
$$;

-- cs.v201_effect_get_transaction_status(cmd): the answer stays on the command; when the station says
-- a transaction we still see running is not ongoing and has no messages queued, a cs.review row
-- ("transaction not ongoing at the station") asks a person to look.
CREATE OR REPLACE FUNCTION cs.v201_effect_get_transaction_status(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    tx_id integer := cs.transaction_of(cmd.station_id, cmd.payload->'transactionId');
BEGIN
    IF tx_id IS NOT NULL AND cmd.response->'ongoingIndicator' = 'false'::jsonb
       AND cmd.response->'messagesInQueue' = 'false'::jsonb
       AND EXISTS (SELECT FROM cs.transaction AS t WHERE t.id = tx_id AND t.stopped_at IS NULL) THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (cmd.station_id, 'GetTransactionStatus', 'transaction not ongoing at the station',
                jsonb_build_object('command', cmd.id, 'transaction', tx_id, 'response', cmd.response));
    END IF;
END;
$$;

-- cs.v201_effect_change_availability(cmd): Accepted sets the operationalStatus of the evse sent (the
-- station without one, the EVSE without connectorId, else the connector); Scheduled as in 1.6 (takes
-- effect when the EVSE's transaction ends, cs.apply_scheduled_availability). Rejected: nothing.
CREATE OR REPLACE FUNCTION cs.v201_effect_change_availability(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    status text := cmd.response->>'status';
BEGIN
    IF status IN ('Accepted', 'Scheduled') THEN
        PERFORM cs.set_availability(cmd.station_id, coalesce((cmd.payload #>> '{evse,id}')::integer, 0),
                                    coalesce((cmd.payload #>> '{evse,connectorId}')::integer, 0),
                                    cmd.payload->>'operationalStatus', status = 'Scheduled', cmd.id);
    END IF;
END;
$$;

-- cs.v201_variable_key(component, variable, attribute_type): the identifying columns of a
-- cs.device_variable row for a 2.0.1 ComponentType and VariableType (absent instance '', absent evse
-- and connector 0, absent attributeType Actual). Returns a record. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_variable_key(component jsonb, variable jsonb, attribute_type text,
                                                OUT component_name text, OUT component_instance text,
                                                OUT evse_id integer, OUT connector_id integer,
                                                OUT variable_name text, OUT variable_instance text,
                                                OUT attribute text)
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT component->>'name', coalesce(component->>'instance', ''),
           coalesce((component #>> '{evse,id}')::integer, 0),
           coalesce((component #>> '{evse,connectorId}')::integer, 0),
           variable->>'name', coalesce(variable->>'instance', ''), coalesce(attribute_type, 'Actual')
$$;

-- cs.v201_effect_get_variables(cmd): every getVariableResult is stored in cs.device_variable with its
-- attributeStatus: Accepted sets the value (and clears reboot_required when the station booted after
-- the variable was set); UnknownComponent and UnknownVariable clear it; Rejected and
-- NotSupportedAttributeType keep it.
CREATE OR REPLACE FUNCTION cs.v201_effect_get_variables(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.device_variable AS d (station_id, component, component_instance, evse_id, connector_id, variable,
                                         variable_instance, attribute_type, value, attribute_status, command_id,
                                         updated_at)
    SELECT DISTINCT ON (k.component_name, k.component_instance, k.evse_id, k.connector_id, k.variable_name,
                        k.variable_instance, k.attribute)
           cmd.station_id, k.component_name, k.component_instance, k.evse_id, k.connector_id, k.variable_name,
           k.variable_instance, k.attribute, r->>'attributeValue', r->>'attributeStatus', cmd.id, now()
      FROM jsonb_array_elements(coalesce(cmd.response->'getVariableResult', '[]'::jsonb)) WITH ORDINALITY AS e (r, n),
           cs.v201_variable_key(r->'component', r->'variable', r->>'attributeType') AS k
     ORDER BY k.component_name, k.component_instance, k.evse_id, k.connector_id, k.variable_name,
              k.variable_instance, k.attribute, n DESC
    ON CONFLICT ON CONSTRAINT device_variable_pkey DO UPDATE
       SET value = CASE excluded.attribute_status
                       WHEN 'Accepted' THEN excluded.value
                       WHEN 'UnknownComponent' THEN NULL
                       WHEN 'UnknownVariable' THEN NULL
                       ELSE d.value END,
           attribute_status = excluded.attribute_status,
           reboot_required = d.reboot_required
                             AND NOT (excluded.attribute_status = 'Accepted'
                                      AND coalesce((SELECT s.booted_at FROM cs.station AS s WHERE s.id = d.station_id)
                                                   > d.updated_at, false)),
           command_id = excluded.command_id, updated_at = excluded.updated_at;
END;
$$;

-- cs.v201_effect_set_variables(cmd): every setVariableResult is stored in cs.device_variable with its
-- attributeStatus: Accepted and RebootRequired set the value sent (and reboot_required for
-- RebootRequired); UnknownComponent and UnknownVariable store the variable without value; Rejected and
-- NotSupportedAttributeType keep the value. An accepted OCPPCommCtrlr.HeartbeatInterval (Actual) also
-- sets the station's heartbeat_interval (cs.heartbeat_interval_accepted).
CREATE OR REPLACE FUNCTION cs.v201_effect_set_variables(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.device_variable AS d (station_id, component, component_instance, evse_id, connector_id, variable,
                                         variable_instance, attribute_type, value, attribute_status, reboot_required,
                                         command_id, updated_at)
    SELECT DISTINCT ON (k.component_name, k.component_instance, k.evse_id, k.connector_id, k.variable_name,
                        k.variable_instance, k.attribute)
           cmd.station_id, k.component_name, k.component_instance, k.evse_id, k.connector_id, k.variable_name,
           k.variable_instance, k.attribute,
           CASE WHEN r->>'attributeStatus' IN ('Accepted', 'RebootRequired') THEN
                (SELECT q->>'attributeValue'
                   FROM jsonb_array_elements(coalesce(cmd.payload->'setVariableData', '[]'::jsonb)) AS q,
                        cs.v201_variable_key(q->'component', q->'variable', q->>'attributeType') AS j
                  WHERE (j.*) = (k.*)
                  LIMIT 1) END,
           r->>'attributeStatus', r->>'attributeStatus' = 'RebootRequired', cmd.id, now()
      FROM jsonb_array_elements(coalesce(cmd.response->'setVariableResult', '[]'::jsonb)) WITH ORDINALITY AS e (r, n),
           cs.v201_variable_key(r->'component', r->'variable', r->>'attributeType') AS k
     ORDER BY k.component_name, k.component_instance, k.evse_id, k.connector_id, k.variable_name,
              k.variable_instance, k.attribute, n DESC
    ON CONFLICT ON CONSTRAINT device_variable_pkey DO UPDATE
       SET value = CASE WHEN excluded.attribute_status IN ('Accepted', 'RebootRequired') THEN excluded.value
                        WHEN excluded.attribute_status IN ('UnknownComponent', 'UnknownVariable') THEN NULL
                        ELSE d.value END,
           attribute_status = excluded.attribute_status,
           reboot_required = CASE WHEN excluded.attribute_status IN ('Accepted', 'RebootRequired')
                                  THEN excluded.reboot_required ELSE d.reboot_required END,
           command_id = excluded.command_id,
           updated_at = CASE WHEN excluded.attribute_status IN ('Accepted', 'RebootRequired')
                             THEN excluded.updated_at ELSE d.updated_at END;

    PERFORM cs.heartbeat_interval_accepted(cmd.station_id, q->>'attributeValue')
       FROM jsonb_array_elements(coalesce(cmd.response->'setVariableResult', '[]'::jsonb)) AS r,
            jsonb_array_elements(coalesce(cmd.payload->'setVariableData', '[]'::jsonb)) AS q
      WHERE r->>'attributeStatus' IN ('Accepted', 'RebootRequired')
        AND r#>>'{component,name}' = 'OCPPCommCtrlr' AND r#>>'{variable,name}' = 'HeartbeatInterval'
        AND coalesce(r->>'attributeType', 'Actual') = 'Actual'
        AND q#>>'{component,name}' = 'OCPPCommCtrlr' AND q#>>'{variable,name}' = 'HeartbeatInterval'
        AND coalesce(q->>'attributeType', 'Actual') = 'Actual';
END;
$$;

-- cs.v201_effect_report_request(cmd): GetBaseReport, GetReport, GetMonitoringReport,
-- GetChargingProfiles, GetDisplayMessages, CustomerInformation: a cs.report_request row with the
-- requestId, the request and the status answered, so the notifications that carry the report (their
-- cs.report_part rows, same station and requestId) can be matched with the command.
CREATE OR REPLACE FUNCTION cs.v201_effect_report_request(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.report_request (station_id, action, request_id, criteria, answer, command_id)
    VALUES (cmd.station_id, cmd.action, (cmd.payload->>'requestId')::integer, cmd.payload,
            cmd.response->>'status', cmd.id);
END;
$$;

-- cs.v201_effect_set_variable_monitoring(cmd): every setMonitoringResult Accepted (with the monitor id
-- the station gave) stores the monitor: value and transaction from the setMonitoringData at the same
-- position, type, severity, component and variable as answered. Other statuses: nothing.
CREATE OR REPLACE FUNCTION cs.v201_effect_set_variable_monitoring(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.variable_monitor AS m (station_id, id, component, component_instance, evse_id, connector_id,
                                          variable, variable_instance, type, value, severity, transaction,
                                          command_id, updated_at)
    SELECT DISTINCT ON ((coalesce(r->>'id', q->>'id'))::integer)
           cmd.station_id, (coalesce(r->>'id', q->>'id'))::integer, k.component_name, k.component_instance,
           k.evse_id, k.connector_id, k.variable_name, k.variable_instance, r->>'type',
           (q->>'value')::numeric, (r->>'severity')::integer, coalesce((q->>'transaction')::boolean, false),
           cmd.id, now()
      FROM jsonb_array_elements(coalesce(cmd.response->'setMonitoringResult', '[]'::jsonb)) WITH ORDINALITY AS e (r, n)
      JOIN jsonb_array_elements(coalesce(cmd.payload->'setMonitoringData', '[]'::jsonb)) WITH ORDINALITY AS d (q, m)
        ON d.m = e.n,
           cs.v201_variable_key(r->'component', r->'variable', NULL) AS k
     WHERE r->>'status' = 'Accepted' AND coalesce(r->>'id', q->>'id') IS NOT NULL
     ORDER BY (coalesce(r->>'id', q->>'id'))::integer, e.n DESC
    ON CONFLICT ON CONSTRAINT variable_monitor_pkey DO UPDATE
       SET component = excluded.component, component_instance = excluded.component_instance,
           evse_id = excluded.evse_id, connector_id = excluded.connector_id, variable = excluded.variable,
           variable_instance = excluded.variable_instance, type = excluded.type, value = excluded.value,
           severity = excluded.severity, transaction = excluded.transaction, command_id = excluded.command_id,
           updated_at = excluded.updated_at;
END;
$$;

-- cs.v201_effect_monitoring_setting(cmd): SetMonitoringBase / SetMonitoringLevel Accepted stores the
-- base or the severity level; a base FactoryDefault or HardWiredOnly removes the custom monitors (the
-- station deletes them), so cs.variable_monitor loses the station's rows. Other statuses: nothing.
CREATE OR REPLACE FUNCTION cs.v201_effect_monitoring_setting(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    INSERT INTO cs.monitoring_setting AS m (station_id, monitoring_base, monitoring_level, command_id)
    VALUES (cmd.station_id, cmd.payload->>'monitoringBase', (cmd.payload->>'severity')::integer, cmd.id)
    ON CONFLICT ON CONSTRAINT monitoring_setting_pkey DO UPDATE
       SET monitoring_base = coalesce(excluded.monitoring_base, m.monitoring_base),
           monitoring_level = coalesce(excluded.monitoring_level, m.monitoring_level),
           command_id = excluded.command_id, updated_at = now();
    IF cmd.payload->>'monitoringBase' IN ('FactoryDefault', 'HardWiredOnly') THEN
        DELETE FROM cs.variable_monitor AS v WHERE v.station_id = cmd.station_id;
    END IF;
END;
$$;

-- cs.v201_effect_send_local_list(cmd): Accepted makes the sent list current, as in 1.6
-- (cs.apply_local_list): id_tag is the idToken, id_token_type its type, id_tag_info the idTokenInfo;
-- the version is the versionNumber. Failed, VersionMismatch: nothing.
CREATE OR REPLACE FUNCTION cs.v201_effect_send_local_list(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    PERFORM cs.apply_local_list(
        cmd.station_id, cmd.payload->>'updateType' = 'Full', (cmd.payload->>'versionNumber')::integer,
        coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                             'idTag', e #> '{idToken,idToken}', 'type', e #> '{idToken,type}',
                             'info', e->'idTokenInfo')))
                    FROM jsonb_array_elements(cmd.payload->'localAuthorizationList') AS e),
                 '[]'::jsonb));
END;
$$;

-- cs.v201_effect_clear_charging_profile(cmd): Accepted clears (status Cleared) the installed profile
-- chargingProfileId when sent, else every installed profile matching chargingProfileCriteria (evseId,
-- chargingProfilePurpose, stackLevel; an absent criterion matches all). Unknown: nothing.
CREATE OR REPLACE FUNCTION cs.v201_effect_clear_charging_profile(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    p jsonb := coalesce(cmd.payload->'chargingProfileCriteria', '{}'::jsonb);
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    UPDATE cs.charging_profile AS c
       SET status = 'Cleared', ended_by = cmd.id, updated_at = now()
     WHERE c.station_id = cmd.station_id AND c.status = 'Installed'
       AND CASE WHEN cmd.payload ? 'chargingProfileId' THEN c.id = (cmd.payload->>'chargingProfileId')::integer
                ELSE (NOT p ? 'evseId' OR c.connector_id = (p->>'evseId')::integer)
                     AND (NOT p ? 'chargingProfilePurpose' OR c.purpose = p->>'chargingProfilePurpose')
                     AND (NOT p ? 'stackLevel' OR c.stack_level = (p->>'stackLevel')::integer) END;
END;
$$;

-- cs.v201_effect_publish_firmware(cmd): a cs.published_firmware row for every answer (active when
-- Accepted); an accepted publication ends the station's older active one of the same checksum. The
-- PublishFirmwareStatusNotification handler (cs.v201_station_notification) follows it with the
-- status and the locations.
CREATE OR REPLACE FUNCTION cs.v201_effect_publish_firmware(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    accepted boolean := cmd.response->>'status' = 'Accepted';
BEGIN
    IF accepted THEN
        UPDATE cs.published_firmware AS f SET active = false, status = 'Superseded', updated_at = now()
         WHERE f.station_id = cmd.station_id AND f.checksum = cmd.payload->>'checksum' AND f.active;
    END IF;
    INSERT INTO cs.published_firmware (station_id, request_id, location, checksum, answer, active, command_id)
    VALUES (cmd.station_id, (cmd.payload->>'requestId')::integer, cmd.payload->>'location',
            cmd.payload->>'checksum', cmd.response->>'status', accepted, cmd.id);
END;
$$;

-- cs.v201_effect_set_display_message(cmd): Accepted stores the message (replacing the station's
-- message of the same id). Other statuses: nothing.
CREATE OR REPLACE FUNCTION cs.v201_effect_set_display_message(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    m jsonb := cmd.payload->'message';
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    INSERT INTO cs.display_message AS d (station_id, id, priority, state, start_at, end_at, transaction_ref,
                                         message, display, command_id)
    VALUES (cmd.station_id, (m->>'id')::integer, m->>'priority', m->>'state', (m->>'startDateTime')::timestamptz,
            (m->>'endDateTime')::timestamptz, m->>'transactionId', m->'message', m->'display', cmd.id)
    ON CONFLICT ON CONSTRAINT display_message_pkey DO UPDATE
       SET priority = excluded.priority, state = excluded.state, start_at = excluded.start_at,
           end_at = excluded.end_at, transaction_ref = excluded.transaction_ref, message = excluded.message,
           display = excluded.display, command_id = excluded.command_id, updated_at = now();
END;
$$;

-- cs.v201_effect_get_installed_certificate_ids(cmd): the answer is the station's list of the types
-- asked (all types when none was): its rows of those types are replaced by the
-- certificateHashDataChain answered (each under its own certificateType, with its
-- childCertificateHashData; none for NotFound).
CREATE OR REPLACE FUNCTION cs.v201_effect_get_installed_certificate_ids(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    types text[] := (SELECT array_agg(t) FROM jsonb_array_elements_text(cmd.payload->'certificateType') AS t);
BEGIN
    IF cmd.response->>'status' NOT IN ('Accepted', 'NotFound') THEN
        RETURN;
    END IF;
    DELETE FROM cs.installed_certificate AS c
     WHERE c.station_id = cmd.station_id AND (types IS NULL OR c.certificate_type = ANY (types));
    INSERT INTO cs.installed_certificate AS c (station_id, certificate_type, hash_algorithm, issuer_name_hash,
                                               issuer_key_hash, serial_number, child_hash_data, command_id)
    SELECT DISTINCT ON (h->>'hashAlgorithm', h->>'issuerNameHash', h->>'issuerKeyHash', h->>'serialNumber')
           cmd.station_id, e->>'certificateType', h->>'hashAlgorithm', h->>'issuerNameHash', h->>'issuerKeyHash',
           h->>'serialNumber', e->'childCertificateHashData', cmd.id
      FROM jsonb_array_elements(CASE WHEN cmd.response->>'status' = 'Accepted'
                                     THEN coalesce(cmd.response->'certificateHashDataChain', '[]'::jsonb)
                                     ELSE '[]'::jsonb END) AS e,
           LATERAL (SELECT e->'certificateHashData' AS h) AS x
    ON CONFLICT (station_id, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
       WHERE hash_algorithm IS NOT NULL DO NOTHING;
END;
$$;
