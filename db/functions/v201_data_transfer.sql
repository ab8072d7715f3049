-- OCPP 2.0.1 / 2.1 DataTransfer: the same handler table as 1.6. docs/v201.md, "DataTransfer".

-- cs.v201_data_transfer(st, payload): answers a DataTransfer and stores it in cs.data_transfer (data:
-- a string as sent, anything else as its JSON text). The cs.data_transfer_handler row of vendorId and
-- messageId (or the vendor's row with message_id null) names f(identity text, payload jsonb) returns
-- jsonb whose result is the reply: its status, and its data as any JSON (2.0.1 data has any type).
-- No row for the vendor: status from setting data_transfer.unknown_vendor; rows for the vendor but
-- none for the message: UnknownMessageId.
-- Returns {"status", "data"?}. Raises OC003 when the handler's result has no valid status, and
-- whatever the handler raises.
CREATE OR REPLACE FUNCTION cs.v201_data_transfer(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    vendor       text := payload->>'vendorId';
    message      text := payload->>'messageId';
    handler      regprocedure;
    handled      text;          -- message_id of the handler row found
    handler_call text;
    result       jsonb;
    reply        jsonb;
BEGIN
    SELECT h.handler, h.message_id INTO handler, handled
      FROM cs.data_transfer_handler AS h
     WHERE h.vendor_id = vendor
     ORDER BY h.message_id IS NOT DISTINCT FROM message DESC, h.message_id IS NULL DESC
     LIMIT 1;

    IF NOT FOUND THEN
        reply := jsonb_build_object('status', cs.setting('data_transfer.unknown_vendor') #>> '{}');
    ELSIF handled IS NOT NULL AND handled IS DISTINCT FROM message THEN
        reply := jsonb_build_object('status', 'UnknownMessageId');
    ELSE
        SELECT format('SELECT %I.%I($1, $2)', n.nspname, p.proname) INTO handler_call
          FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
         WHERE p.oid = handler;
        EXECUTE handler_call INTO result USING st.identity, payload;

        IF jsonb_typeof(result) IS DISTINCT FROM 'object'
           OR result->>'status' IS NULL
           OR result->>'status' NOT IN ('Accepted', 'Rejected', 'UnknownMessageId', 'UnknownVendorId') THEN
            PERFORM cs.raise_ocpp('OC003', 'internal error',
                                  format('DataTransfer handler %s returned %s', handler, result));
        END IF;
        reply := jsonb_build_object('status', result->>'status');
        IF result->'data' IS NOT NULL AND result->'data' <> 'null'::jsonb THEN
            reply := reply || jsonb_build_object('data', result->'data');
        END IF;
        IF jsonb_typeof(result->'statusInfo') = 'object' THEN
            reply := reply || jsonb_build_object('statusInfo', result->'statusInfo');
        END IF;
    END IF;

    INSERT INTO cs.data_transfer (station_id, vendor_id, message_id, data, status, reply)
    VALUES (st.id, vendor, message,
            CASE WHEN jsonb_typeof(payload->'data') = 'string' THEN payload->>'data'
                 ELSE (payload->'data')::text END,
            reply->>'status', reply);
    RETURN reply;
END;
$$;
