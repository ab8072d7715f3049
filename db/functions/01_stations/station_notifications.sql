-- Station-wide status notifications of every version: Diagnostics-, Firmware-, Log- and
-- SignedFirmwareStatusNotification (1.6), Firmware-, Log- and PublishFirmwareStatusNotification
-- (2.0.1 / 2.1). docs/v201.md, "Firmware, logs, security".

-- cs.v16_station_notification(st, kind, payload): Diagnostics-, Firmware-, Log- and
-- SignedFirmwareStatusNotification (kind Diagnostics, Firmware, Log, SignedFirmware): the latest
-- status on the station (diagnostics_status, firmware_status for both firmware kinds, log_status) and a
-- history row in cs.station_notification with requestId when sent. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_station_notification(st cs.station, kind text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
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

-- cs.v201_station_notification(st, kind, payload): FirmwareStatusNotification (kind Firmware),
-- LogStatusNotification (Log), PublishFirmwareStatusNotification (PublishFirmware): the latest status
-- on the station (firmware_status, log_status, publish_firmware_status), a cs.station_notification
-- row with requestId and details (2.1 statusInfo, the PublishFirmware location list), the firmware
-- update or log upload of the requestId followed (cs.file_transfer_status), and for PublishFirmware
-- the station's active cs.published_firmware of the requestId (any when none is given) gets the
-- status and locations, and ends (active false) on PublishFailed, DownloadFailed or InvalidChecksum.
-- Returns {}.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_station_notification(st cs.station, kind text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    new_status text := payload->>'status';
    request integer := (payload->>'requestId')::integer;
    details jsonb := jsonb_strip_nulls(jsonb_build_object('statusInfo', payload->'statusInfo',
                                                          'location', payload->'location'));
BEGIN
    UPDATE cs.station AS s
       SET firmware_status = CASE WHEN kind = 'Firmware' THEN new_status ELSE s.firmware_status END,
           log_status = CASE WHEN kind = 'Log' THEN new_status ELSE s.log_status END,
           publish_firmware_status = CASE WHEN kind = 'PublishFirmware' THEN new_status
                                          ELSE s.publish_firmware_status END
     WHERE s.id = st.id;

    INSERT INTO cs.station_notification (station_id, kind, status, request_id, details)
    VALUES (st.id, kind, new_status, request, nullif(details, '{}'::jsonb));

    IF kind = 'PublishFirmware' THEN
        UPDATE cs.published_firmware AS p
           SET status = new_status,
               locations = coalesce(payload->'location', p.locations),
               active = new_status NOT IN ('PublishFailed', 'DownloadFailed', 'InvalidChecksum'),
               updated_at = now()
         WHERE p.station_id = st.id AND p.active
           AND (request IS NULL OR p.request_id = request);
    ELSE
        -- the firmware update or log upload this status belongs to (docs/commands.md)
        PERFORM cs.file_transfer_status(st.id, kind, new_status, request);
    END IF;
    RETURN '{}'::jsonb;
END;
$$;
