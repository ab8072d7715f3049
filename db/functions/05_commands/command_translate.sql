-- One command API for a mixed fleet (docs/commands.md, "Translation"): a 1.6-style request that
-- ocpp.send is given for a 2.0.1 or 2.1 station becomes the 2.0.1 request. A 1.6 connector n is
-- EVSE n with connector 1; an explicit evseId (an extra key in the 1.6-style payload, or the evse_id
-- argument of a convenience function) wins over connectorId, which then names the connector within
-- that EVSE. Nothing here raises: a request that does not translate is left to the action check of
-- ocpp.send and to the dispatcher's schema check.

-- cs.v201_id_token(id_token, token_type, default_type): the IdTokenType {idToken, type} of id_token;
-- type is token_type, else the tag's token_type in cs.id_tag, else default_type (Central: a token the
-- CSMS makes up, as for a remote start; a local list says ISO14443, the card a driver presents).
-- Returns jsonb (null for a null id_token). Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_id_token(id_token text, token_type text DEFAULT NULL,
                                            default_type text DEFAULT 'Central')
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT CASE WHEN id_token IS NOT NULL THEN
               jsonb_build_object('idToken', id_token,
                                  'type', coalesce(token_type,
                                                   (SELECT i.token_type FROM cs.id_tag AS i WHERE i.id_tag = id_token),
                                                   default_type))
           END
$$;

-- cs.v201_evse(evse_id, connector_id): the 2.0.1 EVSEType of a 1.6-style target: {id: evse_id,
-- connectorId} when an evseId > 0 is given (connectorId when it is > 0); else {id: connector_id} for a
-- connector_id > 0 (1.6 connector n is EVSE n); null for the whole station. Takes and returns jsonb
-- (the values as sent). Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_evse(evse_id jsonb, connector_id jsonb)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN jsonb_typeof(evse_id) = 'number' AND evse_id > '0'::jsonb THEN
                    jsonb_build_object('id', evse_id)
                    || CASE WHEN jsonb_typeof(connector_id) = 'number' AND connector_id > '0'::jsonb
                            THEN jsonb_build_object('connectorId', connector_id) ELSE '{}'::jsonb END
                WHEN jsonb_typeof(connector_id) = 'number' AND connector_id > '0'::jsonb THEN
                    jsonb_build_object('id', connector_id)
           END
$$;

-- cs.v201_transaction_id(station_id, transaction_id): the 2.0.1 transactionId of a 1.6-style one: a
-- number is cs.transaction.id, sent as that transaction's transaction_ref (its number as text when it
-- has none or is unknown); a string is kept. Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_transaction_id(station_id integer, transaction_id jsonb)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT CASE WHEN jsonb_typeof(transaction_id) = 'number' THEN
                    to_jsonb(coalesce((SELECT t.transaction_ref FROM cs.transaction AS t
                                        WHERE t.station_id = v201_transaction_id.station_id
                                          AND t.id::numeric = (transaction_id #>> '{}')::numeric),
                                      transaction_id #>> '{}'))
                ELSE transaction_id END
$$;

-- cs.v201_purpose(purpose): the 2.0.1 chargingProfilePurpose of a 1.6 one (ChargePointMaxProfile is
-- ChargingStationMaxProfile; the others keep their name). Returns text. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_purpose(purpose text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE purpose WHEN 'ChargePointMaxProfile' THEN 'ChargingStationMaxProfile' ELSE purpose END
$$;

-- cs.v201_charging_profile(station_id, profile): the 2.0.1 ChargingProfileType of a 1.6
-- ChargingProfile: chargingProfileId is id, the purpose renamed (cs.v201_purpose), transactionId as
-- the 2.0.1 one (cs.v201_transaction_id), chargingSchedule an array of one schedule whose id is the
-- profile's. A profile already in 2.0.1 form (an id, a chargingSchedule array) is returned as is.
-- Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_charging_profile(station_id integer, profile jsonb)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT CASE WHEN profile IS NULL OR jsonb_typeof(profile) <> 'object' OR profile ? 'id'
                     OR jsonb_typeof(profile->'chargingSchedule') = 'array' THEN profile
                ELSE jsonb_strip_nulls(jsonb_build_object(
                         'id', profile->'chargingProfileId',
                         'stackLevel', profile->'stackLevel',
                         'chargingProfilePurpose', cs.v201_purpose(profile->>'chargingProfilePurpose'),
                         'chargingProfileKind', profile->'chargingProfileKind',
                         'recurrencyKind', profile->'recurrencyKind',
                         'validFrom', profile->'validFrom',
                         'validTo', profile->'validTo',
                         'transactionId', cs.v201_transaction_id(station_id, profile->'transactionId'),
                         'chargingSchedule',
                         CASE WHEN jsonb_typeof(profile->'chargingSchedule') = 'object' THEN
                             jsonb_build_array(jsonb_build_object('id', profile->'chargingProfileId')
                                               || (profile->'chargingSchedule'))
                         END))
           END
$$;

-- cs.v201_local_list_entry(entry): the 2.0.1 AuthorizationData of a 1.6 localAuthorizationList
-- entry {idTag, idTagInfo}: idToken (cs.v201_id_token, ISO14443 when cs.id_tag has no type), idTokenInfo
-- with the status, expiryDate as cacheExpiryDateTime and parentIdTag as groupIdToken. Returns jsonb.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_local_list_entry(entry jsonb)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
               'idToken', cs.v201_id_token(entry->>'idTag', NULL, 'ISO14443'),
               'idTokenInfo', CASE WHEN entry ? 'idTagInfo' THEN
                                  jsonb_strip_nulls(jsonb_build_object(
                                      'status', entry #> '{idTagInfo,status}',
                                      'cacheExpiryDateTime', entry #> '{idTagInfo,expiryDate}',
                                      'groupIdToken', cs.v201_id_token(entry #>> '{idTagInfo,parentIdTag}')))
                              END))
$$;

-- cs.v201_translate(station_id, action, payload): the 2.0.1 request for a 1.6-style one sent to 2.0.1 /
-- 2.1 station station_id, as {"action", "payload"}; null when action and payload are already 2.0.1's
-- (or are not a 1.6 request this knows). A 1.6-style payload is recognised by its 1.6 keys:
--   RemoteStartTransaction  -> RequestStartTransaction {idToken (type from cs.id_tag, else Central),
--                              remoteStartId (given, else cs.remote_start_id_seq), evseId, chargingProfile}
--   RemoteStopTransaction   -> RequestStopTransaction {transactionId: the transaction's transaction_ref}
--   Reset Hard / Soft       -> Reset Immediate / OnIdle (evseId kept)
--   ChangeAvailability {connectorId, type} -> {evse, operationalStatus}
--   UnlockConnector {connectorId}          -> {evseId: connectorId, connectorId: 1}
--   TriggerMessage / ExtendedTriggerMessage {connectorId} -> TriggerMessage {evse} (DiagnosticsStatus-
--                              Notification is LogStatusNotification, SignChargePointCertificate is
--                              SignChargingStationCertificate)
--   ReserveNow {idTag, ...}   -> {id, expiryDateTime, idToken, groupIdToken, evseId}
--   SetChargingProfile {connectorId, csChargingProfiles} -> {evseId, chargingProfile}
--   ClearChargingProfile {id, connectorId, chargingProfilePurpose, stackLevel}
--                           -> {chargingProfileId, chargingProfileCriteria {evseId, ...}}
--   GetCompositeSchedule {connectorId} -> {evseId}
--   SendLocalList {listVersion, localAuthorizationList} -> {versionNumber, localAuthorizationList}
--   UpdateFirmware {location, retrieveDate} and SignedUpdateFirmware -> UpdateFirmware {requestId, firmware}
--   InstallCertificate CentralSystemRootCertificate -> CSMSRootCertificate
--   GetInstalledCertificateIds {certificateType: text} -> {certificateType: [type]}
-- Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_translate(station_id integer, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    p      jsonb := payload;
    evse   jsonb := cs.v201_evse(p->'evseId', p->'connectorId');
    new_p  jsonb;
BEGIN
    CASE action
        WHEN 'RemoteStartTransaction' THEN
            RETURN jsonb_build_object('action', 'RequestStartTransaction', 'payload', jsonb_strip_nulls(
                jsonb_build_object('idToken', cs.v201_id_token(p->>'idTag', p->>'idTokenType'),
                                   'remoteStartId', coalesce(p->'remoteStartId',
                                                             to_jsonb(nextval('cs.remote_start_id_seq')::integer)),
                                   'evseId', evse->'id',
                                   'chargingProfile', cs.v201_charging_profile(station_id, p->'chargingProfile'))));
        WHEN 'RemoteStopTransaction' THEN
            RETURN jsonb_build_object('action', 'RequestStopTransaction', 'payload', jsonb_strip_nulls(
                jsonb_build_object('transactionId', cs.v201_transaction_id(station_id, p->'transactionId'))));
        WHEN 'Reset' THEN
            IF p->>'type' IN ('Hard', 'Soft') THEN
                RETURN jsonb_build_object('action', 'Reset', 'payload',
                    p || jsonb_build_object('type', CASE p->>'type' WHEN 'Hard' THEN 'Immediate' ELSE 'OnIdle' END));
            END IF;
        WHEN 'ChangeAvailability' THEN
            IF p ? 'type' OR p ? 'connectorId' THEN
                RETURN jsonb_build_object('action', 'ChangeAvailability', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('operationalStatus', p->'type', 'evse', evse)));
            END IF;
        WHEN 'UnlockConnector' THEN
            IF NOT p ? 'evseId' THEN
                RETURN jsonb_build_object('action', 'UnlockConnector', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('evseId', p->'connectorId', 'connectorId',
                                       CASE WHEN p ? 'connectorId' THEN to_jsonb(1) END)));
            END IF;
        WHEN 'TriggerMessage', 'ExtendedTriggerMessage' THEN
            IF action = 'ExtendedTriggerMessage' OR p ? 'connectorId' OR p ? 'evseId'
               OR p->>'requestedMessage' IN ('DiagnosticsStatusNotification', 'SignChargePointCertificate') THEN
                RETURN jsonb_build_object('action', 'TriggerMessage', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('requestedMessage',
                                       CASE p->>'requestedMessage'
                                           WHEN 'DiagnosticsStatusNotification' THEN to_jsonb('LogStatusNotification'::text)
                                           WHEN 'SignChargePointCertificate' THEN to_jsonb('SignChargingStationCertificate'::text)
                                           ELSE p->'requestedMessage' END,
                                       'evse', evse)));
            END IF;
        WHEN 'ReserveNow' THEN
            IF p ? 'idTag' OR p ? 'reservationId' OR p ? 'expiryDate' THEN
                RETURN jsonb_build_object('action', 'ReserveNow', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('id', p->'reservationId',
                                       'expiryDateTime', p->'expiryDate',
                                       'idToken', cs.v201_id_token(p->>'idTag', p->>'idTokenType'),
                                       'groupIdToken', cs.v201_id_token(p->>'parentIdTag'),
                                       'evseId', evse->'id',
                                       'connectorType', p->'connectorType')));
            END IF;
        WHEN 'SetChargingProfile' THEN
            IF p ? 'csChargingProfiles' THEN
                RETURN jsonb_build_object('action', 'SetChargingProfile', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('evseId', coalesce(p->'evseId', p->'connectorId'),
                                       'chargingProfile', cs.v201_charging_profile(station_id, p->'csChargingProfiles'))));
            END IF;
        WHEN 'ClearChargingProfile' THEN
            IF p ?| ARRAY['id', 'connectorId', 'evseId', 'chargingProfilePurpose', 'stackLevel'] THEN
                new_p := jsonb_strip_nulls(jsonb_build_object(
                             'evseId', coalesce(p->'evseId', p->'connectorId'),
                             'chargingProfilePurpose', cs.v201_purpose(p->>'chargingProfilePurpose'),
                             'stackLevel', p->'stackLevel'));
                RETURN jsonb_build_object('action', 'ClearChargingProfile', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('chargingProfileId', p->'id',
                                       'chargingProfileCriteria', CASE WHEN new_p <> '{}' THEN new_p END)));
            END IF;
        WHEN 'GetCompositeSchedule' THEN
            IF p ? 'connectorId' THEN
                RETURN jsonb_build_object('action', 'GetCompositeSchedule', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('duration', p->'duration', 'chargingRateUnit', p->'chargingRateUnit',
                                       'evseId', coalesce(p->'evseId', p->'connectorId'))));
            END IF;
        WHEN 'SendLocalList' THEN
            IF p ? 'listVersion' THEN
                SELECT jsonb_agg(cs.v201_local_list_entry(e) ORDER BY n) INTO new_p
                  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p->'localAuthorizationList') = 'array'
                                                 THEN p->'localAuthorizationList' ELSE '[]' END)
                       WITH ORDINALITY AS l (e, n);
                RETURN jsonb_build_object('action', 'SendLocalList', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('versionNumber', p->'listVersion', 'updateType', p->'updateType',
                                       'localAuthorizationList', new_p)));
            END IF;
        WHEN 'UpdateFirmware', 'SignedUpdateFirmware' THEN
            IF action = 'SignedUpdateFirmware' OR p ? 'location' OR p ? 'retrieveDate' THEN
                RETURN jsonb_build_object('action', 'UpdateFirmware', 'payload', jsonb_strip_nulls(
                    jsonb_build_object('requestId', coalesce(p->'requestId',
                                                             to_jsonb(nextval('cs.request_id_seq')::integer)),
                                       'retries', p->'retries', 'retryInterval', p->'retryInterval',
                                       'firmware', coalesce(p->'firmware',
                                                            jsonb_strip_nulls(jsonb_build_object(
                                                                'location', p->'location',
                                                                'retrieveDateTime', p->'retrieveDate'))))));
            END IF;
        WHEN 'InstallCertificate' THEN
            IF p->>'certificateType' = 'CentralSystemRootCertificate' THEN
                RETURN jsonb_build_object('action', 'InstallCertificate', 'payload',
                                          p || '{"certificateType": "CSMSRootCertificate"}');
            END IF;
        WHEN 'GetInstalledCertificateIds' THEN
            IF jsonb_typeof(p->'certificateType') = 'string' THEN
                RETURN jsonb_build_object('action', 'GetInstalledCertificateIds', 'payload',
                    jsonb_build_object('certificateType', jsonb_build_array(
                        CASE p->>'certificateType' WHEN 'CentralSystemRootCertificate' THEN 'CSMSRootCertificate'
                                                   ELSE p->>'certificateType' END)));
            END IF;
        ELSE
            NULL;
    END CASE;
    RETURN NULL;
END;
$$;
