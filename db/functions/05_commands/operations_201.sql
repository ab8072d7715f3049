-- One function per OCPP 2.0.1 CSMS operation, with typed arguments (docs/commands.md, "OCPP 2.0.1 and
-- 2.1"), and the functions whose name 1.6 and 2.0.1 share but whose payload differs: each builds the
-- payload of the station's version (2.1 stations take 2.0.1's). Like operations_16.sql: the camelCase
-- payload without the fields of null arguments, date-times with cs.ocpp_time, ocpp.send's `wait`, the
-- command id returned; a bad argument raises OC007 "invalid <argument>" before anything is queued.
-- Besides, each raises what ocpp.send raises (OC010 unknown station, OC002 a station of another
-- version, OC001 a 2.0.1 operation for a 1.6 station).
-- An evse_id argument names the 2.0.1 EVSE and wins over connector_id, which then names the connector
-- within it; without it a connector_id n is EVSE n (a 1.6 connector is an EVSE with one connector). To
-- a 1.6 station evse_id is the connector.

-- cs.station_version(identity): the OCPP version of station identity, 1.6 for a station that never
-- connected. Returns text. Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION cs.station_version(identity text)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    found_version text;
BEGIN
    SELECT coalesce(s.version, '1.6') INTO found_version FROM cs.station AS s WHERE s.identity = station_version.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', station_version.identity));
    END IF;
    RETURN found_version;
END;
$$;

-- cs.v201_id_token_types(): the 2.0.1 IdTokenEnumType. Returns text[]. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_id_token_types()
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT ARRAY['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization']
$$;

-- cs.next_request_id(): a requestId for a request whose caller gave none (cs.request_id_seq).
-- Returns integer. Raises nothing.
CREATE OR REPLACE FUNCTION cs.next_request_id()
RETURNS integer
LANGUAGE sql
AS $$
    SELECT nextval('cs.request_id_seq')::integer
$$;

-- cs.check_v201_charging_profile(arg, profile): raises OC007 "invalid <arg>" unless profile is a
-- 2.0.1 ChargingProfileType: an object with integer id and stackLevel (>= 0), chargingProfilePurpose,
-- chargingProfileKind, optional recurrencyKind from their enums, and 1 to 3 chargingSchedule entries
-- each with an integer id, chargingRateUnit A or W and a non-empty chargingSchedulePeriod array.
-- Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_v201_charging_profile(arg text, profile jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM cs.check_arg(arg, jsonb_typeof(profile) = 'object', 'a charging profile is a JSON object');
    PERFORM cs.check_arg(arg, jsonb_typeof(profile->'id') = 'number', 'id must be an integer');
    PERFORM cs.check_arg(arg, jsonb_typeof(profile->'stackLevel') = 'number'
                              AND (profile->>'stackLevel')::numeric >= 0,
                         'stackLevel must be an integer >= 0');
    PERFORM cs.check_arg(arg, profile->>'chargingProfilePurpose' IN ('ChargingStationExternalConstraints',
                                                                     'ChargingStationMaxProfile',
                                                                     'TxDefaultProfile', 'TxProfile'),
                         'chargingProfilePurpose must be ChargingStationMaxProfile, TxDefaultProfile or TxProfile');
    PERFORM cs.check_arg(arg, profile->>'chargingProfileKind' IN ('Absolute', 'Recurring', 'Relative'),
                         'chargingProfileKind must be Absolute, Recurring or Relative');
    PERFORM cs.check_arg(arg, NOT profile ? 'recurrencyKind' OR profile->>'recurrencyKind' IN ('Daily', 'Weekly'),
                         'recurrencyKind must be Daily or Weekly');
    PERFORM cs.check_arg(arg, jsonb_typeof(profile->'chargingSchedule') = 'array'
                              AND jsonb_array_length(profile->'chargingSchedule') BETWEEN 1 AND 3
                              AND NOT EXISTS (
                                  SELECT FROM jsonb_array_elements(profile->'chargingSchedule') AS s
                                   WHERE jsonb_typeof(s) <> 'object' OR jsonb_typeof(s->'id') <> 'number'
                                      OR s->>'chargingRateUnit' NOT IN ('A', 'W')
                                      OR jsonb_typeof(s->'chargingSchedulePeriod') <> 'array'
                                      OR jsonb_array_length(s->'chargingSchedulePeriod') = 0),
                         'chargingSchedule needs 1 to 3 schedules, each with an id, chargingRateUnit A or W and chargingSchedulePeriod entries');
END;
$$;

-- cs.check_component_variables(arg, entries, kind): raises OC007 "invalid <arg>" unless entries is a
-- non-empty array of objects, each with component.name and variable.name of 1 to 50 characters (an
-- instance, when given, too; evse.id an integer), attributeType from its enum when given, and, for
-- kind 'set', an attributeValue string of at most 1000 characters; for kind 'report' the variable is
-- optional. Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_component_variables(arg text, entries jsonb, kind text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM cs.check_arg(arg, jsonb_typeof(entries) = 'array' AND jsonb_array_length(entries) > 0,
                         format('%s is a non-empty JSON array', arg));
    PERFORM cs.check_arg(arg,
        NOT EXISTS (
            SELECT FROM jsonb_array_elements(entries) AS e
             WHERE jsonb_typeof(e) <> 'object'
                OR length(e #>> '{component,name}') NOT BETWEEN 1 AND 50 OR e #>> '{component,name}' IS NULL
                OR length(e #>> '{component,instance}') NOT BETWEEN 1 AND 50
                OR (e #> '{component,evse}' IS NOT NULL AND jsonb_typeof(e #> '{component,evse,id}') <> 'number')
                OR (kind <> 'report' AND (e #>> '{variable,name}') IS NULL)
                OR length(e #>> '{variable,name}') NOT BETWEEN 1 AND 50
                OR length(e #>> '{variable,instance}') NOT BETWEEN 1 AND 50
                OR e->>'attributeType' NOT IN ('Actual', 'Target', 'MinSet', 'MaxSet')
                OR (kind = 'set' AND (jsonb_typeof(e->'attributeValue') IS DISTINCT FROM 'string'
                                      OR length(e->>'attributeValue') > 1000))),
        'every entry needs component.name and variable.name (1 to 50 characters), an attributeType of Actual, Target, MinSet, MaxSet'
        || CASE kind WHEN 'set' THEN ' and an attributeValue of at most 1000 characters' ELSE '' END);
END;
$$;

-- cs.component_variable(component, variable, component_instance, variable_instance, evse_id,
-- connector_id): the 2.0.1 {component: {name, instance, evse: {id, connectorId}}, variable: {name,
-- instance}} of typed arguments (null ones left out). Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.component_variable(component text, variable text, component_instance text,
                                                 variable_instance text, evse_id integer, connector_id integer)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT jsonb_build_object(
               'component', jsonb_strip_nulls(jsonb_build_object(
                   'name', component, 'instance', component_instance,
                   'evse', CASE WHEN evse_id IS NOT NULL THEN
                               jsonb_strip_nulls(jsonb_build_object('id', evse_id, 'connectorId', connector_id)) END)),
               'variable', jsonb_strip_nulls(jsonb_build_object('name', variable, 'instance', variable_instance)))
$$;

-- Operations whose name 1.6 and 2.0.1 share --------------------------------------------------------

DROP FUNCTION IF EXISTS ocpp.reset(text, text, interval);

-- ocpp.reset(identity, type, evse_id, wait): Reset. type Hard or Soft (1.6) / Immediate or OnIdle
-- (2.0.1), each sent as the station's version names it (Hard = Immediate, Soft = OnIdle); evse_id
-- resets one EVSE of a 2.0.1 station. Returns the command id. Raises OC007 for a type outside these,
-- an evse_id < 1, an evse_id for a 1.6 station (1.6 resets the whole station).
CREATE OR REPLACE FUNCTION ocpp.reset(identity text, type text DEFAULT 'Soft', evse_id integer DEFAULT NULL,
                                      wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version text := cs.station_version(reset.identity);
BEGIN
    PERFORM cs.check_enum('type', reset.type, ARRAY['Hard', 'Soft', 'Immediate', 'OnIdle']);
    PERFORM cs.check_min('evse_id', reset.evse_id, 1, true);
    IF version = '1.6' THEN
        PERFORM cs.check_arg('evse_id', reset.evse_id IS NULL, 'a 1.6 station resets as a whole');
        RETURN ocpp.send(reset.identity, 'Reset',
                         jsonb_build_object('type', CASE reset.type WHEN 'Immediate' THEN 'Hard'
                                                                    WHEN 'OnIdle' THEN 'Soft' ELSE reset.type END),
                         reset.wait);
    END IF;
    RETURN ocpp.send(reset.identity, 'Reset',
                     jsonb_strip_nulls(jsonb_build_object(
                         'type', CASE reset.type WHEN 'Hard' THEN 'Immediate' WHEN 'Soft' THEN 'OnIdle'
                                                 ELSE reset.type END,
                         'evseId', reset.evse_id)),
                     reset.wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.change_availability(text, integer, text, interval);

-- ocpp.change_availability(identity, connector_id, type, evse_id, wait): ChangeAvailability to type
-- Operative or Inoperative. 1.6: {connectorId, type} (0 = the station; evse_id, when given, is the
-- connector). 2.0.1: {operationalStatus, evse}: evse_id given, that EVSE (connector_id > 0: that
-- connector of it); else connector_id n > 0 is EVSE n; 0 (or both null) the station.
-- Returns the command id. Raises OC007 for a negative connector_id or evse_id, a connector_id null
-- without an evse_id, a type outside the enum, a 1.6 evse_id with a connector_id other than 0 or 1.
CREATE OR REPLACE FUNCTION ocpp.change_availability(identity text, connector_id integer, type text,
                                                    evse_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version text := cs.station_version(change_availability.identity);
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0, evse_id IS NOT NULL);
    PERFORM cs.check_min('evse_id', evse_id, 0, true);
    PERFORM cs.check_enum('type', type, ARRAY['Inoperative', 'Operative']);
    IF version = '1.6' THEN
        PERFORM cs.check_arg('connector_id', evse_id IS NULL OR coalesce(connector_id, 0) <= 1,
                             'a 1.6 connector has one connector: connector_id 0 or 1 with an evse_id');
        RETURN ocpp.send(identity, 'ChangeAvailability',
                         jsonb_build_object('connectorId', coalesce(evse_id, connector_id), 'type', type), wait);
    END IF;
    RETURN ocpp.send(identity, 'ChangeAvailability',
                     jsonb_strip_nulls(jsonb_build_object('operationalStatus', type,
                                                          'evse', cs.v201_evse(to_jsonb(evse_id), to_jsonb(connector_id)))),
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.unlock_connector(text, integer, interval);

-- ocpp.unlock_connector(identity, connector_id, evse_id, wait): UnlockConnector. 1.6: {connectorId}
-- (evse_id, when given, is the connector). 2.0.1: {evseId, connectorId}: evse_id given, connector_id
-- of that EVSE (1 when null); else EVSE connector_id, connector 1.
-- Returns the command id. Raises OC007 for a connector_id < 1 (or null without an evse_id), an
-- evse_id < 1.
CREATE OR REPLACE FUNCTION ocpp.unlock_connector(identity text, connector_id integer, evse_id integer DEFAULT NULL,
                                                 wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version text := cs.station_version(unlock_connector.identity);
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 1, evse_id IS NOT NULL);
    PERFORM cs.check_min('evse_id', evse_id, 1, true);
    IF version = '1.6' THEN
        RETURN ocpp.send(identity, 'UnlockConnector',
                         jsonb_build_object('connectorId', coalesce(evse_id, connector_id)), wait);
    END IF;
    RETURN ocpp.send(identity, 'UnlockConnector',
                     CASE WHEN evse_id IS NOT NULL
                          THEN jsonb_build_object('evseId', evse_id, 'connectorId', coalesce(connector_id, 1))
                          ELSE jsonb_build_object('evseId', connector_id, 'connectorId', 1) END,
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.trigger_message(text, text, integer, interval);

-- ocpp.trigger_message(identity, requested_message, connector_id, evse_id, wait): TriggerMessage.
-- 1.6: the 1.6 MessageTrigger enum, {requestedMessage, connectorId} (evse_id, when given, is the
-- connector). 2.0.1: the 2.0.1 enum (DiagnosticsStatusNotification is sent as LogStatusNotification,
-- SignChargePointCertificate as SignChargingStationCertificate), {requestedMessage, evse}.
-- Returns the command id. Raises OC007 for a requested_message outside the version's enum, a
-- negative connector_id or evse_id.
CREATE OR REPLACE FUNCTION ocpp.trigger_message(identity text, requested_message text, connector_id integer DEFAULT NULL,
                                                evse_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version text := cs.station_version(trigger_message.identity);
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0, true);
    PERFORM cs.check_min('evse_id', evse_id, 0, true);
    IF version = '1.6' THEN
        PERFORM cs.check_enum('requested_message', requested_message,
                              ARRAY['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification',
                                    'Heartbeat', 'MeterValues', 'StatusNotification']);
        RETURN ocpp.send(identity, 'TriggerMessage',
                         jsonb_strip_nulls(jsonb_build_object('requestedMessage', requested_message,
                                                              'connectorId', coalesce(evse_id, connector_id))),
                         wait);
    END IF;
    PERFORM cs.check_enum('requested_message', requested_message,
                          ARRAY['BootNotification', 'LogStatusNotification', 'FirmwareStatusNotification', 'Heartbeat',
                                'MeterValues', 'SignChargingStationCertificate', 'SignV2GCertificate',
                                'StatusNotification', 'TransactionEvent', 'SignCombinedCertificate',
                                'PublishFirmwareStatusNotification', 'DiagnosticsStatusNotification',
                                'SignChargePointCertificate']);
    RETURN ocpp.send(identity, 'TriggerMessage',
                     jsonb_strip_nulls(jsonb_build_object(
                         'requestedMessage', CASE requested_message
                                                 WHEN 'DiagnosticsStatusNotification' THEN 'LogStatusNotification'
                                                 WHEN 'SignChargePointCertificate' THEN 'SignChargingStationCertificate'
                                                 ELSE requested_message END,
                         'evse', cs.v201_evse(to_jsonb(evse_id), to_jsonb(connector_id)))),
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.reserve_now(text, integer, text, timestamptz, text, integer, interval);

-- ocpp.reserve_now(identity, connector_id, id_tag, expiry_date, parent_id_tag, reservation_id, evse_id,
-- id_token_type, connector_type, wait): ReserveNow of the connector (1.6) or EVSE (2.0.1: evse_id,
-- else connector_id; 0 = any EVSE, no evseId sent). reservation_id null takes the next free id of
-- cs.reservation (skipping ids used by rows or by ReserveNow commands queued or sent); parent_id_tag
-- null takes the tag's group_id_token or parent_id_tag from cs.id_tag. The reservation row is
-- created when the station accepts. Refused before anything is sent: the whole station (connector 0)
-- when the station said it cannot (1.6 ReserveConnectorZeroSupported, 2.0.1 ReservationCtrlr
-- NonEvseSpecific, known and not true), and a connector / EVSE with an Accepted, unexpired
-- reservation or a ReserveNow queued or sent (other than reservation_id itself, which the station
-- replaces). 1.6: {connectorId, expiryDate, idTag, parentIdTag, reservationId}, tags of at most 20
-- characters. 2.0.1: {id, expiryDateTime, idToken, groupIdToken, evseId, connectorType}, tags of at
-- most 36, idToken type id_token_type (else the tag's token_type, else Central).
-- Returns the command id. Raises OC007 for a connector_id null or negative or not reservable, an
-- evse_id < 0, an id_tag or parent_id_tag too long (or an empty id_tag), an expiry_date not in the
-- future, a reservation_id of another station's reservation, an id_token_type or connector_type
-- outside its enum or given for a 1.6 station.
CREATE OR REPLACE FUNCTION ocpp.reserve_now(identity text, connector_id integer, id_tag text, expiry_date timestamptz,
                                            parent_id_tag text DEFAULT NULL, reservation_id integer DEFAULT NULL,
                                            evse_id integer DEFAULT NULL, id_token_type text DEFAULT NULL,
                                            connector_type text DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version  text := cs.station_version(reserve_now.identity);
    v16      boolean := version = '1.6';
    st_id    integer := cs.station_id(reserve_now.identity);
    max_len  integer := CASE WHEN version = '1.6' THEN 20 ELSE 36 END;
    target   integer := coalesce(reserve_now.evse_id, reserve_now.connector_id);
    arg      text := CASE WHEN reserve_now.evse_id IS NULL THEN 'connector_id' ELSE 'evse_id' END;
    zero     cs.configuration_key;
    nonevse  text;
    res_id   integer := reserve_now.reservation_id;
    parent   text := reserve_now.parent_id_tag;
    group_tt text;
BEGIN
    PERFORM cs.check_min('connector_id', reserve_now.connector_id, 0, reserve_now.evse_id IS NOT NULL);
    PERFORM cs.check_min('evse_id', reserve_now.evse_id, 0, true);
    PERFORM cs.check_text('id_tag', reserve_now.id_tag, max_len);
    PERFORM cs.check_text('parent_id_tag', parent, max_len, true);
    PERFORM cs.check_arg('expiry_date', reserve_now.expiry_date > now(), 'expiry_date must be in the future');
    PERFORM cs.check_arg('reservation_id',
                         NOT EXISTS (SELECT FROM cs.reservation AS r WHERE r.id = res_id AND r.station_id <> st_id),
                         format('reservation %s belongs to another station', res_id));
    IF v16 THEN
        PERFORM cs.check_arg('id_token_type', reserve_now.id_token_type IS NULL, '1.6 id tags have no type');
        PERFORM cs.check_arg('connector_type', reserve_now.connector_type IS NULL, '1.6 reserves a connector, not a type');
    ELSE
        PERFORM cs.check_enum('id_token_type', reserve_now.id_token_type, cs.v201_id_token_types(), true);
        PERFORM cs.check_enum('connector_type', reserve_now.connector_type,
                              ARRAY['cCCS1', 'cCCS2', 'cG105', 'cTesla', 'cType1', 'cType2', 's309-1P-16A',
                                    's309-1P-32A', 's309-3P-16A', 's309-3P-32A', 'sBS1361', 'sCEE-7-7', 'sType2',
                                    'sType3', 'Other1PhMax16A', 'Other1PhOver16A', 'Other3Ph', 'Pan', 'wInductive',
                                    'wResonant', 'Undetermined', 'Unknown'], true);
    END IF;

    IF target = 0 AND v16 THEN
        SELECT * INTO zero FROM cs.configuration_key AS k
         WHERE k.station_id = st_id AND k.key = 'ReserveConnectorZeroSupported';
        PERFORM cs.check_arg(arg, NOT FOUND OR (NOT zero.unknown AND lower(zero.value) = 'true'),
                             format('station %s does not support reservations of connector 0 (ReserveConnectorZeroSupported)',
                                    reserve_now.identity));
    ELSIF target = 0 THEN
        SELECT d.value INTO nonevse FROM cs.device_variable AS d
         WHERE d.station_id = st_id AND d.component = 'ReservationCtrlr' AND d.variable = 'NonEvseSpecific'
           AND d.attribute_type = 'Actual' AND d.value IS NOT NULL
         LIMIT 1;
        PERFORM cs.check_arg(arg, NOT FOUND OR lower(nonevse) = 'true',
                             format('station %s does not support reservations of no EVSE in particular (ReservationCtrlr.NonEvseSpecific)',
                                    reserve_now.identity));
    END IF;

    PERFORM cs.expire_reservations();
    PERFORM cs.check_arg(arg,
                         NOT EXISTS (SELECT FROM cs.reservation AS r
                                      WHERE r.station_id = st_id AND r.connector_id = target
                                        AND r.status = 'Accepted' AND r.id IS DISTINCT FROM res_id)
                         AND NOT EXISTS (SELECT FROM cs.command AS c
                                          WHERE c.station_id = st_id AND c.action = 'ReserveNow'
                                            AND c.status IN ('queued', 'sent')
                                            AND coalesce(c.payload->>'connectorId', c.payload->>'evseId', '0')::integer = target
                                            AND coalesce(c.payload->>'reservationId', c.payload->>'id')::integer
                                                IS DISTINCT FROM res_id),
                         format('%s %s of %s is already reserved', CASE WHEN v16 THEN 'connector' ELSE 'EVSE' END,
                                target, reserve_now.identity));

    -- a ReserveNow sent through ocpp.send may have used an id without the sequence knowing
    WHILE res_id IS NULL
          OR (reserve_now.reservation_id IS NULL
              AND (EXISTS (SELECT FROM cs.reservation AS r WHERE r.id = res_id)
                   OR EXISTS (SELECT FROM cs.command AS c
                               WHERE c.action = 'ReserveNow' AND c.status IN ('queued', 'sent')
                                 AND coalesce(c.payload->>'reservationId', c.payload->>'id')::integer = res_id))) LOOP
        res_id := nextval(pg_get_serial_sequence('cs.reservation', 'id'));
    END LOOP;
    IF parent IS NULL THEN
        SELECT coalesce(CASE WHEN NOT v16 THEN i.group_id_token END, i.parent_id_tag), i.group_token_type
          INTO parent, group_tt
          FROM cs.id_tag AS i
         WHERE i.id_tag = reserve_now.id_tag;
        IF length(parent) > max_len THEN
            parent := NULL;
        END IF;
    END IF;
    IF v16 THEN
        RETURN ocpp.send(reserve_now.identity, 'ReserveNow',
                         jsonb_strip_nulls(jsonb_build_object('connectorId', target,
                                                              'expiryDate', cs.ocpp_time(reserve_now.expiry_date),
                                                              'idTag', reserve_now.id_tag,
                                                              'parentIdTag', parent,
                                                              'reservationId', res_id)),
                         reserve_now.wait);
    END IF;
    RETURN ocpp.send(reserve_now.identity, 'ReserveNow',
                     jsonb_strip_nulls(jsonb_build_object('id', res_id,
                                                          'expiryDateTime', cs.ocpp_time(reserve_now.expiry_date),
                                                          'idToken', cs.v201_id_token(reserve_now.id_tag,
                                                                                      reserve_now.id_token_type),
                                                          'groupIdToken', cs.v201_id_token(parent, group_tt),
                                                          'evseId', nullif(target, 0),
                                                          'connectorType', reserve_now.connector_type)),
                     reserve_now.wait);
END;
$$;

-- ocpp.send_local_list(identity, update_type, id_tags, wait): SendLocalList. The version is one more
-- than the highest of the station's accepted version, its reported version and the version of a
-- SendLocalList still queued or sent. Full: the list is built from cs.id_tag (every tag short enough
-- for the version, or the tags given); Differential: the tags given, those in cs.id_tag with their
-- status, the others without (removal). 1.6: {listVersion, updateType, localAuthorizationList} of
-- {idTag, idTagInfo} (cs.id_tag_info, no ConcurrentTx), tags of at most 20 characters. 2.0.1:
-- {versionNumber, updateType, localAuthorizationList} of {idToken, idTokenInfo}
-- (cs.v201_id_token_info, no ConcurrentTx; a tag without token_type is sent as ISO14443), tags of at
-- most 36; an empty list leaves localAuthorizationList out (the schema wants at least one entry).
-- Returns the command id. Raises OC010 for an unknown station, OC007 for an update_type outside the enum, a
-- Differential without id_tags, a tag null or too long, a tag of a Full list that is not in cs.id_tag.
CREATE OR REPLACE FUNCTION ocpp.send_local_list(identity text, update_type text DEFAULT 'Full',
                                                id_tags text[] DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id   integer := cs.station_id(send_local_list.identity);
    v16     boolean := cs.station_version(send_local_list.identity) = '1.6';
    max_len integer := CASE WHEN v16 THEN 20 ELSE 36 END;
    version integer;
    unknown text;
    entries jsonb;
BEGIN
    PERFORM cs.check_enum('update_type', update_type, ARRAY['Differential', 'Full']);
    PERFORM cs.check_arg('id_tags', update_type = 'Full' OR cardinality(id_tags) > 0,
                         'a Differential update needs id tags');
    PERFORM cs.check_arg('id_tags', id_tags IS NULL
                                    OR NOT EXISTS (SELECT FROM unnest(id_tags) AS t
                                                    WHERE t IS NULL OR length(t) NOT BETWEEN 1 AND max_len),
                         format('every id tag has 1 to %s characters', max_len));
    IF update_type = 'Full' AND id_tags IS NOT NULL THEN
        SELECT t INTO unknown FROM unnest(id_tags) AS t
         WHERE NOT EXISTS (SELECT FROM cs.id_tag AS i WHERE i.id_tag = t)
         LIMIT 1;
        PERFORM cs.check_arg('id_tags', unknown IS NULL, format('id tag %s is not in cs.id_tag', unknown));
    END IF;

    SELECT greatest(max(l.version), max(l.reported_version),
                    (SELECT max(coalesce(c.payload->>'listVersion', c.payload->>'versionNumber')::integer)
                       FROM cs.command AS c
                      WHERE c.station_id = st_id AND c.action = 'SendLocalList' AND c.status IN ('queued', 'sent')))
      INTO version
      FROM cs.local_list AS l
     WHERE l.station_id = st_id;
    version := coalesce(version, 0) + 1;

    IF update_type = 'Full' THEN
        SELECT jsonb_agg(CASE WHEN v16 THEN jsonb_build_object('idTag', i.id_tag,
                                                               'idTagInfo', cs.id_tag_info(i.id_tag, false))
                              ELSE jsonb_build_object('idToken', cs.v201_id_token(i.id_tag, NULL, 'ISO14443'),
                                                      'idTokenInfo', cs.v201_id_token_info(
                                                          cs.v201_id_token(i.id_tag, NULL, 'ISO14443'), false)) END
                         ORDER BY i.id_tag)
          INTO entries
          FROM cs.id_tag AS i
         WHERE length(i.id_tag) <= max_len AND (id_tags IS NULL OR i.id_tag = ANY (id_tags));
    ELSE
        SELECT jsonb_agg(CASE WHEN v16 AND i.id_tag IS NULL THEN jsonb_build_object('idTag', t.tag)
                              WHEN v16 THEN jsonb_build_object('idTag', t.tag, 'idTagInfo', cs.id_tag_info(t.tag, false))
                              WHEN i.id_tag IS NULL THEN
                                  jsonb_build_object('idToken', cs.v201_id_token(t.tag, NULL, 'ISO14443'))
                              ELSE jsonb_build_object('idToken', cs.v201_id_token(t.tag, NULL, 'ISO14443'),
                                                      'idTokenInfo', cs.v201_id_token_info(
                                                          cs.v201_id_token(t.tag, NULL, 'ISO14443'), false)) END
                         ORDER BY t.tag)
          INTO entries
          FROM (SELECT DISTINCT u AS tag FROM unnest(id_tags) AS u) AS t
          LEFT JOIN cs.id_tag AS i ON i.id_tag = t.tag;
    END IF;

    IF v16 THEN
        RETURN ocpp.send(send_local_list.identity, 'SendLocalList',
                         jsonb_build_object('listVersion', version, 'updateType', update_type,
                                            'localAuthorizationList', coalesce(entries, '[]'::jsonb)),
                         wait);
    END IF;
    RETURN ocpp.send(send_local_list.identity, 'SendLocalList',
                     jsonb_strip_nulls(jsonb_build_object('versionNumber', version, 'updateType', update_type,
                                                          'localAuthorizationList', entries)),
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.set_charging_profile(text, integer, jsonb, interval);

-- ocpp.set_charging_profile(identity, connector_id, profile, evse_id, wait): SetChargingProfile on the
-- connector (1.6) or EVSE (2.0.1: evse_id, else connector_id; 0 = the station). 1.6: {connectorId,
-- csChargingProfiles}, profile a 1.6 ChargingProfile (cs.check_charging_profile). 2.0.1: {evseId,
-- chargingProfile}, profile a 2.0.1 ChargingProfileType or a 1.6 one (translated,
-- cs.v201_charging_profile), checked by cs.check_v201_charging_profile. A station-wide maximum
-- (ChargePointMaxProfile, ChargingStationMaxProfile) goes to connector / EVSE 0 only;
-- ChargingStationExternalConstraints is the station's own, not the CSMS's to set.
-- Returns the command id. Raises OC007 for a connector_id null (without evse_id) or negative, a
-- negative evse_id, a profile that is not valid for the version, a maximum profile elsewhere than on
-- 0, an external-constraints profile.
CREATE OR REPLACE FUNCTION ocpp.set_charging_profile(identity text, connector_id integer, profile jsonb,
                                                     evse_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version text := cs.station_version(set_charging_profile.identity);
    target  integer := coalesce(evse_id, connector_id);
    p       jsonb;
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0, evse_id IS NOT NULL);
    PERFORM cs.check_min('evse_id', evse_id, 0, true);
    IF version = '1.6' THEN
        PERFORM cs.check_charging_profile('profile', profile);
        PERFORM cs.check_arg('profile', profile->>'chargingProfilePurpose' <> 'ChargePointMaxProfile' OR target = 0,
                             'a ChargePointMaxProfile is set on connector 0');
        RETURN ocpp.send(identity, 'SetChargingProfile',
                         jsonb_build_object('connectorId', target, 'csChargingProfiles', profile), wait);
    END IF;
    p := cs.v201_charging_profile(cs.station_id(identity), profile);
    PERFORM cs.check_v201_charging_profile('profile', p);
    PERFORM cs.check_arg('profile', p->>'chargingProfilePurpose' <> 'ChargingStationExternalConstraints',
                         'ChargingStationExternalConstraints profiles are set by an external system, not the CSMS');
    PERFORM cs.check_arg('profile', p->>'chargingProfilePurpose' <> 'ChargingStationMaxProfile' OR target = 0,
                         'a ChargingStationMaxProfile is set on EVSE 0');
    RETURN ocpp.send(identity, 'SetChargingProfile', jsonb_build_object('evseId', target, 'chargingProfile', p), wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.clear_charging_profile(text, integer, integer, text, integer, interval);

-- ocpp.clear_charging_profile(identity, id, connector_id, purpose, stack_level, evse_id, wait):
-- ClearChargingProfile with the criteria given (none: every profile). 1.6: {id, connectorId,
-- chargingProfilePurpose, stackLevel} (evse_id, when given, is the connector). 2.0.1:
-- {chargingProfileId, chargingProfileCriteria {evseId, chargingProfilePurpose, stackLevel}} (evse_id,
-- else connector_id; ChargePointMaxProfile is sent as ChargingStationMaxProfile).
-- Returns the command id. Raises OC007 for a negative connector_id, evse_id or stack_level, a purpose
-- outside the version's enum.
CREATE OR REPLACE FUNCTION ocpp.clear_charging_profile(identity text, id integer DEFAULT NULL,
                                                       connector_id integer DEFAULT NULL,
                                                       purpose text DEFAULT NULL,
                                                       stack_level integer DEFAULT NULL,
                                                       evse_id integer DEFAULT NULL,
                                                       wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version  text := cs.station_version(clear_charging_profile.identity);
    criteria jsonb;
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0, true);
    PERFORM cs.check_min('evse_id', evse_id, 0, true);
    PERFORM cs.check_min('stack_level', stack_level, 0, true);
    IF version = '1.6' THEN
        PERFORM cs.check_enum('purpose', purpose, ARRAY['ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile'], true);
        RETURN ocpp.send(identity, 'ClearChargingProfile',
                         jsonb_strip_nulls(jsonb_build_object('id', clear_charging_profile.id,
                                                              'connectorId', coalesce(evse_id, connector_id),
                                                              'chargingProfilePurpose', purpose,
                                                              'stackLevel', stack_level)),
                         wait);
    END IF;
    PERFORM cs.check_enum('purpose', purpose, ARRAY['ChargePointMaxProfile', 'ChargingStationMaxProfile',
                                                    'ChargingStationExternalConstraints', 'TxDefaultProfile',
                                                    'TxProfile'], true);
    criteria := jsonb_strip_nulls(jsonb_build_object('evseId', coalesce(evse_id, connector_id),
                                                     'chargingProfilePurpose', cs.v201_purpose(purpose),
                                                     'stackLevel', stack_level));
    RETURN ocpp.send(identity, 'ClearChargingProfile',
                     jsonb_strip_nulls(jsonb_build_object('chargingProfileId', clear_charging_profile.id,
                                                          'chargingProfileCriteria', nullif(criteria, '{}'::jsonb))),
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.get_composite_schedule(text, integer, integer, text, interval);

-- ocpp.get_composite_schedule(identity, connector_id, duration, charging_rate_unit, evse_id, wait):
-- GetCompositeSchedule. 1.6: {connectorId, duration, chargingRateUnit}; 2.0.1: {evseId, duration,
-- chargingRateUnit} (evse_id, else connector_id; 0 = the station's grid connection). Returns the
-- command id. Raises OC007 for a connector_id null (without evse_id) or negative, a negative evse_id,
-- a duration null or negative, a charging_rate_unit other than A or W.
CREATE OR REPLACE FUNCTION ocpp.get_composite_schedule(identity text, connector_id integer, duration integer,
                                                       charging_rate_unit text DEFAULT NULL,
                                                       evse_id integer DEFAULT NULL,
                                                       wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version text := cs.station_version(get_composite_schedule.identity);
BEGIN
    PERFORM cs.check_min('connector_id', connector_id, 0, evse_id IS NOT NULL);
    PERFORM cs.check_min('evse_id', evse_id, 0, true);
    PERFORM cs.check_min('duration', duration, 0);
    PERFORM cs.check_enum('charging_rate_unit', charging_rate_unit, ARRAY['A', 'W'], true);
    RETURN ocpp.send(identity, 'GetCompositeSchedule',
                     jsonb_strip_nulls(jsonb_build_object(CASE WHEN version = '1.6' THEN 'connectorId' ELSE 'evseId' END,
                                                          coalesce(evse_id, connector_id),
                                                          'duration', duration,
                                                          'chargingRateUnit', charging_rate_unit)),
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.update_firmware(text, text, timestamptz, integer, integer, interval);

-- ocpp.update_firmware(identity, location, retrieve_date, retries, retry_interval, request_id,
-- install_date, signing_certificate, signature, wait): UpdateFirmware from location, retrieved from
-- retrieve_date on. 1.6: {location, retrieveDate, retries, retryInterval} (a signed update is
-- ocpp.signed_update_firmware). 2.0.1: {requestId (given, else cs.request_id_seq), retries,
-- retryInterval, firmware {location, retrieveDateTime, installDateTime, signingCertificate,
-- signature}}. Returns the command id. Raises OC007 for a location empty (or longer than 512 for
-- 2.0.1), a null retrieve_date, a negative retries or retry_interval, a signing_certificate longer than
-- 5500 or a signature longer than 800, request_id, install_date, signing_certificate or signature for
-- a 1.6 station.
CREATE OR REPLACE FUNCTION ocpp.update_firmware(identity text, location text, retrieve_date timestamptz DEFAULT now(),
                                                retries integer DEFAULT NULL, retry_interval integer DEFAULT NULL,
                                                request_id integer DEFAULT NULL,
                                                install_date timestamptz DEFAULT NULL,
                                                signing_certificate text DEFAULT NULL,
                                                signature text DEFAULT NULL,
                                                wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    version text := cs.station_version(update_firmware.identity);
BEGIN
    PERFORM cs.check_arg('location', location <> '', 'location is required');
    PERFORM cs.check_arg('retrieve_date', retrieve_date IS NOT NULL, 'retrieve_date is required');
    PERFORM cs.check_min('retries', retries, 0, true);
    PERFORM cs.check_min('retry_interval', retry_interval, 0, true);
    IF version = '1.6' THEN
        PERFORM cs.check_arg('request_id', request_id IS NULL AND install_date IS NULL AND signing_certificate IS NULL
                                           AND signature IS NULL,
                             'a 1.6 UpdateFirmware has no requestId, installDateTime, signingCertificate, signature (see ocpp.signed_update_firmware)');
        RETURN ocpp.send(identity, 'UpdateFirmware',
                         jsonb_strip_nulls(jsonb_build_object('location', location,
                                                              'retrieveDate', cs.ocpp_time(retrieve_date),
                                                              'retries', retries, 'retryInterval', retry_interval)),
                         wait);
    END IF;
    PERFORM cs.check_text('location', location, 512);
    PERFORM cs.check_text('signing_certificate', signing_certificate, 5500, true);
    PERFORM cs.check_text('signature', signature, 800, true);
    RETURN ocpp.send(identity, 'UpdateFirmware',
                     jsonb_strip_nulls(jsonb_build_object(
                         'requestId', coalesce(request_id, cs.next_request_id()),
                         'retries', retries, 'retryInterval', retry_interval,
                         'firmware', jsonb_build_object('location', location,
                                                        'retrieveDateTime', cs.ocpp_time(retrieve_date),
                                                        'installDateTime', cs.ocpp_time(install_date),
                                                        'signingCertificate', signing_certificate,
                                                        'signature', signature))),
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.certificate_signed(text, text, interval);

-- ocpp.certificate_signed(identity, certificate_chain, certificate_type, wait): CertificateSigned, the
-- PEM chain answering the station's SignCertificate. certificate_type (2.0.1 only):
-- ChargingStationCertificate or V2GCertificate. Returns the command id. Raises OC007 for a
-- certificate_chain not of 1 to 10000 characters, a certificate_type outside the enum or given for a
-- 1.6 station.
CREATE OR REPLACE FUNCTION ocpp.certificate_signed(identity text, certificate_chain text,
                                                   certificate_type text DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('certificate_chain', certificate_chain, 10000);
    IF cs.station_version(identity) = '1.6' THEN
        PERFORM cs.check_arg('certificate_type', certificate_type IS NULL, '1.6 CertificateSigned has no certificateType');
    ELSE
        PERFORM cs.check_enum('certificate_type', certificate_type,
                              ARRAY['ChargingStationCertificate', 'V2GCertificate'], true);
    END IF;
    RETURN ocpp.send(identity, 'CertificateSigned',
                     jsonb_strip_nulls(jsonb_build_object('certificateChain', certificate_chain,
                                                          'certificateType', certificate_type)),
                     wait);
END;
$$;

-- ocpp.install_certificate(identity, certificate_type, certificate, wait): InstallCertificate, a PEM
-- root certificate. Types: 1.6 CentralSystemRootCertificate, ManufacturerRootCertificate; 2.0.1
-- V2GRootCertificate, MORootCertificate, CSMSRootCertificate, ManufacturerRootCertificate
-- (CentralSystemRootCertificate and CSMSRootCertificate are one type, sent as the version names it).
-- Returns the command id. Raises OC007 for a certificate_type outside the version's enum, a
-- certificate not of 1 to 5500 characters.
CREATE OR REPLACE FUNCTION ocpp.install_certificate(identity text, certificate_type text, certificate text,
                                                    wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    v16  boolean := cs.station_version(install_certificate.identity) = '1.6';
    type text := CASE WHEN v16 AND certificate_type = 'CSMSRootCertificate' THEN 'CentralSystemRootCertificate'
                      WHEN NOT v16 AND certificate_type = 'CentralSystemRootCertificate' THEN 'CSMSRootCertificate'
                      ELSE certificate_type END;
BEGIN
    PERFORM cs.check_enum('certificate_type', type,
                          CASE WHEN v16 THEN ARRAY['CentralSystemRootCertificate', 'ManufacturerRootCertificate']
                               ELSE ARRAY['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate',
                                          'ManufacturerRootCertificate'] END);
    PERFORM cs.check_text('certificate', certificate, 5500);
    RETURN ocpp.send(identity, 'InstallCertificate',
                     jsonb_build_object('certificateType', type, 'certificate', certificate), wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.get_installed_certificate_ids(text, text, interval);

-- ocpp.get_installed_certificate_ids(identity, certificate_type, wait): GetInstalledCertificateIds.
-- 1.6: {certificateType} (CentralSystemRootCertificate, ManufacturerRootCertificate; required).
-- 2.0.1: {certificateType: [type]} (V2GRootCertificate, MORootCertificate, CSMSRootCertificate,
-- V2GCertificateChain, ManufacturerRootCertificate), null asks for every type. The two names of the
-- CSMS root are sent as the version names it. Returns the command id. Raises OC007 for a
-- certificate_type outside the version's enum (null for a 1.6 station).
CREATE OR REPLACE FUNCTION ocpp.get_installed_certificate_ids(identity text, certificate_type text DEFAULT NULL,
                                                              wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    v16  boolean := cs.station_version(get_installed_certificate_ids.identity) = '1.6';
    type text := CASE WHEN v16 AND certificate_type = 'CSMSRootCertificate' THEN 'CentralSystemRootCertificate'
                      WHEN NOT v16 AND certificate_type = 'CentralSystemRootCertificate' THEN 'CSMSRootCertificate'
                      ELSE certificate_type END;
BEGIN
    IF v16 THEN
        PERFORM cs.check_enum('certificate_type', type, ARRAY['CentralSystemRootCertificate', 'ManufacturerRootCertificate']);
        RETURN ocpp.send(identity, 'GetInstalledCertificateIds', jsonb_build_object('certificateType', type), wait);
    END IF;
    PERFORM cs.check_enum('certificate_type', type,
                          ARRAY['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'V2GCertificateChain',
                                'ManufacturerRootCertificate'], true);
    RETURN ocpp.send(identity, 'GetInstalledCertificateIds',
                     CASE WHEN type IS NULL THEN '{}'::jsonb
                          ELSE jsonb_build_object('certificateType', jsonb_build_array(type)) END,
                     wait);
END;
$$;

DROP FUNCTION IF EXISTS ocpp.remote_start_transaction(text, text, integer, jsonb, interval);

-- ocpp.remote_start_transaction(identity, id_tag, connector_id, charging_profile, evse_id, wait):
-- RemoteStartTransaction {idTag, connectorId, chargingProfile} (evse_id, when given, wins over
-- connector_id). To a 2.0.1 station ocpp.send translates it into RequestStartTransaction (a fresh
-- remoteStartId, idToken of the tag's token_type or Central, evseId; the command keeps the request in
-- `requested`); ocpp.request_start_transaction takes the 2.0.1 arguments. charging_profile: a 1.6
-- ChargingProfile whose purpose is TxProfile. Returns the command id. Raises OC007 for an id_tag not
-- of 1 to 20 characters (36 for 2.0.1), a connector_id or evse_id < 1, a charging profile that is not
-- valid or not a TxProfile.
CREATE OR REPLACE FUNCTION ocpp.remote_start_transaction(identity text, id_tag text, connector_id integer DEFAULT NULL,
                                                         charging_profile jsonb DEFAULT NULL,
                                                         evse_id integer DEFAULT NULL,
                                                         wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('id_tag', id_tag, CASE WHEN cs.station_version(identity) = '1.6' THEN 20 ELSE 36 END);
    PERFORM cs.check_min('connector_id', connector_id, 1, true);
    PERFORM cs.check_min('evse_id', evse_id, 1, true);
    IF charging_profile IS NOT NULL THEN
        PERFORM cs.check_charging_profile('charging_profile', charging_profile);
        PERFORM cs.check_arg('charging_profile', charging_profile->>'chargingProfilePurpose' = 'TxProfile',
                             'the profile of a remote start must be a TxProfile');
    END IF;
    RETURN ocpp.send(identity, 'RemoteStartTransaction',
                     jsonb_strip_nulls(jsonb_build_object('idTag', id_tag, 'connectorId', coalesce(evse_id, connector_id),
                                                          'chargingProfile', charging_profile)),
                     wait);
END;
$$;

-- OCPP 2.0.1 operations -----------------------------------------------------------------------------

-- ocpp.request_start_transaction(identity, id_token, id_token_type, evse_id, remote_start_id,
-- charging_profile, group_id_token, wait): RequestStartTransaction {idToken {idToken, type}, evseId,
-- remoteStartId, chargingProfile, groupIdToken}. remote_start_id null takes the next of
-- cs.remote_start_id_seq (the TransactionEvent that follows carries it, and links the transaction to
-- this command). charging_profile: a TxProfile without transactionId, 2.0.1 or 1.6 form (translated).
-- group_id_token's type is its token_type in cs.id_tag, else Central. Returns the command id. Raises
-- OC007 for an id_token or group_id_token not of 1 to 36 characters, an id_token_type outside the
-- enum, an evse_id < 1, a charging profile that is not valid, not a TxProfile or has a transactionId.
CREATE OR REPLACE FUNCTION ocpp.request_start_transaction(identity text, id_token text, id_token_type text DEFAULT 'Central',
                                                          evse_id integer DEFAULT NULL,
                                                          remote_start_id integer DEFAULT NULL,
                                                          charging_profile jsonb DEFAULT NULL,
                                                          group_id_token text DEFAULT NULL,
                                                          wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    p jsonb;
BEGIN
    PERFORM cs.check_text('id_token', id_token, 36);
    PERFORM cs.check_enum('id_token_type', id_token_type, cs.v201_id_token_types());
    PERFORM cs.check_min('evse_id', evse_id, 1, true);
    PERFORM cs.check_text('group_id_token', group_id_token, 36, true);
    IF charging_profile IS NOT NULL THEN
        p := cs.v201_charging_profile(cs.station_id(identity), charging_profile);
        PERFORM cs.check_v201_charging_profile('charging_profile', p);
        PERFORM cs.check_arg('charging_profile', p->>'chargingProfilePurpose' = 'TxProfile' AND NOT p ? 'transactionId',
                             'the profile of a remote start is a TxProfile without transactionId');
    END IF;
    RETURN ocpp.send(identity, 'RequestStartTransaction',
                     jsonb_strip_nulls(jsonb_build_object(
                         'idToken', jsonb_build_object('idToken', id_token, 'type', id_token_type),
                         'evseId', evse_id,
                         'remoteStartId', coalesce(remote_start_id, nextval('cs.remote_start_id_seq')::integer),
                         'chargingProfile', p,
                         'groupIdToken', cs.v201_id_token(group_id_token))),
                     wait);
END;
$$;

-- ocpp.request_stop_transaction(identity, transaction_id, wait): RequestStopTransaction
-- {transactionId}, the station's 2.0.1 transactionId (cs.transaction.transaction_ref). Returns the
-- command id. Raises OC007 for a transaction_id not of 1 to 36 characters.
CREATE OR REPLACE FUNCTION ocpp.request_stop_transaction(identity text, transaction_id text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('transaction_id', transaction_id, 36);
    RETURN ocpp.send(identity, 'RequestStopTransaction', jsonb_build_object('transactionId', transaction_id), wait);
END;
$$;

-- ocpp.get_transaction_status(identity, transaction_id, wait): GetTransactionStatus {transactionId}
-- (null: whether the station has messages queued at all). Returns the command id. Raises OC007 for a
-- transaction_id longer than 36 characters or empty.
CREATE OR REPLACE FUNCTION ocpp.get_transaction_status(identity text, transaction_id text DEFAULT NULL,
                                                       wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('transaction_id', transaction_id, 36, true);
    RETURN ocpp.send(identity, 'GetTransactionStatus',
                     jsonb_strip_nulls(jsonb_build_object('transactionId', transaction_id)), wait);
END;
$$;

-- ocpp.set_variables(identity, variables, wait): SetVariables {setVariableData: variables}, an array of
-- {component {name, instance, evse}, variable {name, instance}, attributeType, attributeValue}
-- (cs.check_component_variables). Returns the command id. Raises OC007 for variables that are not such
-- an array.
CREATE OR REPLACE FUNCTION ocpp.set_variables(identity text, variables jsonb, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_component_variables('variables', variables, 'set');
    RETURN ocpp.send(identity, 'SetVariables', jsonb_build_object('setVariableData', variables), wait);
END;
$$;

-- ocpp.set_variable(identity, component, variable, value, attribute_type, component_instance,
-- variable_instance, evse_id, connector_id, wait): SetVariables of one variable (ocpp.set_variables).
-- Returns the command id. Raises OC007 for a component or variable not of 1 to 50 characters, a value
-- null or longer than 1000, an attribute_type outside its enum, a connector_id without evse_id.
CREATE OR REPLACE FUNCTION ocpp.set_variable(identity text, component text, variable text, value text,
                                             attribute_type text DEFAULT NULL, component_instance text DEFAULT NULL,
                                             variable_instance text DEFAULT NULL, evse_id integer DEFAULT NULL,
                                             connector_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('component', component, 50);
    PERFORM cs.check_text('variable', variable, 50);
    PERFORM cs.check_arg('value', length(value) <= 1000, 'value is required and has at most 1000 characters');
    PERFORM cs.check_enum('attribute_type', attribute_type, ARRAY['Actual', 'Target', 'MinSet', 'MaxSet'], true);
    PERFORM cs.check_arg('connector_id', connector_id IS NULL OR evse_id IS NOT NULL, 'a connector_id needs an evse_id');
    RETURN ocpp.set_variables(identity,
                              jsonb_build_array(cs.component_variable(component, variable, component_instance,
                                                                      variable_instance, evse_id, connector_id)
                                                || jsonb_strip_nulls(jsonb_build_object('attributeType', attribute_type,
                                                                                        'attributeValue', value))),
                              wait);
END;
$$;

-- ocpp.get_variables(identity, variables, wait): GetVariables {getVariableData: variables}, an array of
-- {component, variable, attributeType} (cs.check_component_variables). Returns the command id. Raises
-- OC007 for variables that are not such an array.
CREATE OR REPLACE FUNCTION ocpp.get_variables(identity text, variables jsonb, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_component_variables('variables', variables, 'get');
    RETURN ocpp.send(identity, 'GetVariables', jsonb_build_object('getVariableData', variables), wait);
END;
$$;

-- ocpp.get_variable(identity, component, variable, attribute_type, component_instance,
-- variable_instance, evse_id, connector_id, wait): GetVariables of one variable (ocpp.get_variables).
-- Returns the command id. Raises OC007 for a component or variable not of 1 to 50 characters, an
-- attribute_type outside its enum, a connector_id without evse_id.
CREATE OR REPLACE FUNCTION ocpp.get_variable(identity text, component text, variable text,
                                             attribute_type text DEFAULT NULL, component_instance text DEFAULT NULL,
                                             variable_instance text DEFAULT NULL, evse_id integer DEFAULT NULL,
                                             connector_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('component', component, 50);
    PERFORM cs.check_text('variable', variable, 50);
    PERFORM cs.check_enum('attribute_type', attribute_type, ARRAY['Actual', 'Target', 'MinSet', 'MaxSet'], true);
    PERFORM cs.check_arg('connector_id', connector_id IS NULL OR evse_id IS NOT NULL, 'a connector_id needs an evse_id');
    RETURN ocpp.get_variables(identity,
                              jsonb_build_array(cs.component_variable(component, variable, component_instance,
                                                                      variable_instance, evse_id, connector_id)
                                                || jsonb_strip_nulls(jsonb_build_object('attributeType', attribute_type))),
                              wait);
END;
$$;

-- ocpp.get_base_report(identity, report_base, request_id, wait): GetBaseReport {requestId (given, else
-- cs.request_id_seq), reportBase}: ConfigurationInventory, FullInventory, SummaryInventory. The
-- station's NotifyReport parts fill cs.device_variable. Returns the command id. Raises OC007 for a
-- report_base outside the enum.
CREATE OR REPLACE FUNCTION ocpp.get_base_report(identity text, report_base text DEFAULT 'FullInventory',
                                                request_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('report_base', report_base,
                          ARRAY['ConfigurationInventory', 'FullInventory', 'SummaryInventory']);
    RETURN ocpp.send(identity, 'GetBaseReport',
                     jsonb_build_object('requestId', coalesce(request_id, cs.next_request_id()),
                                        'reportBase', report_base),
                     wait);
END;
$$;

-- ocpp.get_report(identity, component_variables, component_criteria, request_id, wait): GetReport
-- {requestId, componentVariable, componentCriteria} (each left out when null): component_variables an
-- array of {component, variable?}; criteria among Active, Available, Enabled, Problem. Returns the
-- command id. Raises OC007 for component_variables that are not such an array, an empty criteria
-- array or one outside the enum.
CREATE OR REPLACE FUNCTION ocpp.get_report(identity text, component_variables jsonb DEFAULT NULL,
                                           component_criteria text[] DEFAULT NULL, request_id integer DEFAULT NULL,
                                           wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF component_variables IS NOT NULL THEN
        PERFORM cs.check_component_variables('component_variables', component_variables, 'report');
    END IF;
    PERFORM cs.check_arg('component_criteria',
                         component_criteria IS NULL
                         OR (cardinality(component_criteria) > 0
                             AND component_criteria <@ ARRAY['Active', 'Available', 'Enabled', 'Problem']),
                         'component_criteria are some of Active, Available, Enabled, Problem');
    RETURN ocpp.send(identity, 'GetReport',
                     jsonb_strip_nulls(jsonb_build_object('requestId', coalesce(request_id, cs.next_request_id()),
                                                          'componentVariable', component_variables,
                                                          'componentCriteria', to_jsonb(component_criteria))),
                     wait);
END;
$$;

-- ocpp.set_variable_monitoring(identity, monitors, wait): SetVariableMonitoring {setMonitoringData:
-- monitors}, an array of {id?, transaction?, value, type, severity, component, variable}: type one of
-- UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned; severity 0 to 9. Returns the
-- command id. Raises OC007 for monitors that are not such an array.
CREATE OR REPLACE FUNCTION ocpp.set_variable_monitoring(identity text, monitors jsonb, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_component_variables('monitors', monitors, 'monitor');
    PERFORM cs.check_arg('monitors',
                         NOT EXISTS (SELECT FROM jsonb_array_elements(monitors) AS m
                                      WHERE jsonb_typeof(m->'value') IS DISTINCT FROM 'number'
                                         OR m->>'type' IS NULL
                                         OR m->>'type' NOT IN ('UpperThreshold', 'LowerThreshold', 'Delta', 'Periodic',
                                                               'PeriodicClockAligned')
                                         OR jsonb_typeof(m->'severity') IS DISTINCT FROM 'number'
                                         OR (m->>'severity')::numeric NOT BETWEEN 0 AND 9
                                         OR (m ? 'id' AND jsonb_typeof(m->'id') <> 'number')),
                         'every monitor needs a numeric value, a type (UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned) and a severity 0 to 9');
    RETURN ocpp.send(identity, 'SetVariableMonitoring', jsonb_build_object('setMonitoringData', monitors), wait);
END;
$$;

-- ocpp.clear_variable_monitoring(identity, ids, wait): ClearVariableMonitoring {id: ids}. Returns the
-- command id. Raises OC007 for ids null, empty or holding a null.
CREATE OR REPLACE FUNCTION ocpp.clear_variable_monitoring(identity text, ids integer[], wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('ids', cardinality(ids) > 0 AND array_position(ids, NULL) IS NULL,
                         'ids is a non-empty array of monitor ids');
    RETURN ocpp.send(identity, 'ClearVariableMonitoring', jsonb_build_object('id', to_jsonb(ids)), wait);
END;
$$;

-- ocpp.set_monitoring_base(identity, monitoring_base, wait): SetMonitoringBase {monitoringBase}: All,
-- FactoryDefault, HardWiredOnly. Returns the command id. Raises OC007 for a monitoring_base outside the
-- enum.
CREATE OR REPLACE FUNCTION ocpp.set_monitoring_base(identity text, monitoring_base text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_enum('monitoring_base', monitoring_base, ARRAY['All', 'FactoryDefault', 'HardWiredOnly']);
    RETURN ocpp.send(identity, 'SetMonitoringBase', jsonb_build_object('monitoringBase', monitoring_base), wait);
END;
$$;

-- ocpp.set_monitoring_level(identity, severity, wait): SetMonitoringLevel {severity}, 0 (Danger) to 9
-- (Debug). Returns the command id. Raises OC007 for a severity null or outside 0 to 9.
CREATE OR REPLACE FUNCTION ocpp.set_monitoring_level(identity text, severity integer, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('severity', severity BETWEEN 0 AND 9, format('severity %s is not 0 to 9', severity));
    RETURN ocpp.send(identity, 'SetMonitoringLevel', jsonb_build_object('severity', severity), wait);
END;
$$;

-- ocpp.get_monitoring_report(identity, component_variables, monitoring_criteria, request_id, wait):
-- GetMonitoringReport {requestId, componentVariable, monitoringCriteria} (each left out when null):
-- criteria among ThresholdMonitoring, DeltaMonitoring, PeriodicMonitoring. Returns the command id.
-- Raises OC007 for component_variables that are not an array of {component, variable?}, an empty
-- criteria array or one outside the enum.
CREATE OR REPLACE FUNCTION ocpp.get_monitoring_report(identity text, component_variables jsonb DEFAULT NULL,
                                                      monitoring_criteria text[] DEFAULT NULL,
                                                      request_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF component_variables IS NOT NULL THEN
        PERFORM cs.check_component_variables('component_variables', component_variables, 'report');
    END IF;
    PERFORM cs.check_arg('monitoring_criteria',
                         monitoring_criteria IS NULL
                         OR (cardinality(monitoring_criteria) > 0
                             AND monitoring_criteria <@ ARRAY['ThresholdMonitoring', 'DeltaMonitoring', 'PeriodicMonitoring']),
                         'monitoring_criteria are some of ThresholdMonitoring, DeltaMonitoring, PeriodicMonitoring');
    RETURN ocpp.send(identity, 'GetMonitoringReport',
                     jsonb_strip_nulls(jsonb_build_object('requestId', coalesce(request_id, cs.next_request_id()),
                                                          'componentVariable', component_variables,
                                                          'monitoringCriteria', to_jsonb(monitoring_criteria))),
                     wait);
END;
$$;

-- ocpp.set_network_profile(identity, configuration_slot, connection_data, wait): SetNetworkProfile
-- {configurationSlot, connectionData}: connection_data a NetworkConnectionProfileType with
-- ocppVersion (OCPP12, OCPP15, OCPP16, OCPP20), ocppTransport (JSON, SOAP), ocppCsmsUrl (1 to 512
-- characters), integer messageTimeout and securityProfile, ocppInterface (Wired0-3, Wireless0-3), and
-- optional apn and vpn. Returns the command id. Raises OC007 for a configuration_slot null or < 0,
-- connection_data missing one of these or with one outside its enum.
CREATE OR REPLACE FUNCTION ocpp.set_network_profile(identity text, configuration_slot integer, connection_data jsonb,
                                                    wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    d jsonb := connection_data;
BEGIN
    PERFORM cs.check_min('configuration_slot', configuration_slot, 0);
    PERFORM cs.check_arg('connection_data',
                         jsonb_typeof(d) = 'object'
                         AND d->>'ocppVersion' IN ('OCPP12', 'OCPP15', 'OCPP16', 'OCPP20')
                         AND d->>'ocppTransport' IN ('JSON', 'SOAP')
                         AND length(d->>'ocppCsmsUrl') BETWEEN 1 AND 512
                         AND jsonb_typeof(d->'messageTimeout') = 'number'
                         AND jsonb_typeof(d->'securityProfile') = 'number'
                         AND d->>'ocppInterface' IN ('Wired0', 'Wired1', 'Wired2', 'Wired3', 'Wireless0', 'Wireless1',
                                                     'Wireless2', 'Wireless3')
                         AND (NOT d ? 'apn' OR jsonb_typeof(d->'apn') = 'object')
                         AND (NOT d ? 'vpn' OR jsonb_typeof(d->'vpn') = 'object'),
                         'connection_data needs ocppVersion, ocppTransport, ocppCsmsUrl, messageTimeout, securityProfile and ocppInterface');
    RETURN ocpp.send(identity, 'SetNetworkProfile',
                     jsonb_build_object('configurationSlot', configuration_slot, 'connectionData', d), wait);
END;
$$;

-- ocpp.get_charging_profiles(identity, request_id, evse_id, purpose, stack_level, profile_ids,
-- limit_sources, wait): GetChargingProfiles {requestId, evseId, chargingProfile {chargingProfilePurpose,
-- stackLevel, chargingProfileId, chargingLimitSource}} (the criteria given; none: every profile). The
-- station answers with ReportChargingProfiles. Returns the command id. Raises OC007 for a negative
-- evse_id or stack_level, a purpose or a limit source outside its enum, an empty array.
CREATE OR REPLACE FUNCTION ocpp.get_charging_profiles(identity text, request_id integer DEFAULT NULL,
                                                      evse_id integer DEFAULT NULL, purpose text DEFAULT NULL,
                                                      stack_level integer DEFAULT NULL,
                                                      profile_ids integer[] DEFAULT NULL,
                                                      limit_sources text[] DEFAULT NULL,
                                                      wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_min('evse_id', evse_id, 0, true);
    PERFORM cs.check_enum('purpose', purpose, ARRAY['ChargingStationExternalConstraints', 'ChargingStationMaxProfile',
                                                    'TxDefaultProfile', 'TxProfile'], true);
    PERFORM cs.check_min('stack_level', stack_level, 0, true);
    PERFORM cs.check_arg('profile_ids', profile_ids IS NULL OR (cardinality(profile_ids) > 0
                                                                AND array_position(profile_ids, NULL) IS NULL),
                         'profile_ids is a non-empty array of ids');
    PERFORM cs.check_arg('limit_sources', limit_sources IS NULL
                                          OR (cardinality(limit_sources) > 0
                                              AND limit_sources <@ ARRAY['EMS', 'Other', 'SO', 'CSO']),
                         'limit_sources are some of EMS, Other, SO, CSO');
    RETURN ocpp.send(identity, 'GetChargingProfiles',
                     jsonb_strip_nulls(jsonb_build_object(
                         'requestId', coalesce(request_id, cs.next_request_id()),
                         'evseId', evse_id,
                         'chargingProfile', jsonb_strip_nulls(jsonb_build_object(
                             'chargingProfilePurpose', purpose, 'stackLevel', stack_level,
                             'chargingProfileId', to_jsonb(profile_ids),
                             'chargingLimitSource', to_jsonb(limit_sources))))),
                     wait);
END;
$$;

-- ocpp.publish_firmware(identity, location, checksum, request_id, retries, retry_interval, wait):
-- PublishFirmware {location, checksum (MD5, 32 characters at most), requestId, retries,
-- retryInterval}: the station (a local controller) downloads the firmware and publishes it to the
-- stations behind it. Returns the command id. Raises OC007 for a location not of 1 to 512
-- characters, a checksum not of 1 to 32, a negative retries or retry_interval.
CREATE OR REPLACE FUNCTION ocpp.publish_firmware(identity text, location text, checksum text,
                                                 request_id integer DEFAULT NULL, retries integer DEFAULT NULL,
                                                 retry_interval integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('location', location, 512);
    PERFORM cs.check_text('checksum', checksum, 32);
    PERFORM cs.check_min('retries', retries, 0, true);
    PERFORM cs.check_min('retry_interval', retry_interval, 0, true);
    RETURN ocpp.send(identity, 'PublishFirmware',
                     jsonb_strip_nulls(jsonb_build_object('location', location, 'checksum', checksum,
                                                          'requestId', coalesce(request_id, cs.next_request_id()),
                                                          'retries', retries, 'retryInterval', retry_interval)),
                     wait);
END;
$$;

-- ocpp.unpublish_firmware(identity, checksum, wait): UnpublishFirmware {checksum}. Returns the command
-- id. Raises OC007 for a checksum not of 1 to 32 characters.
CREATE OR REPLACE FUNCTION ocpp.unpublish_firmware(identity text, checksum text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('checksum', checksum, 32);
    RETURN ocpp.send(identity, 'UnpublishFirmware', jsonb_build_object('checksum', checksum), wait);
END;
$$;

-- ocpp.customer_information(identity, report, clear, customer_identifier, id_token, id_token_type,
-- customer_certificate, request_id, wait): CustomerInformation {requestId, report, clear,
-- customerIdentifier, idToken {idToken, type}, customerCertificate}: report asks for the data the
-- station holds of the customer (NotifyCustomerInformation), clear deletes it. The customer is named
-- by at least one of customer_identifier (at most 64 characters), id_token (type id_token_type, else
-- the tag's, else Central) or customer_certificate (a CertificateHashDataType). Returns the command id.
-- Raises OC007 for report and clear both false or null, no customer named, a customer_identifier or
-- id_token too long or empty, an id_token_type outside the enum, a customer_certificate without its
-- four fields.
CREATE OR REPLACE FUNCTION ocpp.customer_information(identity text, report boolean DEFAULT true, clear boolean DEFAULT false,
                                                     customer_identifier text DEFAULT NULL, id_token text DEFAULT NULL,
                                                     id_token_type text DEFAULT NULL,
                                                     customer_certificate jsonb DEFAULT NULL,
                                                     request_id integer DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('report', coalesce(report, false) OR coalesce(clear, false),
                         'report or clear (or both) must be true');
    PERFORM cs.check_arg('customer_identifier', num_nonnulls(customer_identifier, id_token, customer_certificate) > 0,
                         'name the customer by customer_identifier, id_token or customer_certificate');
    PERFORM cs.check_text('customer_identifier', customer_identifier, 64, true);
    PERFORM cs.check_text('id_token', id_token, 36, true);
    PERFORM cs.check_enum('id_token_type', id_token_type, cs.v201_id_token_types(), true);
    PERFORM cs.check_arg('customer_certificate',
                         customer_certificate IS NULL
                         OR (customer_certificate->>'hashAlgorithm' IN ('SHA256', 'SHA384', 'SHA512')
                             AND length(customer_certificate->>'issuerNameHash') BETWEEN 1 AND 128
                             AND length(customer_certificate->>'issuerKeyHash') BETWEEN 1 AND 128
                             AND length(customer_certificate->>'serialNumber') BETWEEN 1 AND 40),
                         'customer_certificate needs hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber');
    RETURN ocpp.send(identity, 'CustomerInformation',
                     jsonb_strip_nulls(jsonb_build_object(
                         'requestId', coalesce(request_id, cs.next_request_id()),
                         'report', coalesce(report, false), 'clear', coalesce(clear, false),
                         'customerIdentifier', customer_identifier,
                         'idToken', cs.v201_id_token(id_token, id_token_type),
                         'customerCertificate', customer_certificate)),
                     wait);
END;
$$;

-- ocpp.set_display_message(identity, id, content, priority, format, language, state, start_time,
-- end_time, transaction_id, wait): SetDisplayMessage {message {id, priority, state, startDateTime,
-- endDateTime, transactionId, message {format, language, content}}}. priority AlwaysFront, InFront,
-- NormalCycle; format ASCII, HTML, URI, UTF8; state Charging, Faulted, Idle, Unavailable. Returns the
-- command id. Raises OC007 for a null id, a content not of 1 to 512 characters, a priority, format or
-- state outside its enum, a language longer than 8, a start_time after end_time, a transaction_id not
-- of 1 to 36 characters.
CREATE OR REPLACE FUNCTION ocpp.set_display_message(identity text, id integer, content text,
                                                    priority text DEFAULT 'NormalCycle', format text DEFAULT 'UTF8',
                                                    language text DEFAULT NULL, state text DEFAULT NULL,
                                                    start_time timestamptz DEFAULT NULL,
                                                    end_time timestamptz DEFAULT NULL,
                                                    transaction_id text DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('id', set_display_message.id IS NOT NULL, 'id is required');
    PERFORM cs.check_text('content', content, 512);
    PERFORM cs.check_enum('priority', priority, ARRAY['AlwaysFront', 'InFront', 'NormalCycle']);
    PERFORM cs.check_enum('format', format, ARRAY['ASCII', 'HTML', 'URI', 'UTF8']);
    PERFORM cs.check_text('language', language, 8, true);
    PERFORM cs.check_enum('state', state, ARRAY['Charging', 'Faulted', 'Idle', 'Unavailable'], true);
    PERFORM cs.check_arg('start_time', start_time IS NULL OR end_time IS NULL OR start_time <= end_time,
                         'start_time is after end_time');
    PERFORM cs.check_text('transaction_id', transaction_id, 36, true);
    RETURN ocpp.send(identity, 'SetDisplayMessage',
                     jsonb_build_object('message', jsonb_strip_nulls(jsonb_build_object(
                         'id', set_display_message.id, 'priority', priority, 'state', state,
                         'startDateTime', cs.ocpp_time(start_time), 'endDateTime', cs.ocpp_time(end_time),
                         'transactionId', transaction_id,
                         'message', jsonb_strip_nulls(jsonb_build_object('format', format, 'language', language,
                                                                         'content', content))))),
                     wait);
END;
$$;

-- ocpp.get_display_messages(identity, request_id, ids, priority, state, wait): GetDisplayMessages
-- {requestId, id, priority, state} (the criteria given); the station answers with
-- NotifyDisplayMessages. Returns the command id. Raises OC007 for an empty ids array or one holding a
-- null, a priority or state outside its enum.
CREATE OR REPLACE FUNCTION ocpp.get_display_messages(identity text, request_id integer DEFAULT NULL,
                                                     ids integer[] DEFAULT NULL, priority text DEFAULT NULL,
                                                     state text DEFAULT NULL, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('ids', ids IS NULL OR (cardinality(ids) > 0 AND array_position(ids, NULL) IS NULL),
                         'ids is a non-empty array of message ids');
    PERFORM cs.check_enum('priority', priority, ARRAY['AlwaysFront', 'InFront', 'NormalCycle'], true);
    PERFORM cs.check_enum('state', state, ARRAY['Charging', 'Faulted', 'Idle', 'Unavailable'], true);
    RETURN ocpp.send(identity, 'GetDisplayMessages',
                     jsonb_strip_nulls(jsonb_build_object('requestId', coalesce(request_id, cs.next_request_id()),
                                                          'id', to_jsonb(ids), 'priority', priority, 'state', state)),
                     wait);
END;
$$;

-- ocpp.clear_display_message(identity, id, wait): ClearDisplayMessage {id}. Returns the command id.
-- Raises OC007 for a null id.
CREATE OR REPLACE FUNCTION ocpp.clear_display_message(identity text, id integer, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('id', clear_display_message.id IS NOT NULL, 'id is required');
    RETURN ocpp.send(identity, 'ClearDisplayMessage', jsonb_build_object('id', clear_display_message.id), wait);
END;
$$;

-- ocpp.cost_updated(identity, transaction_id, total_cost, wait): CostUpdated {totalCost,
-- transactionId}: the running cost of a transaction, shown to the driver; the answer records it on
-- cs.transaction (total_cost). Returns the command id. Raises OC007 for a transaction_id not of 1 to
-- 36 characters, a null total_cost.
CREATE OR REPLACE FUNCTION ocpp.cost_updated(identity text, transaction_id text, total_cost numeric,
                                             wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('transaction_id', transaction_id, 36);
    PERFORM cs.check_arg('total_cost', total_cost IS NOT NULL, 'total_cost is required');
    RETURN ocpp.send(identity, 'CostUpdated',
                     jsonb_build_object('totalCost', total_cost, 'transactionId', transaction_id), wait);
END;
$$;
