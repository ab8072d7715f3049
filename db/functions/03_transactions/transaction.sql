-- cs.v16_start_transaction(st, payload): opens a transaction (id from the identity sequence) whatever
-- the idTag's status, and consumes the Accepted reservation named by reservationId (status Used; one
-- whose expiry is before the start's timestamp becomes Expired instead and is not linked).
-- With setting transaction.dedupe_start, a retried StartTransaction (same station, connector, idTag,
-- timestamp and meterStart) opens nothing and gets the transaction opened before.
-- Returns {"idTagInfo", "transactionId"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_start_transaction(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
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
    PERFORM cs.site_rebalance_station(st.id);  -- site load balancing (db/functions/15_sites)

    RETURN jsonb_build_object('idTagInfo', info, 'transactionId', tx_id);
END;
$$;

-- cs.v16_stop_transaction(st, payload): closes the station's running transaction transactionId with
-- meterStop, timestamp, reason (Local when absent, as 1.6 says) and idTag, stores transactionData as
-- meter values, then its cost (cs.tariff_transaction_stopped). A transaction the central system
-- closed (closed_by: a rule or an operator) is stopped again with the station's values, which know
-- better, and a cs.review row says so. An unknown transactionId (or one of another station), or a
-- transaction the station already stopped with other values, is acknowledged and kept in cs.review;
-- an identical retry changes nothing.
-- Returns {"idTagInfo"} when idTag is given (no ConcurrentTx check), else {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_stop_transaction(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    tx_id      integer := (payload->>'transactionId')::integer;
    stop_meter bigint := (payload->>'meterStop')::bigint;
    stop_time  timestamptz := (payload->>'timestamp')::timestamptz;
    tag        text := payload->>'idTag';
    tx         cs.transaction;
BEGIN
    SELECT * INTO tx FROM cs.transaction AS t WHERE t.id = tx_id AND t.station_id = st.id FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'StopTransaction', 'unknown transactionId', payload);
    ELSIF tx.stopped_at IS NULL OR tx.closed_by IS NOT NULL THEN
        IF tx.closed_by IS NOT NULL THEN
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'StopTransaction',
                    format('transaction closed by %s, then stopped by the station', tx.closed_by), payload);
        END IF;
        UPDATE cs.transaction AS t
           SET meter_stop = stop_meter,
               stopped_at = stop_time,
               stop_reason = coalesce(payload->>'reason', 'Local'),
               stop_id_tag = tag,
               closed_by = NULL,
               closed_by_user = NULL,
               updated_at = now()
         WHERE t.id = tx.id
        RETURNING * INTO tx;
        -- a ChangeAvailability the station answered Scheduled takes effect now
        PERFORM cs.apply_scheduled_availability(st.id, tx.evse_id);
        IF jsonb_typeof(payload->'transactionData') = 'array' THEN
            PERFORM cs.v16_insert_meter_values(st.id, tx.evse_id, tx.connector_id, tx.id,
                                               payload->'transactionData');
        END IF;
        PERFORM cs.tariff_transaction_stopped(tx);  -- its cost (docs/tariffs.md)
    ELSIF tx.stopped_at IS DISTINCT FROM stop_time OR tx.meter_stop IS DISTINCT FROM stop_meter THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'StopTransaction', 'transaction already stopped', payload);
    END IF;
    PERFORM cs.site_rebalance_station(st.id);  -- site load balancing (db/functions/15_sites)

    IF tag IS NULL THEN
        RETURN '{}'::jsonb;
    END IF;
    RETURN jsonb_build_object('idTagInfo', cs.id_tag_info(tag, false));
END;
$$;

-- Transactions the station never stopped (docs/sql-api.md) ------------------------------------------

-- cs.transaction_register_wh(transaction_id): the last Energy.Active.Import.Register value (no phase;
-- Wh, kWh and MWh in Wh) stored for the transaction, of either version. Returns Wh, or null when
-- there is none. Raises nothing.
CREATE OR REPLACE FUNCTION cs.transaction_register_wh(transaction_id integer)
RETURNS bigint
LANGUAGE sql
STABLE
AS $$
    SELECT round(m.numeric_value * CASE m.unit WHEN 'kWh' THEN 1000 WHEN 'MWh' THEN 1000000 ELSE 1 END)::bigint
      FROM cs.meter_value AS m
     WHERE m.transaction_id = transaction_register_wh.transaction_id
       AND m.measurand = 'Energy.Active.Import.Register'
       AND m.phase IS NULL AND m.unit IN ('Wh', 'kWh', 'MWh') AND abs(m.numeric_value) < 1e15
     ORDER BY m.sampled_at DESC, m.id DESC
     LIMIT 1
$$;

-- cs.idle_connector_status(tx): the status of the transaction's connector when it says no
-- transaction runs there: Available, Reserved or Unavailable, reported at or after the start
-- (cs.connector.status_at >= started_at). Null otherwise, also for a transaction whose EVSE or
-- connector is not known yet (0) and for Faulted (a fault may pass within a session). Raises nothing.
CREATE OR REPLACE FUNCTION cs.idle_connector_status(tx cs.transaction)
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT k.status
      FROM cs.connector AS k
     WHERE k.station_id = tx.station_id AND k.evse_id = tx.evse_id AND k.connector_id = tx.connector_id
       AND tx.evse_id > 0 AND tx.connector_id > 0
       AND k.status IN ('Available', 'Reserved', 'Unavailable')
       AND k.status_at >= tx.started_at
$$;

-- cs.close_transaction(tx, reason, closed_by, stop_at, meter_stop): closes the open transaction tx for
-- a station that did not: stopped_at stop_at (not before the start), stop_reason reason, meter_stop
-- the given one, else the last register value stored for it (cs.transaction_register_wh), else
-- meter_start; closed_by (BootNotification, StatusNotification or operator; closed_by_user for
-- operator: who, as cs.command_creator names a command's sender: the API token's name, else the
-- database role). Then a ChangeAvailability answered Scheduled takes effect, and a priced
-- transaction gets its final cost (cs.transaction_cost_store). A 2.0.1
-- transaction's stopped_reason stays what the station sent (nothing). Returns the updated row.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.close_transaction(tx cs.transaction, reason text, closed_by text,
                                                stop_at timestamptz, meter_stop bigint DEFAULT NULL)
RETURNS cs.transaction
LANGUAGE plpgsql
AS $$
DECLARE
    closed cs.transaction;
BEGIN
    UPDATE cs.transaction AS t
       SET stopped_at = greatest(t.started_at, stop_at),
           stop_reason = reason,
           meter_stop = coalesce(close_transaction.meter_stop, cs.transaction_register_wh(t.id), t.meter_start),
           closed_by = close_transaction.closed_by,
           closed_by_user = CASE WHEN close_transaction.closed_by = 'operator' THEN cs.command_creator() END,
           updated_at = now()
     WHERE t.id = tx.id AND t.stopped_at IS NULL
    RETURNING * INTO closed;
    IF FOUND THEN
        PERFORM cs.apply_scheduled_availability(closed.station_id, closed.evse_id);
        PERFORM cs.transaction_cost_store(closed.id);  -- docs/tariffs.md
    END IF;
    RETURN closed;
END;
$$;

-- ocpp.close_transaction(id, reason, meter_stop, stopped_at): an operator stop of the open transaction
-- id (cs.transaction.id, the "id" of ocpp.transactionlist) whose station will not stop it:
-- cs.close_transaction with closed_by operator and closed_by_user who (cs.command_creator); reason one of
-- OCPP's stop reasons (1.6 Reason, 2.0.1 ReasonEnumType); meter_stop null: the last register value
-- stored, else meter_start; stopped_at null: now. A StopTransaction or Ended event the station sends
-- later replaces it. Returns the transaction as ocpp.transactionlist shows it. Raises OC010 for an
-- unknown transaction, OC007 for one already stopped, another reason, a negative meter_stop.
CREATE OR REPLACE FUNCTION ocpp.close_transaction(id bigint, reason text DEFAULT 'Other',
                                                  meter_stop bigint DEFAULT NULL,
                                                  stopped_at timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    tx cs.transaction;
BEGIN
    SELECT * INTO tx FROM cs.transaction AS t WHERE t.id = close_transaction.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown transaction', format('no transaction %s', close_transaction.id));
    END IF;
    IF tx.stopped_at IS NOT NULL THEN
        PERFORM cs.raise_ocpp('OC007', 'transaction already stopped',
                              format('transaction %s stopped at %s', tx.id, cs.ocpp_time(tx.stopped_at)));
    END IF;
    IF reason IS NULL OR reason NOT IN (
        -- 1.6 Reason and 2.0.1 ReasonEnumType
        'DeAuthorized', 'EmergencyStop', 'EnergyLimitReached', 'EVDisconnected', 'GroundFault', 'HardReset',
        'ImmediateReset', 'Local', 'LocalOutOfCredit', 'MasterPass', 'Other', 'OvercurrentFault', 'PowerLoss',
        'PowerQuality', 'Reboot', 'Remote', 'SoftReset', 'SOCLimitReached', 'StoppedByEV', 'TimeLimitReached',
        'Timeout', 'UnlockCommand') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid reason', format('%s is not an OCPP stop reason', reason));
    END IF;
    IF close_transaction.meter_stop < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid meter_stop', format('meter_stop %s is negative', close_transaction.meter_stop));
    END IF;
    tx := cs.close_transaction(tx, reason, 'operator', coalesce(close_transaction.stopped_at, now()),
                               close_transaction.meter_stop);
    RETURN cs.transaction_json(tx);
END;
$$;

-- ocpp.suspicious_transactions(older_than): the open transactions that look dead, each with the
-- reasons why (at least one):
--   'station disconnected': its station holds no connection (and is no SOAP station) and was last
--     seen more than older_than ago;
--   'station booted since the start': a BootNotification came after the start was received
--     (transaction.stop_on_boot off);
--   'no meter values for <older_than>': nothing was heard of it (start, meter value, event) for older_than;
--   'connector <status>': its connector reported Available, Reserved or Unavailable since the start
--     (cs.idle_connector_status; transaction.stop_on_available off, or Reserved / Unavailable).
-- Returns rows (transaction_id: cs.transaction.id, for ocpp.close_transaction) oldest first. Raises
-- OC007 for an older_than that is not positive.
CREATE OR REPLACE FUNCTION ocpp.suspicious_transactions(older_than interval DEFAULT '12 hours')
RETURNS TABLE (transaction_id integer, identity text, evse_id integer, connector_id integer, id_tag text,
               started_at timestamptz, last_heard_at timestamptz, reasons text[])
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF older_than IS NULL OR older_than <= interval '0' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid older_than', format('%s is not a positive interval', older_than));
    END IF;
    RETURN QUERY
    SELECT x.id, x.identity, x.evse_id, x.connector_id, x.id_tag, x.started_at, x.heard, x.why
      FROM (SELECT t.id, s.identity, t.evse_id, t.connector_id, t.id_tag, t.started_at, h.heard,
                   array_remove(ARRAY[
                       CASE WHEN s.soap_from IS NULL
                                 AND coalesce((SELECT p.last_seen FROM cs.station_presence AS p
                                                WHERE p.station_id = s.id), '-infinity') < now() - older_than
                                 AND NOT EXISTS (SELECT FROM cs.connection AS c WHERE c.station_id = s.id)
                            THEN 'station disconnected' END,
                       CASE WHEN s.booted_at > t.created_at THEN 'station booted since the start' END,
                       CASE WHEN h.heard < now() - older_than THEN 'no meter values for ' || older_than END,
                       'connector ' || cs.idle_connector_status(t)], NULL) AS why
              FROM cs.transaction AS t
              JOIN cs.station AS s ON s.id = t.station_id
             CROSS JOIN LATERAL (
                   SELECT greatest(t.created_at, t.updated_at,
                                   (SELECT max(m.received_at) FROM cs.meter_value AS m WHERE m.transaction_id = t.id))
                       AS heard) AS h
             WHERE t.stopped_at IS NULL) AS x
     WHERE cardinality(x.why) > 0
     ORDER BY x.started_at, x.id;
END;
$$;
