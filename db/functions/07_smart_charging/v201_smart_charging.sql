-- OCPP 2.0.1 / 2.1 smart charging reported by the station: NotifyEVChargingNeeds,
-- NotifyEVChargingSchedule, NotifyChargingLimit, ClearedChargingLimit, ReportChargingProfiles.
-- docs/v201.md, "Smart charging".

-- cs.v201_notify_ev_charging_needs(st, payload, no_profile_status): a cs.ev_charging_needs row with
-- the status answered: the cs.action_handler of NotifyEVChargingNeeds answers when there is one (its
-- result is the reply); otherwise Accepted when the EVSE has a running transaction, the
-- requestedEnergyTransfer is a 2.0.1 one and setting smart_charging.ev_schedule is true
-- (cs.ev_needs_transaction): ocpp-cs computes a schedule and sends
-- it with SetChargingProfile (cs.ev_schedule_send, K15/K16, docs/iso15118-smart-charging.md);
-- without one no_profile_status (2.0.1 Rejected, 2.1 NoChargingProfile). Returns {"status"} or the
-- handler's reply. Raises what cs.call_action_handler raises.
CREATE OR REPLACE FUNCTION cs.v201_notify_ev_charging_needs(st cs.station, payload jsonb,
                                                            no_profile_status text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    reply jsonb := cs.call_action_handler(st, 'NotifyEVChargingNeeds', payload);
    tx    integer;
BEGIN
    IF reply IS NULL THEN
        tx := cs.ev_needs_transaction(st.id, (payload->>'evseId')::integer,
                                      coalesce(payload#>>'{chargingNeeds,requestedEnergyTransfer}', ''));
        reply := jsonb_build_object('status', CASE WHEN tx IS NOT NULL THEN 'Accepted' ELSE no_profile_status END);
    END IF;
    INSERT INTO cs.ev_charging_needs (station_id, evse_id, requested_energy_transfer, departure_time,
                                      max_schedule_tuples, charging_needs, status, transaction_id)
    VALUES (st.id, (payload->>'evseId')::integer,
            payload#>>'{chargingNeeds,requestedEnergyTransfer}',
            (payload#>>'{chargingNeeds,departureTime}')::timestamptz,
            (payload->>'maxScheduleTuples')::integer, payload->'chargingNeeds',
            coalesce(reply->>'status', no_profile_status), tx);
    IF tx IS NOT NULL THEN
        PERFORM cs.ev_schedule_send(st.id, (payload->>'evseId')::integer, tx);
    END IF;
    RETURN reply;
END;
$$;

-- cs.v201_notify_ev_charging_schedule(st, payload): a cs.ev_charging_schedule row (evseId, timeBase,
-- chargingSchedule, 2.1 selectedChargingScheduleId), checked against the TxProfile ocpp-cs sent
-- (cs.ev_schedule_within_limits): within its limits (or none sent) Accepted; over them Rejected and a
-- new schedule is sent (K15.FR.12/13, K17.FR.12/13: renegotiation, cs.ev_schedule_send).
-- Returns {"status"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_notify_ev_charging_schedule(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    within boolean := cs.ev_schedule_within_limits(st.id, payload);
    cmd    bigint;
BEGIN
    IF NOT within THEN
        cmd := cs.ev_schedule_send(st.id, (payload->>'evseId')::integer,
                                   cs.ev_needs_transaction(st.id, (payload->>'evseId')::integer));
    END IF;
    INSERT INTO cs.ev_charging_schedule (station_id, evse_id, time_base, charging_schedule,
                                         selected_schedule_id, within_limits, renegotiation_command)
    VALUES (st.id, (payload->>'evseId')::integer, (payload->>'timeBase')::timestamptz,
            payload->'chargingSchedule', (payload->>'selectedChargingScheduleId')::integer, within, cmd);
    RETURN jsonb_build_object('status', CASE WHEN within IS FALSE THEN 'Rejected' ELSE 'Accepted' END);
END;
$$;

-- cs.v201_notify_charging_limit(st, payload): a cs.charging_limit row (evseId, 0 when absent;
-- chargingLimitSource, isGridCritical, the chargingSchedule array), open until a ClearedChargingLimit.
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_notify_charging_limit(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.charging_limit (station_id, evse_id, source, is_grid_critical, charging_schedule, payload)
    VALUES (st.id, coalesce((payload->>'evseId')::integer, 0),
            payload#>>'{chargingLimit,chargingLimitSource}',
            (payload#>>'{chargingLimit,isGridCritical}')::boolean, payload->'chargingSchedule', payload);
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v201_cleared_charging_limit(st, payload): closes (cleared_at) the station's open
-- cs.charging_limit rows of chargingLimitSource: those of evseId when given, all of the source when
-- not. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_cleared_charging_limit(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE cs.charging_limit AS l
       SET cleared_at = now()
     WHERE l.station_id = st.id AND l.cleared_at IS NULL
       AND l.source = v201_cleared_charging_limit.payload->>'chargingLimitSource'
       AND (NOT v201_cleared_charging_limit.payload ? 'evseId'
            OR l.evse_id = (v201_cleared_charging_limit.payload->>'evseId')::integer);
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v201_report_charging_profiles(st, payload): one ReportChargingProfiles part: a
-- cs.reported_charging_profile row per chargingProfile (requestId, evseId, chargingLimitSource, id,
-- stackLevel, purpose, kind, transactionId, the profile as sent); the part in cs.report_part.
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_report_charging_profiles(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.reported_charging_profile (station_id, request_id, evse_id, charging_limit_source,
                                              profile_id, stack_level, purpose, kind, transaction_ref,
                                              profile)
    SELECT st.id, (payload->>'requestId')::integer, (payload->>'evseId')::integer,
           payload->>'chargingLimitSource', (p->>'id')::integer, (p->>'stackLevel')::integer,
           p->>'chargingProfilePurpose', p->>'chargingProfileKind', p->>'transactionId', p
      FROM jsonb_array_elements(payload->'chargingProfile') AS p;
    RETURN cs.v201_report_part(st, 'ReportChargingProfiles', payload);
END;
$$;
