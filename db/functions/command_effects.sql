-- What a station's answer to a command does (docs/commands.md, "Business effects"). Each
-- cs.v16_effect_* function takes the answered cs.command row (payload = what was sent, response = the
-- CALLRESULT) and returns nothing; they raise nothing of their own (ocpp.command_result keeps a failure
-- in cs.review).

-- cs.v16_command_effect(cmd): dispatches the answered command cmd on its action. Actions without an
-- effect (Reset, UnlockConnector, TriggerMessage, ClearCache, DataTransfer, RemoteStopTransaction,
-- ExtendedTriggerMessage, RemoteStartTransaction: its answer is linked later by cs.link_remote_start)
-- keep only the response on the command. Returns nothing.
CREATE OR REPLACE FUNCTION cs.v16_command_effect(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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

-- cs.v16_effect_change_configuration(cmd): Accepted or RebootRequired sets the key's value (and
-- reboot_required for RebootRequired); Rejected and NotSupported leave the key as it was.
CREATE OR REPLACE FUNCTION cs.v16_effect_change_configuration(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
END;
$$;

-- Local authorization list ------------------------------------------------------------------------

-- cs.v16_effect_send_local_list(cmd): Accepted makes the sent list current: Full replaces the
-- station's entries, Differential upserts the entries with idTagInfo and removes those without;
-- cs.local_list.version becomes the listVersion sent. Failed, NotSupported, VersionMismatch change
-- nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_send_local_list(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    entries jsonb := coalesce(cmd.payload->'localAuthorizationList', '[]'::jsonb);
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    IF cmd.payload->>'updateType' = 'Full' THEN
        DELETE FROM cs.local_list_entry AS l WHERE l.station_id = cmd.station_id;
    ELSE
        DELETE FROM cs.local_list_entry AS l
         USING jsonb_array_elements(entries) AS e
         WHERE l.station_id = cmd.station_id AND l.id_tag = e->>'idTag' AND NOT e ? 'idTagInfo';
    END IF;
    INSERT INTO cs.local_list_entry AS l (station_id, id_tag, id_tag_info, updated_at)
    SELECT cmd.station_id, e->>'idTag', e->'idTagInfo', now()
      FROM jsonb_array_elements(entries) AS e
     WHERE e ? 'idTagInfo'
    ON CONFLICT ON CONSTRAINT local_list_entry_pkey DO UPDATE
       SET id_tag_info = excluded.id_tag_info, updated_at = excluded.updated_at;

    INSERT INTO cs.local_list AS v (station_id, version, updated_at)
    VALUES (cmd.station_id, (cmd.payload->>'listVersion')::integer, now())
    ON CONFLICT ON CONSTRAINT local_list_pkey DO UPDATE
       SET version = excluded.version, updated_at = excluded.updated_at;
END;
$$;

-- cs.v16_effect_get_local_list_version(cmd): stores the listVersion answered as reported_version.
CREATE OR REPLACE FUNCTION cs.v16_effect_get_local_list_version(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
AS $$
DECLARE
    reservation_id integer := (cmd.payload->>'reservationId')::integer;
    connector      integer := (cmd.payload->>'connectorId')::integer;
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    INSERT INTO cs.reservation AS r (id, station_id, connector_id, id_tag, parent_id_tag, expiry_date,
                                     status, command_id)
    VALUES (reservation_id, cmd.station_id, connector, cmd.payload->>'idTag', cmd.payload->>'parentIdTag',
            (cmd.payload->>'expiryDate')::timestamptz, 'Accepted', cmd.id)
    ON CONFLICT ON CONSTRAINT reservation_pkey DO UPDATE
       SET connector_id = excluded.connector_id, id_tag = excluded.id_tag,
           parent_id_tag = excluded.parent_id_tag, expiry_date = excluded.expiry_date,
           status = 'Accepted', command_id = excluded.command_id
     WHERE r.station_id = excluded.station_id;
    IF NOT FOUND THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (cmd.station_id, 'ReserveNow', 'reservationId used by another station',
                jsonb_build_object('command', cmd.id, 'payload', cmd.payload));
        RETURN;
    END IF;
    UPDATE cs.reservation AS r SET status = 'Cancelled'
     WHERE r.station_id = cmd.station_id AND r.connector_id = connector AND r.status = 'Accepted'
       AND r.id <> reservation_id;
END;
$$;

-- cs.v16_effect_cancel_reservation(cmd): Accepted cancels the station's Accepted reservation
-- reservationId. Rejected (the station holds no such reservation) changes nothing: expiry or use
-- will settle it.
CREATE OR REPLACE FUNCTION cs.v16_effect_cancel_reservation(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
AS $$
DECLARE
    p         jsonb := cmd.payload->'csChargingProfiles';
    connector integer := (cmd.payload->>'connectorId')::integer;
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' THEN
        RETURN;
    END IF;
    UPDATE cs.charging_profile AS c
       SET status = 'Replaced', ended_by = cmd.id, updated_at = now()
     WHERE c.station_id = cmd.station_id AND c.status = 'Installed'
       AND (c.id = (p->>'chargingProfileId')::integer
            OR (c.connector_id = connector AND c.purpose = p->>'chargingProfilePurpose'
                AND c.stack_level = (p->>'stackLevel')::integer));
    INSERT INTO cs.charging_profile (station_id, id, connector_id, purpose, stack_level, kind, recurrency,
                                     valid_from, valid_to, transaction_id, schedule, profile, command_id)
    VALUES (cmd.station_id, (p->>'chargingProfileId')::integer, connector, p->>'chargingProfilePurpose',
            (p->>'stackLevel')::integer, p->>'chargingProfileKind', p->>'recurrencyKind',
            (p->>'validFrom')::timestamptz, (p->>'validTo')::timestamptz, (p->>'transactionId')::integer,
            p->'chargingSchedule', p, cmd.id);
END;
$$;

-- cs.v16_effect_clear_charging_profile(cmd): Accepted clears (status Cleared) the installed profile id
-- when id was sent (the other criteria are then ignored, as in 1.6), else every installed profile
-- matching the criteria sent (connectorId, chargingProfilePurpose, stackLevel; an absent one matches
-- all). Unknown changes nothing.
CREATE OR REPLACE FUNCTION cs.v16_effect_clear_charging_profile(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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

-- cs.set_availability(station_id, connector_id, type, scheduled, command_id): sets the availability of
-- 1.6 connector connector_id (0: the station and every connector known from cs.connector or
-- cs.connector_availability) to type. When scheduled, a connector with a running transaction (for 0:
-- the station while any transaction runs) keeps its availability and gets scheduled = type instead.
-- Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.set_availability(station_id integer, connector_id integer, type text,
                                               scheduled boolean, command_id bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    INSERT INTO cs.connector_availability AS a (station_id, connector_id, availability, scheduled,
                                                command_id, updated_at)
    SELECT set_availability.station_id, t.connector_id,
           CASE WHEN t.busy THEN NULL ELSE set_availability.type END,
           CASE WHEN t.busy THEN set_availability.type END,
           set_availability.command_id, now()
      FROM (SELECT c.connector_id,
                   scheduled AND EXISTS (SELECT FROM cs.transaction AS x
                                          WHERE x.station_id = set_availability.station_id
                                            AND x.stopped_at IS NULL
                                            AND (c.connector_id = 0 OR x.evse_id = c.connector_id)) AS busy
              FROM (SELECT set_availability.connector_id
                    UNION
                    SELECT k.evse_id FROM cs.connector AS k
                     WHERE set_availability.connector_id = 0 AND k.station_id = set_availability.station_id
                       AND k.evse_id > 0
                    UNION
                    SELECT v.connector_id FROM cs.connector_availability AS v
                     WHERE set_availability.connector_id = 0 AND v.station_id = set_availability.station_id
                   ) AS c (connector_id)
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
SET search_path = cs, pg_temp
AS $$
DECLARE
    status text := cmd.response->>'status';
BEGIN
    IF status IN ('Accepted', 'Scheduled') THEN
        PERFORM cs.set_availability(cmd.station_id, (cmd.payload->>'connectorId')::integer,
                                    cmd.payload->>'type', status = 'Scheduled', cmd.id);
    END IF;
END;
$$;

-- cs.apply_scheduled_availability(station_id, connector_id): for the StopTransaction handler, after
-- the transaction on 1.6 connector connector_id (cs.transaction.evse_id) stopped: the connector's
-- scheduled availability takes effect, and the station's (connector 0) once no transaction of the
-- station runs any more. Returns the number of connectors changed. Raises nothing.
CREATE OR REPLACE FUNCTION cs.apply_scheduled_availability(station_id integer, connector_id integer)
RETURNS integer
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
-- Accepted: its response is empty), SignedUpdateFirmware (SignedFirmware), GetDiagnostics
-- (Diagnostics: answer Accepted with the fileName, NoFile when the station has none) and GetLog (Log),
-- with requestId and location. The row is active while the answer is Accepted or AcceptedCanceled; a
-- new active request of the same kind ends the station's older active ones (status Superseded).
CREATE OR REPLACE FUNCTION cs.v16_effect_file_transfer(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    transfer_kind text := CASE cmd.action WHEN 'UpdateFirmware' THEN 'Firmware'
                                          WHEN 'SignedUpdateFirmware' THEN 'SignedFirmware'
                                          WHEN 'GetDiagnostics' THEN 'Diagnostics'
                                          ELSE 'Log' END;
    answer        text := CASE cmd.action WHEN 'UpdateFirmware' THEN 'Accepted'
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
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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
