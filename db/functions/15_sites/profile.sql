-- The TxProfile that carries an EVSE's limit or ISO 15118 schedule to the station, in the station's
-- OCPP version (docs/site-load-balancing.md, docs/iso15118-smart-charging.md).

-- cs.send_tx_profile(station_id, evse_id, transaction_id, schedule): SetChargingProfile through
-- ocpp.send of a TxProfile for the running transaction, chargingProfileId setting site.profile_id +
-- evse_id (each new one replaces the last), stackLevel setting site.stack_level, kind Absolute when
-- the schedule has a startSchedule, else Relative. schedule is {"chargingRateUnit", "startSchedule"
-- and "duration" (either may be absent),
-- "chargingSchedulePeriod": [{"startPeriod", "limit"}]}. 1.6: {connectorId, csChargingProfiles} with
-- the integer transactionId; 2.0.1 / 2.1: {evseId, chargingProfile} with the station's transactionId
-- and a chargingSchedule array of one. Returns the command id; null for a station of another version
-- (1.5 has no smart charging). Raises nothing (ocpp.send queues an offline station's command as offline).
CREATE OR REPLACE FUNCTION cs.send_tx_profile(station_id integer, evse_id integer, transaction_id integer,
                                              schedule jsonb)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    st         cs.station;
    tx         cs.transaction;
    profile_id integer := (cs.setting('site.profile_id'))::integer + evse_id;
    profile    jsonb;
BEGIN
    SELECT * INTO st FROM cs.station AS s WHERE s.id = send_tx_profile.station_id;
    SELECT * INTO tx FROM cs.transaction AS t WHERE t.id = send_tx_profile.transaction_id;
    -- a schedule without a start is relative to the transaction's start: no clock skew matters
    profile := jsonb_build_object('stackLevel', (cs.setting('site.stack_level'))::integer,
                                  'chargingProfilePurpose', 'TxProfile',
                                  'chargingProfileKind', CASE WHEN schedule ? 'startSchedule' THEN 'Absolute'
                                                              ELSE 'Relative' END);
    IF coalesce(st.version, '1.6') = '1.6' THEN
        RETURN ocpp.send(st.identity, 'SetChargingProfile', jsonb_build_object(
                   'connectorId', evse_id,
                   'csChargingProfiles', profile || jsonb_build_object(
                       'chargingProfileId', profile_id, 'transactionId', tx.id, 'chargingSchedule', schedule)));
    ELSIF st.version IN ('2.0.1', '2.1') THEN
        RETURN ocpp.send(st.identity, 'SetChargingProfile', jsonb_build_object(
                   'evseId', evse_id,
                   'chargingProfile', profile || jsonb_strip_nulls(jsonb_build_object(
                       'id', profile_id, 'transactionId', tx.transaction_ref,
                       'chargingSchedule', jsonb_build_array(jsonb_build_object('id', profile_id) || schedule)))));
    END IF;
    RETURN NULL;
END;
$$;

-- cs.send_evse_schedule(station_id, evse_id, transaction_id, limit_a, site_id): sends
-- (cs.send_tx_profile) the EVSE's schedule under limit_a A per phase: the ISO 15118 schedule of the
-- EV's accepted charging needs (cs.evse_schedule), else one period at limit_a in the site's unit (A
-- when site_id is null), and
-- keeps it on the needs row. Returns the command id, or null (cs.send_tx_profile). Raises nothing.
CREATE OR REPLACE FUNCTION cs.send_evse_schedule(station_id integer, evse_id integer, transaction_id integer,
                                                 limit_a numeric, site_id integer)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    sched jsonb := cs.evse_schedule(station_id, evse_id, transaction_id, limit_a, site_id);
    cmd   bigint := cs.send_tx_profile(station_id, evse_id, transaction_id, sched);
BEGIN
    UPDATE cs.ev_charging_needs AS n
       SET schedule = sched, command_id = cmd
     WHERE n.id = (cs.ev_needs_of(send_evse_schedule.transaction_id)).id;
    RETURN cmd;
END;
$$;
