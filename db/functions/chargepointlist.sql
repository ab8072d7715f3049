-- ocpp.chargepointlist(): every station, by identity: {"identity", "account", "version", "connected",
-- "node", "lastSeen", "registration", "boot" (the last BootNotification payload as sent, or null),
-- "connectors": [{"evseId", "connectorId", "status", "errorCode", "info", "vendorId",
-- "vendorErrorCode", "timestamp"}]}. Returns a jsonb array ([] when there is no station).
-- Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.chargepointlist()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'identity', s.identity,
                   'account', s.account,
                   'version', s.version,
                   'connected', c.station_id IS NOT NULL,
                   'node', c.node,
                   'lastSeen', cs.ocpp_time(s.last_seen),
                   'registration', s.registration_status,
                   'boot', s.boot,
                   'connectors', coalesce(
                       (SELECT jsonb_agg(jsonb_build_object(
                                   'evseId', k.evse_id,
                                   'connectorId', k.connector_id,
                                   'status', k.status,
                                   'errorCode', k.error_code,
                                   'info', k.info,
                                   'vendorId', k.vendor_id,
                                   'vendorErrorCode', k.vendor_error_code,
                                   'timestamp', cs.ocpp_time(k.status_at))
                               ORDER BY k.evse_id, k.connector_id)
                          FROM cs.connector AS k
                         WHERE k.station_id = s.id),
                       '[]'::jsonb))
               ORDER BY s.identity), '[]'::jsonb)
          FROM cs.station AS s
          LEFT JOIN cs.connection AS c ON c.station_id = s.id
    );
END;
$$;

-- ocpp.transactionlist(identity, lim): the lim newest transactions (all stations, or the station
-- identity), newest first: {"transactionId", "identity", "evseId", "connectorId", "idTag",
-- "idTagStatus", "meterStart", "meterStop", "energy" (meterStop - meterStart, Wh), "startedAt",
-- "stoppedAt", "stopReason", "stopIdTag", "reservationId", "running"}. Returns a jsonb array ([] when
-- none; lim null means no limit). Raises OC007 for a negative lim.
CREATE OR REPLACE FUNCTION ocpp.transactionlist(identity text DEFAULT NULL, lim integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF lim < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid limit', format('lim %s is negative', lim));
    END IF;
    RETURN (
        SELECT coalesce(jsonb_agg(x.obj ORDER BY x.id DESC), '[]'::jsonb)
          FROM (SELECT t.id,
                       jsonb_build_object(
                           'transactionId', t.id,
                           'identity', s.identity,
                           'evseId', t.evse_id,
                           'connectorId', t.connector_id,
                           'idTag', t.id_tag,
                           'idTagStatus', t.id_tag_status,
                           'meterStart', t.meter_start,
                           'meterStop', t.meter_stop,
                           'energy', t.meter_stop - t.meter_start,
                           'startedAt', cs.ocpp_time(t.started_at),
                           'stoppedAt', cs.ocpp_time(t.stopped_at),
                           'stopReason', t.stop_reason,
                           'stopIdTag', t.stop_id_tag,
                           'reservationId', t.reservation_id,
                           'running', t.stopped_at IS NULL) AS obj
                  FROM cs.transaction AS t
                  JOIN cs.station AS s ON s.id = t.station_id
                 WHERE transactionlist.identity IS NULL OR s.identity = transactionlist.identity
                 ORDER BY t.id DESC
                 LIMIT lim) AS x
    );
END;
$$;
