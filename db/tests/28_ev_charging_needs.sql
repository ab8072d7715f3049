-- ISO 15118 smart charging (K15-K17): NotifyEVChargingNeeds answered Accepted with a schedule sent
-- when a transaction runs, the schedule computed from the needs and the limits (flat without a
-- tariff; with one, cs.tariff_price_periods: the cheap periods first), NotifyEVChargingSchedule
-- checked against it and renegotiated.
BEGIN;
SELECT plan(33);

SELECT ocpp.node_start('nev');
SELECT ocpp.connect('EV-1', NULL, '2.0.1', 'nev');
SELECT ocpp.connect('EV-2', NULL, '2.0.1', 'nev');
CREATE FUNCTION pg_temp.p(identity text, action text, body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse(identity, 'u', action, body::jsonb, NULL, '2.0.1')
$$;
CREATE FUNCTION pg_temp.settle() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    cmd bigint;
    n   integer := 0;
BEGIN
    LOOP   -- a station that answers every SetChargingProfile Accepted
        cmd := (SELECT min(id) FROM cs.command WHERE action = 'SetChargingProfile' AND status = 'queued');
        EXIT WHEN cmd IS NULL;
        UPDATE cs.command SET status = 'sent', node = 'nev', sent_at = now(), unique_id = gen_random_uuid()::text
         WHERE id = cmd;
        PERFORM ocpp.command_result(cmd, '{"status": "Accepted"}');
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
CREATE FUNCTION pg_temp.last_profile() RETURNS jsonb LANGUAGE sql AS $$
    SELECT c.payload FROM cs.command AS c WHERE c.action = 'SetChargingProfile' ORDER BY c.id DESC LIMIT 1
$$;

-- no transaction: Rejected, nothing sent
SELECT is(pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "AC_three_phase",
    "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 16, "evMaxVoltage": 400}}}'),
    '{"status": "Rejected"}', 'no transaction on the EVSE: Rejected');
SELECT is((SELECT count(*) FROM cs.command WHERE action = 'SetChargingProfile'), 0::bigint, 'and no profile');

-- a running transaction: Accepted, and a TxProfile with the schedule
SELECT pg_temp.p('EV-1', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-05-01T10:00:00Z",
    "triggerReason": "CablePluggedIn", "seqNo": 0, "transactionInfo": {"transactionId": "EV1-TX"}, "evse": {"id": 1, "connectorId": 1}}');
SELECT is(pg_temp.p('EV-1', 'NotifyEVChargingNeeds', format('{"evseId": 1, "maxScheduleTuples": 2, "chargingNeeds": {
    "requestedEnergyTransfer": "AC_three_phase", "departureTime": "%s",
    "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 16, "evMaxVoltage": 400}}}',
    cs.ocpp_time(now() + interval '3 hours'))),
    '{"status": "Accepted"}', 'a transaction runs: Accepted (K15.FR.03)');
SELECT is(pg_temp.last_profile() - 'chargingProfile', '{"evseId": 1}', 'SetChargingProfile to the EVSE');
SELECT is((pg_temp.last_profile()->'chargingProfile') - 'chargingSchedule',
          '{"id": 1501, "stackLevel": 5, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Absolute", "transactionId": "EV1-TX"}',
          'a TxProfile of the running transaction');
SELECT is((pg_temp.last_profile() #> '{chargingProfile,chargingSchedule,0}') - 'startSchedule',
          '{"id": 1501, "chargingRateUnit": "A", "duration": 10800, "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}',
          'flat: the EV''s maximum (under the EVSE''s 32 A) until the departure');
SELECT is((SELECT schedule FROM cs.ev_charging_needs ORDER BY id DESC LIMIT 1),
          (pg_temp.last_profile() #> '{chargingProfile,chargingSchedule,0}') - 'id', 'the needs row keeps the schedule sent');
SELECT results_eq($$SELECT status, transaction_id IS NOT NULL, schedule->>'chargingRateUnit', command_id IS NOT NULL
                      FROM cs.ev_charging_needs ORDER BY id DESC LIMIT 1$$,
                  $$VALUES ('Accepted', true, 'A', true)$$, 'the needs row keeps its transaction, schedule and command');
SELECT is(pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 2, "chargingNeeds": {"requestedEnergyTransfer": "DC"}}'),
          '{"status": "Rejected"}', 'the station''s other EVSE has no transaction: Rejected');

-- the EVSE's limit caps the EV
SELECT ocpp.set_setting('smart_charging.evse_max_current', '10');
SELECT pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "AC_three_phase",
    "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 16, "evMaxVoltage": 400}}}');
SELECT is(pg_temp.last_profile() #> '{chargingProfile,chargingSchedule,0,chargingSchedulePeriod}',
          '[{"startPeriod": 0, "limit": 10}]', 'new needs (K16.FR.12): a new profile, capped by the EVSE''s limit; no departure, no duration');

-- DC: in W
SELECT pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "DC",
    "dcChargingParameters": {"evMaxCurrent": 200, "evMaxVoltage": 800, "evMaxPower": 5000}}}');
SELECT is(pg_temp.last_profile() #> '{chargingProfile,chargingSchedule,0,chargingSchedulePeriod}',
          '[{"startPeriod": 0, "limit": 5000}]', 'DC: a W schedule at the EV''s maximum power under the limit');
SELECT ocpp.set_setting('smart_charging.evse_max_current', '32');

-- NotifyEVChargingSchedule (K15.FR.10-13, K17)
SELECT pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "AC_three_phase",
    "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 16, "evMaxVoltage": 400}}}');
SELECT pg_temp.settle();
SELECT is(pg_temp.p('EV-1', 'NotifyEVChargingSchedule', format('{"evseId": 1, "timeBase": "%s", "chargingSchedule": {"id": 1,
    "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}, {"startPeriod": 3600, "limit": 8}]}}',
    cs.ocpp_time(now()))), '{"status": "Accepted"}', 'a schedule within the limits: Accepted');
SELECT is(pg_temp.p('EV-1', 'NotifyEVChargingSchedule', format('{"evseId": 1, "timeBase": "%s", "chargingSchedule": {"id": 1,
    "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}]}}',
    cs.ocpp_time(now()))), '{"status": "Accepted"}', 'a W schedule within an A profile (11000 W = 15.9 A): Accepted');
SELECT (SELECT count(*) FROM cs.command WHERE action = 'SetChargingProfile') AS before \gset
SELECT is(pg_temp.p('EV-1', 'NotifyEVChargingSchedule', format('{"evseId": 1, "timeBase": "%s", "chargingSchedule": {"id": 1,
    "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}, {"startPeriod": 600, "limit": 20}]}}',
    cs.ocpp_time(now()))), '{"status": "Rejected"}', 'over the limits later on: Rejected (K15.FR.12)');
SELECT is((SELECT count(*) FROM cs.command WHERE action = 'SetChargingProfile'), :before + 1::bigint,
          'and renegotiated: a new SetChargingProfile (K15.FR.13)');
SELECT results_eq($$SELECT within_limits, renegotiation_command IS NOT NULL FROM cs.ev_charging_schedule ORDER BY id$$,
                  $$VALUES (true, false), (true, false), (false, true)$$, 'the check is kept with each schedule');

-- with a tariff (cs.tariff_price_periods): the cheap period first, the energy by the departure, at
-- most maxScheduleTuples, never above the limit. At a fixed start (18:00 UTC, departure 08:00 the next
-- day: 14 h), a tariff of 0.40/kWh by day and 0.10/kWh 22:00-06:00; at 16 A × 230 V × 3 an hour is 11040 Wh.
SELECT ocpp.set_tariff('NIGHT15', 'EUR', 0.40, periods => '[{"start": "22:00", "end": "06:00", "energyPrice": 0.10}]');
SELECT ocpp.assign_tariff('NIGHT15', 'EV-1');
CREATE FUNCTION pg_temp.sched(energy numeric, tuples integer, cap numeric,
                              departure timestamptz DEFAULT '2024-05-02T08:00:00Z') RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    n cs.ev_charging_needs;
BEGIN
    SELECT * INTO n FROM cs.ev_charging_needs AS x WHERE x.status = 'Accepted' ORDER BY x.id DESC LIMIT 1;
    n.charging_needs := jsonb_build_object('requestedEnergyTransfer', 'AC_three_phase', 'acChargingParameters',
        jsonb_build_object('energyAmount', energy, 'evMinCurrent', 6, 'evMaxCurrent', 16, 'evMaxVoltage', 400));
    n.departure_time := departure;
    n.max_schedule_tuples := tuples;
    RETURN cs.ev_needs_schedule(n, n.station_id, cap, 230, 3, '2024-05-01T18:00:00Z');
END $$;
-- the energy a schedule delivers (A × 230 V × 3 over each period, the last one to the duration), Wh
CREATE FUNCTION pg_temp.delivered(s jsonb) RETURNS numeric LANGUAGE sql AS $$
    SELECT coalesce(sum(x.lim * 690 * (coalesce(x.nxt, (s->>'duration')::numeric) - x.at) / 3600), 0)
      FROM (SELECT (p->>'startPeriod')::numeric AS at, (p->>'limit')::numeric AS lim,
                   lead((p->>'startPeriod')::numeric) OVER (ORDER BY (p->>'startPeriod')::numeric) AS nxt
              FROM jsonb_array_elements(s->'chargingSchedulePeriod') AS p) AS x
$$;
CREATE FUNCTION pg_temp.max_limit(s jsonb) RETURNS numeric LANGUAGE sql AS $$
    SELECT max((p->>'limit')::numeric) FROM jsonb_array_elements(s->'chargingSchedulePeriod') AS p
$$;

SELECT is(pg_temp.sched(22080, 1024, 32) - 'startSchedule',
          '{"chargingRateUnit": "A", "duration": 50400, "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 0},
            {"startPeriod": 14400, "limit": 16}, {"startPeriod": 21600, "limit": 0}]}',
          'tariff: 2 h of energy in the cheap night from 22:00, nothing by day');
SELECT is(pg_temp.sched(99360, 1024, 32)->'chargingSchedulePeriod',
          '[{"startPeriod": 0, "limit": 16}, {"startPeriod": 3600, "limit": 0}, {"startPeriod": 14400, "limit": 16},
            {"startPeriod": 43200, "limit": 0}]',
          'tariff: 9 h of energy: the whole night, then the earliest day hour');
SELECT ok(pg_temp.delivered(pg_temp.sched(99360, 1024, 32)) >= 99360, 'and the energy is delivered by the departure');
SELECT ok(jsonb_array_length(pg_temp.sched(99360, 2, 32)->'chargingSchedulePeriod') <= 2
          AND pg_temp.delivered(pg_temp.sched(99360, 2, 32)) >= 99360 AND pg_temp.max_limit(pg_temp.sched(99360, 2, 32)) <= 16,
          'maxScheduleTuples 2: at most 2 periods, still the energy by the departure, not above the EV''s maximum');
SELECT ok(jsonb_array_length(pg_temp.sched(22080, 1, 32)->'chargingSchedulePeriod') = 1
          AND pg_temp.delivered(pg_temp.sched(22080, 1, 32)) >= 22080, 'maxScheduleTuples 1: one period with the energy');
SELECT ok(pg_temp.max_limit(pg_temp.sched(13924.2, 1024, 10.09)) <= 10.09
          AND pg_temp.delivered(pg_temp.sched(13924.2, 1024, 10.09)) >= 13924.2,
          'an EVSE limit of 10.09 A: the schedule stays under it (10.0) and still delivers the energy');
SELECT is(pg_temp.sched(20 * 11040, 1024, 32)->'chargingSchedulePeriod', '[{"startPeriod": 0, "limit": 16}]',
          'more energy than the time to the departure holds: flat at the maximum');
SELECT is(pg_temp.sched(22080, 1024, 32, '2025-06-01T08:00:00Z')->'chargingSchedulePeriod',
          '[{"startPeriod": 0, "limit": 0}, {"startPeriod": 14400, "limit": 16}, {"startPeriod": 21600, "limit": 0}]',
          'a departure over a year away: the tariff''s first 366 days are searched, no error');

-- through NotifyEVChargingNeeds: the cheap period 2 h from now for 3 h, under the EVSE's 10 A
SELECT ocpp.set_setting('smart_charging.evse_max_current', '10');
SELECT ocpp.set_tariff('NIGHT15', 'EUR', 0.40, periods => jsonb_build_array(jsonb_build_object(
    'start', to_char((now() + interval '2 hours') AT TIME ZONE 'UTC', 'HH24:MI'),
    'end', to_char((now() + interval '5 hours') AT TIME ZONE 'UTC', 'HH24:MI'), 'energyPrice', 0.10)));
SELECT pg_temp.p('EV-1', 'NotifyEVChargingNeeds', format('{"evseId": 1, "maxScheduleTuples": 3, "chargingNeeds": {
    "requestedEnergyTransfer": "AC_three_phase", "departureTime": "%s",
    "acChargingParameters": {"energyAmount": 13800, "evMinCurrent": 6, "evMaxCurrent": 16, "evMaxVoltage": 400}}}',
    cs.ocpp_time(now() + interval '10 hours')));
SELECT ok((SELECT jsonb_array_length(s->'chargingSchedulePeriod') <= 3 AND pg_temp.max_limit(s) <= 10
                  AND pg_temp.delivered(s) >= 13800 - 10 * 690 / 3600.0
             FROM (SELECT pg_temp.last_profile() #> '{chargingProfile,chargingSchedule,0}' AS s) AS x),
          'the profile sent: at most maxScheduleTuples periods, under the EVSE''s 10 A, the energy by the departure');
SELECT is((SELECT jsonb_agg(p->'limit') FROM jsonb_array_elements(pg_temp.last_profile()
            #> '{chargingProfile,chargingSchedule,0,chargingSchedulePeriod}') AS p),
          '[0, 10, 0]', 'nothing until the cheap period, then the limit, then nothing');
SELECT ok((SELECT (p->>'startPeriod')::integer BETWEEN 7080 AND 7200 FROM jsonb_array_elements(pg_temp.last_profile()
            #> '{chargingProfile,chargingSchedule,0,chargingSchedulePeriod}') AS p WHERE (p->>'limit')::numeric = 10),
          'charging starts where the cheap period does');
SELECT pg_temp.settle();
SELECT ocpp.set_setting('smart_charging.evse_max_current', '32');
DELETE FROM cs.tariff_assignment;

-- in a site: the EV's maximum is its cap, the other EVSE gets the rest
SELECT (ocpp.set_site('EV-site', 32)->>'id')::integer AS site \gset
SELECT ocpp.add_station_to_site(:site, 'EV-1');
SELECT ocpp.add_station_to_site(:site, 'EV-2');
SELECT pg_temp.p('EV-2', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-05-01T10:00:00Z",
    "triggerReason": "CablePluggedIn", "seqNo": 0, "transactionInfo": {"transactionId": "EV2-TX"}, "evse": {"id": 1, "connectorId": 1}}');
SELECT pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "AC_three_phase",
    "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 10, "evMaxVoltage": 400}}}');
SELECT pg_temp.settle();
SELECT is((SELECT jsonb_object_agg(a->>'identity', (a->>'limitA')::numeric)
             FROM jsonb_array_elements(ocpp.site_load(:site)->'allocations') AS a),
          '{"EV-1": 10, "EV-2": 22}', 'the EV''s maximum caps its share, the other EVSE takes the rest');
SELECT is((SELECT c.payload #> '{chargingProfile,chargingSchedule,0,chargingSchedulePeriod}' FROM cs.command AS c
            WHERE c.action = 'SetChargingProfile' AND c.payload #>> '{chargingProfile,transactionId}' = 'EV1-TX'
            ORDER BY c.id DESC LIMIT 1),
          '[{"startPeriod": 0, "limit": 10}]', 'EV-1''s schedule under its site share');
SELECT is((SELECT c.payload #> '{chargingProfile,chargingSchedule,0,chargingSchedulePeriod}' FROM cs.command AS c
            WHERE c.action = 'SetChargingProfile' AND c.payload #>> '{chargingProfile,transactionId}' = 'EV2-TX'
            ORDER BY c.id DESC LIMIT 1),
          '[{"startPeriod": 0, "limit": 22.0}]', 'EV-2 (no needs): a flat profile at its share');
SELECT (SELECT count(*) FROM cs.command WHERE action = 'SetChargingProfile') AS before \gset
SELECT pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "AC_three_phase",
    "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 10, "evMaxVoltage": 400}}}');
SELECT is((SELECT array_agg(c.payload #>> '{chargingProfile,transactionId}') FROM cs.command AS c
            WHERE c.action = 'SetChargingProfile' AND c.status = 'queued'), ARRAY['EV1-TX'],
          'the same needs again: the shares stand, only the EVSE with the needs gets a schedule (K16.FR.12)');

-- switched off: Rejected
SELECT ocpp.set_setting('smart_charging.ev_schedule', 'false');
SELECT is(pg_temp.p('EV-1', 'NotifyEVChargingNeeds', '{"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "AC_three_phase"}}'),
          '{"status": "Rejected"}', 'smart_charging.ev_schedule false: Rejected');
SELECT throws_ok($$SELECT ocpp.set_setting('smart_charging.ev_schedule', '1')$$, 'OC007', 'invalid setting value',
                 'smart_charging.ev_schedule is a boolean');

SELECT * FROM finish();
ROLLBACK;
