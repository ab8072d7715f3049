-- OCPP 2.0.1 / 2.1 customer information and display messages reported by the station:
-- NotifyCustomerInformation, NotifyDisplayMessages. docs/v201.md, "Customer information and display
-- messages".

-- cs.v201_notify_customer_information(st, payload): one NotifyCustomerInformation part, kept as sent
-- in cs.report_part (the data of a request: its parts' payload->>'data' in seqNo order).
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_notify_customer_information(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    RETURN cs.v201_report_part(st, 'NotifyCustomerInformation', payload, true);
END;
$$;

-- cs.v201_notify_display_messages(st, payload): one NotifyDisplayMessages part: a
-- cs.reported_display_message row per messageInfo, upserted on the message id (priority, state,
-- startDateTime, endDateTime, transactionId, message, display, requestId); the part in
-- cs.report_part. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_notify_display_messages(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.reported_display_message AS d (station_id, id, request_id, priority, state, start_at,
                                                  end_at, transaction_ref, message, display, updated_at)
    SELECT DISTINCT ON ((m->>'id')::integer)
           st.id, (m->>'id')::integer, (payload->>'requestId')::integer, m->>'priority', m->>'state',
           (m->>'startDateTime')::timestamptz, (m->>'endDateTime')::timestamptz, m->>'transactionId',
           m->'message', m->'display', now()
      FROM jsonb_array_elements(coalesce(payload->'messageInfo', '[]'::jsonb)) WITH ORDINALITY AS x (m, n)
     ORDER BY (m->>'id')::integer, x.n DESC
    ON CONFLICT ON CONSTRAINT reported_display_message_pkey DO UPDATE
       SET request_id = excluded.request_id, priority = excluded.priority, state = excluded.state,
           start_at = excluded.start_at, end_at = excluded.end_at,
           transaction_ref = excluded.transaction_ref, message = excluded.message,
           display = excluded.display, updated_at = excluded.updated_at;
    RETURN cs.v201_report_part(st, 'NotifyDisplayMessages', payload);
END;
$$;
