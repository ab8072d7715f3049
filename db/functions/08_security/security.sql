-- Security profiles and station credentials (docs/security-profiles.md): the secrets a command carries,
-- what an accepted command changes, and the operator's functions.

-- cs.command_secret(action, payload): where a request carries a new station password, and which
-- bytes it stands for: {"path": [...], "value": the clear text as sent, "credential": hex of the bytes}
-- for ChangeConfiguration AuthorizationKey (1.5/1.6: its hex digits' bytes, cs.authorization_key),
-- SetVariables SecurityCtrlr.BasicAuthPassword (2.0.1/2.1: its UTF-8) and SetNetworkProfile
-- connectionData.basicAuthPassword (2.1). Null when it carries none. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_secret(action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
    i     integer;
    value text;
BEGIN
    CASE action
        WHEN 'ChangeConfiguration' THEN
            IF payload->>'key' = 'AuthorizationKey' AND jsonb_typeof(payload->'value') = 'string' THEN
                value := payload->>'value';
                RETURN jsonb_build_object('path', jsonb_build_array('value'), 'value', value,
                                          'credential', encode(cs.authorization_key(value), 'hex'));
            END IF;
        WHEN 'SetVariables' THEN
            IF jsonb_typeof(payload->'setVariableData') = 'array' THEN
                FOR i IN 0 .. jsonb_array_length(payload->'setVariableData') - 1 LOOP
                    IF payload->'setVariableData'->i #>> '{component,name}' = 'SecurityCtrlr'
                       AND payload->'setVariableData'->i #>> '{variable,name}' = 'BasicAuthPassword'
                       AND jsonb_typeof(payload->'setVariableData'->i->'attributeValue') = 'string' THEN
                        value := payload->'setVariableData'->i->>'attributeValue';
                        RETURN jsonb_build_object('path', jsonb_build_array('setVariableData', i, 'attributeValue'),
                                                  'value', value,
                                                  'credential', encode(convert_to(value, 'UTF8'), 'hex'));
                    END IF;
                END LOOP;
            END IF;
        WHEN 'SetNetworkProfile' THEN
            IF jsonb_typeof(payload #> '{connectionData,basicAuthPassword}') = 'string' THEN
                value := payload #>> '{connectionData,basicAuthPassword}';
                RETURN jsonb_build_object('path', jsonb_build_array('connectionData', 'basicAuthPassword'),
                                          'value', value,
                                          'credential', encode(convert_to(value, 'UTF8'), 'hex'));
            END IF;
        ELSE
            NULL;
    END CASE;
    RETURN NULL;
END;
$$;

-- cs.secret_mask(payload, secret): payload with the secret cs.command_secret found replaced by
-- '********' (payload itself when secret is null). Raises nothing.
CREATE OR REPLACE FUNCTION cs.secret_mask(payload jsonb, secret jsonb)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN secret IS NULL THEN payload
                ELSE jsonb_set(payload, ARRAY(SELECT jsonb_array_elements_text(secret->'path')), '"********"')
           END;
$$;

-- cs.command_accepted(cmd): the station accepted answered command cmd: status Accepted or
-- RebootRequired, or, for SetVariables, every setVariableResult. Raises nothing.
CREATE OR REPLACE FUNCTION cs.command_accepted(cmd cs.command)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT CASE WHEN cmd.action = 'SetVariables' THEN
                    jsonb_array_length(coalesce(cmd.response->'setVariableResult', '[]')) > 0
                    AND NOT EXISTS (SELECT FROM jsonb_array_elements(cmd.response->'setVariableResult') AS r
                                     WHERE r->>'attributeStatus' NOT IN ('Accepted', 'RebootRequired'))
                ELSE coalesce(cmd.response->>'status' IN ('Accepted', 'RebootRequired'), false)
           END;
$$;

-- cs.raise_station_profile(station_id, profile): the station's minimum security profile becomes profile
-- unless it is already higher (never lowered: no downgrade). Raises nothing.
CREATE OR REPLACE FUNCTION cs.raise_station_profile(station_id integer, profile integer)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE cs.station AS s
       SET security_profile = greatest(coalesce(s.security_profile, (cs.setting('station.security_profile'))::integer),
                                       raise_station_profile.profile)
     WHERE s.id = raise_station_profile.station_id AND raise_station_profile.profile BETWEEN 0 AND 3;
END;
$$;

-- cs.command_security_effect(cmd): what an answered command changes in the station's credentials:
-- when the station accepted it, a new password (cmd.credential_hash) becomes the stored one; an
-- accepted 1.6 ChangeConfiguration SecurityProfile, or a 2.0.1 SetVariables
-- OCPPCommCtrlr.NetworkConfigurationPriority whose first slot holds a network profile, raises the
-- station's minimum profile to it. Then queues the commands cmd.then_queue names (cs.command_then).
-- Raises what ocpp.send raises.
CREATE OR REPLACE FUNCTION cs.command_security_effect(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    slot    integer;
    profile integer;
    item    jsonb;
BEGIN
    IF NOT cs.command_accepted(cmd) THEN
        RETURN;
    END IF;
    IF cmd.credential_hash IS NOT NULL THEN
        UPDATE cs.station AS s SET password_hash = cmd.credential_hash WHERE s.id = cmd.station_id;
    END IF;
    IF cmd.action = 'ChangeConfiguration' AND cmd.payload->>'key' = 'SecurityProfile'
       AND cmd.payload->>'value' ~ '^[0-3]$' THEN
        PERFORM cs.raise_station_profile(cmd.station_id, (cmd.payload->>'value')::integer);
    ELSIF cmd.action = 'SetVariables' THEN
        FOR item IN SELECT e FROM jsonb_array_elements(cmd.payload->'setVariableData') AS e
                     WHERE e #>> '{component,name}' = 'OCPPCommCtrlr'
                       AND e #>> '{variable,name}' = 'NetworkConfigurationPriority' LOOP
            slot := nullif(split_part(item->>'attributeValue', ',', 1), '')::integer;
            SELECT (n.connection_data->>'securityProfile')::integer INTO profile
              FROM cs.network_profile AS n
             WHERE n.station_id = cmd.station_id AND n.configuration_slot = slot;
            IF profile IS NOT NULL THEN
                PERFORM cs.raise_station_profile(cmd.station_id, profile);
            END IF;
        END LOOP;
    END IF;
    PERFORM cs.command_then(cmd);
END;
$$;

-- cs.command_then(cmd): queues the first command of cmd.then_queue ({"action", "payload"}) to cmd's
-- station, with the rest as its own then_queue, so a chain goes on only while the station accepts.
-- Returns the new command id or null. Raises what ocpp.send raises.
CREATE OR REPLACE FUNCTION cs.command_then(cmd cs.command)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    next   jsonb := cmd.then_queue->0;
    new_id bigint;
BEGIN
    IF next IS NULL THEN
        RETURN NULL;
    END IF;
    new_id := ocpp.send((SELECT s.identity FROM cs.station AS s WHERE s.id = cmd.station_id),
                        next->>'action', next->'payload', interval '1 day');
    UPDATE cs.command AS c SET then_queue = nullif(cmd.then_queue - 0, '[]'::jsonb) WHERE c.id = new_id;
    RETURN new_id;
END;
$$;

-- ocpp.set_station_key(identity, key): the station's Basic-auth password as bytes (a binary 1.6
-- AuthorizationKey); null removes it. ocpp.set_station_password(identity, text) is the same for text.
-- Returns nothing. Raises OC010 for an unknown station, OC007 for an empty key.
CREATE OR REPLACE FUNCTION ocpp.set_station_key(identity text, key bytea)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF length(key) = 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid password', 'the key is empty');
    END IF;
    UPDATE cs.station AS s SET password_hash = cs.password_hash(key)
     WHERE s.identity = set_station_key.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', set_station_key.identity));
    END IF;
END;
$$;

-- ocpp.set_station_security_profile(identity, profile): the lowest security profile (0-3) the station
-- may connect with, set by an operator (who may also lower it, e.g. for a replaced station; the
-- OCPP flow, ocpp.raise_security_profile, only raises it); null follows station.security_profile.
-- Returns nothing. Raises OC010 for an unknown station, OC007 for a profile outside 0-3.
CREATE OR REPLACE FUNCTION ocpp.set_station_security_profile(identity text, profile integer)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF profile NOT BETWEEN 0 AND 3 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid security profile', format('profile %s is not 0, 1, 2 or 3', profile));
    END IF;
    UPDATE cs.station AS s SET security_profile = profile WHERE s.identity = set_station_security_profile.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station',
                              format('no station %s', set_station_security_profile.identity));
    END IF;
END;
$$;

-- ocpp.bind_station_certificate(identity, fingerprint, subject): the client certificate with this
-- SHA-256 fingerprint (hex of its DER, any case, colons allowed) is the station's own, for
-- station.certificate_binding = 'mapping'. Returns nothing. Raises OC010 for an unknown station, OC007 for a
-- fingerprint that is not 32 bytes of hex.
CREATE OR REPLACE FUNCTION ocpp.bind_station_certificate(identity text, fingerprint text, subject text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    fp text := lower(replace(fingerprint, ':', ''));
    id integer;
BEGIN
    IF fp IS NULL OR fp !~ '^[0-9a-f]{64}$' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid fingerprint',
                              format('%s is not a SHA-256 fingerprint (64 hex digits)', fingerprint));
    END IF;
    id := cs.station_id(identity);
    INSERT INTO cs.station_certificate AS c (fingerprint, station_id, subject)
    VALUES (fp, id, bind_station_certificate.subject)
    ON CONFLICT ON CONSTRAINT station_certificate_pkey DO UPDATE
       SET station_id = excluded.station_id, subject = excluded.subject, created_at = now();
END;
$$;

-- ocpp.unbind_station_certificate(fingerprint): removes a binding. Returns whether one existed.
-- Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.unbind_station_certificate(fingerprint text)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    DELETE FROM cs.station_certificate AS c WHERE c.fingerprint = lower(replace(unbind_station_certificate.fingerprint, ':', ''));
    RETURN FOUND;
END;
$$;

-- ocpp.change_station_password(identity, password, wait): asks the station to use a new Basic-auth
-- password, the OCPP way for its version: 1.5/1.6 ChangeConfiguration AuthorizationKey (the hex digits
-- of password's UTF-8), 2.0.1/2.1 SetVariables SecurityCtrlr.BasicAuthPassword. The stored password
-- becomes the new one when the station accepts; until then the old one works. The password is never
-- stored in clear (ocpp.send). Returns the command id. Raises OC010 for an unknown station, OC007 for a password
-- shorter than 16 or longer than 40 characters (OCPP's limits), and what ocpp.send raises.
CREATE OR REPLACE FUNCTION ocpp.change_station_password(identity text, password text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF length(password) IS NULL OR length(password) NOT BETWEEN 16 AND 40 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid password', 'a station password has 16 to 40 characters');
    END IF;
    IF cs.station_version(identity) IN ('2.0.1', '2.1') THEN
        RETURN ocpp.set_variable(identity, 'SecurityCtrlr', 'BasicAuthPassword', password, wait => wait);
    END IF;
    RETURN ocpp.change_configuration(identity, 'AuthorizationKey', encode(convert_to(password, 'UTF8'), 'hex'),
                                     wait);
END;
$$;

-- ocpp.rotate_station_password(identity, wait): asks the station to use a new random password, which
-- nobody sees: a 20-byte binary AuthorizationKey (1.5/1.6, sent as 40 hex digits) or 24 random
-- characters (2.0.1/2.1). Returns the command id. Raises what ocpp.send raises.
CREATE OR REPLACE FUNCTION ocpp.rotate_station_password(identity text, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF cs.station_version(identity) IN ('2.0.1', '2.1') THEN
        RETURN ocpp.change_station_password(identity, encode(cs.gen_random_bytes(18), 'base64'), wait);
    END IF;
    RETURN ocpp.change_configuration(identity, 'AuthorizationKey', encode(cs.gen_random_bytes(20), 'hex'), wait);
END;
$$;

-- ocpp.raise_security_profile(identity, profile, csms_url, configuration_slot, wait): moves the station
-- to a higher security profile the OCPP way. 1.5/1.6: ChangeConfiguration SecurityProfile (the station
-- reconnects with it). 2.0.1/2.1: SetNetworkProfile (slot configuration_slot, csms_url, profile), then,
-- once accepted, SetVariables OCPPCommCtrlr.NetworkConfigurationPriority = that slot, then, once
-- accepted, Reset OnIdle. The station's minimum becomes profile when it accepts the change
-- (cs.command_security_effect); from then on a lower one is refused. Returns the id of the first command.
-- Raises OC010 for an unknown station, OC007 for a profile outside 1-3 or not above the station's minimum (no
-- downgrade), a 2.x station without csms_url; and what ocpp.send raises.
CREATE OR REPLACE FUNCTION ocpp.raise_security_profile(identity text, profile integer, csms_url text DEFAULT NULL,
                                                       configuration_slot integer DEFAULT 1,
                                                       wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st      cs.station;
    minimum integer;
    cmd     bigint;
BEGIN
    SELECT * INTO st FROM cs.station AS s WHERE s.id = cs.station_id(raise_security_profile.identity);
    minimum := coalesce(st.security_profile, (cs.setting('station.security_profile'))::integer);
    IF profile IS NULL OR profile NOT BETWEEN 1 AND 3 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid security profile', format('profile %s is not 1, 2 or 3', profile));
    END IF;
    IF profile <= minimum THEN
        PERFORM cs.raise_ocpp('OC007', 'no downgrade',
                              format('station %s already requires security profile %s', identity, minimum));
    END IF;
    IF coalesce(st.version, '1.6') NOT IN ('2.0.1', '2.1') THEN
        RETURN ocpp.change_configuration(raise_security_profile.identity, 'SecurityProfile', profile::text, wait);
    END IF;
    IF csms_url IS NULL OR csms_url = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'csms_url required',
                              'a 2.0.1 station needs the URL to reach the central system with the new profile');
    END IF;
    cmd := ocpp.set_network_profile(raise_security_profile.identity, configuration_slot,
                                    jsonb_build_object('ocppVersion', 'OCPP20', 'ocppTransport', 'JSON',
                                                       'ocppCsmsUrl', csms_url, 'messageTimeout', 30,
                                                       'securityProfile', profile, 'ocppInterface', 'Wired0'),
                                    wait);
    UPDATE cs.command AS c
       SET then_queue = jsonb_build_array(
               jsonb_build_object('action', 'SetVariables', 'payload', jsonb_build_object('setVariableData', jsonb_build_array(
                   jsonb_build_object('component', jsonb_build_object('name', 'OCPPCommCtrlr'),
                                      'variable', jsonb_build_object('name', 'NetworkConfigurationPriority'),
                                      'attributeValue', configuration_slot::text)))),
               jsonb_build_object('action', 'Reset', 'payload', jsonb_build_object('type', 'OnIdle')))
     WHERE c.id = cmd AND c.status IN ('queued', 'offline');
    RETURN cmd;
END;
$$;

-- cs.mask_secrets(action, payload): payload with every station password it holds replaced by
-- '********': what cs.command_secret finds in a request, a 1.6 GetConfiguration answer's
-- AuthorizationKey, and a 2.x GetVariables answer's or NotifyReport's SecurityCtrlr.BasicAuthPassword
-- (write-only, but a sloppy station may report it). Other actions pass untouched. Raises nothing.
CREATE OR REPLACE FUNCTION cs.mask_secrets(action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    IF jsonb_typeof(payload) IS DISTINCT FROM 'object' THEN
        RETURN payload;
    END IF;
    CASE action
        WHEN 'ChangeConfiguration', 'SetVariables', 'SetNetworkProfile' THEN
            IF payload ? 'setVariableResult' THEN
                RETURN payload;
            END IF;
            RETURN cs.secret_mask(payload, cs.command_secret(action, payload));
        WHEN 'GetConfiguration' THEN
            IF jsonb_typeof(payload->'configurationKey') = 'array' THEN
                RETURN jsonb_set(payload, '{configurationKey}', (
                    SELECT jsonb_agg(CASE WHEN k->>'key' = 'AuthorizationKey' AND k ? 'value'
                                          THEN jsonb_set(k, '{value}', '"********"') ELSE k END ORDER BY n)
                      FROM jsonb_array_elements(payload->'configurationKey') WITH ORDINALITY AS e (k, n)));
            END IF;
        WHEN 'GetVariables' THEN
            IF jsonb_typeof(payload->'getVariableResult') = 'array' THEN
                RETURN jsonb_set(payload, '{getVariableResult}', (
                    SELECT jsonb_agg(CASE WHEN r #>> '{component,name}' = 'SecurityCtrlr'
                                           AND r #>> '{variable,name}' = 'BasicAuthPassword' AND r ? 'attributeValue'
                                          THEN jsonb_set(r, '{attributeValue}', '"********"') ELSE r END ORDER BY n)
                      FROM jsonb_array_elements(payload->'getVariableResult') WITH ORDINALITY AS e (r, n)));
            END IF;
        WHEN 'NotifyReport' THEN
            IF jsonb_typeof(payload->'reportData') = 'array' THEN
                RETURN jsonb_set(payload, '{reportData}', (
                    SELECT jsonb_agg(CASE WHEN d #>> '{component,name}' = 'SecurityCtrlr'
                                           AND d #>> '{variable,name}' = 'BasicAuthPassword'
                                           AND jsonb_typeof(d->'variableAttribute') = 'array'
                                          THEN jsonb_set(d, '{variableAttribute}', (
                                                   SELECT jsonb_agg(CASE WHEN a ? 'value'
                                                                         THEN jsonb_set(a, '{value}', '"********"')
                                                                         ELSE a END ORDER BY m)
                                                     FROM jsonb_array_elements(d->'variableAttribute')
                                                          WITH ORDINALITY AS v (a, m)))
                                          ELSE d END ORDER BY n)
                      FROM jsonb_array_elements(payload->'reportData') WITH ORDINALITY AS e (d, n)));
            END IF;
        ELSE
            NULL;
    END CASE;
    RETURN payload;
END;
$$;
