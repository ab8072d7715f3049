-- ISO 15118 smart charging (K15-K17, docs/iso15118-smart-charging.md): the schedule ocpp-cs computes
-- from an EV's charging needs, the EVSE's limit (site allocation or setting
-- smart_charging.evse_max_current) and the tariff, and the check of the schedule the EV chose.

-- cs.ev_needs_of(transaction_id): the latest Accepted cs.ev_charging_needs row of the transaction,
-- or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.ev_needs_of(transaction_id integer)
RETURNS cs.ev_charging_needs
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    n cs.ev_charging_needs;
BEGIN
    SELECT * INTO n FROM cs.ev_charging_needs AS x
     WHERE x.transaction_id = ev_needs_of.transaction_id AND x.status = 'Accepted'
     ORDER BY x.id DESC
     LIMIT 1;
    RETURN n;
END;
$$;

-- cs.ev_max_current(station_id, evse_id, transaction_id): the AC evMaxCurrent (A per phase) of the
-- transaction's accepted charging needs, the EV's cap in a site's division; null for DC or without
-- needs. Raises nothing.
CREATE OR REPLACE FUNCTION cs.ev_max_current(station_id integer, evse_id integer, transaction_id integer)
RETURNS numeric
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF NOT (cs.setting('smart_charging.ev_schedule'))::boolean THEN
        RETURN NULL;
    END IF;
    RETURN ((cs.ev_needs_of(transaction_id)).charging_needs #>> '{acChargingParameters,evMaxCurrent}')::numeric;
END;
$$;

-- cs.ev_needs_schedule(needs, station_id, cap_a, voltage, phases, from_at): the schedule for
-- charging needs from from_at, as {"chargingRateUnit", "startSchedule", "duration",
-- "chargingSchedulePeriod": [{"startPeriod", "limit"}]}. AC (acChargingParameters): in A, the rate
-- least(evMaxCurrent, cap_a); DC: in W, least(evMaxPower, cap_a × voltage × phases). Without a
-- departure time, an energy amount or a tariff (cs.tariff_price_periods, looked up by
-- to_regprocedure: it is optional) the schedule is flat: one period at the rate, until the departure
-- when known. With them, the cheapest tariff periods (energy price + time price, then earliest) up to
-- the departure are filled at the rate until the requested energy fits, the other time gets 0; when
-- the periods cannot hold the energy, flat. Only the tariff's first 366 days are searched (its limit),
-- so a departure further away still gets a schedule. At most maxScheduleTuples periods (adjacent ones merged,
-- the later of two keeping the higher limit). Limits are rounded down to 0.1, and the energy is counted at
-- the rounded limit. Returns jsonb.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.ev_needs_schedule(needs cs.ev_charging_needs, station_id integer, cap_a numeric,
                                                voltage numeric, phases integer, from_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    ac        jsonb := needs.charging_needs->'acChargingParameters';
    dc        jsonb := needs.charging_needs->'dcChargingParameters';
    unit      text := CASE WHEN ac IS NOT NULL OR dc IS NULL THEN 'A' ELSE 'W' END;
    rate      numeric;
    rate_w    numeric;
    energy    numeric := coalesce(ac->>'energyAmount', dc->>'energyAmount')::numeric;
    departure timestamptz := needs.departure_time;
    tuples    integer := greatest(coalesce(needs.max_schedule_tuples, 1024), 1);
    need_s    numeric;
    periods   jsonb := '[]'::jsonb;   -- [{"at": seconds from from_at, "limit"}]
    slots     jsonb := '[]'::jsonb;   -- [{"starts", "ends", "charge"}] charged at the rate
    p         record;
    take      numeric;
    n         integer;
BEGIN
    IF unit = 'A' THEN
        rate := least(coalesce((ac->>'evMaxCurrent')::numeric, cap_a), cap_a);
    ELSE
        rate := least(coalesce((dc->>'evMaxPower')::numeric, cap_a * voltage * phases), cap_a * voltage * phases);
    END IF;
    rate := trunc(greatest(rate, 0), 1);   -- the limit sent: the energy is counted at it
    rate_w := CASE unit WHEN 'A' THEN rate * voltage * phases ELSE rate END;

    IF departure > from_at AND energy > 0 AND rate_w > 0
       AND to_regprocedure('cs.tariff_price_periods(integer,integer,timestamptz,timestamptz)') IS NOT NULL THEN
        need_s := ceil(energy / rate_w * 3600);
        FOR p IN EXECUTE
            'SELECT greatest(extract(epoch FROM t.starts_at - $3), 0) AS s,
                    least(extract(epoch FROM t.ends_at - $3), extract(epoch FROM $4 - $3)) AS e
               FROM cs.tariff_price_periods($1, $2, $3, $4) AS t
              WHERE t.ends_at > $3 AND t.starts_at < $4
              ORDER BY coalesce(t.energy_price, 0) + coalesce(t.time_price, 0), t.starts_at'
            USING needs.station_id, needs.evse_id, from_at, least(departure, from_at + interval '366 days') LOOP
            EXIT WHEN need_s <= 0;
            take := least(p.e - p.s, need_s);
            IF take > 0 THEN
                slots := slots || jsonb_build_object('starts', p.s, 'ends', p.s + take, 'charge', rate);
                need_s := need_s - take;
            END IF;
        END LOOP;
        IF need_s <= 0 THEN
            -- charged slots at the rate, the time between them at 0
            WITH slot AS (SELECT * FROM jsonb_to_recordset(slots) AS x (starts numeric, ends numeric, charge numeric))
            SELECT coalesce(jsonb_agg(x.v ORDER BY x.at), '[]'::jsonb) INTO periods
              FROM (SELECT s.starts AS at, jsonb_build_object('at', s.starts, 'limit', s.charge) AS v FROM slot AS s
                    UNION ALL
                    SELECT s.ends, jsonb_build_object('at', s.ends, 'limit', 0) FROM slot AS s
                     WHERE NOT EXISTS (SELECT FROM slot AS o WHERE o.starts = s.ends)
                    UNION ALL
                    SELECT 0, jsonb_build_object('at', 0, 'limit', 0)
                     WHERE NOT EXISTS (SELECT FROM slot AS o WHERE o.starts = 0)) AS x;
            -- merge neighbours with the same limit
            SELECT jsonb_agg(v ORDER BY (v->>'at')::numeric) INTO periods
              FROM (SELECT v, lag(v->>'limit') OVER (ORDER BY (v->>'at')::numeric) AS prev
                      FROM jsonb_array_elements(periods) AS v) AS y
             WHERE y.prev IS DISTINCT FROM v->>'limit';
        ELSE
            periods := '[]'::jsonb;
        END IF;
    END IF;
    IF jsonb_array_length(periods) = 0 THEN
        periods := jsonb_build_array(jsonb_build_object('at', 0, 'limit', rate));
    END IF;

    -- at most maxScheduleTuples: merge the last two, keeping the higher limit (the energy still fits)
    n := jsonb_array_length(periods);
    WHILE n > tuples LOOP
        periods := jsonb_set(periods - (n - 1), ARRAY[(n - 2)::text, 'limit'],
                             to_jsonb(greatest((periods->(n - 2)->>'limit')::numeric,
                                               (periods->(n - 1)->>'limit')::numeric)));
        n := n - 1;
    END LOOP;

    RETURN jsonb_strip_nulls(jsonb_build_object(
        'chargingRateUnit', unit,
        'startSchedule', cs.ocpp_time(from_at),
        'duration', CASE WHEN departure > from_at THEN ceil(extract(epoch FROM departure - from_at))::integer END,
        'chargingSchedulePeriod',
        (SELECT jsonb_agg(jsonb_build_object('startPeriod', floor((v->>'at')::numeric)::integer,
                                             'limit', trunc((v->>'limit')::numeric, 1))
                          ORDER BY (v->>'at')::numeric)
           FROM jsonb_array_elements(periods) AS v)));
END;
$$;

-- cs.evse_schedule(station_id, evse_id, transaction_id, limit_a, site_id): the schedule to send to
-- the EVSE under limit_a A per phase: cs.ev_needs_schedule of the transaction's accepted charging
-- needs (voltage and phases of the site, else 230 V, 3 phases), else flat: one period at limit_a in
-- the site's unit (cs.site_to_unit; A without a site) with no startSchedule (a Relative profile).
-- Returns jsonb as cs.ev_needs_schedule. Raises nothing.
CREATE OR REPLACE FUNCTION cs.evse_schedule(station_id integer, evse_id integer, transaction_id integer,
                                            limit_a numeric, site_id integer)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    needs   cs.ev_charging_needs := cs.ev_needs_of(transaction_id);
    unit    text := 'A';
    voltage numeric := 230;
    phases  integer := 3;
BEGIN
    SELECT s.limit_unit, s.voltage, s.phases INTO unit, voltage, phases
      FROM cs.site AS s WHERE s.id = evse_schedule.site_id;
    IF NOT FOUND THEN
        unit := 'A'; voltage := 230; phases := 3;
    END IF;
    IF needs.id IS NOT NULL AND (cs.setting('smart_charging.ev_schedule'))::boolean THEN
        RETURN cs.ev_needs_schedule(needs, station_id, limit_a, voltage, phases, now());
    END IF;
    RETURN jsonb_build_object('chargingRateUnit', unit,
                              'chargingSchedulePeriod', jsonb_build_array(jsonb_build_object(
                                  'startPeriod', 0,
                                  'limit', trunc(cs.site_to_unit(limit_a, unit, voltage, phases), 1))));
END;
$$;

-- cs.ev_needs_transaction(station_id, evse_id, energy_transfer): the running transaction of the EVSE
-- that a schedule for NotifyEVChargingNeeds would be for (K15.FR.03: Accepted when a schedule will
-- follow), null when there is none, when setting smart_charging.ev_schedule is false, or when
-- energy_transfer (requestedEnergyTransfer; null: not asked) is not one of 2.0.1's AC_single_phase,
-- AC_two_phase, AC_three_phase, DC (2.1's bidirectional and DER modes get no schedule from ocpp-cs).
-- Returns integer. Raises nothing.
CREATE OR REPLACE FUNCTION cs.ev_needs_transaction(station_id integer, evse_id integer,
                                                   energy_transfer text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF NOT (cs.setting('smart_charging.ev_schedule'))::boolean
       OR energy_transfer NOT IN ('AC_single_phase', 'AC_two_phase', 'AC_three_phase', 'DC') THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT t.id FROM cs.transaction AS t
             WHERE t.station_id = ev_needs_transaction.station_id AND t.evse_id = ev_needs_transaction.evse_id
               AND t.evse_id > 0 AND t.stopped_at IS NULL
             ORDER BY t.started_at DESC, t.id DESC
             LIMIT 1);
END;
$$;

-- cs.ev_schedule_send(station_id, evse_id, transaction_id): sends the EVSE a schedule for the
-- transaction's accepted charging needs now, also when its limit did not change (K15 after
-- NotifyEVChargingNeeds, K16 renegotiation): through its site (cs.site_rebalance, which gives the EVSE
-- its share) when the station has one, else under setting smart_charging.evse_max_current
-- (cs.send_evse_schedule). Returns the SetChargingProfile command id, or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.ev_schedule_send(station_id integer, evse_id integer, transaction_id integer)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    site integer;
    cmd  bigint;
BEGIN
    SELECT m.site_id INTO site FROM cs.site_station AS m WHERE m.station_id = ev_schedule_send.station_id;
    IF FOUND THEN
        PERFORM cs.site_rebalance(site, station_id, evse_id);
        SELECT a.command_id INTO cmd FROM cs.site_allocation AS a
         WHERE a.station_id = ev_schedule_send.station_id AND a.evse_id = ev_schedule_send.evse_id;
        RETURN cmd;
    END IF;
    RETURN cs.send_evse_schedule(station_id, evse_id, transaction_id,
                                 (cs.setting('smart_charging.evse_max_current'))::numeric, NULL);
END;
$$;

-- cs.ev_schedule_within_limits(station_id, payload): checks a NotifyEVChargingSchedule (K15.FR.10-12)
-- against the last TxProfile ocpp-cs sent for the EVSE's running transaction: at every period start of
-- either schedule the EV's limit may not exceed the sent one by more than 0.05 (a W schedule against
-- an A profile converts with 230 V × 3 phases, the site's voltage and phases when the station has one).
-- Returns true / false, null when no profile was sent. Raises nothing.
CREATE OR REPLACE FUNCTION cs.ev_schedule_within_limits(station_id integer, payload jsonb)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    evse     integer := (payload->>'evseId')::integer;
    tx       integer := cs.ev_needs_transaction(station_id, evse);
    sent     jsonb;
    ev       jsonb := payload->'chargingSchedule';
    ev_base  timestamptz := coalesce((payload->'chargingSchedule'->>'startSchedule')::timestamptz,
                                     (payload->>'timeBase')::timestamptz);
    sent_base timestamptz;
    volts    numeric := 230 * 3;
    factor   numeric := 1;
BEGIN
    SELECT c.payload #> '{chargingProfile,chargingSchedule,0}' INTO sent
      FROM cs.command AS c JOIN cs.transaction AS t ON t.id = tx
     WHERE c.station_id = ev_schedule_within_limits.station_id AND c.action = 'SetChargingProfile'
       AND (c.payload->>'evseId')::integer = evse
       AND c.payload #>> '{chargingProfile,transactionId}' = t.transaction_ref
       AND c.status NOT IN ('refused', 'offline', 'error', 'timeout', 'cancelled', 'interrupted')
       AND coalesce(c.response->>'status', 'Accepted') = 'Accepted'
     ORDER BY c.id DESC
     LIMIT 1;
    IF sent IS NULL OR jsonb_typeof(ev->'chargingSchedulePeriod') IS DISTINCT FROM 'array' THEN
        RETURN NULL;
    END IF;
    SELECT x.voltage * x.phases INTO volts
      FROM cs.site AS x JOIN cs.site_station AS m ON m.site_id = x.id
     WHERE m.station_id = ev_schedule_within_limits.station_id;
    volts := coalesce(volts, 230 * 3);
    IF ev->>'chargingRateUnit' = 'W' AND sent->>'chargingRateUnit' = 'A' THEN
        factor := 1 / volts;
    ELSIF ev->>'chargingRateUnit' = 'A' AND sent->>'chargingRateUnit' = 'W' THEN
        factor := volts;
    END IF;
    sent_base := coalesce((sent->>'startSchedule')::timestamptz, ev_base);
    RETURN (
        WITH s AS (SELECT sent_base + make_interval(secs => (p->>'startPeriod')::numeric) AS at,
                          (p->>'limit')::numeric AS lim
                     FROM jsonb_array_elements(sent->'chargingSchedulePeriod') AS p),
             e AS (SELECT ev_base + make_interval(secs => (p->>'startPeriod')::numeric) AS at,
                          (p->>'limit')::numeric * factor AS lim
                     FROM jsonb_array_elements(ev->'chargingSchedulePeriod') AS p),
             points AS (SELECT at FROM s UNION SELECT at FROM e)
        SELECT coalesce(bool_and(el.lim <= sl.lim + 0.05), true)
          FROM points AS pt
          JOIN LATERAL (SELECT e.lim FROM e WHERE e.at <= pt.at ORDER BY e.at DESC LIMIT 1) AS el ON true
          JOIN LATERAL (SELECT s.lim FROM s WHERE s.at <= greatest(pt.at, (SELECT min(at) FROM s))
                         ORDER BY s.at DESC LIMIT 1) AS sl ON true
         WHERE sent->>'duration' IS NULL
            OR pt.at < sent_base + make_interval(secs => (sent->>'duration')::numeric));
END;
$$;
