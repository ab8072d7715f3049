-- Site load balancing, the arithmetic (docs/site-load-balancing.md): a site's limit in A per phase,
-- and its division among the charging EVSEs. Pure functions: pgTAP drives them without stations.

-- cs.site_limit_a(limit_value, limit_unit, voltage, phases): a site's limit in A per phase:
-- limit_value when limit_unit is A, else limit_value W / (voltage × phases), rounded down to 0.1 A.
-- Scalars, not a cs.site row: the functions deploy at every revision, also before cs.site exists.
-- Returns numeric. Raises nothing.
CREATE OR REPLACE FUNCTION cs.site_limit_a(limit_value numeric, limit_unit text, voltage numeric, phases integer)
RETURNS numeric
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT trunc(CASE limit_unit WHEN 'W' THEN limit_value / (voltage * phases) ELSE limit_value END, 1)
$$;

-- cs.site_to_unit(current_a, limit_unit, voltage, phases): current_a (A per phase) in a site's unit:
-- A as is, W as current_a × voltage × phases rounded down to a whole W. Returns numeric. Raises
-- nothing.
CREATE OR REPLACE FUNCTION cs.site_to_unit(current_a numeric, limit_unit text, voltage numeric, phases integer)
RETURNS numeric
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE limit_unit WHEN 'W' THEN floor(current_a * voltage * phases) ELSE current_a END
$$;

-- cs.site_divide(site_limit, evses): divides site_limit (A per phase) among evses, a JSON array of
-- {"key", "priority", "min", "max", "want"} in arrival order (max null: no cap; want: what an EVSE
-- that under-uses its limit is held to first, null: max). The rule:
--   1. admission: by priority (highest first), then arrival, each EVSE gets its minimum (least(min,
--      max)) while the minimums admitted so far fit in the limit; one that does not fit gets 0 and
--      waits (a later, smaller minimum may still fit);
--   2. the rest goes to the admitted EVSEs tier by tier, highest priority first: within a tier in
--      equal shares (water-filling: an EVSE that reaches its cap, least(max, want), drops out and its
--      share is shared again), each share rounded down to 0.1 A, so the sum never exceeds
--      site_limit; a lower tier gets what the higher one could not take;
--   3. what is still left goes the same way up to max, so an under-using EVSE keeps what nobody else
--      can take.
-- Returns TABLE (key, limit_a) in the order given. Raises nothing.
CREATE OR REPLACE FUNCTION cs.site_divide(site_limit numeric, evses jsonb)
RETURNS TABLE (key text, limit_a numeric)
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
    n         integer := coalesce(jsonb_array_length(evses), 0);
    keys      text[];
    prio      integer[];
    mins      numeric[];
    maxs      numeric[];
    wants     numeric[];
    caps      numeric[];
    pass      integer;
    alloc     numeric[];
    admitted  boolean[];
    rest      numeric := greatest(coalesce(site_limit, 0), 0);
    tier      integer;
    open_n    integer;
    share     numeric;
    give      numeric;
    given     numeric;
    i         integer;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    SELECT array_agg(e->>'key' ORDER BY o), array_agg(coalesce((e->>'priority')::integer, 0) ORDER BY o),
           array_agg(greatest(coalesce((e->>'min')::numeric, 0), 0) ORDER BY o),
           array_agg((e->>'max')::numeric ORDER BY o), array_agg((e->>'want')::numeric ORDER BY o)
      INTO keys, prio, mins, maxs, wants
      FROM jsonb_array_elements(evses) WITH ORDINALITY AS x (e, o);
    alloc := array_fill(0::numeric, ARRAY[n]);
    admitted := array_fill(false, ARRAY[n]);

    -- 1. minimums, by priority then arrival
    FOR i IN SELECT o FROM unnest(prio) WITH ORDINALITY AS p (v, o) ORDER BY v DESC, o LOOP
        mins[i] := least(mins[i], coalesce(maxs[i], mins[i]));
        IF mins[i] <= rest THEN
            admitted[i] := true;
            alloc[i] := mins[i];
            rest := rest - mins[i];
        END IF;
    END LOOP;

    -- 2. the rest, tier by tier, in equal shares up to each cap (least(max, want)); 3. then up to max
    FOR pass IN 1 .. 2 LOOP
        FOR i IN 1 .. n LOOP
            caps[i] := CASE WHEN pass = 1 AND wants[i] IS NOT NULL
                            THEN least(coalesce(maxs[i], wants[i]), greatest(wants[i], mins[i])) ELSE maxs[i] END;
        END LOOP;
        FOR tier IN SELECT DISTINCT v FROM unnest(prio) AS v ORDER BY v DESC LOOP
            LOOP
                open_n := 0;
                FOR i IN 1 .. n LOOP
                    IF admitted[i] AND prio[i] = tier AND (caps[i] IS NULL OR alloc[i] < caps[i]) THEN
                        open_n := open_n + 1;
                    END IF;
                END LOOP;
                EXIT WHEN open_n = 0;
                share := trunc(rest / open_n, 1);
                EXIT WHEN share <= 0;
                given := 0;
                FOR i IN 1 .. n LOOP
                    IF admitted[i] AND prio[i] = tier AND (caps[i] IS NULL OR alloc[i] < caps[i]) THEN
                        give := least(share, coalesce(caps[i] - alloc[i], share));
                        alloc[i] := alloc[i] + give;
                        given := given + give;
                    END IF;
                END LOOP;
                rest := rest - given;
                EXIT WHEN given = share * open_n;   -- nobody capped: the shares are final
            END LOOP;
        END LOOP;
    END LOOP;

    FOR i IN 1 .. n LOOP
        key := keys[i];
        limit_a := alloc[i];
        RETURN NEXT;
    END LOOP;
END;
$$;
