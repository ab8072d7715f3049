-- OCPP 2.1 periodic event streams: OpenPeriodicEventStream, ClosePeriodicEventStream,
-- NotifyPeriodicEventStream (a SEND). docs/v201.md, "OCPP 2.1".

-- cs.v21_open_periodic_event_stream(st, payload): the cs.event_stream of constantStreamData.id,
-- opened (again: a reopened stream loses its closed_at) with its monitor, interval and values.
-- Returns {"status": "Accepted"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_open_periodic_event_stream(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    stream jsonb := payload->'constantStreamData';
BEGIN
    INSERT INTO cs.event_stream AS e (station_id, id, variable_monitoring_id, interval, "values", opened_at)
    VALUES (st.id, (stream->>'id')::integer, (stream->>'variableMonitoringId')::integer,
            (stream#>>'{params,interval}')::integer, (stream#>>'{params,values}')::integer, now())
    ON CONFLICT ON CONSTRAINT event_stream_pkey DO UPDATE
       SET variable_monitoring_id = excluded.variable_monitoring_id, interval = excluded.interval,
           "values" = excluded."values", opened_at = excluded.opened_at, closed_at = NULL;
    RETURN jsonb_build_object('status', 'Accepted');
END;
$$;

-- cs.v21_close_periodic_event_stream(st, payload): closes the station's cs.event_stream id (an
-- unknown one is kept in cs.review). Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_close_periodic_event_stream(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE cs.event_stream AS e SET closed_at = now()
     WHERE e.station_id = st.id AND e.id = (payload->>'id')::integer AND e.closed_at IS NULL;
    IF NOT FOUND THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'ClosePeriodicEventStream', 'unknown event stream', payload);
    END IF;
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v21_notify_periodic_event_stream(st, payload): a cs.event_stream_data row (id, basetime,
-- pending, data as sent), whether or not the stream was opened. Returns {} (a SEND: the front end
-- discards it). Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_notify_periodic_event_stream(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.event_stream_data (station_id, stream_id, basetime, pending, data)
    VALUES (st.id, (payload->>'id')::integer, (payload->>'basetime')::timestamptz,
            (payload->>'pending')::integer, payload->'data');
    RETURN '{}'::jsonb;
END;
$$;
