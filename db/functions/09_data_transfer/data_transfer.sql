-- cs.answer_data_transfer(st, payload, version): answers a DataTransfer of any version and stores it in
-- cs.data_transfer (data: a string as sent, anything else as its JSON text). The
-- cs.data_transfer_handler row of the vendorId and messageId (or, failing that, the vendor's row with
-- message_id null) names a function f(identity text, payload jsonb) returns jsonb whose result is the
-- reply: its status, its data (1.6: a non-string data is sent as its JSON text; 2.x: data has any
-- type) and, in 2.x, its statusInfo. No row for the vendor: status from setting
-- data_transfer.unknown_vendor; rows for the vendor but none for the message: UnknownMessageId.
-- Returns {"status", "data"?, "statusInfo"?}. Raises OC003 when the handler's result has no valid
-- status, and whatever the handler raises.
CREATE OR REPLACE FUNCTION cs.answer_data_transfer(st cs.station, payload jsonb, version text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    vendor       text := payload->>'vendorId';
    message      text := payload->>'messageId';
    v16          boolean := version = '1.6';
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
        IF jsonb_typeof(result->'data') = 'string' THEN
            reply := reply || jsonb_build_object('data', result->>'data');
        ELSIF result->'data' IS NOT NULL AND result->'data' <> 'null'::jsonb THEN
            reply := reply || jsonb_build_object('data', CASE WHEN v16 THEN to_jsonb((result->'data')::text)
                                                              ELSE result->'data' END);
        END IF;
        IF NOT v16 AND jsonb_typeof(result->'statusInfo') = 'object' THEN
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

-- cs.v16_data_transfer(st, payload): a 1.6 DataTransfer, answered by cs.answer_data_transfer.
CREATE OR REPLACE FUNCTION cs.v16_data_transfer(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$ BEGIN RETURN cs.answer_data_transfer(st, payload, '1.6'); END $$;
