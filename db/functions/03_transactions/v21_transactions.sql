-- The station-initiated messages new in OCPP 2.1 that concern transactions: BatterySwap,
-- NotifyPriorityCharging, NotifySettlement. docs/v201.md, "OCPP 2.1".

-- cs.v21_battery_swap(st, payload): a cs.battery_swap row (eventType, requestId, idToken,
-- batteryData). Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_battery_swap(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.battery_swap (station_id, event_type, request_id, id_token, battery_data)
    VALUES (st.id, payload->>'eventType', (payload->>'requestId')::integer, payload->'idToken',
            payload->'batteryData');
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v21_notify_priority_charging(st, payload): sets priority_charging (activated) on the station's
-- transaction transactionId; an unknown transaction is kept in cs.review. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_notify_priority_charging(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
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
