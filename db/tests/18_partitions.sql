-- The partitioned history (issue 16): cs.message_log by UTC day, cs.meter_value by UTC month, a DEFAULT
-- partition each; ocpp.partition_maintain creates partitions ahead, moves rows out of DEFAULT and drops
-- what is past retention; ocpp.log_cleanup runs it and counts the message-log rows removed; the typical
-- message-log queries read only the partitions they need, through the partitions' indexes.
BEGIN;
SELECT plan(39);

CREATE FUNCTION pg_temp.day(t timestamptz) RETURNS text LANGUAGE sql AS $$
    SELECT 'message_log_p' || to_char(t AT TIME ZONE 'UTC', 'YYYYMMDD')
$$;
CREATE FUNCTION pg_temp.month(t timestamptz) RETURNS text LANGUAGE sql AS $$
    SELECT 'meter_value_p' || to_char(t AT TIME ZONE 'UTC', 'YYYYMM')
$$;
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    out  text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || q LOOP
        out := out || line || E'\n';
    END LOOP;
    RETURN out;
END;
$$;

-- the message-log partitions a query's plan reads
CREATE FUNCTION pg_temp.partitions(q text) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) FROM regexp_matches(pg_temp.plan(q), ' on (message_log_\w+)', 'g') AS m
$$;

-- partitions ahead
SELECT results_eq($$SELECT table_name, created, moved, removed FROM ocpp.partition_maintain()$$,
                  $$VALUES ('message_log', 4, 0::bigint, 0::bigint), ('meter_value', 4, 0::bigint, 0::bigint)$$,
                  'partition_maintain creates the current partition and history.partitions_ahead (3) after it');
SELECT has_table('cs', pg_temp.day(now()), 'today''s message-log partition');
SELECT has_table('cs', pg_temp.day(now() + interval '3 days'), 'the message-log partition 3 days ahead');
SELECT hasnt_table('cs', pg_temp.day(now() + interval '4 days'), 'none 4 days ahead');
SELECT has_table('cs', pg_temp.month(now()), 'this month''s meter-value partition');
SELECT has_table('cs', pg_temp.month(now() + interval '3 months'), 'the meter-value partition 3 months ahead');
SELECT results_eq($$SELECT table_name, created, moved, removed FROM ocpp.partition_maintain()$$,
                  $$VALUES ('message_log', 0, 0::bigint, 0::bigint), ('meter_value', 0, 0::bigint, 0::bigint)$$,
                  'a second run has nothing to do');

-- where rows land
SELECT ocpp.log_frames('[{"identity": "P-1", "direction": "in", "messageType": 2, "action": "Heartbeat", "uniqueId": "today"}]');
SELECT is((SELECT tableoid::regclass::text FROM cs.message_log WHERE unique_id = 'today'), 'cs.' || pg_temp.day(now()),
          'a row of today lands in today''s partition');
SELECT ocpp.log_frames(jsonb_build_array(jsonb_build_object(
    'identity', 'P-1', 'direction', 'in', 'messageType', 2, 'uniqueId', 'far', 'at', now() + interval '10 days')));
SELECT is((SELECT tableoid::regclass::text FROM cs.message_log WHERE unique_id = 'far'), 'cs.message_log_default',
          'a row 10 days ahead lands in DEFAULT');
SELECT ocpp.set_setting('history.partitions_ahead', '12');
SELECT results_eq($$SELECT table_name, created, moved FROM ocpp.partition_maintain()$$,
                  $$VALUES ('message_log', 9, 1::bigint), ('meter_value', 9, 0::bigint)$$,
                  'more partitions ahead: the row in DEFAULT moves to its own');
SELECT is((SELECT tableoid::regclass::text FROM cs.message_log WHERE unique_id = 'far'),
          'cs.' || pg_temp.day(now() + interval '10 days'), 'the row is now in the partition of its day');
SELECT is((SELECT count(*) FROM cs.message_log_default), 0::bigint, 'DEFAULT is empty');
SELECT ok((SELECT max(id) FROM cs.message_log WHERE unique_id = 'far')
          > (SELECT max(id) FROM cs.message_log WHERE unique_id = 'today'), 'the moved row kept its id');
SELECT has_index('cs', pg_temp.day(now() + interval '10 days'),
                 pg_temp.day(now() + interval '10 days') || '_identity_created_at_idx',
                 'an attached partition gets the parent''s indexes');

-- retention: whole days dropped, the straddling day deleted from
SELECT is(cs.history_partition('message_log', now() - interval '40 days'), 0::bigint, 'a partition 40 days back');
SELECT is(cs.history_partition('message_log', now() - interval '40 days'), NULL, 'created once');
SELECT ocpp.log_frames(jsonb_build_array(
    jsonb_build_object('identity', 'P-2', 'direction', 'in', 'uniqueId', 'old1', 'at', now() - interval '40 days'),
    jsonb_build_object('identity', 'P-2', 'direction', 'in', 'uniqueId', 'old2', 'at', now() - interval '40 days'),
    jsonb_build_object('identity', 'P-2', 'direction', 'in', 'uniqueId', 'older', 'at', now() - interval '400 days')));
SELECT is((SELECT count(*) FROM cs.message_log_default), 1::bigint, 'a row 400 days back is in DEFAULT');
SELECT is(ocpp.log_cleanup(), 3::bigint, 'log_cleanup counts the rows of the dropped day and those of DEFAULT');
SELECT hasnt_table('cs', pg_temp.day(now() - interval '40 days'), 'the day 40 days back is dropped');
SELECT is((SELECT count(*) FROM cs.message_log WHERE identity = 'P-1'), 2::bigint, 'newer rows stay');

SELECT cs.history_partition('message_log', now() - interval '61 minutes');
SELECT ocpp.log_frames(jsonb_build_array(
    jsonb_build_object('identity', 'P-3', 'direction', 'in', 'uniqueId', 'hour', 'at', now() - interval '61 minutes')));
SELECT ocpp.set_setting('message_log.retention', '"1 hour"');
SELECT ocpp.set_setting('history.exact_retention', 'false');
-- (unless midnight UTC fell within the last minute, the row's day is not over an hour ago)
SELECT is(ocpp.log_cleanup(),
          CASE WHEN date_trunc('day', (now() - interval '61 minutes') AT TIME ZONE 'UTC') + interval '1 day'
                    <= (now() - interval '1 hour') AT TIME ZONE 'UTC' THEN 1 ELSE 0 END::bigint,
          'without history.exact_retention a row of a day not wholly past retention stays');
SELECT ocpp.set_setting('history.exact_retention', 'true');
SELECT is(ocpp.log_cleanup(), (SELECT count(*) FROM cs.message_log WHERE identity = 'P-3'),
          'with it the straddling day''s older rows are deleted');
SELECT is((SELECT count(*) FROM cs.message_log WHERE created_at < now() - interval '1 hour'), 0::bigint,
          'nothing older than the retention is left');

-- meter values: kept forever by default
SELECT ocpp.parse('P-4', 'mv1', 'MeterValues', '{"connectorId": 1, "meterValue": [
    {"timestamp": "2024-04-01T10:00:00Z", "sampledValue": [{"value": "1234"}]}]}');
SELECT is((SELECT tableoid::regclass::text FROM cs.meter_value), 'cs.' || pg_temp.month(now()),
          'a meter value lands in the partition of the month it was received (not sampled)');
SELECT cs.history_partition('meter_value', now() - interval '400 days');
INSERT INTO cs.meter_value (station_id, evse_id, connector_id, sampled_at, value, context, format, measurand,
                            location, received_at)
SELECT s.id, 1, 1, now() - interval '400 days', '1', 'Sample.Periodic', 'Raw', 'Energy.Active.Import.Register',
       'Outlet', now() - interval '400 days'
  FROM cs.station AS s WHERE s.identity = 'P-4';
SELECT results_eq($$SELECT removed FROM ocpp.partition_maintain() WHERE table_name = 'meter_value'$$,
                  $$VALUES (0::bigint)$$, 'meter_value.retention null keeps every meter value');
SELECT is((SELECT count(*) FROM cs.meter_value), 2::bigint, 'both rows are there');
SELECT ocpp.set_setting('meter_value.retention', '"365 days"');
SELECT results_eq($$SELECT removed FROM ocpp.partition_maintain() WHERE table_name = 'meter_value'$$,
                  $$VALUES (1::bigint)$$, 'meter_value.retention 365 days removes the old month');
SELECT hasnt_table('cs', pg_temp.month(now() - interval '400 days'), 'by dropping its partition');

-- the message log's typical queries read only their partitions, through the partitions' indexes
-- (the shape of ocpp.api_message_log's query; PL/pgSQL plans it with the values, as here)
SELECT is(pg_temp.partitions(format($q$SELECT * FROM cs.message_log AS l
                                        WHERE (%1$L IS NULL OR l.identity = %1$L)
                                          AND (NULL IS NULL OR l.action = NULL)
                                          AND (%2$L::timestamptz IS NULL OR l.created_at >= %2$L::timestamptz)
                                          AND (%3$L::timestamptz IS NULL OR l.created_at < %3$L::timestamptz)
                                        ORDER BY l.id DESC LIMIT 100$q$,
                                     'P-1', date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                                     (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 hour') AT TIME ZONE 'UTC')),
          ARRAY[pg_temp.day(now())],
          'the REST API''s /message-log by station and time reads only the day asked for');
SELECT is(pg_temp.partitions(format($q$SELECT * FROM cs.message_log AS l
                                        WHERE l.created_at >= %1$L AND l.created_at < %2$L
                                        ORDER BY l.id DESC LIMIT 100$q$,
                                     now() + interval '2 days', now() + interval '3 days')),
          ARRAY(SELECT DISTINCT pg_temp.day(t) FROM unnest(ARRAY[now() + interval '2 days', now() + interval '3 days']) AS t
                 ORDER BY 1),
          'a range of a day reads the one or two partitions it touches');
-- the live feed asks for the rows after the last it sent: no time bound, so no pruning; with statistics
-- (a log of some size, analyzed) each partition that holds rows is probed once through its primary key
INSERT INTO cs.message_log (identity, direction)
SELECT 'P-5', 'in' FROM generate_series(1, 5000);
ANALYZE cs.message_log;
-- (PostgreSQL seq-scans an empty partition: its file is empty, the scan costs nothing)
SELECT ok(pg_temp.plan(format($q$SELECT * FROM cs.message_log AS l WHERE l.id > %s AND (NULL IS NULL OR l.id <= NULL)
                                  ORDER BY l.id LIMIT 1000$q$, (SELECT max(id) - 10 FROM cs.message_log)))
          ~ ('Index Scan using ' || pg_temp.day(now()) || '_pkey on ' || pg_temp.day(now()) || ' '),
          'the live feed''s message_log_after by id reads today''s partition through its primary key index');

-- bad settings
SELECT throws_ok($$SELECT ocpp.set_setting('history.partitions_ahead', '0')$$, 'OC007', 'invalid setting value',
                 'no partitions ahead');
SELECT throws_ok($$SELECT ocpp.set_setting('history.partitions_ahead', '2.5')$$, 'OC007', 'invalid setting value',
                 'partitions ahead not a whole number');
SELECT throws_ok($$SELECT ocpp.set_setting('meter_value.retention', '"forever"')$$, 'OC007', 'invalid setting value',
                 'a meter-value retention that is not an interval');
SELECT throws_ok($$SELECT ocpp.set_setting('meter_value.retention', '"-1 day"')$$, 'OC007', 'invalid setting value',
                 'a negative meter-value retention');
SELECT throws_ok($$SELECT ocpp.set_setting('history.exact_retention', '"yes"')$$, 'OC007', 'invalid setting value',
                 'exact retention not a boolean');
UPDATE cs.setting SET value = '"3"' WHERE key = 'history.partitions_ahead';
SELECT throws_ok($$SELECT * FROM ocpp.partition_maintain()$$, 'OC007', 'invalid setting value',
                 'partition_maintain refuses a bad setting written past set_setting');
UPDATE cs.setting SET value = '3' WHERE key = 'history.partitions_ahead';
UPDATE cs.setting SET value = '"forever"' WHERE key = 'meter_value.retention';
SELECT throws_ok($$SELECT ocpp.log_cleanup()$$, 'OC007', 'invalid setting value',
                 'log_cleanup refuses a bad retention written past set_setting');
SELECT throws_ok($$SELECT cs.history_partition('station', now())$$, 'OC007', 'not a partitioned history table',
                 'history_partition of another table');

SELECT * FROM finish();
ROLLBACK;
