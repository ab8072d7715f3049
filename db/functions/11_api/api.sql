-- The functions behind the REST API (server/api/, docs/rest-api.md): its Bearer tokens, and the
-- lists and single objects it serves that the older ocpp.* functions do not give (date ranges,
-- paging, one object by key). An error is OC010 (NotFound, HTTP 404) when the thing asked for does
-- not exist, else OC007 naming the bad argument (HTTP 400).

-- cs.api_token_hash(token): the hex sha256 of token, as cs.api_token.token_hash holds it.
CREATE OR REPLACE FUNCTION cs.api_token_hash(token text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT encode(sha256(convert_to(token, 'UTF8')), 'hex')
$$;

-- cs.check_paging(lim, off, date_from, date_to): raises OC007 for a negative lim or off, or a
-- date_from after date_to. Returns nothing.
CREATE OR REPLACE FUNCTION cs.check_paging(lim integer, off integer, date_from timestamptz,
                                           date_to timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF lim < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid limit', format('limit %s is negative', lim));
    END IF;
    IF off < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid offset', format('offset %s is negative', off));
    END IF;
    IF date_from > date_to THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid dateFrom', 'dateFrom is after dateTo');
    END IF;
END;
$$;

-- ocpp.api_token_create(name, role, expires): a new API token called name with role read or
-- operator, valid for expires from now (null: never expires). The name of an expired token is free:
-- that token is marked revoked. Returns the token ('ocs_' and 64 hex digits); only its hash is kept,
-- so it cannot be shown again. Raises OC007 for an empty or too long (> 100) name, a role other than
-- read and operator, an expires that is not positive, or a name that a live (not revoked, not
-- expired) token has.
CREATE OR REPLACE FUNCTION ocpp.api_token_create(name text, role text, expires interval DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    token text := 'ocs_' || encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'hex');
BEGIN
    IF api_token_create.name IS NULL OR length(api_token_create.name) NOT BETWEEN 1 AND 100 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid name', 'a token name has 1 to 100 characters');
    END IF;
    IF api_token_create.role IS NULL OR api_token_create.role NOT IN ('read', 'operator') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid role',
                              format('role %s is not read or operator', api_token_create.role));
    END IF;
    IF expires <= interval '0' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid expires', format('expires %s is not positive', expires));
    END IF;
    UPDATE cs.api_token AS t SET revoked_at = now()
     WHERE t.name = api_token_create.name AND t.revoked_at IS NULL AND t.expires_at <= now();
    IF EXISTS (SELECT FROM cs.api_token AS t
                WHERE t.name = api_token_create.name AND t.revoked_at IS NULL) THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid name',
                              format('a token named %s exists; revoke it first', api_token_create.name));
    END IF;
    INSERT INTO cs.api_token (name, role, token_hash, expires_at)
    VALUES (api_token_create.name, api_token_create.role, cs.api_token_hash(token), now() + expires);
    RETURN token;
END;
$$;

-- ocpp.api_token_first(name, role): the first token of a new installation: ocpp.api_token_create(name,
-- role) when cs.api_token has never held a token, else null (a revoked token counts: revoking every
-- token must not make the next start hand out a new one). `ocpp-cs serve` calls it at start-up and
-- prints the token once. Returns text. Raises what ocpp.api_token_create raises.
CREATE OR REPLACE FUNCTION ocpp.api_token_first(name text, role text)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7221002);  -- two nodes starting together make one token
    IF EXISTS (SELECT FROM cs.api_token) THEN
        RETURN NULL;
    END IF;
    RETURN ocpp.api_token_create(api_token_first.name, api_token_first.role);
END;
$$;

-- ocpp.api_token_revoke(name): the live token called name stops working at once. Returns nothing.
-- Raises OC010 when no live token has that name.
CREATE OR REPLACE FUNCTION ocpp.api_token_revoke(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    UPDATE cs.api_token AS t SET revoked_at = now()
     WHERE t.name = api_token_revoke.name AND t.revoked_at IS NULL;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown api token',
                              format('no live token named %s', api_token_revoke.name));
    END IF;
END;
$$;

-- ocpp.api_token_check(token): the role (read, operator) of a live token, null for a wrong, revoked,
-- expired or null one; notes last_used_at (at most once a minute, so reads do not write every time).
-- Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.api_token_check(token text)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    tok cs.api_token;
BEGIN
    SELECT * INTO tok FROM cs.api_token AS t
     WHERE t.token_hash = cs.api_token_hash(api_token_check.token) AND t.revoked_at IS NULL
       AND (t.expires_at IS NULL OR t.expires_at > now());
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF tok.last_used_at IS NULL OR tok.last_used_at < now() - interval '1 minute' THEN
        UPDATE cs.api_token AS t SET last_used_at = now() WHERE t.id = tok.id;
    END IF;
    RETURN tok.role;
END;
$$;

-- ocpp.api_transactionlist(identity, date_from, date_to, lim, off, id_tag, running): transactions as
-- ocpp.transactionlist shows them (all stations, or the station identity; all tags, or those started
-- or stopped with id_tag; running true: only running ones, false: only stopped ones), newest first,
-- started within [date_from, date_to) (a null bound is open), lim of them (null: all) after skipping
-- off. An index serves each filter (station, tag, start time).
-- Returns a jsonb array. Raises OC007 for a negative lim or off, or date_from after date_to.
CREATE OR REPLACE FUNCTION ocpp.api_transactionlist(identity text DEFAULT NULL,
                                                    date_from timestamptz DEFAULT NULL,
                                                    date_to timestamptz DEFAULT NULL,
                                                    lim integer DEFAULT 100, off integer DEFAULT 0,
                                                    id_tag text DEFAULT NULL, running boolean DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id integer;
BEGIN
    PERFORM cs.check_paging(lim, off, date_from, date_to);
    IF api_transactionlist.identity IS NOT NULL THEN
        SELECT s.id INTO st_id FROM cs.station AS s WHERE s.identity = api_transactionlist.identity;
        IF st_id IS NULL THEN
            RETURN '[]'::jsonb;
        END IF;
    END IF;
    RETURN (
        SELECT coalesce(jsonb_agg(cs.transaction_json(x) ORDER BY x.started_at DESC, x.id DESC), '[]'::jsonb)
          FROM (SELECT t.* FROM cs.transaction AS t
                 WHERE (st_id IS NULL OR t.station_id = st_id)
                   AND (api_transactionlist.id_tag IS NULL OR t.id_tag = api_transactionlist.id_tag
                        OR t.stop_id_tag = api_transactionlist.id_tag)
                   AND (date_from IS NULL OR t.started_at >= date_from)
                   AND (date_to IS NULL OR t.started_at < date_to)
                   AND (api_transactionlist.running IS NULL
                        OR (t.stopped_at IS NULL) = api_transactionlist.running)
                 ORDER BY t.started_at DESC, t.id DESC
                 LIMIT lim OFFSET coalesce(off, 0)) AS x
    );
END;
$$;

-- ocpp.api_reservationlist(identity, date_from, date_to, lim, off, status): reservations as
-- ocpp.reservationlist shows them (all stations, or the station identity; any status, or this one),
-- newest first, made within [date_from, date_to) (a null bound is open), lim of them (null: all) after
-- skipping off. Returns a jsonb array. Raises OC007 for a negative lim or off, or date_from after date_to.
CREATE OR REPLACE FUNCTION ocpp.api_reservationlist(identity text DEFAULT NULL,
                                                    date_from timestamptz DEFAULT NULL,
                                                    date_to timestamptz DEFAULT NULL,
                                                    lim integer DEFAULT 100, off integer DEFAULT 0,
                                                    status text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id integer;
BEGIN
    PERFORM cs.check_paging(lim, off, date_from, date_to);
    IF api_reservationlist.identity IS NOT NULL THEN
        SELECT s.id INTO st_id FROM cs.station AS s WHERE s.identity = api_reservationlist.identity;
        IF st_id IS NULL THEN
            RETURN '[]'::jsonb;
        END IF;
    END IF;
    RETURN (
        SELECT coalesce(jsonb_agg(cs.reservation_json(x) ORDER BY x.id DESC), '[]'::jsonb)
          FROM (SELECT r.* FROM cs.reservation AS r
                 WHERE (st_id IS NULL OR r.station_id = st_id)
                   AND (date_from IS NULL OR r.created_at >= date_from)
                   AND (date_to IS NULL OR r.created_at < date_to)
                   AND (api_reservationlist.status IS NULL OR r.status = api_reservationlist.status)
                 ORDER BY r.id DESC
                 LIMIT lim OFFSET coalesce(off, 0)) AS x
    );
END;
$$;

-- ocpp.api_station(identity): the station as ocpp.chargepointlist shows it, with "evses" as
-- ocpp.evselist shows them. Returns jsonb. Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.api_station(identity text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st cs.station;
BEGIN
    SELECT * INTO st FROM cs.station AS s WHERE s.identity = api_station.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', api_station.identity));
    END IF;
    RETURN cs.station_json(st) || jsonb_build_object('evses', ocpp.evselist(api_station.identity));
END;
$$;

-- ocpp.api_transaction(id): the transaction cs.transaction.id: {"id", and the keys of
-- ocpp.transactionlist, "meterValues": [{"timestamp", "evseId", "connectorId", "value",
-- "measurand", "unit", "phase", "location", "context", "format"}] in time order}. Returns jsonb.
-- Raises OC010 for an unknown transaction.
CREATE OR REPLACE FUNCTION ocpp.api_transaction(id integer)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    t cs.transaction;
BEGIN
    SELECT * INTO t FROM cs.transaction AS x WHERE x.id = api_transaction.id;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown transaction', format('no transaction %s', api_transaction.id));
    END IF;
    RETURN cs.transaction_json(t) || jsonb_build_object(
        'meterValues', coalesce(
            (SELECT jsonb_agg(jsonb_build_object(
                        'timestamp', cs.ocpp_time(m.sampled_at), 'evseId', m.evse_id,
                        'connectorId', m.connector_id, 'value', m.value, 'measurand', m.measurand,
                        'unit', m.unit, 'phase', m.phase, 'location', m.location, 'context', m.context,
                        'format', m.format) ORDER BY m.sampled_at, m.id)
               FROM cs.meter_value AS m
              WHERE m.station_id = t.station_id AND m.transaction_id = t.id),
            '[]'::jsonb));
END;
$$;

-- cs.id_tag_json(tag): the REST form of an id tag: {"idTag", "status", "expiryDate", "parentIdTag",
-- "createdAt", "updatedAt"}. Raises nothing.
-- (plpgsql, not sql: a sql body is checked at creation, before time.sql defines cs.ocpp_time)
CREATE OR REPLACE FUNCTION cs.id_tag_json(tag cs.id_tag)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN jsonb_build_object('idTag', tag.id_tag, 'status', tag.status,
                              'expiryDate', cs.ocpp_time(tag.expiry_date), 'parentIdTag', tag.parent_id_tag,
                              'createdAt', cs.ocpp_time(tag.created_at), 'updatedAt', cs.ocpp_time(tag.updated_at));
END;
$$;

-- ocpp.api_id_tags(lim, off): the id tags in idTag order, lim of them (null: all) after skipping off,
-- as cs.id_tag_json. Returns a jsonb array. Raises OC007 for a negative lim or off.
CREATE OR REPLACE FUNCTION ocpp.api_id_tags(lim integer DEFAULT 100, off integer DEFAULT 0)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_paging(lim, off, NULL, NULL);
    RETURN (SELECT coalesce(jsonb_agg(cs.id_tag_json(x) ORDER BY x.id_tag), '[]'::jsonb)
              FROM (SELECT * FROM cs.id_tag AS i ORDER BY i.id_tag LIMIT lim OFFSET coalesce(off, 0)) AS x);
END;
$$;

-- ocpp.api_id_tag(id_tag): one id tag as cs.id_tag_json. Returns jsonb. Raises OC010 for an unknown
-- id tag.
CREATE OR REPLACE FUNCTION ocpp.api_id_tag(id_tag text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    tag cs.id_tag;
BEGIN
    SELECT * INTO tag FROM cs.id_tag AS i WHERE i.id_tag = api_id_tag.id_tag;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown id tag', format('no id tag %s', api_id_tag.id_tag));
    END IF;
    RETURN cs.id_tag_json(tag);
END;
$$;

-- ocpp.api_set_id_tag(id_tag, status, expiry, parent, must_exist): ocpp.set_id_tag, then the tag
-- as cs.id_tag_json; with must_exist (an update) the tag must be there already. Returns jsonb.
-- Raises OC010 for an unknown id tag when must_exist, and what ocpp.set_id_tag raises.
CREATE OR REPLACE FUNCTION ocpp.api_set_id_tag(id_tag text, status text DEFAULT 'Accepted',
                                               expiry timestamptz DEFAULT NULL, parent text DEFAULT NULL,
                                               must_exist boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF must_exist AND NOT EXISTS (SELECT FROM cs.id_tag AS i WHERE i.id_tag = api_set_id_tag.id_tag) THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown id tag', format('no id tag %s', api_set_id_tag.id_tag));
    END IF;
    PERFORM ocpp.set_id_tag(api_set_id_tag.id_tag, coalesce(api_set_id_tag.status, 'Accepted'), expiry, parent);
    RETURN ocpp.api_id_tag(api_set_id_tag.id_tag);
END;
$$;

-- ocpp.delete_id_tag(id_tag): removes an id tag (transactions keep their id_tag text). Returns
-- nothing. Raises OC010 for an unknown id tag.
CREATE OR REPLACE FUNCTION ocpp.delete_id_tag(id_tag text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    DELETE FROM cs.id_tag AS i WHERE i.id_tag = delete_id_tag.id_tag;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown id tag', format('no id tag %s', delete_id_tag.id_tag));
    END IF;
END;
$$;

-- ocpp.block_id_tag(id_tag): sets an id tag's status to Blocked. Returns the tag as
-- cs.id_tag_json. Raises OC010 for an unknown id tag.
CREATE OR REPLACE FUNCTION ocpp.block_id_tag(id_tag text)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    UPDATE cs.id_tag AS i SET status = 'Blocked', updated_at = now() WHERE i.id_tag = block_id_tag.id_tag;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown id tag', format('no id tag %s', block_id_tag.id_tag));
    END IF;
    RETURN ocpp.api_id_tag(block_id_tag.id_tag);
END;
$$;

-- ocpp.api_commands(identity, status, lim, off): commands (all stations, or the station identity;
-- all statuses or one), newest first, as ocpp.command shows them, lim (null: all) after skipping
-- off. Returns a jsonb array. Raises OC007 for a status that is not a command status, a negative
-- lim or off.
CREATE OR REPLACE FUNCTION ocpp.api_commands(identity text DEFAULT NULL, status text DEFAULT NULL,
                                             lim integer DEFAULT 100, off integer DEFAULT 0)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_paging(lim, off, NULL, NULL);
    IF api_commands.status NOT IN ('queued', 'sent', 'answered', 'error', 'timeout', 'offline', 'refused',
                                   'cancelled', 'interrupted') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid status', format('%s is not a command status', api_commands.status));
    END IF;
    RETURN (SELECT coalesce(jsonb_agg(ocpp.command(x.id) ORDER BY x.id DESC), '[]'::jsonb)
              FROM (SELECT c.id FROM cs.command AS c
                      JOIN cs.station AS s ON s.id = c.station_id
                     WHERE (api_commands.identity IS NULL OR s.identity = api_commands.identity)
                       AND (api_commands.status IS NULL OR c.status = api_commands.status)
                     ORDER BY c.id DESC
                     LIMIT lim OFFSET coalesce(off, 0)) AS x);
END;
$$;

-- cs.message_log_json(m): a message-log row as the REST API shows it: {"id", "identity", "account",
-- "direction", "messageType", "action", "uniqueId", "payload", "errorCode", "errorDescription",
-- "createdAt", "latencyMs"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.message_log_json(m cs.message_log)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN jsonb_build_object(
        'id', m.id, 'identity', m.identity, 'account', m.account, 'direction', m.direction,
        'messageType', m.message_type, 'action', m.action, 'uniqueId', m.unique_id,
        'payload', m.payload, 'errorCode', m.error_code, 'errorDescription', m.error_description,
        'createdAt', cs.ocpp_time(m.created_at), 'latencyMs', m.latency_ms);
END;
$$;

-- ocpp.api_message_log(identity, date_from, date_to, lim, off, action, direction): message log rows
-- (all stations, or the station identity; any action, or this one; both directions, or 'in' / 'out')
-- logged within [date_from, date_to), newest first, lim (null: all) after skipping off, as
-- cs.message_log_json. Returns a jsonb array.
-- Raises OC007 for a negative lim or off, date_from after date_to, or a direction not in or out.
CREATE OR REPLACE FUNCTION ocpp.api_message_log(identity text DEFAULT NULL,
                                                date_from timestamptz DEFAULT NULL,
                                                date_to timestamptz DEFAULT NULL,
                                                lim integer DEFAULT 100, off integer DEFAULT 0,
                                                action text DEFAULT NULL, direction text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_paging(lim, off, date_from, date_to);
    IF api_message_log.direction NOT IN ('in', 'out') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid direction',
                              format('direction %s is not in or out', api_message_log.direction));
    END IF;
    RETURN (SELECT coalesce(jsonb_agg(cs.message_log_json(m) ORDER BY m.id DESC), '[]'::jsonb)
              FROM (SELECT * FROM cs.message_log AS l
                     WHERE (api_message_log.identity IS NULL OR l.identity = api_message_log.identity)
                       AND (api_message_log.action IS NULL OR l.action = api_message_log.action)
                       AND (api_message_log.direction IS NULL OR l.direction = api_message_log.direction)
                       AND (date_from IS NULL OR l.created_at >= date_from)
                       AND (date_to IS NULL OR l.created_at < date_to)
                     ORDER BY l.id DESC
                     LIMIT lim OFFSET coalesce(off, 0)) AS m);
END;
$$;

-- ocpp.api_message_log_after(after_id, upto_id, lim): the message log rows with after_id < id <= upto_id
-- (upto_id null: no upper bound), oldest first, at most lim, as cs.message_log_json: what the live log
-- sends on when NOTIFY ocpp_log says rows up to upto_id were written. Returns a jsonb array.
-- Raises OC007 for a negative lim.
CREATE OR REPLACE FUNCTION ocpp.api_message_log_after(after_id bigint, upto_id bigint DEFAULT NULL,
                                                      lim integer DEFAULT 1000)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_paging(lim, 0, NULL, NULL);
    RETURN (SELECT coalesce(jsonb_agg(cs.message_log_json(m) ORDER BY m.id), '[]'::jsonb)
              FROM (SELECT * FROM cs.message_log AS l
                     WHERE l.id > coalesce(after_id, 0) AND (upto_id IS NULL OR l.id <= upto_id)
                     ORDER BY l.id
                     LIMIT lim) AS m);
END;
$$;

-- ocpp.api_configuration(identity): the configuration keys of a 1.6 station as GetConfiguration and
-- ChangeConfiguration left them, by key: [{"key", "value", "readonly", "unknown" (the station did not
-- know it), "rebootRequired", "updatedAt"}]. Returns a jsonb array. Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.api_configuration(identity text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id integer := cs.station_id(api_configuration.identity);
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'key', k.key, 'value', k.value, 'readonly', k.readonly, 'unknown', k.unknown,
                       'rebootRequired', k.reboot_required, 'updatedAt', cs.ocpp_time(k.updated_at))
                       ORDER BY k.key), '[]'::jsonb)
              FROM cs.configuration_key AS k
             WHERE k.station_id = st_id);
END;
$$;

-- ocpp.api_variables(identity): the device model of a 2.0.1 / 2.1 station as NotifyReport,
-- GetVariables and SetVariables left it, by component, EVSE, connector and variable:
-- [{"component", "componentInstance", "evseId", "connectorId", "variable", "variableInstance",
-- "attributeType", "value", "mutability", "persistent", "constant", "dataType", "unit", "minLimit",
-- "maxLimit", "valuesList", "supportsMonitoring", "updatedAt"}] (empty instances are null, EVSE and
-- connector 0 are null). Returns a jsonb array. Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.api_variables(identity text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id integer := cs.station_id(api_variables.identity);
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'component', v.component, 'componentInstance', nullif(v.component_instance, ''),
                       'evseId', nullif(v.evse_id, 0), 'connectorId', nullif(v.connector_id, 0),
                       'variable', v.variable, 'variableInstance', nullif(v.variable_instance, ''),
                       'attributeType', v.attribute_type, 'value', v.value, 'mutability', v.mutability,
                       'persistent', v.persistent, 'constant', v.constant, 'dataType', v.data_type,
                       'unit', v.unit, 'minLimit', v.min_limit, 'maxLimit', v.max_limit,
                       'valuesList', v.values_list, 'supportsMonitoring', v.supports_monitoring,
                       'updatedAt', cs.ocpp_time(v.updated_at))
                       ORDER BY v.component, v.component_instance, v.evse_id, v.connector_id, v.variable,
                                v.variable_instance, v.attribute_type), '[]'::jsonb)
              FROM cs.device_variable AS v
             WHERE v.station_id = st_id);
END;
$$;

-- ocpp.api_charging_profiles(identity, all_states): the charging profiles of a station, the
-- Installed ones (all_states: also Replaced and Cleared), by connector (the 1.6 connector or the
-- 2.0.1 EVSE, 0 = the station), purpose and stack level: [{"id", "connectorId", "purpose",
-- "stackLevel", "kind", "recurrency", "validFrom", "validTo", "transactionId", "schedule", "status",
-- "commandId", "updatedAt"}]. Returns jsonb. Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.api_charging_profiles(identity text, all_states boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id integer := cs.station_id(api_charging_profiles.identity);
BEGIN
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'id', p.id, 'connectorId', p.connector_id, 'purpose', p.purpose,
                   'stackLevel', p.stack_level, 'kind', p.kind, 'recurrency', p.recurrency,
                   'validFrom', cs.ocpp_time(p.valid_from), 'validTo', cs.ocpp_time(p.valid_to),
                   'transactionId', p.transaction_id, 'schedule', p.schedule, 'status', p.status,
                   'commandId', p.command_id, 'updatedAt', cs.ocpp_time(p.updated_at))
                 ORDER BY p.connector_id, p.purpose, p.stack_level, p.entry_id)
          FROM cs.charging_profile AS p
         WHERE p.station_id = st_id AND (all_states OR p.status = 'Installed')), '[]'::jsonb);
END;
$$;

-- ocpp.api_operations(version): the operations the central system sends to a station of OCPP version
-- (1.5, 1.6, 2.0.1, 2.1), as cs.command_actions has them, by name: {"version", "operations": [...]}.
-- Returns jsonb. Raises OC010 'unknown version' for another version.
CREATE OR REPLACE FUNCTION ocpp.api_operations(version text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    actions text[] := cs.command_actions(api_operations.version);
BEGIN
    IF actions IS NULL THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown version',
                              format('no OCPP version %s (1.5, 1.6, 2.0.1, 2.1)', api_operations.version));
    END IF;
    RETURN jsonb_build_object('version', api_operations.version,
                              'operations', (SELECT to_jsonb(array_agg(a ORDER BY a)) FROM unnest(actions) AS a));
END;
$$;
