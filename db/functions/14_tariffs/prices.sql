-- Tariff prices over time (docs/tariffs.md, "Price rules"): which tariff applies, the price at an
-- instant, and the price periods of a time range. Prices here are without VAT unless said otherwise.

-- cs.tariff_price_at(tariff_id, at): the energy price (per kWh) and time price (per hour) of the tariff
-- at the instant at: the first period (by position) that matches the local time of day and weekday in
-- the tariff's time zone, else the tariff's base prices. A period whose end_time is before its
-- start_time runs past midnight, and its part after midnight matches on the weekday after one of its
-- days; start_time = end_time is the whole day. Returns one row (no row for an unknown tariff).
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.tariff_price_at(tariff_id text, at timestamptz)
RETURNS TABLE (energy_price numeric, time_price numeric)
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN QUERY
    SELECT coalesce(p.energy_price, t.energy_price), coalesce(p.time_price, t.time_price)
      FROM cs.tariff AS t
     CROSS JOIN LATERAL (SELECT (tariff_price_at.at AT TIME ZONE t.time_zone) AS local) AS l
      LEFT JOIN LATERAL (
           SELECT q.energy_price, q.time_price
             FROM cs.tariff_period AS q
            WHERE q.tariff_id = t.id
              AND CASE
                      WHEN q.start_time = q.end_time THEN
                          q.days IS NULL OR extract(isodow FROM l.local)::smallint = ANY (q.days)
                      WHEN q.start_time < q.end_time THEN
                          l.local::time >= q.start_time AND l.local::time < q.end_time
                          AND (q.days IS NULL OR extract(isodow FROM l.local)::smallint = ANY (q.days))
                      WHEN l.local::time >= q.start_time THEN   -- before midnight: its own day
                          q.days IS NULL OR extract(isodow FROM l.local)::smallint = ANY (q.days)
                      WHEN l.local::time < q.end_time THEN      -- after midnight: the day it started
                          q.days IS NULL OR extract(isodow FROM l.local - interval '1 day')::smallint = ANY (q.days)
                      ELSE false
                  END
            ORDER BY q.position
            LIMIT 1) AS p ON true
     WHERE t.id = tariff_price_at.tariff_id;
END;
$$;

-- cs.tariff_segments(tariff_id, from_at, to_at): [from_at, to_at) cut where the tariff's price can
-- change (midnight and every period's start and end, local time), adjacent pieces of equal prices
-- merged: rows (starts_at, ends_at, energy_price, time_price) in time order, without VAT. No row for
-- an empty range or an unknown tariff. Raises OC007 for a range longer than 366 days.
CREATE OR REPLACE FUNCTION cs.tariff_segments(tariff_id text, from_at timestamptz, to_at timestamptz)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, energy_price numeric, time_price numeric)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    zone text;
BEGIN
    IF to_at - from_at > interval '366 days' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid range', format('%s to %s is longer than 366 days', from_at, to_at));
    END IF;
    SELECT t.time_zone INTO zone FROM cs.tariff AS t WHERE t.id = tariff_segments.tariff_id;
    IF NOT FOUND OR NOT from_at < to_at THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH days AS (
        SELECT d::date AS day
          FROM generate_series((from_at AT TIME ZONE zone)::date - 1, (to_at AT TIME ZONE zone)::date + 1,
                               interval '1 day') AS d),
    cuts AS (
        SELECT from_at AS at
        UNION
        SELECT b.at
          FROM (SELECT (d.day + time '00:00') AT TIME ZONE zone AS at FROM days AS d
                UNION
                SELECT (d.day + q.start_time) AT TIME ZONE zone FROM days AS d, cs.tariff_period AS q
                 WHERE q.tariff_id = tariff_segments.tariff_id
                UNION
                SELECT (d.day + q.end_time) AT TIME ZONE zone FROM days AS d, cs.tariff_period AS q
                 WHERE q.tariff_id = tariff_segments.tariff_id) AS b
         WHERE b.at > from_at AND b.at < to_at),
    pieces AS (
        SELECT c.at AS s, coalesce(lead(c.at) OVER (ORDER BY c.at), to_at) AS e, p.energy_price AS ep,
               p.time_price AS tp
          FROM cuts AS c
         CROSS JOIN LATERAL cs.tariff_price_at(tariff_segments.tariff_id, c.at) AS p),
    marked AS (
        SELECT x.*, CASE WHEN lag(x.ep) OVER w = x.ep AND lag(x.tp) OVER w = x.tp THEN 0 ELSE 1 END AS new_run
          FROM pieces AS x
        WINDOW w AS (ORDER BY x.s)),
    runs AS (
        SELECT m.*, sum(m.new_run) OVER (ORDER BY m.s) AS run FROM marked AS m)
    SELECT min(r.s), max(r.e), min(r.ep), min(r.tp)
      FROM runs AS r
     GROUP BY r.run
     ORDER BY 1;
END;
$$;

-- cs.tariff_for(station_id, evse_id, id_tag): the tariff that applies to a transaction at that EVSE
-- with that id token (null: none): of the assignments matching the station (or every station), the
-- EVSE (or every EVSE) and the token's group (groupIdToken, else the 1.6 parentIdTag; or any token),
-- the most specific: a group first, then an EVSE, then a station. Returns the tariff id, null when
-- none applies. Raises nothing.
CREATE OR REPLACE FUNCTION cs.tariff_for(station_id integer, evse_id integer, id_tag text)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN (
    SELECT a.tariff_id
      FROM cs.tariff_assignment AS a
     WHERE (a.station_id IS NULL OR a.station_id = tariff_for.station_id)
       AND (a.evse_id IS NULL OR a.evse_id = tariff_for.evse_id)
       AND (a.id_token_group IS NULL
            OR a.id_token_group IN (SELECT coalesce(i.group_id_token, i.parent_id_tag)
                                      FROM cs.id_tag AS i
                                     WHERE lower(i.id_tag) = lower(tariff_for.id_tag)))
     ORDER BY a.id_token_group IS NULL, a.evse_id IS NULL, a.station_id IS NULL, a.id
     LIMIT 1);
END;
$$;

-- cs.tariff_price_periods(station_id, evse_id, from_at, to_at): the interface for smart charging
-- (ISO 15118 schedules that follow the price): the price periods of the tariff that applies at that
-- EVSE without an id token (cs.tariff_for with a null token), covering [from_at, to_at), prices with
-- VAT: rows (starts_at, ends_at, energy_price per kWh, time_price per hour, currency) in time order,
-- adjacent periods of equal price merged. No row when no tariff applies or the range is empty.
-- Raises OC007 for a range longer than 366 days.
CREATE OR REPLACE FUNCTION cs.tariff_price_periods(station_id integer, evse_id integer, from_at timestamptz,
                                                   to_at timestamptz)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, energy_price numeric, time_price numeric,
               currency text)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    t record;   -- a cs.tariff (functions are deployed before later revisions' tables exist: no row types)
BEGIN
    SELECT * INTO t FROM cs.tariff AS x WHERE x.id = cs.tariff_for(station_id, evse_id, NULL);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT s.starts_at, s.ends_at, s.energy_price * (1 + t.vat_percent / 100), s.time_price * (1 + t.vat_percent / 100),
           t.currency
      FROM cs.tariff_segments(t.id, from_at, to_at) AS s;
END;
$$;
