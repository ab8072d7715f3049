-- The tariff API for a DBA and the REST API (docs/tariffs.md, "SQL API"): tariffs and where they
-- apply. Functions here change or show cs.tariff, cs.tariff_period and cs.tariff_assignment.

-- cs.weekday_name(day): the OCPP DayOfWeekEnumType name of ISO weekday day (1 Monday .. 7 Sunday),
-- null for another number. Raises nothing.
CREATE OR REPLACE FUNCTION cs.weekday_name(day integer)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT (ARRAY['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])[day]
$$;

-- These take ids and return jsonb, not the row types of the tables: the functions are deployed after
-- every revision's upgrade, also one that stops before the revision that made the tables (PL/pgSQL
-- resolves table names when it runs, row types when the function is created).

-- cs.tariff_assignment_json(assignment_id): {"id", "tariffId", "identity" (null: every station),
-- "evseId" (null: every EVSE), "idTokenGroup" (null: any token), "createdAt"}; null for an unknown
-- id. Raises nothing.
CREATE OR REPLACE FUNCTION cs.tariff_assignment_json(assignment_id integer)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object('id', a.id, 'tariffId', a.tariff_id,
                              'identity', (SELECT s.identity FROM cs.station AS s WHERE s.id = a.station_id),
                              'evseId', a.evse_id, 'idTokenGroup', a.id_token_group,
                              'createdAt', cs.ocpp_time(a.created_at))
      FROM cs.tariff_assignment AS a
     WHERE a.id = assignment_id);
END;
$$;

-- cs.tariff_json(tariff_id): a tariff as the API shows it: {"id", "currency", "energyPrice" (per kWh),
-- "timePrice" (per hour), "sessionFee", "vatPercent", "timeZone", "description", "periods": [{"start",
-- "end" ("HH:MM", local), "days" (weekday names, null: every day), "energyPrice", "timePrice"}],
-- "updatedAt"}, prices without VAT; null for an unknown tariff. Raises nothing.
CREATE OR REPLACE FUNCTION cs.tariff_json(tariff_id text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object(
        'id', t.id, 'currency', t.currency, 'energyPrice', t.energy_price, 'timePrice', t.time_price,
        'sessionFee', t.session_fee, 'vatPercent', t.vat_percent, 'timeZone', t.time_zone,
        'description', t.description,
        'periods', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                 'start', to_char(p.start_time, 'HH24:MI'), 'end', to_char(p.end_time, 'HH24:MI'),
                                 'days', (SELECT jsonb_agg(cs.weekday_name(d) ORDER BY d) FROM unnest(p.days) AS d),
                                 'energyPrice', p.energy_price, 'timePrice', p.time_price) ORDER BY p.position)
                               FROM cs.tariff_period AS p WHERE p.tariff_id = t.id), '[]'::jsonb),
        'updatedAt', cs.ocpp_time(t.updated_at))
      FROM cs.tariff AS t
     WHERE t.id = tariff_json.tariff_id);
END;
$$;

-- ocpp.set_tariff(tariff_id, currency, energy_price, time_price, session_fee, vat_percent, periods,
-- time_zone, description): creates or replaces the tariff tariff_id (1-60 characters): currency an
-- ISO 4217 code (3 capital letters), energy_price per kWh, time_price per hour of the transaction,
-- session_fee once per transaction (all without VAT, not negative), vat_percent 0 to below 100,
-- periods a JSON array of {"start", "end" ("HH:MM", local time; end before start: past midnight; equal:
-- all day), "days" (optional, weekday names Monday..Sunday), "energyPrice", "timePrice" (optional, the
-- base prices when absent)}, the first matching one overriding the base prices; time_zone of the
-- periods (a PostgreSQL time zone name). Transactions keep their stored cost until recomputed
-- (ocpp.transaction_cost). Returns the tariff (cs.tariff_json). Raises OC007 for a bad argument.
CREATE OR REPLACE FUNCTION ocpp.set_tariff(tariff_id text, currency text, energy_price numeric DEFAULT 0,
                                           time_price numeric DEFAULT 0, session_fee numeric DEFAULT 0,
                                           vat_percent numeric DEFAULT 0, periods jsonb DEFAULT '[]',
                                           time_zone text DEFAULT 'UTC', description text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    p     jsonb;
    pos   integer := 0;
    days  smallint[];
    saved record;   -- cs.tariff
BEGIN
    PERFORM cs.check_text('tariff_id', tariff_id, 60);
    PERFORM cs.check_arg('currency', currency ~ '^[A-Z]{3}$', format('%s is not an ISO 4217 code', currency));
    PERFORM cs.check_arg('energy_price', energy_price >= 0, 'energy_price must be 0 or more');
    PERFORM cs.check_arg('time_price', time_price >= 0, 'time_price must be 0 or more');
    PERFORM cs.check_arg('session_fee', session_fee >= 0, 'session_fee must be 0 or more');
    PERFORM cs.check_arg('vat_percent', vat_percent >= 0 AND vat_percent < 100, 'vat_percent must be 0 to below 100');
    PERFORM cs.check_arg('time_zone', EXISTS (SELECT FROM pg_timezone_names AS z WHERE z.name = time_zone),
                         format('%s is not a time zone', time_zone));
    PERFORM cs.check_arg('periods', jsonb_typeof(periods) = 'array', 'periods must be a JSON array');
    PERFORM cs.check_arg('periods', jsonb_array_length(periods) <= 100, 'at most 100 periods');
    FOR p IN SELECT e FROM jsonb_array_elements(periods) AS e LOOP
        PERFORM cs.check_arg('periods', jsonb_typeof(p) = 'object'
                             AND coalesce(p->>'start', '') ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                             AND coalesce(p->>'end', '') ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$',
                             format('period %s needs "start" and "end" as HH:MM', pos + 1));
        PERFORM cs.check_arg('periods', coalesce(jsonb_typeof(p->'energyPrice'), 'number') = 'number'
                             AND coalesce(jsonb_typeof(p->'timePrice'), 'number') = 'number'
                             AND coalesce((p->>'energyPrice')::numeric, 0) >= 0
                             AND coalesce((p->>'timePrice')::numeric, 0) >= 0,
                             format('period %s: energyPrice and timePrice are numbers, 0 or more', pos + 1));
        days := NULL;
        IF p ? 'days' AND jsonb_typeof(p->'days') <> 'null' THEN
            PERFORM cs.check_arg('periods', jsonb_typeof(p->'days') = 'array' AND jsonb_array_length(p->'days') > 0,
                                 format('period %s: days is a non-empty array of weekday names', pos + 1));
            SELECT array_agg(array_position(ARRAY['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
                                                  'Saturday', 'Sunday'], d)::smallint)
              INTO days FROM jsonb_array_elements_text(p->'days') AS d;
            PERFORM cs.check_arg('periods', array_position(days, NULL) IS NULL,
                                 format('period %s: days holds a name that is not Monday..Sunday', pos + 1));
        END IF;
        pos := pos + 1;
    END LOOP;

    INSERT INTO cs.tariff AS t (id, currency, energy_price, time_price, session_fee, vat_percent, time_zone,
                                description)
    VALUES (tariff_id, currency, energy_price, time_price, session_fee, vat_percent, time_zone, description)
    ON CONFLICT (id) DO UPDATE
       SET currency = excluded.currency, energy_price = excluded.energy_price, time_price = excluded.time_price,
           session_fee = excluded.session_fee, vat_percent = excluded.vat_percent, time_zone = excluded.time_zone,
           description = excluded.description, updated_at = now()
    RETURNING * INTO saved;
    DELETE FROM cs.tariff_period AS q WHERE q.tariff_id = saved.id;
    INSERT INTO cs.tariff_period (tariff_id, position, start_time, end_time, days, energy_price, time_price)
    SELECT saved.id, e.n, (e.p->>'start')::time, (e.p->>'end')::time,
           (SELECT array_agg(DISTINCT array_position(ARRAY['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
                                                           'Saturday', 'Sunday'], d)::smallint)
              FROM jsonb_array_elements_text(CASE jsonb_typeof(e.p->'days') WHEN 'array' THEN e.p->'days' END) AS d),
           coalesce((e.p->>'energyPrice')::numeric, saved.energy_price),
           coalesce((e.p->>'timePrice')::numeric, saved.time_price)
      FROM jsonb_array_elements(periods) WITH ORDINALITY AS e (p, n);
    RETURN cs.tariff_json(saved.id);
END;
$$;

-- ocpp.api_set_tariff(tariff_id, body, must_exist): the REST form of ocpp.set_tariff: body {"currency",
-- "energyPrice", "timePrice", "sessionFee", "vatPercent", "periods", "timeZone", "description"}
-- (absent: the defaults of ocpp.set_tariff; with must_exist: the tariff's current values). Returns
-- the tariff. Raises OC010 for an unknown tariff with must_exist, OC006 for a body that is not a
-- JSON object, what ocpp.set_tariff raises.
CREATE OR REPLACE FUNCTION ocpp.api_set_tariff(tariff_id text, body jsonb, must_exist boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    cur jsonb;
BEGIN
    IF jsonb_typeof(body) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC006', 'body is not a JSON object', 'a tariff is a JSON object');
    END IF;
    cur := cs.tariff_json(tariff_id);
    IF must_exist AND cur IS NULL THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown tariff', format('no tariff %s', tariff_id));
    END IF;
    body := coalesce(cur, '{}'::jsonb) || body;
    RETURN ocpp.set_tariff(tariff_id, body->>'currency', coalesce((body->>'energyPrice')::numeric, 0),
                           coalesce((body->>'timePrice')::numeric, 0), coalesce((body->>'sessionFee')::numeric, 0),
                           coalesce((body->>'vatPercent')::numeric, 0), coalesce(body->'periods', '[]'::jsonb),
                           coalesce(body->>'timeZone', 'UTC'), body->>'description');
END;
$$;

-- ocpp.tariffs(): every tariff (cs.tariff_json) by id, each with "assignments" (as
-- ocpp.tariff_assignments shows them). Returns a jsonb array ([] when none). Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.tariffs()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT coalesce(jsonb_agg(cs.tariff_json(t.id) || jsonb_build_object('assignments', (
               SELECT coalesce(jsonb_agg(cs.tariff_assignment_json(a.id) ORDER BY a.id), '[]'::jsonb)
                 FROM cs.tariff_assignment AS a WHERE a.tariff_id = t.id)) ORDER BY t.id), '[]'::jsonb)
      FROM cs.tariff AS t);
END;
$$;

-- ocpp.tariff(tariff_id): one tariff as ocpp.tariffs shows it. Returns jsonb. Raises OC010 for an
-- unknown tariff.
CREATE OR REPLACE FUNCTION ocpp.tariff(tariff_id text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    result jsonb;
BEGIN
    SELECT x INTO result FROM jsonb_array_elements(ocpp.tariffs()) AS x WHERE x->>'id' = tariff_id;
    IF result IS NULL THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown tariff', format('no tariff %s', tariff_id));
    END IF;
    RETURN result;
END;
$$;

-- ocpp.delete_tariff(tariff_id): removes the tariff, its periods and assignments; stored transaction
-- costs stay (tariffId null). Returns nothing. Raises OC010 for an unknown tariff.
CREATE OR REPLACE FUNCTION ocpp.delete_tariff(tariff_id text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    DELETE FROM cs.tariff AS t WHERE t.id = delete_tariff.tariff_id;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown tariff', format('no tariff %s', tariff_id));
    END IF;
END;
$$;

-- ocpp.assign_tariff(tariff_id, identity, evse_id, id_token_group): the tariff applies at station
-- identity (null: every station; the default tariff), at its EVSE evse_id (null: every EVSE), to
-- tokens of group id_token_group (a groupIdToken or 1.6 parentIdTag; null: any token and none). It
-- replaces the tariff of the same scope. Running transactions keep the tariff they were priced with.
-- Returns the assignment (cs.tariff_assignment_json). Raises OC010 for an unknown tariff or station,
-- OC007 for an evse_id without identity or below 1, an id_token_group not of 1 to 36 characters.
CREATE OR REPLACE FUNCTION ocpp.assign_tariff(tariff_id text, identity text DEFAULT NULL, evse_id integer DEFAULT NULL,
                                              id_token_group text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id integer;
    saved integer;
BEGIN
    IF NOT EXISTS (SELECT FROM cs.tariff AS t WHERE t.id = assign_tariff.tariff_id) THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown tariff', format('no tariff %s', tariff_id));
    END IF;
    IF identity IS NOT NULL THEN
        SELECT s.id INTO st_id FROM cs.station AS s WHERE s.identity = assign_tariff.identity;
        IF NOT FOUND THEN
            PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', identity));
        END IF;
    END IF;
    PERFORM cs.check_arg('evse_id', evse_id IS NULL OR (evse_id >= 1 AND identity IS NOT NULL),
                         'evse_id is 1 or more, and needs an identity');
    PERFORM cs.check_text('id_token_group', id_token_group, 36, true);
    INSERT INTO cs.tariff_assignment AS a (tariff_id, station_id, evse_id, id_token_group)
    VALUES (tariff_id, st_id, evse_id, id_token_group)
    ON CONFLICT ON CONSTRAINT tariff_assignment_scope_key DO UPDATE
       SET tariff_id = excluded.tariff_id, created_at = now()
    RETURNING a.id INTO saved;
    RETURN cs.tariff_assignment_json(saved);
END;
$$;

-- ocpp.unassign_tariff(id): removes the assignment id. Returns nothing. Raises OC010 for an unknown
-- one.
CREATE OR REPLACE FUNCTION ocpp.unassign_tariff(id integer)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    DELETE FROM cs.tariff_assignment AS a WHERE a.id = unassign_tariff.id;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown tariff assignment', format('no tariff assignment %s', unassign_tariff.id));
    END IF;
END;
$$;

-- ocpp.tariff_assignments(): every assignment (cs.tariff_assignment_json) by id. Returns a jsonb array
-- ([] when none). Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.tariff_assignments()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(cs.tariff_assignment_json(a.id) ORDER BY a.id), '[]'::jsonb)
              FROM cs.tariff_assignment AS a);
END;
$$;
