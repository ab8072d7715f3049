-- The history tables partitioned by time (db/schema/13_message_log.sql, 07_transactions.sql):
-- cs.message_log by UTC day of created_at (cs.message_log_pYYYYMMDD), cs.meter_value by UTC month of
-- received_at (cs.meter_value_pYYYYMM), each with a DEFAULT partition for rows of a period that has no
-- partition yet, so an INSERT is never refused. Days for the log: retention drops a day at a time and a
-- query over a time range reads only its days; months for meter values: far fewer rows a day, kept long
-- (by default forever), and read by transaction, which no time bound prunes, so fewer partitions to probe.

-- cs.history_partition(tbl, period_start): creates the partition of cs.<tbl> ('message_log' or
-- 'meter_value') for the UTC day / month holding period_start, unless it exists. Rows of that period
-- already in the DEFAULT partition move into it first (PostgreSQL refuses a partition whose rows sit in
-- DEFAULT): the table is built beside the parent, filled from DEFAULT, then attached.
-- Returns the rows moved, or null when the partition existed. Raises OC007 for another table.
CREATE OR REPLACE FUNCTION cs.history_partition(tbl text, period_start timestamptz)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER   -- partitions belong to the owner of the tables, whoever asks
SET search_path = cs, pg_temp
AS $$
DECLARE
    key   text;
    step  interval;
    lo    timestamp;   -- UTC
    part  text;
    moved bigint;
BEGIN
    CASE tbl
        WHEN 'message_log' THEN
            key := 'created_at';
            step := interval '1 day';
            lo := date_trunc('day', period_start AT TIME ZONE 'UTC');
            part := 'message_log_p' || to_char(lo, 'YYYYMMDD');
        WHEN 'meter_value' THEN
            key := 'received_at';
            step := interval '1 month';
            lo := date_trunc('month', period_start AT TIME ZONE 'UTC');
            part := 'meter_value_p' || to_char(lo, 'YYYYMM');
        ELSE
            PERFORM cs.raise_ocpp('OC007', 'not a partitioned history table', tbl);
    END CASE;
    IF to_regclass(format('cs.%I', part)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    -- No row may reach the parent while its partitions change: an INSERT routed to DEFAULT before
    -- the ATTACH would fail its partition constraint after it (and one arriving between the move and
    -- the ATTACH would make the ATTACH fail). SHARE ROW EXCLUSIVE holds writers back until commit
    -- (then they route to the new partition) and lets readers through; a few ms, once a period.
    EXECUTE format('LOCK TABLE cs.%I IN SHARE ROW EXCLUSIVE MODE', tbl);
    IF to_regclass(format('cs.%I', part)) IS NOT NULL THEN  -- made while we waited for the lock
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE cs.%I (LIKE cs.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, tbl);
    EXECUTE format('WITH d AS (DELETE FROM cs.%I WHERE %I >= $1 AND %I < $2 RETURNING *) '
                   'INSERT INTO cs.%I SELECT * FROM d', tbl || '_default', key, key, part)
        USING lo AT TIME ZONE 'UTC', (lo + step) AT TIME ZONE 'UTC';
    GET DIAGNOSTICS moved = ROW_COUNT;
    -- attaching builds the partition's indexes and foreign keys from the parent's
    EXECUTE format('ALTER TABLE cs.%I ATTACH PARTITION cs.%I FOR VALUES FROM (%L) TO (%L)',
                   tbl, part, lo AT TIME ZONE 'UTC', (lo + step) AT TIME ZONE 'UTC');
    RETURN moved;
END;
$$;

-- cs.history_retain(tbl, cutoff, exact): removes the rows of cs.<tbl> ('message_log' or 'meter_value')
-- older than cutoff by the partition key: DROPs every partition that ends at or before cutoff (its rows
-- counted first), then deletes the older rows left in the DEFAULT partition and, when exact, in the one
-- partition that straddles cutoff (partition pruning keeps the DELETE to those two).
-- Returns the rows removed. Raises nothing.
CREATE OR REPLACE FUNCTION cs.history_retain(tbl text, cutoff timestamptz, exact boolean)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER   -- partitions belong to the owner of the tables, whoever asks
SET search_path = cs, pg_temp
AS $$
DECLARE
    key     text := CASE tbl WHEN 'message_log' THEN 'created_at' ELSE 'received_at' END;
    old     regclass[];
    part    regclass;
    n       bigint;
    removed bigint := 0;
BEGIN
    SELECT array_agg(p.part) INTO old
      FROM (SELECT c.oid::regclass AS part,
                   substring(pg_get_expr(c.relpartbound, c.oid) FROM $r$TO \('([^']*)'\)$r$)::timestamptz AS ends
              FROM pg_inherits AS i
              JOIN pg_class AS c ON c.oid = i.inhrelid
             WHERE i.inhparent = format('cs.%I', tbl)::regclass) AS p
     WHERE p.ends <= cutoff;    -- DEFAULT has no end
    FOREACH part IN ARRAY coalesce(old, '{}') LOOP
        EXECUTE format('SELECT count(*) FROM %s', part) INTO n;
        EXECUTE format('DROP TABLE %s', part);
        removed := removed + n;
    END LOOP;
    EXECUTE format('DELETE FROM cs.%I WHERE %I < $1', CASE WHEN exact THEN tbl ELSE tbl || '_default' END, key)
        USING cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN removed + n;
END;
$$;

-- ocpp.partition_maintain(): keeps the partitioned history in shape. For cs.message_log (days) and
-- cs.meter_value (months) it creates the partition of the current period and of the
-- history.partitions_ahead periods after it (rows of those periods waiting in DEFAULT move in), then
-- removes what is past retention: message_log.retention, meter_value.retention (null: keep forever), by
-- dropping whole partitions, and with history.exact_retention also deleting the older rows of the
-- partition that straddles the boundary (cs.history_retain). ocpp.log_cleanup runs it.
-- Returns a row per table: (table_name, created: partitions created, moved: rows moved out of DEFAULT,
-- removed: rows past retention). Runs under a transaction-level advisory lock, one caller at a time.
-- A table whose locks stay busy for 200 ms is skipped this run (its row says 0, 0, 0), so that no
-- station message ever waits long for it or deadlocks with it.
-- Raises OC007 when a setting holds a value ocpp.set_setting refuses.
CREATE OR REPLACE FUNCTION ocpp.partition_maintain()
RETURNS TABLE (table_name text, created integer, moved bigint, removed bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    ahead     jsonb := cs.setting('history.partitions_ahead');
    exact     jsonb := cs.setting('history.exact_retention');
    keep      interval;
    step      interval;
    m         bigint;
    i         integer;
BEGIN
    IF jsonb_typeof(ahead) IS DISTINCT FROM 'number' OR ahead::numeric <> trunc(ahead::numeric)
       OR ahead::numeric NOT BETWEEN 1 AND 366 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid setting value',
                              format('history.partitions_ahead does not accept %s', ahead));
    END IF;
    IF jsonb_typeof(exact) IS DISTINCT FROM 'boolean' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid setting value',
                              format('history.exact_retention does not accept %s', exact));
    END IF;
    -- every node runs it hourly: one at a time, the next finds the work done (no race on CREATE TABLE)
    PERFORM pg_advisory_xact_lock(hashtext('ocpp.partition_maintain'));
    -- Making and dropping partitions takes locks that station messages take too (the parent; for
    -- meter values also cs.station and cs.transaction, which its foreign keys point at), in another
    -- order: a station message holding cs.transaction waits for the parent while we wait for
    -- cs.transaction. So we never wait long (lock_timeout, well under deadlock_timeout) and give up
    -- a table's work for this run instead: the station message goes on, and the next run (hourly,
    -- and at every node's start) does it; rows of a period without its partition wait in DEFAULT.
    PERFORM set_config('lock_timeout', '200ms', true);
    FOREACH table_name IN ARRAY ARRAY['message_log', 'meter_value'] LOOP
        step := CASE table_name WHEN 'message_log' THEN interval '1 day' ELSE interval '1 month' END;
        keep := cs.history_retention(table_name || '.retention');
        BEGIN
            created := 0;
            moved := 0;
            FOR i IN 0 .. ahead::integer LOOP
                m := cs.history_partition(table_name, now() + i * step);
                IF m IS NOT NULL THEN
                    created := created + 1;
                    moved := moved + m;
                END IF;
            END LOOP;
            removed := CASE WHEN keep IS NULL THEN 0
                            ELSE cs.history_retain(table_name, now() - keep, exact::boolean) END;
        EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
            RAISE LOG 'ocpp.partition_maintain: % skipped this run, its locks are busy', table_name;
            created := 0;
            moved := 0;
            removed := 0;
        END;
        RETURN NEXT;
    END LOOP;
END;
$$;

-- cs.history_retention(key): the retention setting key as an interval; null when it is null.
-- Raises OC007 when it holds something else than a positive interval (what ocpp.set_setting refuses).
CREATE OR REPLACE FUNCTION cs.history_retention(key text)
RETURNS interval
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    v    jsonb := cs.setting(key);
    keep interval;
BEGIN
    IF jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    BEGIN
        keep := (v #>> '{}')::interval;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow
                   OR invalid_text_representation THEN
        keep := NULL;
    END;
    IF jsonb_typeof(v) IS DISTINCT FROM 'string' OR keep IS NULL OR keep <= interval '0' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid setting value', format('%s does not accept %s', key, v));
    END IF;
    RETURN keep;
END;
$$;
