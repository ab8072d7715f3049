-- One function per OCPP 1.6 central-system operation, with typed arguments and the OCPP defaults.
-- The operations whose payload OCPP 2.0.1 changes are in operations_201.sql, one function serving
-- both versions; those here send the same payload to a 2.0.1 station, or are 1.6's only
-- (RemoteStopTransaction is translated by ocpp.send).
-- Each builds the camelCase payload (absent optional fields for null arguments, date-times with
-- cs.ocpp_time), calls ocpp.send and returns the command id; `wait` is ocpp.send's. Arguments are
-- checked in SQL (enums, lengths, required, ranges): a bad one raises OC007 "invalid <argument>".
-- Besides, each raises what ocpp.send raises (OC010 unknown station, OC002 not a 1.6 station).

-- cs.check_arg(arg, ok, detail): raises OC007 "invalid <arg>" with detail unless ok is true.
-- Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_arg(arg text, ok boolean, detail text)
RETURNS void
LANGUAGE plpgsql
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

-- cs.station_id(identity): the id of station identity. Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION cs.station_id(identity text)
RETURNS integer
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    found_id integer;
BEGIN
    SELECT s.id INTO found_id FROM cs.station AS s WHERE s.identity = station_id.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', station_id.identity));
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
