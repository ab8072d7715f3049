-- Site load balancing: the division (fair share, priorities, minimums, rounding, under-use), W <-> A,
-- the re-balancing on start / stop / meter values with the TxProfiles it sends, and the SQL API.
BEGIN;
SELECT plan(47);

CREATE FUNCTION pg_temp.divide(lim numeric, evses text) RETURNS numeric[] LANGUAGE sql AS $$
    SELECT array_agg(d.limit_a ORDER BY o)
      FROM cs.site_divide(lim, evses::jsonb) WITH ORDINALITY AS d (key, limit_a, o)
$$;

-- the division
SELECT is(pg_temp.divide(32, '[{"key": "a", "min": 6}, {"key": "b", "min": 6}, {"key": "c", "min": 6}]'),
          ARRAY[10.6, 10.6, 10.6]::numeric[], 'fair share: equal shares rounded down to 0.1 A');
SELECT is(pg_temp.divide(32, '[{"key": "a", "min": 6}, {"key": "b", "min": 6, "max": 8}, {"key": "c", "min": 6}]'),
          ARRAY[12.0, 8, 12.0]::numeric[], 'an EVSE at its maximum leaves its share to the others');
SELECT is(pg_temp.divide(32, '[{"key": "a", "min": 6}, {"key": "b", "min": 6, "priority": 1}, {"key": "c", "min": 6}]'),
          ARRAY[6, 20, 6]::numeric[], 'priority: the higher tier takes the rest first, the others keep their minimum');
SELECT is(pg_temp.divide(32, '[{"key": "a", "min": 6}, {"key": "b", "min": 6, "max": 10, "priority": 1}, {"key": "c", "min": 6}]'),
          ARRAY[11, 10, 11]::numeric[], 'what the higher tier cannot take goes to the lower one');
SELECT is(pg_temp.divide(16, '[{"key": "a", "min": 6}, {"key": "b", "min": 6}, {"key": "c", "min": 6}]'),
          ARRAY[8, 8, 0]::numeric[], 'minimums: the third EVSE cannot get its minimum and waits with 0');
SELECT is(pg_temp.divide(16, '[{"key": "a", "min": 6}, {"key": "b", "min": 6}, {"key": "c", "min": 6}, {"key": "d", "min": 3}]'),
          ARRAY[6.3, 6.3, 0, 3.3]::numeric[], 'a later, smaller minimum still fits');
SELECT is(pg_temp.divide(16, '[{"key": "a", "min": 6}, {"key": "b", "min": 6}, {"key": "c", "min": 6, "priority": 2}]'),
          ARRAY[6, 0, 10]::numeric[], 'admission goes by priority before arrival, so does the rest');
SELECT is(pg_temp.divide(32, '[{"key": "a", "min": 6, "want": 7}, {"key": "b", "min": 6}]'),
          ARRAY[7, 25]::numeric[], 'an under-using EVSE is held to what it wants, the rest goes to the other');
SELECT is(pg_temp.divide(32, '[{"key": "a", "min": 6, "want": 7}, {"key": "b", "min": 6, "max": 10}]'),
          ARRAY[22, 10]::numeric[], 'what nobody else can take goes back to the under-using EVSE');
SELECT is(pg_temp.divide(32, '[{"key": "a", "min": 6, "want": 2}]'), ARRAY[32]::numeric[],
          'held never below the minimum, and alone it keeps the whole limit');
SELECT is(pg_temp.divide(32, '[]'), NULL::numeric[], 'nobody charging: nothing to divide');

SELECT setseed(0.15);
CREATE TEMP TABLE division AS
SELECT c.lim, (SELECT sum(d.limit_a) FROM cs.site_divide(c.lim, c.evses) AS d) AS total,
       (SELECT bool_and(d.limit_a = 0 OR d.limit_a >= least((e->>'min')::numeric, coalesce((e->>'max')::numeric, (e->>'min')::numeric)))
          FROM cs.site_divide(c.lim, c.evses) WITH ORDINALITY AS d (key, limit_a, o)
          JOIN jsonb_array_elements(c.evses) WITH ORDINALITY AS x (e, o) ON x.o = d.o) AS min_kept
  FROM (SELECT round((random() * 200)::numeric, 2) AS lim,
               (SELECT jsonb_agg(jsonb_build_object('key', k, 'min', round((random() * 10)::numeric, 2),
                                                    'priority', floor(random() * 3),
                                                    'max', CASE WHEN random() < 0.3 THEN round((random() * 40)::numeric, 1) END,
                                                    'want', CASE WHEN random() < 0.3 THEN round((random() * 20)::numeric, 1) END))
                  FROM generate_series(1, 1 + (g % 17)) AS k) AS evses
          FROM generate_series(1, 300) AS g) AS c;
SELECT is((SELECT count(*) FROM division WHERE total > lim), 0::bigint,
          'rounding: over 300 random sites the sum of the limits never exceeds the site limit');
SELECT is((SELECT count(*) FROM division WHERE NOT min_kept), 0::bigint,
          'every EVSE gets 0 or at least its minimum (capped by its maximum)');

-- W <-> A
SELECT is(cs.site_limit_a(22080, 'W', 230, 3), 32.0, '22080 W on 3 × 230 V is 32 A');
SELECT is(cs.site_limit_a(11000, 'W', 230, 1), 47.8, '11000 W on 1 × 230 V: 47.8 A, rounded down');
SELECT is(cs.site_to_unit(16, 'W', 230, 3), 11040::numeric,
          '16 A of a W site is 11040 W');
SELECT is(cs.site_to_unit(16, 'A', 230, 3), 16::numeric, 'an A site keeps A');

-- the SQL API and its errors
SELECT throws_ok($$SELECT ocpp.set_site('', 32)$$, 'OC007', 'invalid name', 'a site needs a name');
SELECT throws_ok($$SELECT ocpp.set_site('S', -1)$$, 'OC007', 'invalid limit_value', 'a negative limit');
SELECT throws_ok($$SELECT ocpp.set_site('S', 32, 'kW')$$, 'OC007', 'invalid limit_unit', 'a unit other than A or W');
SELECT throws_ok($$SELECT ocpp.set_site('S', 32, 'A', 0)$$, 'OC007', 'invalid voltage', 'a voltage of 0');
SELECT throws_ok($$SELECT ocpp.set_site('S', 32, 'A', 230, 4)$$, 'OC007', 'invalid phases', 'four phases');
SELECT throws_ok($$SELECT ocpp.set_site('S', 32, 'A', 230, 3, -5)$$, 'OC010', 'unknown site', 'an unknown site id');
SELECT throws_ok($$SELECT ocpp.site_load(-5)$$, 'OC010', 'unknown site', 'site_load of an unknown site');
SELECT throws_ok(format($$SELECT ocpp.set_site('Other', 10, id => %s)$$, (ocpp.set_site('First', 10)->>'id')::int + 0 * (ocpp.set_site('Other', 5)->>'id')::int),
                 'OC007', 'invalid name', 'renaming a site to the name of another');
SELECT throws_ok($$SELECT ocpp.delete_site(-5)$$, 'OC010', 'unknown site', 'delete_site of an unknown site');

SELECT ocpp.node_start('nsite');
SELECT ocpp.connect('SL-1', NULL, '1.6', 'nsite');
SELECT ocpp.connect('SL-2', NULL, '1.6', 'nsite');
SELECT ocpp.connect('SL-3', NULL, '2.0.1', 'nsite');
SELECT (ocpp.set_site('Garage', 32)->>'id')::integer AS site \gset
SELECT throws_ok(format($$SELECT ocpp.add_station_to_site(%s, 'NO-SUCH')$$, :site), 'OC010', 'unknown station',
                 'add_station_to_site of an unknown station');
SELECT throws_ok(format($$SELECT ocpp.add_station_to_site(%s, 'SL-1', 0, -1)$$, :site), 'OC007', 'invalid min_current',
                 'a negative minimum');
SELECT throws_ok($$SELECT ocpp.remove_station_from_site('SL-1')$$, 'OC010', 'station in no site',
                 'remove_station_from_site of a station in no site');
SELECT throws_ok($$SELECT ocpp.set_site_evse('SL-1', 1, 1)$$, 'OC010', 'station in no site',
                 'set_site_evse of a station in no site');
SELECT ocpp.add_station_to_site(:site, 'SL-1');
SELECT ocpp.add_station_to_site(:site, 'SL-2');
SELECT ocpp.add_station_to_site(:site, 'SL-3');
SELECT throws_ok($$SELECT ocpp.set_site_evse('SL-1', 0, 1)$$, 'OC007', 'invalid evse_id', 'set_site_evse of EVSE 0');
SELECT throws_ok($$SELECT ocpp.set_setting('site.underuse_ratio', '2')$$, 'OC007', 'invalid setting value',
                 'site.underuse_ratio is a share');

-- the SetChargingProfile commands after command id `since`, and a station that answers Accepted
CREATE FUNCTION pg_temp.profiles(since bigint) RETURNS TABLE (identity text, evse integer, lim numeric, tx text, id bigint)
LANGUAGE sql AS $$
    SELECT s.identity, coalesce(c.payload->>'connectorId', c.payload->>'evseId')::integer,
           coalesce(c.payload #>> '{csChargingProfiles,chargingSchedule,chargingSchedulePeriod,0,limit}',
                    c.payload #>> '{chargingProfile,chargingSchedule,0,chargingSchedulePeriod,0,limit}')::numeric,
           coalesce(c.payload #>> '{csChargingProfiles,transactionId}', c.payload #>> '{chargingProfile,transactionId}'),
           c.id
      FROM cs.command AS c JOIN cs.station AS s ON s.id = c.station_id
     WHERE c.action = 'SetChargingProfile' AND c.id > since
     ORDER BY c.id
$$;
CREATE FUNCTION pg_temp.answer_one() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    cmd bigint := (SELECT min(id) FROM cs.command WHERE action = 'SetChargingProfile' AND status = 'queued');
BEGIN
    IF cmd IS NOT NULL THEN
        UPDATE cs.command SET status = 'sent', node = 'nsite', sent_at = now(), unique_id = gen_random_uuid()::text
         WHERE id = cmd;
        PERFORM ocpp.command_result(cmd, '{"status": "Accepted"}');
    END IF;
    RETURN cmd;
END $$;
CREATE FUNCTION pg_temp.settle() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
BEGIN
    WHILE pg_temp.answer_one() IS NOT NULL LOOP
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
CREATE FUNCTION pg_temp.mark() RETURNS bigint LANGUAGE sql AS $$ SELECT coalesce(max(id), 0) FROM cs.command $$;

-- start on SL-1: the whole limit, in a 1.6 TxProfile for the transaction
SELECT pg_temp.mark() AS m \gset
SELECT (ocpp.parse('SL-1', 'u1', 'StartTransaction',
    '{"connectorId": 1, "idTag": "S-1", "meterStart": 0, "timestamp": "2024-03-01T10:00:00Z"}')->>'transactionId')::int AS tx1 \gset
SELECT results_eq(format($$SELECT identity, evse, lim, tx FROM pg_temp.profiles(%s)$$, :m),
                  format($$VALUES ('SL-1', 1, 32.0, '%s')$$, :tx1),
                  'a start: one TxProfile at the site limit, with the transactionId');
SELECT is((SELECT (c.payload->'csChargingProfiles') - 'chargingSchedule' FROM cs.command AS c
            WHERE c.action = 'SetChargingProfile' ORDER BY c.id DESC LIMIT 1),
          jsonb_build_object('chargingProfileId', 1501, 'transactionId', :tx1, 'stackLevel', 5,
                             'chargingProfilePurpose', 'TxProfile', 'chargingProfileKind', 'Relative'),
          'the 1.6 profile: id site.profile_id + EVSE, stack level site.stack_level, a Relative TxProfile');
SELECT pg_temp.settle();

-- a 2.0.1 start on SL-3: SL-1 goes down first, SL-3 gets its share once SL-1 has answered
SELECT pg_temp.mark() AS m \gset
SELECT ocpp.parse('SL-3', 'u2', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-03-01T10:01:00Z",
    "triggerReason": "Authorized", "seqNo": 0, "transactionInfo": {"transactionId": "SL3-TX"}, "evse": {"id": 2, "connectorId": 1}}', NULL, '2.0.1');
SELECT results_eq(format($$SELECT identity, lim FROM pg_temp.profiles(%s)$$, :m), $$VALUES ('SL-1', 16.0)$$,
                  'the decrease goes out first, the new EVSE waits for its answer');
SELECT is(pg_temp.settle(), 2, 'SL-1 answers, then SL-3''s profile goes out and is answered');
SELECT results_eq(format($$SELECT identity, lim, tx FROM pg_temp.profiles(%s)$$, :m),
                  format($$VALUES ('SL-1', 16.0, '%s'), ('SL-3', 16.0, 'SL3-TX')$$, :tx1),
                  'SL-3 got 16 A; the 2.0.1 profile carries the station''s transactionId');

-- a 1.6 start on SL-2: three shares
SELECT pg_temp.mark() AS m \gset
SELECT (ocpp.parse('SL-2', 'u3', 'StartTransaction',
    '{"connectorId": 1, "idTag": "S-2", "meterStart": 0, "timestamp": "2024-03-01T10:02:00Z"}')->>'transactionId')::int AS tx2 \gset
SELECT pg_temp.settle();
SELECT results_eq(format($$SELECT identity, lim FROM pg_temp.profiles(%s)$$, :m),
                  $$VALUES ('SL-1', 10.6), ('SL-3', 10.6), ('SL-2', 10.6)$$,
                  'three charging EVSEs: 10.6 A each, the two decreases before the new one');
SELECT is((SELECT jsonb_agg(jsonb_build_object('identity', a->>'identity', 'limitA', (a->>'limitA')::numeric))
             FROM jsonb_array_elements(ocpp.site_load(:site)->'allocations') AS a),
          '[{"identity": "SL-1", "limitA": 10.6}, {"identity": "SL-2", "limitA": 10.6}, {"identity": "SL-3", "limitA": 10.6}]',
          'site_load shows the allocations');
SELECT ok((SELECT (x->>'allocatedA')::numeric <= (x->>'limitA')::numeric FROM ocpp.site_load(:site) AS x),
          'site_load: allocated within the limit');

-- only a change is sent: a meter value near the allocation changes nothing
SELECT pg_temp.mark() AS m \gset
SELECT ocpp.parse('SL-1', 'u4', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [{"timestamp": "2024-03-01T10:05:00Z",
    "sampledValue": [{"value": "10.2", "measurand": "Current.Import", "unit": "A", "phase": "L1"}]}]}', :tx1)::jsonb);
SELECT is((SELECT count(*) FROM pg_temp.profiles(:m)), 0::bigint, 'a draw near the limit: no profile sent');
SELECT is((ocpp.site_load(:site)->'allocations'->0->>'drawA')::numeric, 10.2, 'the draw is shown');

-- under-use: SL-1 draws 3 A, is held to its minimum 6 A (3 + 2 is less), the others share the rest
SELECT ocpp.parse('SL-1', 'u5', 'MeterValues', format('{"connectorId": 1, "transactionId": %s, "meterValue": [{"timestamp": "2024-03-01T10:06:00Z",
    "sampledValue": [{"value": "3", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
                     {"value": "2.5", "measurand": "Current.Import", "unit": "A", "phase": "L2"}]}]}', :tx1)::jsonb);
SELECT pg_temp.settle();
SELECT results_eq(format($$SELECT identity, lim FROM pg_temp.profiles(%s) ORDER BY identity$$, :m),
                  $$VALUES ('SL-1', 6.0), ('SL-2', 13.0), ('SL-3', 13.0)$$,
                  'under-use: held to draw + site.underuse_headroom (at least the minimum), the rest to the others');

-- a stop gives its share to the others
SELECT pg_temp.mark() AS m \gset
SELECT ocpp.parse('SL-2', 'u6', 'StopTransaction',
    format('{"transactionId": %s, "meterStop": 100, "timestamp": "2024-03-01T10:30:00Z"}', :tx2)::jsonb);
SELECT results_eq(format($$SELECT identity, lim FROM pg_temp.profiles(%s)$$, :m),
                  $$VALUES ('SL-3', 26.0)$$, 'a stop: its share goes to the others at once (SL-1 stays held)');
SELECT pg_temp.settle();
SELECT is((SELECT count(*) FROM cs.site_allocation), 2::bigint, 'the stopped transaction left the allocations');

-- a lower limit in W re-balances at once
SELECT pg_temp.mark() AS m \gset
SELECT ocpp.set_site('Garage', 11040, 'W');
SELECT pg_temp.settle();
SELECT ok((SELECT sum(lim) <= 11040 FROM (SELECT DISTINCT ON (identity) lim FROM pg_temp.profiles(:m)
                                           ORDER BY identity, id DESC) AS x),
          'a W site: the profiles are in W, within the limit');
SELECT ok((SELECT bool_and(c.payload #>> '{csChargingProfiles,chargingSchedule,chargingRateUnit}' = 'W'
                           OR c.payload #>> '{chargingProfile,chargingSchedule,0,chargingRateUnit}' = 'W')
             FROM cs.command AS c WHERE c.action = 'SetChargingProfile' AND c.id > :m), 'in W');

SELECT * FROM finish();
ROLLBACK;
