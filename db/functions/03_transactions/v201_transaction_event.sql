-- OCPP 2.0.1 / 2.1 TransactionEvent: transactions kept in cs.transaction (transaction_ref: the
-- station's transactionId), one cs.transaction_event row per event. docs/v201.md, "Transactions".

-- cs.v201_stop_reason(trigger_reason): the stop reason of an Ended event that has no stoppedReason,
-- from its triggerReason: Deauthorized DeAuthorized; EVCommunicationLost and EVDeparted
-- EVDisconnected; RemoteStop and UnlockCommand Remote; EnergyLimitReached, TimeLimitReached as
-- named; EVConnectTimeout Timeout; ResetCommand ImmediateReset; AbnormalCondition Other; 2.1
-- SoCLimitReached SOCLimitReached; anything else (StopAuthorized included) Local, 2.0.1's meaning of
-- an absent stoppedReason. Returns the reason. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_stop_reason(trigger_reason text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE trigger_reason
               WHEN 'Deauthorized' THEN 'DeAuthorized'
               WHEN 'EVCommunicationLost' THEN 'EVDisconnected'
               WHEN 'EVDeparted' THEN 'EVDisconnected'
               WHEN 'RemoteStop' THEN 'Remote'
               WHEN 'UnlockCommand' THEN 'Remote'
               WHEN 'EnergyLimitReached' THEN 'EnergyLimitReached'
               WHEN 'TimeLimitReached' THEN 'TimeLimitReached'
               WHEN 'EVConnectTimeout' THEN 'Timeout'
               WHEN 'ResetCommand' THEN 'ImmediateReset'
               WHEN 'AbnormalCondition' THEN 'Other'
               WHEN 'SoCLimitReached' THEN 'SOCLimitReached'
               ELSE 'Local'
           END
$$;

-- cs.v201_link_remote_start(transaction_id, remote_start_id): links the transaction to the station's
-- RequestStartTransaction command of that remoteStartId (sent or answered, not answered Rejected, not
-- linked to another transaction; the newest), setting cs.transaction.remote_start_command. Returns
-- the command id, or null when there is none. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_link_remote_start(transaction_id integer, remote_start_id integer)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    tx     cs.transaction;
    cmd_id bigint;
BEGIN
    SELECT * INTO tx FROM cs.transaction AS t WHERE t.id = v201_link_remote_start.transaction_id;
    IF NOT FOUND OR tx.remote_start_command IS NOT NULL OR remote_start_id IS NULL THEN
        RETURN tx.remote_start_command;
    END IF;
    -- the station may send its TransactionEvent before its answer is recorded: sent counts too
    SELECT c.id INTO cmd_id
      FROM cs.command AS c
     WHERE c.station_id = tx.station_id AND c.action = 'RequestStartTransaction'
       AND c.payload->>'remoteStartId' = remote_start_id::text
       AND c.status IN ('sent', 'answered')
       AND c.response->>'status' IS DISTINCT FROM 'Rejected'
       AND NOT EXISTS (SELECT FROM cs.transaction AS o WHERE o.remote_start_command = c.id)
     ORDER BY c.id DESC
     LIMIT 1;
    IF FOUND THEN
        UPDATE cs.transaction AS t SET remote_start_command = cmd_id WHERE t.id = tx.id;
    END IF;
    RETURN cmd_id;
END;
$$;

-- cs.v201_transaction_event(st, payload): one TransactionEvent.
--   The transaction: the station's cs.transaction of transactionInfo.transactionId, created by the
--   first event seen for it whatever its type (a Started lost while offline: the first event's
--   timestamp is the start; a review row 'Started event missing'). Events serialize on its row.
--   A retransmission (same transactionId, seqNo and payload) changes nothing and gets the answer
--   given before. A repeated seqNo with other content is an event of its own, stored and applied
--   like any other (meter values, Ended), with a review row 'duplicate seqNo with other content'.
--   seqNo: the highest is kept in seq_no; a jump adds the missing numbers to seq_gaps, a late event
--   below the highest takes one off (a repeated seqNo neither); an Ended transaction with seq_gaps
--   left gets a review row.
--   evse / connector: set when the transaction has none yet; one the station never reported
--   (cs.evse, cs.connector) is recorded in cs.evse and kept in cs.review ('unknown EVSE', 'unknown
--   connector'), never refused; another EVSE than the transaction's goes to cs.review.
--   idToken: answered with idTokenInfo (cs.v201_id_token_info at the transaction's EVSE; ConcurrentTx
--   checked when the token is new to the transaction); the token of an Ended event or of triggerReason
--   StopAuthorized is the stop token (stop_id_tag), any other becomes the transaction's token (id_tag,
--   id_token_type, id_tag_status: a change mid-transaction; the history is in cs.transaction_event).
--   transactionInfo: chargingState, timeSpentCharging, remoteStartId (linked to its
--   RequestStartTransaction, cs.v201_link_remote_start); reservationId consumes the station's Accepted
--   reservation (Used); offline sticks.
--   meterValue: cs.meter_value rows (transaction_id = cs.transaction.id); meter_start from the
--   Energy.Active.Import.Register of context Transaction.Begin, else the first register value seen;
--   Ended: stopped_at = timestamp, stopped_reason as sent, stop_reason = stoppedReason or
--   cs.v201_stop_reason(triggerReason), meter_stop from the register (Transaction.End, else the last
--   one of the event, else the last stored), then cs.apply_scheduled_availability for its EVSE. An
--   Ended event for a transaction the central system closed (closed_by) ends it again with the
--   station's values (a review row); one for a transaction the station already ended at another
--   time goes to cs.review.
-- The cost: cs.tariff_transaction_event (docs/tariffs.md), which adds totalCost to the answer.
-- Returns {} or {"idTokenInfo"} when idToken is given, with "totalCost" of a priced transaction on
-- Ended (2.1: also on Updated). Raises OC007 for a negative EVSE or connector id.
CREATE OR REPLACE FUNCTION cs.v201_transaction_event(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    info        jsonb := payload->'transactionInfo';
    ref         text := payload#>>'{transactionInfo,transactionId}';
    event_type  text := payload->>'eventType';
    event_at    timestamptz := (payload->>'timestamp')::timestamptz;
    trigger     text := payload->>'triggerReason';
    seq         integer := (payload->>'seqNo')::integer;
    is_offline  boolean := coalesce((payload->>'offline')::boolean, false);
    evse        integer := (payload#>>'{evse,id}')::integer;
    connector   integer := (payload#>>'{evse,connectorId}')::integer;
    token       jsonb := payload->'idToken';
    tag         text := payload#>>'{idToken,idToken}';
    is_stop_tag boolean := payload->>'eventType' = 'Ended' OR payload->>'triggerReason' = 'StopAuthorized';
    tx          cs.transaction;
    created     boolean;
    previous    cs.transaction_event;
    id_info     jsonb;
    reply       jsonb := '{}'::jsonb;
    upserted    record;
    begin_wh    bigint;
    end_wh      bigint;
    first_wh    bigint;
    last_wh     bigint;
    reservation integer;
    repeated    boolean := false;
BEGIN
    IF evse < 0 OR connector < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid evse', format('evse id %s, connectorId %s', evse, connector));
    END IF;

    -- find or create the transaction, and lock it: events of one transaction serialize here
    INSERT INTO cs.transaction AS t (station_id, transaction_ref, evse_id, connector_id, started_at,
                                     offline, seq_no, last_event_at)
    VALUES (st.id, ref, coalesce(evse, 0), coalesce(connector, 0), event_at, is_offline, seq, event_at)
    ON CONFLICT (station_id, transaction_ref) WHERE transaction_ref IS NOT NULL
    DO UPDATE SET updated_at = now()
    RETURNING t AS row, (t.xmax = 0) AS inserted INTO upserted;
    tx := upserted.row;
    created := upserted.inserted;

    IF NOT created THEN
        SELECT * INTO previous FROM cs.transaction_event AS e
         WHERE e.station_id = st.id AND e.transaction_ref = ref AND e.seq_no = seq AND e.payload = v201_transaction_event.payload
         ORDER BY e.id
         LIMIT 1;
        IF FOUND THEN
            RETURN previous.reply;   -- a retransmission
        END IF;
        -- stations that repeat a seqNo send real data with it: keep the event, and tell a person
        repeated := EXISTS (SELECT FROM cs.transaction_event AS e
                             WHERE e.station_id = st.id AND e.transaction_ref = ref AND e.seq_no = seq);
        IF repeated THEN
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'TransactionEvent', 'duplicate seqNo with other content', payload);
        END IF;
    ELSIF event_type <> 'Started' THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'TransactionEvent', 'Started event missing', payload);
    END IF;

    -- EVSE and connector as the station reported them
    IF evse IS NOT NULL THEN
        IF evse > 0 AND NOT EXISTS (SELECT FROM cs.evse AS e WHERE e.station_id = st.id AND e.evse_id = evse) THEN
            INSERT INTO cs.evse (station_id, evse_id) VALUES (st.id, evse) ON CONFLICT DO NOTHING;
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'TransactionEvent', 'unknown EVSE', payload);
        ELSIF connector IS NOT NULL
              AND NOT EXISTS (SELECT FROM cs.connector AS k WHERE k.station_id = st.id
                                 AND k.evse_id = evse AND k.connector_id = connector) THEN
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'TransactionEvent', 'unknown connector', payload);
        END IF;
        IF NOT created AND tx.evse_id > 0 AND tx.evse_id <> evse THEN
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'TransactionEvent', 'EVSE changed in transaction', payload);
        END IF;
        IF tx.evse_id = 0 THEN
            tx.evse_id := evse;
        END IF;
        IF tx.connector_id = 0 AND tx.evse_id = evse THEN
            tx.connector_id := coalesce(connector, 0);
        END IF;
    END IF;

    -- the idToken: answered, and the transaction's token or its stop token
    IF token IS NOT NULL THEN
        id_info := cs.v201_id_token_info(token, NOT is_stop_tag AND tag IS DISTINCT FROM tx.id_tag, tx.id,
                                         nullif(tx.evse_id, 0));
        reply := jsonb_build_object('idTokenInfo', id_info);
        IF is_stop_tag THEN
            tx.stop_id_tag := tag;
        ELSE
            tx.id_tag := tag;
            tx.id_token_type := token->>'type';
            tx.id_tag_status := id_info->>'status';
        END IF;
        -- a transaction started and stopped in one event (or whose start lost its token)
        IF tx.id_tag IS NULL THEN
            tx.id_tag := tag;
            tx.id_token_type := token->>'type';
            tx.id_tag_status := id_info->>'status';
        END IF;
    END IF;

    -- seqNo bookkeeping
    IF NOT created AND NOT repeated THEN
        IF seq > tx.seq_no + 1 THEN
            tx.seq_gaps := tx.seq_gaps + (seq - tx.seq_no - 1);
        ELSIF seq < tx.seq_no AND tx.seq_gaps > 0 THEN
            tx.seq_gaps := tx.seq_gaps - 1;   -- a late event fills a gap
        END IF;
        tx.seq_no := greatest(tx.seq_no, seq);
    END IF;
    -- a Started event arriving after later ones (sent offline) knows the real start
    IF NOT created AND event_type = 'Started' THEN
        tx.started_at := least(tx.started_at, event_at);
    END IF;

    IF payload ? 'reservationId' AND tx.reservation_id IS NULL THEN
        UPDATE cs.reservation AS r
           SET status = CASE WHEN r.expiry_date >= event_at THEN 'Used' ELSE 'Expired' END,
               status_at = now()
         WHERE r.id = (payload->>'reservationId')::integer AND r.station_id = st.id AND r.status = 'Accepted'
        RETURNING CASE WHEN r.status = 'Used' THEN r.id END INTO reservation;
        tx.reservation_id := reservation;
    END IF;

    IF jsonb_typeof(payload->'meterValue') = 'array' THEN
        SELECT m.begin_wh, m.end_wh, m.first_wh, m.last_wh INTO begin_wh, end_wh, first_wh, last_wh
          FROM cs.v201_insert_meter_values(st.id, tx.evse_id, tx.connector_id, tx.id,
                                           payload->'meterValue') AS m;
        IF begin_wh IS NOT NULL THEN
            tx.meter_start := begin_wh;
        ELSIF tx.meter_start IS NULL THEN
            tx.meter_start := first_wh;
        END IF;
    END IF;

    IF event_type = 'Ended' THEN
        IF tx.stopped_at IS NOT NULL AND tx.closed_by IS NULL THEN
            IF tx.stopped_at IS DISTINCT FROM event_at THEN
                INSERT INTO cs.review (station_id, action, reason, payload)
                VALUES (st.id, 'TransactionEvent', 'transaction already stopped', payload);
            END IF;
        ELSE
            IF tx.closed_by IS NOT NULL THEN
                INSERT INTO cs.review (station_id, action, reason, payload)
                VALUES (st.id, 'TransactionEvent',
                        format('transaction closed by %s, then ended by the station', tx.closed_by), payload);
            END IF;
            tx.closed_by := NULL;
            tx.closed_by_user := NULL;
            tx.stopped_at := event_at;
            tx.stopped_reason := info->>'stoppedReason';
            tx.stop_reason := coalesce(info->>'stoppedReason', cs.v201_stop_reason(trigger));
            tx.meter_stop := coalesce(end_wh, last_wh, cs.transaction_register_wh(tx.id));
        END IF;
    END IF;

    UPDATE cs.transaction AS t
       SET evse_id = tx.evse_id,
           connector_id = tx.connector_id,
           id_tag = tx.id_tag,
           id_token_type = tx.id_token_type,
           id_tag_status = tx.id_tag_status,
           stop_id_tag = tx.stop_id_tag,
           started_at = tx.started_at,
           meter_start = tx.meter_start,
           meter_stop = tx.meter_stop,
           stopped_at = tx.stopped_at,
           stopped_reason = tx.stopped_reason,
           stop_reason = tx.stop_reason,
           closed_by = tx.closed_by,
           closed_by_user = tx.closed_by_user,
           reservation_id = tx.reservation_id,
           charging_state = coalesce(info->>'chargingState', t.charging_state),
           time_spent_charging = coalesce((info->>'timeSpentCharging')::integer, t.time_spent_charging),
           remote_start_id = coalesce((info->>'remoteStartId')::integer, t.remote_start_id),
           trigger_reason = trigger,
           offline = t.offline OR is_offline,
           seq_no = tx.seq_no,
           seq_gaps = tx.seq_gaps,
           last_event_at = greatest(t.last_event_at, event_at),
           updated_at = now()
     WHERE t.id = tx.id;

    reply := reply || cs.tariff_transaction_event(st, tx.id, event_type);  -- cost, totalCost (docs/tariffs.md)

    IF info ? 'remoteStartId' AND tx.remote_start_command IS NULL THEN
        PERFORM cs.v201_link_remote_start(tx.id, (info->>'remoteStartId')::integer);
    END IF;

    INSERT INTO cs.transaction_event (station_id, transaction_id, transaction_ref, event_type, "timestamp",
                                      trigger_reason, seq_no, offline, number_of_phases_used,
                                      cable_max_current, reservation_id, transaction_info, id_token,
                                      evse, payload, reply)
    VALUES (st.id, tx.id, ref, event_type, event_at, trigger, seq, is_offline,
            (payload->>'numberOfPhasesUsed')::integer, (payload->>'cableMaxCurrent')::integer,
            (payload->>'reservationId')::integer, info, token, payload->'evse', payload, reply);

    IF event_type = 'Ended' THEN
        IF tx.seq_gaps > 0 THEN
            INSERT INTO cs.review (station_id, action, reason, payload)
            VALUES (st.id, 'TransactionEvent',
                    format('transaction ended with %s missing events', tx.seq_gaps), payload);
        END IF;
        -- a ChangeAvailability the station answered Scheduled takes effect now
        PERFORM cs.apply_scheduled_availability(st.id, tx.evse_id);
    END IF;
    PERFORM cs.site_rebalance_station(st.id);  -- site load balancing (db/functions/15_sites)
    RETURN reply;
END;
$$;
