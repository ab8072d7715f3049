-- cs.raise_ocpp(code, message, detail): raises an error with SQLSTATE `code` (an OC00x code from
-- docs/sql-api.md), MESSAGE `message` (sent to the station) and DETAIL `detail` (when not null).
-- Returns nothing; always raises `code`.
CREATE OR REPLACE FUNCTION cs.raise_ocpp(code text, message text, detail text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    -- RAISE refuses null options, so DETAIL is only given when there is one
    IF detail IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
    END IF;
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message, DETAIL = detail;
END;
$$;
