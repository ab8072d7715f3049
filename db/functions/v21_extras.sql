-- The station-initiated messages new in OCPP 2.1 (the others are answered by the 2.0.1 handlers):
-- BatterySwap, OpenPeriodicEventStream, ClosePeriodicEventStream, NotifyPeriodicEventStream (a SEND),
-- NotifyDERAlarm, NotifyDERStartStop, NotifyPriorityCharging, NotifySettlement.
-- GetCertificateChainStatus, PullDynamicScheduleUpdate and VatNumberValidation are hooks
-- (cs.v201_service_request), ReportDERControl a report part (cs.v201_report_part).
-- docs/v201.md, "OCPP 2.1".

-- cs.v21_battery_swap(st, payload): a cs.battery_swap row (eventType, requestId, idToken,
-- batteryData). Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_battery_swap(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    INSERT INTO cs.battery_swap (station_id, event_type, request_id, id_token, battery_data)
    VALUES (st.id, payload->>'eventType', (payload->>'requestId')::integer, payload->'idToken',
            payload->'batteryData');
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v21_open_periodic_event_stream(st, payload): the cs.event_stream of constantStreamData.id,
-- opened (again: a reopened stream loses its closed_at) with its monitor, interval and values.
-- Returns {"status": "Accepted"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_open_periodic_event_stream(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
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
SET search_path = cs, pg_temp
AS $$
BEGIN
    INSERT INTO cs.event_stream_data (station_id, stream_id, basetime, pending, data)
    VALUES (st.id, (payload->>'id')::integer, (payload->>'basetime')::timestamptz,
            (payload->>'pending')::integer, payload->'data');
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v21_der_notification(st, kind, payload): NotifyDERAlarm (kind Alarm) and NotifyDERStartStop
-- (StartStop): a cs.der_notification row with the station's timestamp and the payload as sent.
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_der_notification(st cs.station, kind text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    INSERT INTO cs.der_notification (station_id, kind, occurred_at, payload)
    VALUES (st.id, kind, (payload->>'timestamp')::timestamptz, payload);
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v21_notify_priority_charging(st, payload): sets priority_charging (activated) on the station's
-- transaction transactionId; an unknown transaction is kept in cs.review. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_notify_priority_charging(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    UPDATE cs.transaction AS t
       SET priority_charging = (payload->>'activated')::boolean, updated_at = now()
     WHERE t.station_id = st.id AND t.transaction_ref = payload->>'transactionId';
    IF NOT FOUND THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'NotifyPriorityCharging', 'unknown transactionId', payload);
    END IF;
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v21_notify_settlement(st, payload): a cs.settlement row (pspRef, status, statusInfo,
-- settlementAmount, settlementTime, receipt, VAT data), linked to the station's transaction
-- transactionId when known. The reply: the cs.action_handler of NotifySettlement when there is one
-- (e.g. to issue a receipt: {"receiptUrl", "receiptId"}), else {}. Returns the reply. Raises what
-- cs.call_action_handler raises.
CREATE OR REPLACE FUNCTION cs.v21_notify_settlement(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    reply jsonb := coalesce(cs.call_action_handler(st, 'NotifySettlement', payload), '{}'::jsonb);
BEGIN
    INSERT INTO cs.settlement (station_id, transaction_id, transaction_ref, psp_ref, status, status_info,
                               amount, settled_at, receipt_id, receipt_url, vat_number, vat_company, reply)
    VALUES (st.id,
            (SELECT t.id FROM cs.transaction AS t
              WHERE t.station_id = st.id AND t.transaction_ref = payload->>'transactionId'),
            payload->>'transactionId', payload->>'pspRef', payload->>'status', payload->>'statusInfo',
            (payload->>'settlementAmount')::numeric, (payload->>'settlementTime')::timestamptz,
            coalesce(reply->>'receiptId', payload->>'receiptId'),
            coalesce(reply->>'receiptUrl', payload->>'receiptUrl'),
            payload->>'vatNumber', payload->'vatCompany', reply);
    RETURN reply;
END;
$$;
