-- ocpp.api_today(since): the network at a glance since a moment (the web UI's dashboard passes the
-- browser's local midnight; null: midnight of the database's time zone today):
-- {"since", "sessions" (transactions started since then, any station and version), "running" (of
-- those and older ones, the transactions still open), "energyWh" (what the sessions started since
-- then delivered: meter_stop, else the last register value stored (cs.transaction_register_wh), less
-- meter_start; never negative per session), "stations", "faulted" (stations with a Faulted
-- connector, the station's own included), "offline" (websocket stations without a connection)}.
-- Returns jsonb. Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.api_today(since timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    start_at timestamptz := coalesce(since, date_trunc('day', now()));
BEGIN
    RETURN jsonb_build_object(
        'since', cs.ocpp_time(start_at),
        'sessions', (SELECT count(*) FROM cs.transaction AS t WHERE t.started_at >= start_at),
        'running', (SELECT count(*) FROM cs.transaction AS t WHERE t.stopped_at IS NULL),
        'energyWh', (SELECT coalesce(sum(greatest(0, coalesce(t.meter_stop, cs.transaction_register_wh(t.id),
                                                              t.meter_start) - t.meter_start)), 0)
                       FROM cs.transaction AS t WHERE t.started_at >= start_at),
        'stations', (SELECT count(*) FROM cs.station),
        'faulted', (SELECT count(*) FROM cs.station AS s
                     WHERE EXISTS (SELECT FROM cs.connector AS k WHERE k.station_id = s.id AND k.status = 'Faulted')),
        'offline', (SELECT count(*) FROM cs.station AS s
                     WHERE s.soap_from IS NULL AND NOT EXISTS (SELECT FROM cs.connection AS c WHERE c.station_id = s.id)));
END;
$$;
