-- Site load balancing, the SQL API (docs/site-load-balancing.md): sites, their stations and EVSE
-- rules, and what each EVSE is given. Every change re-balances the site at once. Bad arguments raise
-- OC007 "invalid <argument>", unknown sites and stations OC010.

-- cs.site_json(site_id): {"id", "name", "limit", "limitUnit", "limitA", "voltage", "phases",
-- "stations": [{"identity", "priority", "minCurrent", "maxCurrent"}]}; null for an unknown site.
-- Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION cs.site_json(site_id integer)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN (
        SELECT jsonb_build_object(
                   'id', s.id, 'name', s.name, 'limit', s.limit_value, 'limitUnit', s.limit_unit,
                   'limitA', cs.site_limit_a(s.limit_value, s.limit_unit, s.voltage, s.phases),
                   'voltage', s.voltage, 'phases', s.phases,
                   'stations', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                                    'identity', st.identity, 'priority', m.priority,
                                                    'minCurrent', m.min_current, 'maxCurrent', m.max_current)
                                                ORDER BY st.identity)
                                           FROM cs.site_station AS m JOIN cs.station AS st ON st.id = m.station_id
                                          WHERE m.site_id = s.id), '[]'::jsonb))
          FROM cs.site AS s WHERE s.id = site_json.site_id);
END;
$$;

-- cs.site_of(id): id, when the site exists. Returns integer. Raises OC010 for an unknown site.
CREATE OR REPLACE FUNCTION cs.site_of(id integer)
RETURNS integer
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM cs.site AS x WHERE x.id = site_of.id) THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown site', format('no site %s', site_of.id));
    END IF;
    RETURN id;
END;
$$;

-- ocpp.set_site(name, limit_value, limit_unit, voltage, phases, id): creates the site name, or
-- changes site id (name too) when id is given, else the site of that name; then re-balances it.
-- limit_value is A per phase (limit_unit A) or W (limit_unit W) for the whole site; voltage (phase to
-- neutral) and phases convert between them. Returns cs.site_json. Raises OC007 for an empty name (or,
-- with id, the name of another site), a negative limit, a unit other than A or W, a voltage <= 0,
-- phases not 1-3; OC010 for an unknown id.
CREATE OR REPLACE FUNCTION ocpp.set_site(name text, limit_value numeric, limit_unit text DEFAULT 'A',
                                         voltage numeric DEFAULT 230, phases integer DEFAULT 3,
                                         id integer DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    site integer;
BEGIN
    PERFORM cs.check_arg('name', coalesce(name, '') <> '', 'a site needs a name');
    PERFORM cs.check_arg('limit_value', limit_value >= 0, 'the limit is a number >= 0');
    PERFORM cs.check_arg('limit_unit', limit_unit IN ('A', 'W'), 'the limit is in A or W');
    PERFORM cs.check_arg('voltage', voltage > 0, 'the voltage is a number > 0');
    PERFORM cs.check_arg('phases', phases IN (1, 2, 3), 'phases is 1, 2 or 3');
    IF set_site.id IS NOT NULL THEN
        PERFORM cs.site_of(set_site.id);
        PERFORM cs.check_arg('name', NOT EXISTS (SELECT FROM cs.site AS x
                                                 WHERE x.name = set_site.name AND x.id <> set_site.id),
                             'another site has this name');
        UPDATE cs.site AS x
           SET name = set_site.name, limit_value = set_site.limit_value, limit_unit = set_site.limit_unit,
               voltage = set_site.voltage, phases = set_site.phases, updated_at = now()
         WHERE x.id = set_site.id
        RETURNING x.id INTO site;
    ELSE
        INSERT INTO cs.site AS x (name, limit_value, limit_unit, voltage, phases)
        VALUES (set_site.name, set_site.limit_value, set_site.limit_unit, set_site.voltage, set_site.phases)
        ON CONFLICT ON CONSTRAINT site_name_key DO UPDATE
           SET limit_value = EXCLUDED.limit_value, limit_unit = EXCLUDED.limit_unit,
               voltage = EXCLUDED.voltage, phases = EXCLUDED.phases, updated_at = now()
        RETURNING x.id INTO site;
    END IF;
    PERFORM cs.site_rebalance(site);
    RETURN cs.site_json(site);
END;
$$;

-- ocpp.delete_site(id): removes the site, its memberships and allocations (the profiles already
-- sent stay with their transactions). Returns nothing. Raises OC010 for an unknown site.
CREATE OR REPLACE FUNCTION ocpp.delete_site(id integer)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.site_of(delete_site.id);
    DELETE FROM cs.site AS x WHERE x.id = delete_site.id;
END;
$$;

-- ocpp.sites(): every site, cs.site_json, by name. Returns jsonb (an array). Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.sites()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(cs.site_json(s.id) ORDER BY s.name), '[]'::jsonb) FROM cs.site AS s);
END;
$$;

-- ocpp.add_station_to_site(site_id, identity, priority, min_current, max_current): makes station
-- identity a member of the site (moving it from another), with the priority (higher first) and the
-- minimum / maximum in A per phase of its EVSEs (null minimum: setting site.min_current; null
-- maximum: none); re-balances the site (and the one it left). Returns cs.site_json. Raises OC010 for
-- an unknown site or station, OC007 for a negative minimum or maximum.
CREATE OR REPLACE FUNCTION ocpp.add_station_to_site(site_id integer, identity text, priority integer DEFAULT 0,
                                                    min_current numeric DEFAULT NULL,
                                                    max_current numeric DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    site    integer := cs.site_of(add_station_to_site.site_id);
    station integer := cs.station_id(add_station_to_site.identity);
    left_site integer;
BEGIN
    PERFORM cs.check_arg('min_current', coalesce(min_current >= 0, true), 'the minimum is a number >= 0');
    PERFORM cs.check_arg('max_current', coalesce(max_current >= 0, true), 'the maximum is a number >= 0');
    PERFORM cs.check_arg('priority', priority IS NOT NULL, 'priority is an integer');
    SELECT m.site_id INTO left_site FROM cs.site_station AS m WHERE m.station_id = station;
    INSERT INTO cs.site_station AS m (station_id, site_id, priority, min_current, max_current)
    VALUES (station, site, add_station_to_site.priority, add_station_to_site.min_current,
            add_station_to_site.max_current)
    ON CONFLICT (station_id) DO UPDATE
       SET site_id = EXCLUDED.site_id, priority = EXCLUDED.priority, min_current = EXCLUDED.min_current,
           max_current = EXCLUDED.max_current;
    IF left_site IS DISTINCT FROM site THEN
        DELETE FROM cs.site_allocation AS a WHERE a.station_id = station;
        PERFORM cs.site_rebalance(left_site);
    END IF;
    PERFORM cs.site_rebalance(site);
    RETURN cs.site_json(site);
END;
$$;

-- ocpp.remove_station_from_site(identity, site_id): the station leaves its site (its EVSE rules and
-- allocations go; the profiles sent stay with their transactions); the site re-balances. site_id,
-- when given, must be the station's site. Returns nothing. Raises OC010 for an unknown station or one
-- in no site (or not in site_id).
CREATE OR REPLACE FUNCTION ocpp.remove_station_from_site(identity text, site_id integer DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    station integer := cs.station_id(remove_station_from_site.identity);
    site    integer;
BEGIN
    DELETE FROM cs.site_station AS m
     WHERE m.station_id = station
       AND (remove_station_from_site.site_id IS NULL OR m.site_id = remove_station_from_site.site_id)
    RETURNING m.site_id INTO site;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'station in no site',
                              format('%s is not in %s', identity, coalesce('site ' || remove_station_from_site.site_id, 'a site')));
    END IF;
    DELETE FROM cs.site_allocation AS a WHERE a.station_id = station;
    PERFORM cs.site_rebalance(site);
END;
$$;

-- ocpp.set_site_evse(identity, evse_id, priority, min_current, max_current): the EVSE's own priority,
-- minimum and maximum (A per phase) within its station's site; a null takes the station's. Re-balances
-- the site. Returns nothing. Raises OC010 for an unknown station or one in no site, OC007 for an
-- evse_id < 1 or a negative minimum or maximum.
CREATE OR REPLACE FUNCTION ocpp.set_site_evse(identity text, evse_id integer, priority integer DEFAULT NULL,
                                              min_current numeric DEFAULT NULL, max_current numeric DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    station integer := cs.station_id(set_site_evse.identity);
    site    integer;
BEGIN
    PERFORM cs.check_min('evse_id', evse_id, 1);
    PERFORM cs.check_arg('min_current', coalesce(min_current >= 0, true), 'the minimum is a number >= 0');
    PERFORM cs.check_arg('max_current', coalesce(max_current >= 0, true), 'the maximum is a number >= 0');
    SELECT m.site_id INTO site FROM cs.site_station AS m WHERE m.station_id = station;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'station in no site', format('%s is in no site', identity));
    END IF;
    INSERT INTO cs.site_evse AS e (station_id, evse_id, priority, min_current, max_current)
    VALUES (station, set_site_evse.evse_id, set_site_evse.priority, set_site_evse.min_current,
            set_site_evse.max_current)
    ON CONFLICT (station_id, evse_id) DO UPDATE
       SET priority = EXCLUDED.priority, min_current = EXCLUDED.min_current, max_current = EXCLUDED.max_current;
    PERFORM cs.site_rebalance(site);
END;
$$;

-- ocpp.site_load(site_id): the site's limit and what it is given: cs.site_json plus "allocatedA"
-- (sum of the limits), "drawA" (sum of the measured draws, null when none is known) and "allocations":
-- [{"identity", "evseId", "transactionId", "limitA", "limit" (in the site's unit), "drawA",
-- "commandId", "allocatedAt"}] by identity and EVSE. Returns jsonb. Raises OC010 for an unknown site.
CREATE OR REPLACE FUNCTION ocpp.site_load(site_id integer)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN cs.site_json(cs.site_of(site_load.site_id)) || (
        SELECT jsonb_build_object(
                   'allocatedA', coalesce(sum(a.limit_a), 0),
                   'drawA', sum(a.draw_a),
                   'allocations', coalesce(jsonb_agg(jsonb_build_object(
                       'identity', st.identity, 'evseId', a.evse_id, 'transactionId', a.transaction_id,
                       'limitA', a.limit_a, 'limit', cs.site_to_unit(a.limit_a, s.limit_unit, s.voltage, s.phases),
                       'drawA', a.draw_a, 'commandId', a.command_id, 'allocatedAt', cs.ocpp_time(a.allocated_at))
                       ORDER BY st.identity, a.evse_id), '[]'::jsonb))
          FROM cs.site AS s
          JOIN cs.site_allocation AS a ON a.site_id = s.id
          JOIN cs.station AS st ON st.id = a.station_id
         WHERE s.id = site_load.site_id);
END;
$$;

-- cs.site_setting_valid(key, v): whether v is a valid value of a site.* / smart_charging.* setting
-- (ocpp.set_setting): numbers >= 0 (site.underuse_ratio 0-1, site.profile_id and site.stack_level
-- whole), smart_charging.ev_schedule a boolean. Returns boolean; null for a key of neither family.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.site_setting_valid(key text, v jsonb)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN key NOT LIKE 'site.%' AND key NOT LIKE 'smart\_charging.%' THEN NULL
                WHEN key = 'smart_charging.ev_schedule' THEN jsonb_typeof(v) = 'boolean'
                WHEN jsonb_typeof(v) <> 'number' THEN false
                WHEN key = 'site.underuse_ratio' THEN v::numeric BETWEEN 0 AND 1
                WHEN key IN ('site.profile_id', 'site.stack_level') THEN
                    v::numeric = trunc(v::numeric) AND v::numeric BETWEEN 0 AND 1000000000
                ELSE v::numeric BETWEEN 0 AND 1000000
           END
$$;
