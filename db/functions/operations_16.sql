-- One function per OCPP 1.6 central-system operation, with typed arguments and the OCPP defaults.
-- Each builds the camelCase payload (absent optional fields for null arguments, date-times with
-- cs.ocpp_time), calls ocpp.send and returns the command id; `wait` is ocpp.send's. Arguments are
-- checked in SQL (enums, lengths, required, ranges): a bad one raises OC007 "invalid <argument>".
-- Besides, each raises what ocpp.send raises (OC007 unknown station, OC002 not a 1.6 station).

-- cs.check_arg(arg, ok, detail): raises OC007 "invalid <arg>" with detail unless ok is true.
-- Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_arg(arg text, ok boolean, detail text)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid ' || arg, detail);
    END IF;
END;
$$;

-- cs.check_enum(arg, value, allowed, optional): raises OC007 "invalid <arg>" unless value is one of
-- allowed (or null and optional). Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_enum(arg text, value text, allowed text[], optional boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    IF value IS NULL AND optional THEN
        RETURN;
    END IF;
    PERFORM cs.check_arg(arg, value = ANY (allowed),
                         format('%s is not one of %s', coalesce(value, 'null'), array_to_string(allowed, ', ')));
END;
$$;

-- cs.check_text(arg, value, max_length, optional): raises OC007 "invalid <arg>" unless value has 1 to
-- max_length characters (or is null and optional). Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_text(arg text, value text, max_length integer, optional boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    IF value IS NULL AND optional THEN
        RETURN;
    END IF;
    PERFORM cs.check_arg(arg, length(value) BETWEEN 1 AND max_length,
                         format('%s must have 1 to %s characters', arg, max_length));
END;
$$;

-- cs.check_min(arg, value, minimum, optional): raises OC007 "invalid <arg>" unless value >= minimum
-- (or is null and optional). Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_min(arg text, value integer, minimum integer, optional boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    IF value IS NULL AND optional THEN
        RETURN;
    END IF;
    PERFORM cs.check_arg(arg, value >= minimum,
                         format('%s %s is not an integer >= %s', arg, coalesce(value::text, 'null'), minimum));
END;
$$;

-- cs.check_charging_profile(arg, profile): raises OC007 "invalid <arg>" unless profile is a 1.6
-- ChargingProfile: an object with integer chargingProfileId and stackLevel (>= 0),
-- chargingProfilePurpose, chargingProfileKind, optional recurrencyKind from their enums, and a
-- chargingSchedule with chargingRateUnit A or W and a non-empty chargingSchedulePeriod array.
-- Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_charging_profile(arg text, profile jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    schedule jsonb := profile->'chargingSchedule';
BEGIN
    PERFORM cs.check_arg(arg, jsonb_typeof(profile) = 'object', 'a charging profile is a JSON object');
    PERFORM cs.check_arg(arg, jsonb_typeof(profile->'chargingProfileId') = 'number',
                         'chargingProfileId must be an integer');
    PERFORM cs.check_arg(arg, jsonb_typeof(profile->'stackLevel') = 'number'
                              AND (profile->>'stackLevel')::numeric >= 0,
                         'stackLevel must be an integer >= 0');
    PERFORM cs.check_arg(arg, profile->>'chargingProfilePurpose' IN ('ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile'),
                         'chargingProfilePurpose must be ChargePointMaxProfile, TxDefaultProfile or TxProfile');
    PERFORM cs.check_arg(arg, profile->>'chargingProfileKind' IN ('Absolute', 'Recurring', 'Relative'),
                         'chargingProfileKind must be Absolute, Recurring or Relative');
    PERFORM cs.check_arg(arg, NOT profile ? 'recurrencyKind' OR profile->>'recurrencyKind' IN ('Daily', 'Weekly'),
                         'recurrencyKind must be Daily or Weekly');
    PERFORM cs.check_arg(arg, jsonb_typeof(schedule) = 'object'
                              AND schedule->>'chargingRateUnit' IN ('A', 'W')
                              AND jsonb_typeof(schedule->'chargingSchedulePeriod') = 'array'
                              AND jsonb_array_length(schedule->'chargingSchedulePeriod') > 0,
                         'chargingSchedule needs chargingRateUnit A or W and chargingSchedulePeriod entries');
END;
$$;

-- cs.station_id(identity): the id of station identity. Raises OC007 for an unknown station.
CREATE OR REPLACE FUNCTION cs.station_id(identity text)
RETURNS integer
LANGUAGE plpgsql
STABLE
SET search_path = cs, pg_temp
AS $$
DECLARE
    found_id integer;
BEGIN
    SELECT s.id INTO found_id FROM cs.station AS s WHERE s.identity = station_id.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC007', 'unknown station', format('no station %s', station_id.identity));
    END IF;
    RETURN found_id;
END;
$$;

-- ocpp.cancel_reservation(identity, reservation_id, wait): CancelReservation. Returns the command id.
-- Raises OC007 for a null reservation_id.
CREATE OR REPLACE FUNCTION ocpp.cancel_reservation(identity text, reservation_id integer, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('reservation_id', reservation_id IS NOT NULL, 'reservation_id is required');
    RETURN ocpp.send(identity, 'CancelReservation', jsonb_build_object('reservationId', reservation_id), wait);
END;
$$;

-- ocpp.change_availability(identity, connector_id, type, wait): ChangeAvailability of connector_id
-- (0 = the whole station) to type Operative or Inoperative. Returns the command id. Raises OC007 for a
-- connector_id null or negative, a type outside the enum.
CREATE OR REPLACE FUNCTION ocpp.change_availability(identity text, connector_id integer, type text,
                                                    wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0);
    PERFORM cs.check_enum('type', type, ARRAY['Inoperative', 'Operative']);
    RETURN ocpp.send(identity, 'ChangeAvailability',
                     jsonb_build_object('connectorId', connector_id, 'type', type), wait);
END;
$$;

-- ocpp.change_configuration(identity, key, value, wait): ChangeConfiguration. Returns the command id.
-- Raises OC007 for a key not of 1 to 50 characters, a value null or longer than 500.
CREATE OR REPLACE FUNCTION ocpp.change_configuration(identity text, key text, value text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('key', key, 50);
    PERFORM cs.check_arg('value', length(value) <= 500, 'value is required and has at most 500 characters');
    RETURN ocpp.send(identity, 'ChangeConfiguration', jsonb_build_object('key', key, 'value', value), wait);
END;
$$;

-- ocpp.clear_cache(identity, wait): ClearCache. Returns the command id.
CREATE OR REPLACE FUNCTION ocpp.clear_cache(identity text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN ocpp.send(identity, 'ClearCache', '{}'::jsonb, wait);
END;
$$;

-- ocpp.clear_charging_profile(identity, id, connector_id, purpose, stack_level, wait):
-- ClearChargingProfile with the criteria given (none: every profile). Returns the command id. Raises
-- OC007 for a negative connector_id or stack_level, a purpose outside the enum.
CREATE OR REPLACE FUNCTION ocpp.clear_charging_profile(identity text, id integer DEFAULT NULL,
                                                       connector_id integer DEFAULT NULL,
                                                       purpose text DEFAULT NULL,
                                                       stack_level integer DEFAULT NULL,
                                                       wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0, true);
    PERFORM cs.check_enum('purpose', purpose, ARRAY['ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile'], true);
    PERFORM cs.check_min('stack_level', stack_level, 0, true);
    RETURN ocpp.send(identity, 'ClearChargingProfile',
                     jsonb_strip_nulls(jsonb_build_object('id', clear_charging_profile.id,
                                                          'connectorId', connector_id,
                                                          'chargingProfilePurpose', purpose,
                                                          'stackLevel', stack_level)),
                     wait);
END;
$$;

-- ocpp.data_transfer(identity, vendor_id, message_id, data, wait): DataTransfer. Returns the command
-- id. Raises OC007 for a vendor_id not of 1 to 255 characters, a message_id longer than 50.
CREATE OR REPLACE FUNCTION ocpp.data_transfer(identity text, vendor_id text, message_id text DEFAULT NULL,
                                              data text DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('vendor_id', vendor_id, 255);
    PERFORM cs.check_text('message_id', message_id, 50, true);
    RETURN ocpp.send(identity, 'DataTransfer',
                     jsonb_strip_nulls(jsonb_build_object('vendorId', vendor_id, 'messageId', message_id,
                                                          'data', data)),
                     wait);
END;
$$;

-- ocpp.get_composite_schedule(identity, connector_id, duration, charging_rate_unit, wait):
-- GetCompositeSchedule. Returns the command id. Raises OC007 for a connector_id or duration null or
-- negative, a charging_rate_unit other than A or W.
CREATE OR REPLACE FUNCTION ocpp.get_composite_schedule(identity text, connector_id integer, duration integer,
                                                       charging_rate_unit text DEFAULT NULL,
                                                       wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0);
    PERFORM cs.check_min('duration', duration, 0);
    PERFORM cs.check_enum('charging_rate_unit', charging_rate_unit, ARRAY['A', 'W'], true);
    RETURN ocpp.send(identity, 'GetCompositeSchedule',
                     jsonb_strip_nulls(jsonb_build_object('connectorId', connector_id, 'duration', duration,
                                                          'chargingRateUnit', charging_rate_unit)),
                     wait);
END;
$$;

-- ocpp.get_configuration(identity, keys, wait): GetConfiguration of keys (null: every key). Returns
-- the command id. Raises OC007 for a key null or not of 1 to 50 characters.
CREATE OR REPLACE FUNCTION ocpp.get_configuration(identity text, keys text[] DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('keys', keys IS NULL OR NOT EXISTS (SELECT FROM unnest(keys) AS k
                                                             WHERE k IS NULL OR length(k) NOT BETWEEN 1 AND 50),
                         'every key has 1 to 50 characters');
    RETURN ocpp.send(identity, 'GetConfiguration',
                     CASE WHEN keys IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('key', to_jsonb(keys)) END,
                     wait);
END;
$$;

-- ocpp.get_diagnostics(identity, location, retries, retry_interval, start_time, stop_time, wait):
-- GetDiagnostics, the file to be uploaded to location. Returns the command id. Raises OC007 for an
-- empty location, a negative retries or retry_interval, a start_time after stop_time.
CREATE OR REPLACE FUNCTION ocpp.get_diagnostics(identity text, location text, retries integer DEFAULT NULL,
                                                retry_interval integer DEFAULT NULL,
                                                start_time timestamptz DEFAULT NULL,
                                                stop_time timestamptz DEFAULT NULL,
                                                wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('location', location <> '', 'location is required');
    PERFORM cs.check_min('retries', retries, 0, true);
    PERFORM cs.check_min('retry_interval', retry_interval, 0, true);
    PERFORM cs.check_arg('start_time', start_time IS NULL OR stop_time IS NULL OR start_time <= stop_time,
                         'start_time is after stop_time');
    RETURN ocpp.send(identity, 'GetDiagnostics',
                     jsonb_strip_nulls(jsonb_build_object('location', location, 'retries', retries,
                                                          'retryInterval', retry_interval,
                                                          'startTime', cs.ocpp_time(start_time),
                                                          'stopTime', cs.ocpp_time(stop_time))),
                     wait);
END;
$$;

-- ocpp.get_local_list_version(identity, wait): GetLocalListVersion. Returns the command id.
CREATE OR REPLACE FUNCTION ocpp.get_local_list_version(identity text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN ocpp.send(identity, 'GetLocalListVersion', '{}'::jsonb, wait);
END;
$$;

-- ocpp.remote_start_transaction(identity, id_tag, connector_id, charging_profile, wait):
-- RemoteStartTransaction. charging_profile is a 1.6 ChargingProfile whose purpose must be TxProfile.
-- Returns the command id. Raises OC007 for an id_tag not of 1 to 20 characters, a connector_id < 1, a
-- charging profile that is not valid or not a TxProfile.
CREATE OR REPLACE FUNCTION ocpp.remote_start_transaction(identity text, id_tag text, connector_id integer DEFAULT NULL,
                                                         charging_profile jsonb DEFAULT NULL,
                                                         wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('id_tag', id_tag, 20);
    PERFORM cs.check_min('connector_id', connector_id, 1, true);
    IF charging_profile IS NOT NULL THEN
        PERFORM cs.check_charging_profile('charging_profile', charging_profile);
        PERFORM cs.check_arg('charging_profile', charging_profile->>'chargingProfilePurpose' = 'TxProfile',
                             'the profile of a remote start must be a TxProfile');
    END IF;
    RETURN ocpp.send(identity, 'RemoteStartTransaction',
                     jsonb_strip_nulls(jsonb_build_object('idTag', id_tag, 'connectorId', connector_id,
                                                          'chargingProfile', charging_profile)),
                     wait);
END;
$$;

-- ocpp.remote_stop_transaction(identity, transaction_id, wait): RemoteStopTransaction. Returns the
-- command id. Raises OC007 for a null transaction_id.
CREATE OR REPLACE FUNCTION ocpp.remote_stop_transaction(identity text, transaction_id integer,
                                                        wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('transaction_id', transaction_id IS NOT NULL, 'transaction_id is required');
    RETURN ocpp.send(identity, 'RemoteStopTransaction', jsonb_build_object('transactionId', transaction_id), wait);
END;
$$;

-- ocpp.reserve_now(identity, connector_id, id_tag, expiry_date, parent_id_tag, reservation_id, wait):
-- ReserveNow. reservation_id null takes the next free id of cs.reservation; parent_id_tag null takes the
-- tag's parent from cs.id_tag (when it fits in 20 characters). The reservation row is created when the
-- station accepts (cs.v16_effect_reserve_now). Refused here, before anything is sent: connector 0 when
-- the station's ReserveConnectorZeroSupported key is known and not true (unknown: the station decides),
-- and a connector with an Accepted, unexpired reservation or a ReserveNow queued or sent (other than
-- reservation_id itself, which the station replaces).
-- Returns the command id. Raises OC007 for an unknown station, a connector_id null or negative or not
-- reservable, an id_tag not of 1 to 20 characters, a parent_id_tag longer than 20, an expiry_date not in
-- the future, a reservation_id of another station's reservation.
CREATE OR REPLACE FUNCTION ocpp.reserve_now(identity text, connector_id integer, id_tag text, expiry_date timestamptz,
                                            parent_id_tag text DEFAULT NULL, reservation_id integer DEFAULT NULL,
                                            wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id    integer := cs.station_id(reserve_now.identity);
    zero     cs.configuration_key;
    res_id   integer := reserve_now.reservation_id;
    parent   text := reserve_now.parent_id_tag;
BEGIN
    PERFORM cs.check_min('connector_id', reserve_now.connector_id, 0);
    PERFORM cs.check_text('id_tag', reserve_now.id_tag, 20);
    PERFORM cs.check_text('parent_id_tag', parent, 20, true);
    PERFORM cs.check_arg('expiry_date', reserve_now.expiry_date > now(), 'expiry_date must be in the future');
    PERFORM cs.check_arg('reservation_id',
                         NOT EXISTS (SELECT FROM cs.reservation AS r WHERE r.id = res_id AND r.station_id <> st_id),
                         format('reservation %s belongs to another station', res_id));

    IF reserve_now.connector_id = 0 THEN
        SELECT * INTO zero FROM cs.configuration_key AS k
         WHERE k.station_id = st_id AND k.key = 'ReserveConnectorZeroSupported';
        PERFORM cs.check_arg('connector_id', NOT FOUND OR (NOT zero.unknown AND lower(zero.value) = 'true'),
                             format('station %s does not support reservations of connector 0 (ReserveConnectorZeroSupported)',
                                    reserve_now.identity));
    END IF;

    PERFORM cs.expire_reservations();
    PERFORM cs.check_arg('connector_id',
                         NOT EXISTS (SELECT FROM cs.reservation AS r
                                      WHERE r.station_id = st_id AND r.connector_id = reserve_now.connector_id
                                        AND r.status = 'Accepted' AND r.id IS DISTINCT FROM res_id)
                         AND NOT EXISTS (SELECT FROM cs.command AS c
                                          WHERE c.station_id = st_id AND c.action = 'ReserveNow'
                                            AND c.status IN ('queued', 'sent')
                                            AND (c.payload->>'connectorId')::integer = reserve_now.connector_id
                                            AND (c.payload->>'reservationId')::integer IS DISTINCT FROM res_id),
                         format('connector %s of %s is already reserved', reserve_now.connector_id,
                                reserve_now.identity));

    -- a ReserveNow sent through ocpp.send may have used an id without the sequence knowing
    WHILE res_id IS NULL
          OR (reserve_now.reservation_id IS NULL
              AND (EXISTS (SELECT FROM cs.reservation AS r WHERE r.id = res_id)
                   OR EXISTS (SELECT FROM cs.command AS c
                               WHERE c.action = 'ReserveNow' AND c.status IN ('queued', 'sent')
                                 AND (c.payload->>'reservationId')::integer = res_id))) LOOP
        res_id := nextval(pg_get_serial_sequence('cs.reservation', 'id'));
    END LOOP;
    IF parent IS NULL THEN
        SELECT i.parent_id_tag INTO parent FROM cs.id_tag AS i
         WHERE i.id_tag = reserve_now.id_tag AND length(i.parent_id_tag) <= 20;
    END IF;
    RETURN ocpp.send(reserve_now.identity, 'ReserveNow',
                     jsonb_strip_nulls(jsonb_build_object('connectorId', reserve_now.connector_id,
                                                          'expiryDate', cs.ocpp_time(reserve_now.expiry_date),
                                                          'idTag', reserve_now.id_tag,
                                                          'parentIdTag', parent,
                                                          'reservationId', res_id)),
                     reserve_now.wait);
END;
$$;

-- ocpp.reset(identity, type, wait): Reset, type Soft or Hard. Returns the command id. Raises OC007 for
-- a type outside the enum.
CREATE OR REPLACE FUNCTION ocpp.reset(identity text, type text DEFAULT 'Soft', wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('type', type, ARRAY['Hard', 'Soft']);
    RETURN ocpp.send(identity, 'Reset', jsonb_build_object('type', type), wait);
END;
$$;

-- ocpp.send_local_list(identity, update_type, id_tags, wait): SendLocalList. listVersion is one more
-- than the highest of the station's accepted version, its reported version and the version of a
-- SendLocalList still queued or sent. Full: the list is built from cs.id_tag (every tag of at most
-- 20 characters, or the tags given), each with its idTagInfo (cs.id_tag_info, no ConcurrentTx).
-- Differential: the tags given, those in cs.id_tag with their idTagInfo, the others without (removal).
-- Returns the command id. Raises OC007 for an unknown station, an update_type outside the enum, a
-- Differential without id_tags, a tag null or not of 1 to 20 characters, a tag of a Full list that is
-- not in cs.id_tag.
CREATE OR REPLACE FUNCTION ocpp.send_local_list(identity text, update_type text DEFAULT 'Full',
                                                id_tags text[] DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id   integer := cs.station_id(send_local_list.identity);
    version integer;
    unknown text;
    entries jsonb;
BEGIN
    PERFORM cs.check_enum('update_type', update_type, ARRAY['Differential', 'Full']);
    PERFORM cs.check_arg('id_tags', update_type = 'Full' OR cardinality(id_tags) > 0,
                         'a Differential update needs id tags');
    PERFORM cs.check_arg('id_tags', id_tags IS NULL
                                    OR NOT EXISTS (SELECT FROM unnest(id_tags) AS t
                                                    WHERE t IS NULL OR length(t) NOT BETWEEN 1 AND 20),
                         'every id tag has 1 to 20 characters');
    IF update_type = 'Full' AND id_tags IS NOT NULL THEN
        SELECT t INTO unknown FROM unnest(id_tags) AS t
         WHERE NOT EXISTS (SELECT FROM cs.id_tag AS i WHERE i.id_tag = t)
         LIMIT 1;
        PERFORM cs.check_arg('id_tags', unknown IS NULL, format('id tag %s is not in cs.id_tag', unknown));
    END IF;

    SELECT greatest(max(l.version), max(l.reported_version),
                    (SELECT max((c.payload->>'listVersion')::integer) FROM cs.command AS c
                      WHERE c.station_id = st_id AND c.action = 'SendLocalList' AND c.status IN ('queued', 'sent')))
      INTO version
      FROM cs.local_list AS l
     WHERE l.station_id = st_id;
    version := coalesce(version, 0) + 1;

    IF update_type = 'Full' THEN
        SELECT jsonb_agg(jsonb_build_object('idTag', i.id_tag, 'idTagInfo', cs.id_tag_info(i.id_tag, false))
                         ORDER BY i.id_tag)
          INTO entries
          FROM cs.id_tag AS i
         WHERE length(i.id_tag) <= 20 AND (id_tags IS NULL OR i.id_tag = ANY (id_tags));
    ELSE
        SELECT jsonb_agg(CASE WHEN i.id_tag IS NULL THEN jsonb_build_object('idTag', t.tag)
                              ELSE jsonb_build_object('idTag', t.tag, 'idTagInfo', cs.id_tag_info(t.tag, false)) END
                         ORDER BY t.tag)
          INTO entries
          FROM (SELECT DISTINCT u AS tag FROM unnest(id_tags) AS u) AS t
          LEFT JOIN cs.id_tag AS i ON i.id_tag = t.tag;
    END IF;

    RETURN ocpp.send(send_local_list.identity, 'SendLocalList',
                     jsonb_build_object('listVersion', version, 'updateType', update_type,
                                        'localAuthorizationList', coalesce(entries, '[]'::jsonb)),
                     wait);
END;
$$;

-- ocpp.set_charging_profile(identity, connector_id, profile, wait): SetChargingProfile of the 1.6
-- ChargingProfile profile (csChargingProfiles) on connector_id. Returns the command id. Raises OC007
-- for a connector_id null or negative, a profile that is not valid (cs.check_charging_profile), a
-- ChargePointMaxProfile on another connector than 0.
CREATE OR REPLACE FUNCTION ocpp.set_charging_profile(identity text, connector_id integer, profile jsonb,
                                                     wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0);
    PERFORM cs.check_charging_profile('profile', profile);
    PERFORM cs.check_arg('profile', profile->>'chargingProfilePurpose' <> 'ChargePointMaxProfile' OR connector_id = 0,
                         'a ChargePointMaxProfile is set on connector 0');
    RETURN ocpp.send(identity, 'SetChargingProfile',
                     jsonb_build_object('connectorId', connector_id, 'csChargingProfiles', profile), wait);
END;
$$;

-- ocpp.trigger_message(identity, requested_message, connector_id, wait): TriggerMessage. Returns the
-- command id. Raises OC007 for a requested_message outside the 1.6 enum, a negative connector_id.
CREATE OR REPLACE FUNCTION ocpp.trigger_message(identity text, requested_message text, connector_id integer DEFAULT NULL,
                                                wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('requested_message', requested_message,
                          ARRAY['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification',
                                'Heartbeat', 'MeterValues', 'StatusNotification']);
    PERFORM cs.check_min('connector_id', connector_id, 0, true);
    RETURN ocpp.send(identity, 'TriggerMessage',
                     jsonb_strip_nulls(jsonb_build_object('requestedMessage', requested_message,
                                                          'connectorId', connector_id)),
                     wait);
END;
$$;

-- ocpp.unlock_connector(identity, connector_id, wait): UnlockConnector. Returns the command id.
-- Raises OC007 for a connector_id null or < 1.
CREATE OR REPLACE FUNCTION ocpp.unlock_connector(identity text, connector_id integer, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 1);
    RETURN ocpp.send(identity, 'UnlockConnector', jsonb_build_object('connectorId', connector_id), wait);
END;
$$;

-- ocpp.update_firmware(identity, location, retrieve_date, retries, retry_interval, wait): UpdateFirmware
-- from location, to be retrieved from retrieve_date on. Returns the command id. Raises OC007 for an
-- empty location, a null retrieve_date, a negative retries or retry_interval.
CREATE OR REPLACE FUNCTION ocpp.update_firmware(identity text, location text, retrieve_date timestamptz DEFAULT now(),
                                                retries integer DEFAULT NULL, retry_interval integer DEFAULT NULL,
                                                wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('location', location <> '', 'location is required');
    PERFORM cs.check_arg('retrieve_date', retrieve_date IS NOT NULL, 'retrieve_date is required');
    PERFORM cs.check_min('retries', retries, 0, true);
    PERFORM cs.check_min('retry_interval', retry_interval, 0, true);
    RETURN ocpp.send(identity, 'UpdateFirmware',
                     jsonb_strip_nulls(jsonb_build_object('location', location,
                                                          'retrieveDate', cs.ocpp_time(retrieve_date),
                                                          'retries', retries, 'retryInterval', retry_interval)),
                     wait);
END;
$$;

-- ocpp.certificate_signed(identity, certificate_chain, wait): CertificateSigned (Security Whitepaper),
-- the PEM chain answering the station's SignCertificate. Returns the command id. Raises OC007 for a
-- certificate_chain not of 1 to 10000 characters.
CREATE OR REPLACE FUNCTION ocpp.certificate_signed(identity text, certificate_chain text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('certificate_chain', certificate_chain, 10000);
    RETURN ocpp.send(identity, 'CertificateSigned', jsonb_build_object('certificateChain', certificate_chain), wait);
END;
$$;

-- ocpp.delete_certificate(identity, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number,
-- wait): DeleteCertificate (Security Whitepaper). Returns the command id. Raises OC007 for a
-- hash_algorithm other than SHA256, SHA384, SHA512, hashes not of 1 to 128 characters, a serial_number
-- not of 1 to 40.
CREATE OR REPLACE FUNCTION ocpp.delete_certificate(identity text, hash_algorithm text, issuer_name_hash text,
                                                   issuer_key_hash text, serial_number text,
                                                   wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('hash_algorithm', hash_algorithm, ARRAY['SHA256', 'SHA384', 'SHA512']);
    PERFORM cs.check_text('issuer_name_hash', issuer_name_hash, 128);
    PERFORM cs.check_text('issuer_key_hash', issuer_key_hash, 128);
    PERFORM cs.check_text('serial_number', serial_number, 40);
    RETURN ocpp.send(identity, 'DeleteCertificate',
                     jsonb_build_object('certificateHashData',
                                        jsonb_build_object('hashAlgorithm', hash_algorithm,
                                                           'issuerNameHash', issuer_name_hash,
                                                           'issuerKeyHash', issuer_key_hash,
                                                           'serialNumber', serial_number)),
                     wait);
END;
$$;

-- ocpp.extended_trigger_message(identity, requested_message, connector_id, wait): ExtendedTriggerMessage
-- (Security Whitepaper). Returns the command id. Raises OC007 for a requested_message outside its enum,
-- a negative connector_id.
CREATE OR REPLACE FUNCTION ocpp.extended_trigger_message(identity text, requested_message text,
                                                         connector_id integer DEFAULT NULL,
                                                         wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('requested_message', requested_message,
                          ARRAY['BootNotification', 'LogStatusNotification', 'FirmwareStatusNotification',
                                'Heartbeat', 'MeterValues', 'SignChargePointCertificate', 'StatusNotification']);
    PERFORM cs.check_min('connector_id', connector_id, 0, true);
    RETURN ocpp.send(identity, 'ExtendedTriggerMessage',
                     jsonb_strip_nulls(jsonb_build_object('requestedMessage', requested_message,
                                                          'connectorId', connector_id)),
                     wait);
END;
$$;

-- ocpp.get_installed_certificate_ids(identity, certificate_type, wait): GetInstalledCertificateIds
-- (Security Whitepaper). Returns the command id. Raises OC007 for a certificate_type other than
-- CentralSystemRootCertificate, ManufacturerRootCertificate.
CREATE OR REPLACE FUNCTION ocpp.get_installed_certificate_ids(identity text, certificate_type text,
                                                              wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('certificate_type', certificate_type,
                          ARRAY['CentralSystemRootCertificate', 'ManufacturerRootCertificate']);
    RETURN ocpp.send(identity, 'GetInstalledCertificateIds',
                     jsonb_build_object('certificateType', certificate_type), wait);
END;
$$;

-- ocpp.get_log(identity, log_type, request_id, remote_location, oldest_timestamp, latest_timestamp,
-- retries, retry_interval, wait): GetLog (Security Whitepaper). Returns the command id. Raises OC007
-- for a log_type other than DiagnosticsLog, SecurityLog, a null request_id, a remote_location not of 1
-- to 512 characters, a negative retries or retry_interval, an oldest_timestamp after latest_timestamp.
CREATE OR REPLACE FUNCTION ocpp.get_log(identity text, log_type text, request_id integer, remote_location text,
                                        oldest_timestamp timestamptz DEFAULT NULL,
                                        latest_timestamp timestamptz DEFAULT NULL,
                                        retries integer DEFAULT NULL, retry_interval integer DEFAULT NULL,
                                        wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('log_type', log_type, ARRAY['DiagnosticsLog', 'SecurityLog']);
    PERFORM cs.check_arg('request_id', request_id IS NOT NULL, 'request_id is required');
    PERFORM cs.check_text('remote_location', remote_location, 512);
    PERFORM cs.check_min('retries', retries, 0, true);
    PERFORM cs.check_min('retry_interval', retry_interval, 0, true);
    PERFORM cs.check_arg('oldest_timestamp', oldest_timestamp IS NULL OR latest_timestamp IS NULL
                                             OR oldest_timestamp <= latest_timestamp,
                         'oldest_timestamp is after latest_timestamp');
    RETURN ocpp.send(identity, 'GetLog',
                     jsonb_strip_nulls(jsonb_build_object(
                         'logType', log_type, 'requestId', request_id,
                         'retries', retries, 'retryInterval', retry_interval,
                         'log', jsonb_build_object('remoteLocation', remote_location,
                                                   'oldestTimestamp', cs.ocpp_time(oldest_timestamp),
                                                   'latestTimestamp', cs.ocpp_time(latest_timestamp)))),
                     wait);
END;
$$;

-- ocpp.install_certificate(identity, certificate_type, certificate, wait): InstallCertificate (Security
-- Whitepaper), a PEM root certificate. Returns the command id. Raises OC007 for a certificate_type
-- outside its enum, a certificate not of 1 to 5500 characters.
CREATE OR REPLACE FUNCTION ocpp.install_certificate(identity text, certificate_type text, certificate text,
                                                    wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('certificate_type', certificate_type,
                          ARRAY['CentralSystemRootCertificate', 'ManufacturerRootCertificate']);
    PERFORM cs.check_text('certificate', certificate, 5500);
    RETURN ocpp.send(identity, 'InstallCertificate',
                     jsonb_build_object('certificateType', certificate_type, 'certificate', certificate), wait);
END;
$$;

-- ocpp.signed_update_firmware(identity, request_id, location, retrieve_date_time, signing_certificate,
-- signature, install_date_time, retries, retry_interval, wait): SignedUpdateFirmware (Security
-- Whitepaper). Returns the command id. Raises OC007 for a null request_id or retrieve_date_time, a
-- location not of 1 to 512 characters, a signing_certificate not of 1 to 5500, a signature not of 1 to
-- 800, a negative retries or retry_interval.
CREATE OR REPLACE FUNCTION ocpp.signed_update_firmware(identity text, request_id integer, location text,
                                                       retrieve_date_time timestamptz, signing_certificate text,
                                                       signature text, install_date_time timestamptz DEFAULT NULL,
                                                       retries integer DEFAULT NULL,
                                                       retry_interval integer DEFAULT NULL,
                                                       wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('request_id', request_id IS NOT NULL, 'request_id is required');
    PERFORM cs.check_text('location', location, 512);
    PERFORM cs.check_arg('retrieve_date_time', retrieve_date_time IS NOT NULL, 'retrieve_date_time is required');
    PERFORM cs.check_text('signing_certificate', signing_certificate, 5500);
    PERFORM cs.check_text('signature', signature, 800);
    PERFORM cs.check_min('retries', retries, 0, true);
    PERFORM cs.check_min('retry_interval', retry_interval, 0, true);
    RETURN ocpp.send(identity, 'SignedUpdateFirmware',
                     jsonb_strip_nulls(jsonb_build_object(
                         'requestId', request_id, 'retries', retries, 'retryInterval', retry_interval,
                         'firmware', jsonb_build_object('location', location,
                                                        'retrieveDateTime', cs.ocpp_time(retrieve_date_time),
                                                        'installDateTime', cs.ocpp_time(install_date_time),
                                                        'signingCertificate', signing_certificate,
                                                        'signature', signature))),
                     wait);
END;
$$;
