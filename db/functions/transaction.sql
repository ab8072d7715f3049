-- cs.v16_start_transaction(st, payload): opens a transaction (id from the identity sequence) whatever
-- the idTag's status, and consumes the Accepted reservation named by reservationId (status Used; one
-- whose expiry is before the start's timestamp becomes Expired instead and is not linked).
-- With setting transaction.dedupe_start, a retried StartTransaction (same station, connector, idTag,
-- timestamp and meterStart) opens nothing and gets the transaction opened before.
-- Returns {"idTagInfo", "transactionId"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_start_transaction(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    evse        integer := (payload->>'connectorId')::integer;
    connector   integer := CASE WHEN evse = 0 THEN 0 ELSE 1 END;
    tag         text := payload->>'idTag';
    start_meter bigint := (payload->>'meterStart')::bigint;
    start_time  timestamptz := (payload->>'timestamp')::timestamptz;
    tx_id       integer;
    reservation integer;
    info        jsonb;
BEGIN
    IF (cs.setting('transaction.dedupe_start'))::boolean THEN
        SELECT t.id INTO tx_id
          FROM cs.transaction AS t
         WHERE t.station_id = st.id AND t.started_at = start_time
           AND t.evse_id = evse AND t.connector_id = connector
           AND t.id_tag = tag AND t.meter_start = start_meter
         ORDER BY t.id
         LIMIT 1;
        IF FOUND THEN
            RETURN jsonb_build_object('idTagInfo', cs.id_tag_info(tag, true, tx_id), 'transactionId', tx_id);
        END IF;
    END IF;

    info := cs.id_tag_info(tag, true);

    IF payload ? 'reservationId' THEN
        -- a reservation past its expiry is not consumed: it expired before this start
        UPDATE cs.reservation AS r
           SET status = CASE WHEN r.expiry_date >= start_time THEN 'Used' ELSE 'Expired' END
         WHERE r.id = (payload->>'reservationId')::integer AND r.station_id = st.id AND r.status = 'Accepted'
        RETURNING CASE WHEN r.status = 'Used' THEN r.id END INTO reservation;
    END IF;

    INSERT INTO cs.transaction AS t (station_id, evse_id, connector_id, id_tag, id_tag_status,
                                     meter_start, started_at, reservation_id)
    VALUES (st.id, evse, connector, tag, info->>'status',
            start_meter, start_time, reservation)
    RETURNING t.id INTO tx_id;
    -- a RemoteStartTransaction the station accepted moments ago is what started it
    PERFORM cs.link_remote_start(tx_id);

    RETURN jsonb_build_object('idTagInfo', info, 'transactionId', tx_id);
END;
$$;

-- cs.v16_stop_transaction(st, payload): closes the station's running transaction transactionId with
-- meterStop, timestamp, reason (Local when absent, as 1.6 says) and idTag, and stores transactionData
-- as meter values. An unknown transactionId (or one of another station), or a transaction already
-- stopped with other values, is acknowledged and kept in cs.review; an identical retry changes nothing.
-- Returns {"idTagInfo"} when idTag is given (no ConcurrentTx check), else {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_stop_transaction(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    tx_id      integer := (payload->>'transactionId')::integer;
    stop_meter bigint := (payload->>'meterStop')::bigint;
    stop_time  timestamptz := (payload->>'timestamp')::timestamptz;
    tag        text := payload->>'idTag';
    tx         cs.transaction;
BEGIN
    UPDATE cs.transaction AS t
       SET meter_stop = stop_meter,
           stopped_at = stop_time,
           stop_reason = coalesce(payload->>'reason', 'Local'),
           stop_id_tag = tag,
           updated_at = now()
     WHERE t.id = tx_id AND t.station_id = st.id AND t.stopped_at IS NULL
    RETURNING * INTO tx;

    IF FOUND THEN
        -- a ChangeAvailability the station answered Scheduled takes effect now
        PERFORM cs.apply_scheduled_availability(st.id, tx.evse_id);
        IF jsonb_typeof(payload->'transactionData') = 'array' THEN
            PERFORM cs.v16_insert_meter_values(st.id, tx.evse_id, tx.connector_id, tx.id,
                                               payload->'transactionData');
        END IF;
    ELSE
        SELECT * INTO tx FROM cs.transaction AS t WHERE t.id = tx_id AND t.station_id = st.id;
        IF NOT FOUND THEN
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'StopTransaction', 'unknown transactionId', payload);
        ELSIF tx.stopped_at IS DISTINCT FROM stop_time
              OR tx.meter_stop IS DISTINCT FROM stop_meter THEN
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'StopTransaction', 'transaction already stopped', payload);
        END IF;
    END IF;

    IF tag IS NULL THEN
        RETURN '{}'::jsonb;
    END IF;
    RETURN jsonb_build_object('idTagInfo', cs.id_tag_info(tag, false));
END;
$$;
