-- What the web UI's live views listen to (docs/webui.md): the triggers that wake them.
--   NOTIFY ocpp_log, payload the highest cs.message_log id of the statement: one per batch the front
--   end writes, so a listener reads the new rows with ocpp.api_message_log_after.
--   NOTIFY ocpp_station, payload a station identity: the station connected or disconnected, booted,
--   changed registration, a connector's or EVSE's status changed, or a transaction started or stopped.
--   Heartbeats and meter values do not notify. PostgreSQL folds equal payloads of one transaction.

CREATE FUNCTION cs.notify_message_log()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    PERFORM pg_notify('ocpp_log', (SELECT max(n.id)::text FROM new_rows AS n));
    RETURN NULL;
END;
$$;

CREATE TRIGGER message_log_notify AFTER INSERT ON cs.message_log
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cs.notify_message_log();

-- Rows of cs.station carry id and identity; the other tables station_id.
CREATE FUNCTION cs.notify_station()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
DECLARE
    r record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_TABLE_NAME = 'station' THEN
        PERFORM pg_notify('ocpp_station', r.identity);
    ELSE
        PERFORM pg_notify('ocpp_station', s.identity) FROM cs.station AS s WHERE s.id = r.station_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER station_notify AFTER INSERT OR DELETE ON cs.station
    FOR EACH ROW EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER station_boot_notify AFTER UPDATE ON cs.station
    FOR EACH ROW WHEN (OLD.booted_at IS DISTINCT FROM NEW.booted_at
                       OR OLD.registration_status IS DISTINCT FROM NEW.registration_status)
    EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER connection_notify AFTER INSERT OR DELETE OR UPDATE ON cs.connection
    FOR EACH ROW EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER connector_notify AFTER INSERT ON cs.connector
    FOR EACH ROW EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER connector_status_notify AFTER UPDATE ON cs.connector
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.error_code IS DISTINCT FROM NEW.error_code)
    EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER evse_notify AFTER INSERT ON cs.evse
    FOR EACH ROW EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER evse_status_notify AFTER UPDATE ON cs.evse
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER transaction_notify AFTER INSERT ON cs.transaction
    FOR EACH ROW EXECUTE FUNCTION cs.notify_station();
CREATE TRIGGER transaction_stop_notify AFTER UPDATE ON cs.transaction
    FOR EACH ROW WHEN (OLD.stopped_at IS DISTINCT FROM NEW.stopped_at)
    EXECUTE FUNCTION cs.notify_station();
