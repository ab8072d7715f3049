-- Site load balancing, the loop (docs/site-load-balancing.md): who charges on a site, what each draws,
-- the division (cs.site_divide) and the TxProfiles sent when a limit changes. Called from the
-- transaction and meter value handlers through cs.site_rebalance_station.

-- cs.evse_draw_a(transaction_id, volt_phases, after_id): what the transaction draws now, in A per
-- phase: the highest phase of its last Current.Import sample, else its last Power.Active.Import (W,
-- kW) / volt_phases (the site's voltage × phases); only samples received within setting
-- site.draw_max_age seconds and stored after cs.meter_value id after_id (the EVSE's limit was given
-- then: what it drew before says nothing of it). Returns numeric, null when none. Raises nothing.
CREATE OR REPLACE FUNCTION cs.evse_draw_a(transaction_id integer, volt_phases numeric, after_id bigint)
RETURNS numeric
LANGUAGE sql
STABLE
AS $$
    WITH recent AS (
        SELECT m.sampled_at, m.measurand,
               CASE WHEN m.measurand = 'Current.Import' THEN m.numeric_value
                    ELSE m.numeric_value * CASE m.unit WHEN 'kW' THEN 1000 ELSE 1 END / volt_phases
               END AS amps
          FROM cs.meter_value AS m
         WHERE m.transaction_id = evse_draw_a.transaction_id
           AND m.received_at > now() - make_interval(secs => (cs.setting('site.draw_max_age'))::numeric)
           AND m.id > coalesce(after_id, 0)
           AND m.numeric_value IS NOT NULL AND abs(m.numeric_value) < 1e9
           AND ((m.measurand = 'Current.Import' AND m.unit = 'A')
                OR (m.measurand = 'Power.Active.Import' AND m.unit IN ('W', 'kW')))
    ), last AS (
        SELECT r.measurand, max(r.sampled_at) AS at FROM recent AS r GROUP BY r.measurand
    )
    SELECT round(max(r.amps), 1)
      FROM recent AS r JOIN last AS l ON l.measurand = r.measurand AND l.at = r.sampled_at
     WHERE r.measurand = CASE WHEN EXISTS (SELECT FROM last WHERE last.measurand = 'Current.Import')
                              THEN 'Current.Import' ELSE 'Power.Active.Import' END
$$;

-- cs.site_rebalance(site_id, renegotiate_station, renegotiate_evse): divides the site's limit among
-- the EVSEs with a running transaction on its stations (cs.site_divide) and sends a TxProfile
-- (cs.send_evse_schedule) to each EVSE whose limit changed, and to renegotiate_station /
-- renegotiate_evse even when it did not (new EV charging needs). Decreases go first: an increase (a
-- new EVSE too) waits while a decrease of the site is queued or sent, and goes out with the
-- re-balance that the answer starts (cs.site_command_answered) or the next one. Each EVSE's cap is
-- the least of its maximum (cs.site_evse, cs.site_station) and the EV's (cs.ev_max_current). An
-- EVSE that under-uses its limit (last draw < setting site.underuse_ratio × its limit) is held to
-- its draw + setting site.underuse_headroom (never below its minimum) while others can use the rest
-- ("want" of cs.site_divide); it stays held while its draw stays more than half the headroom below
-- its limit (or no sample came since the limit was given), and one that presses against it (draw +
-- headroom / 2 >= limit) is released at the next meter value (no flapping for a steady draw). Only
-- samples stored after the limit was given count (cs.site_allocation.meter_seen). Rows of ended
-- transactions leave cs.site_allocation. Serialized per site (the site row is locked). Returns the
-- number of SetChargingProfile commands queued. Raises nothing (an unknown site: 0).
CREATE OR REPLACE FUNCTION cs.site_rebalance(site_id integer, renegotiate_station integer DEFAULT NULL,
                                             renegotiate_evse integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    s         record;     -- a cs.site row (a record: the functions deploy before cs.site exists)
    ratio     numeric := (cs.setting('site.underuse_ratio'))::numeric;
    headroom  numeric := (cs.setting('site.underuse_headroom'))::numeric;
    default_min numeric := (cs.setting('site.min_current'))::numeric;
    evses     jsonb;
    r         record;
    sent      integer := 0;
    cmd       bigint;
    pending   boolean;
BEGIN
    SELECT * INTO s FROM cs.site AS x WHERE x.id = site_rebalance.site_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    DELETE FROM cs.site_allocation AS a
     WHERE a.site_id = s.id
       AND NOT EXISTS (SELECT FROM cs.transaction AS t JOIN cs.site_station AS m ON m.station_id = t.station_id
                        WHERE t.id = a.transaction_id AND t.stopped_at IS NULL AND m.site_id = s.id);

    -- one running transaction per EVSE (the latest), in arrival order; an under-using EVSE wants its
    -- draw + headroom (cs.site_divide holds it there while others can use the rest)
    SELECT coalesce(jsonb_agg(to_jsonb(c) || jsonb_build_object(
               'want', CASE WHEN c.previous_tx IS DISTINCT FROM c.transaction_id OR NOT c.previous_a > 0
                            THEN NULL
                            WHEN c.draw IS NULL THEN CASE WHEN c.held THEN c.previous_a END  -- no news: as it was
                            WHEN c.draw < ratio * c.previous_a
                                 OR (c.held AND c.draw + headroom / 2 < c.previous_a)
                            THEN c.draw + headroom END)
               ORDER BY c.created_at, c.transaction_id), '[]'::jsonb)
      INTO evses
      FROM (SELECT DISTINCT ON (t.station_id, t.evse_id)
                   t.station_id || '/' || t.evse_id AS key, t.station_id, t.evse_id, t.id AS transaction_id,
                   t.created_at, coalesce(e.priority, m.priority) AS priority,
                   coalesce(e.min_current, m.min_current, default_min) AS min,
                   (SELECT min(x) FROM unnest(ARRAY[e.max_current, m.max_current,
                                                    cs.ev_max_current(t.station_id, t.evse_id, t.id)]) AS x) AS max,
                   cs.evse_draw_a(t.id, s.voltage * s.phases, a.meter_seen) AS draw,
                   a.limit_a AS previous_a, a.transaction_id AS previous_tx, coalesce(a.held, false) AS held
              FROM cs.site_station AS m
              JOIN cs.transaction AS t ON t.station_id = m.station_id AND t.stopped_at IS NULL AND t.evse_id > 0
              LEFT JOIN cs.site_evse AS e ON e.station_id = t.station_id AND e.evse_id = t.evse_id
              LEFT JOIN cs.site_allocation AS a ON a.station_id = t.station_id AND a.evse_id = t.evse_id
             WHERE m.site_id = s.id
             ORDER BY t.station_id, t.evse_id, t.started_at DESC, t.id DESC) AS c;

    -- decreases first; an increase (or a new EVSE) waits while a decrease of the site is on its way,
    -- so that the limits the stations hold never add up to more than the site's
    pending := EXISTS (SELECT FROM cs.site_allocation AS a JOIN cs.command AS c ON c.id = a.command_id
                        WHERE a.site_id = s.id AND c.status IN ('queued', 'sent'));
    FOR r IN SELECT c.station_id, c.evse_id, c.transaction_id, c.draw AS draw_a, c.previous_a, c.previous_tx,
                    c.want IS NOT NULL AS held, d.limit_a,
                    c.previous_tx IS DISTINCT FROM c.transaction_id OR d.limit_a > c.previous_a AS increase
               FROM cs.site_divide(cs.site_limit_a(s.limit_value, s.limit_unit, s.voltage, s.phases), evses) AS d
               JOIN jsonb_to_recordset(evses) AS c (key text, station_id integer, evse_id integer,
                                                    transaction_id integer, draw numeric, previous_a numeric,
                                                    previous_tx integer, want numeric) ON c.key = d.key
              ORDER BY CASE WHEN c.previous_tx = c.transaction_id THEN d.limit_a - c.previous_a END NULLS LAST LOOP
        IF (r.previous_tx IS DISTINCT FROM r.transaction_id OR r.previous_a IS DISTINCT FROM r.limit_a
            OR (r.station_id = renegotiate_station AND r.evse_id = renegotiate_evse))
           AND NOT (r.increase AND pending) THEN
            cmd := cs.send_evse_schedule(r.station_id, r.evse_id, r.transaction_id, r.limit_a, s.id);
            sent := sent + (cmd IS NOT NULL)::integer;
            IF NOT r.increase THEN
                pending := pending OR EXISTS (SELECT FROM cs.command AS c
                                               WHERE c.id = cmd AND c.status IN ('queued', 'sent'));
            END IF;
            INSERT INTO cs.site_allocation AS a (station_id, evse_id, site_id, transaction_id, limit_a, draw_a,
                                                 held, meter_seen, command_id)
            VALUES (r.station_id, r.evse_id, s.id, r.transaction_id, r.limit_a, r.draw_a, r.held,
                    (SELECT max(m.id) FROM cs.meter_value AS m WHERE m.transaction_id = r.transaction_id), cmd)
            ON CONFLICT (station_id, evse_id) DO UPDATE
               SET site_id = EXCLUDED.site_id, transaction_id = EXCLUDED.transaction_id,
                   limit_a = EXCLUDED.limit_a, draw_a = coalesce(EXCLUDED.draw_a, a.draw_a),
                   held = EXCLUDED.held, meter_seen = EXCLUDED.meter_seen, command_id = EXCLUDED.command_id,
                   allocated_at = now();
        ELSE
            UPDATE cs.site_allocation AS a SET draw_a = coalesce(r.draw_a, a.draw_a), held = r.held
             WHERE a.station_id = r.station_id AND a.evse_id = r.evse_id;
        END IF;
    END LOOP;
    RETURN sent;
END;
$$;

-- cs.site_rebalance_station(station_id): the hook of the transaction and meter value handlers:
-- cs.site_rebalance of the station's site, nothing when it has none. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.site_rebalance_station(station_id integer)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    site integer;
BEGIN
    SELECT m.site_id INTO site FROM cs.site_station AS m WHERE m.station_id = site_rebalance_station.station_id;
    IF FOUND THEN
        PERFORM cs.site_rebalance(site);
    END IF;
END;
$$;

-- cs.site_command_answered(cmd): the hook of cs.command_effect: the answer to a SetChargingProfile
-- that carried a site allocation re-balances the site, sending the increases that waited for it.
-- Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.site_command_answered(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    site integer;
BEGIN
    IF cmd.action = 'SetChargingProfile' THEN
        SELECT a.site_id INTO site FROM cs.site_allocation AS a WHERE a.command_id = cmd.id;
        IF FOUND THEN
            PERFORM cs.site_rebalance(site);
        END IF;
    END IF;
END;
$$;
