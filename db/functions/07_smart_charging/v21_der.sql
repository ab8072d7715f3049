-- OCPP 2.1 NotifyDERAlarm and NotifyDERStartStop (ReportDERControl is a report part,
-- cs.v201_report_part). docs/v201.md, "OCPP 2.1".

-- cs.v21_der_notification(st, kind, payload): NotifyDERAlarm (kind Alarm) and NotifyDERStartStop
-- (StartStop): a cs.der_notification row with the station's timestamp and the payload as sent.
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_der_notification(st cs.station, kind text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.der_notification (station_id, kind, occurred_at, payload)
    VALUES (st.id, kind, (payload->>'timestamp')::timestamptz, payload);
    RETURN '{}'::jsonb;
END;
$$;
