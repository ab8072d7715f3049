-- cs.ocpp_time(ts): the OCPP date-time text of ts, in UTC with milliseconds and a trailing Z
-- (2024-05-01T12:00:00.000Z); null for null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.ocpp_time(ts timestamptz)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
END;
$$;
