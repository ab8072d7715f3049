-- cs.station_json(s): a station as ocpp.chargepointlist shows it (see there). Raises nothing.
CREATE OR REPLACE FUNCTION cs.station_json(s cs.station)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    conn cs.connection;
BEGIN
    SELECT * INTO conn FROM cs.connection AS c WHERE c.station_id = s.id;
    RETURN jsonb_build_object(
        'identity', s.identity,
        'account', s.account,
        'version', s.version,
        'connected', FOUND,
        'node', conn.node,
        'securityProfile', conn.security_profile,
        'minimumSecurityProfile', coalesce(s.security_profile, (cs.setting('station.security_profile'))::integer),
        'transport', CASE WHEN s.soap_from IS NOT NULL THEN 'soap' ELSE 'websocket' END,
        'lastSeen', cs.ocpp_time((SELECT p.last_seen FROM cs.station_presence AS p WHERE p.station_id = s.id)),
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
            '[]'::jsonb));
END;
$$;

-- ocpp.chargepointlist(): every station (1.6, 2.0.1 and 2.1 alike), by identity: {"identity", "account", "version", "connected",
-- "node", "securityProfile" (of the live connection, else null), "minimumSecurityProfile", "transport" ("soap" for a station that spoke OCPP-S, which holds no connection and is never
-- "connected"; else "websocket"), "lastSeen", "registration", "boot" (the last BootNotification payload as sent, or null),
-- "connectors": [{"evseId", "connectorId", "status", "errorCode", "info", "vendorId",
-- "vendorErrorCode", "timestamp"}]} (a 1.6 connector n is EVSE n / connector 1; 2.0.1 stations have
-- no errorCode, info, vendorId, vendorErrorCode). Returns a jsonb array ([] when there is no station).
-- Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.chargepointlist()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(cs.station_json(s) ORDER BY s.identity), '[]'::jsonb)
              FROM cs.station AS s);
END;
$$;

-- cs.transaction_json(t): a transaction as ocpp.transactionlist shows it (see there). Raises nothing.
CREATE OR REPLACE FUNCTION cs.transaction_json(t cs.transaction)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN jsonb_build_object(
        'id', t.id,
        'transactionId', CASE WHEN t.transaction_ref IS NULL THEN to_jsonb(t.id)
                              ELSE to_jsonb(t.transaction_ref) END,
        'identity', (SELECT s.identity FROM cs.station AS s WHERE s.id = t.station_id),
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
        'running', t.stopped_at IS NULL)
        -- only a priced transaction has a cost (docs/tariffs.md)
        || coalesce((SELECT jsonb_build_object('cost', c) FROM cs.transaction_cost_json(t.id) AS c WHERE c IS NOT NULL),
                    '{}'::jsonb)
        -- only a transaction the central system closed has closedBy: a rule (BootNotification,
        -- StatusNotification) or an operator (ocpp.close_transaction), who, and the stop reason
        || CASE WHEN t.closed_by IS NULL THEN '{}'::jsonb
                ELSE jsonb_build_object('closedBy', jsonb_build_object('by', t.closed_by, 'user', t.closed_by_user,
                                                                      'reason', t.stop_reason)) END;
END;
$$;

-- ocpp.transactionlist(identity, lim): the lim newest transactions (all stations, or the station
-- identity), newest first, 1.6 and 2.0.1 alike: {"id" (ocpp-cs's own number, for ocpp.api_transaction),
-- "transactionId" (the 1.6 integer, or the 2.0.1 station's transactionId string), "identity", "evseId",
-- "connectorId", "idTag", "idTagStatus", "meterStart", "meterStop", "energy" (meterStop - meterStart,
-- Wh), "startedAt", "stoppedAt", "stopReason", "stopIdTag", "reservationId", "running", "cost"
-- (cs.transaction_cost_json) when the transaction is priced, and "closedBy" {"by", "user",
-- "reason"} when the central system closed it (by: operator, BootNotification or
-- StatusNotification; user: who, for operator; reason: the stop reason)}. Returns a jsonb array ([] when none; lim
-- null means no limit). Raises OC007 for a negative lim.
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
    RETURN ocpp.api_transactionlist(transactionlist.identity, NULL, NULL, lim, 0);
END;
$$;

-- ocpp.evselist(identity): the EVSEs of every station (or of the station identity), by identity and
-- EVSE, 1.6 and 2.0.1 alike: {"identity", "evseId", "status", "connectors": [{"connectorId",
-- "status", "timestamp"}]}. A 2.0.1 EVSE is one the station reported (cs.evse: StatusNotification,
-- TransactionEvent, NotifyReport) with the status last reported on it; a 1.6 connector n > 0 is EVSE
-- n with connector 1 and its status. EVSE 0 (the station itself) is not listed. Returns a jsonb array
-- ([] when none). Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.evselist(identity text DEFAULT NULL)
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
                   'evseId', e.evse_id,
                   'status', e.status,
                   'connectors', coalesce(
                       (SELECT jsonb_agg(jsonb_build_object('connectorId', k.connector_id, 'status', k.status,
                                                            'timestamp', cs.ocpp_time(k.status_at))
                                         ORDER BY k.connector_id)
                          FROM cs.connector AS k
                         WHERE k.station_id = s.id AND k.evse_id = e.evse_id),
                       '[]'::jsonb))
               ORDER BY s.identity, e.evse_id), '[]'::jsonb)
          FROM cs.station AS s
          JOIN (SELECT v.station_id, v.evse_id, v.status FROM cs.evse AS v
                UNION ALL
                SELECT k.station_id, k.evse_id, k.status FROM cs.connector AS k
                 WHERE k.evse_id > 0
                   AND NOT EXISTS (SELECT FROM cs.evse AS v
                                    WHERE v.station_id = k.station_id AND v.evse_id = k.evse_id)
                   AND k.connector_id = (SELECT min(j.connector_id) FROM cs.connector AS j
                                          WHERE j.station_id = k.station_id AND j.evse_id = k.evse_id)) AS e
            ON e.station_id = s.id
         WHERE evselist.identity IS NULL OR s.identity = evselist.identity
    );
END;
$$;

-- cs.reservation_json(r): a reservation as ocpp.reservationlist shows it (see there). Raises nothing.
CREATE OR REPLACE FUNCTION cs.reservation_json(r cs.reservation)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN jsonb_build_object(
        'reservationId', r.id,
        'identity', (SELECT s.identity FROM cs.station AS s WHERE s.id = r.station_id),
        'evseId', r.connector_id,
        'idTag', r.id_tag,
        'parentIdTag', r.parent_id_tag,
        'expiryDate', cs.ocpp_time(r.expiry_date),
        'status', r.status,
        'statusAt', cs.ocpp_time(r.status_at),
        'createdAt', cs.ocpp_time(r.created_at),
        'transactionId', (SELECT CASE WHEN t.transaction_ref IS NULL THEN to_jsonb(t.id)
                                      ELSE to_jsonb(t.transaction_ref) END
                            FROM cs.transaction AS t
                           WHERE t.reservation_id = r.id
                           ORDER BY t.id LIMIT 1),
        'active', r.status = 'Accepted' AND r.expiry_date > now());
END;
$$;

-- ocpp.reservationlist(identity, lim): the lim newest reservations (all stations, or the station
-- identity), newest first, 1.6 and 2.0.1 alike: {"reservationId", "identity", "evseId" (the 1.6
-- connector, the 2.0.1 EVSE; 0 = any), "idTag", "parentIdTag" (the 2.0.1 groupIdToken), "expiryDate",
-- "status" (Accepted, Used, Cancelled, Expired, Removed, NoTransaction), "statusAt", "createdAt",
-- "transactionId" (of the transaction that used it, as in ocpp.transactionlist), "active" (Accepted
-- and not past its expiry)}. Returns a jsonb array ([] when none; lim null means no limit).
-- Raises OC007 for a negative lim.
CREATE OR REPLACE FUNCTION ocpp.reservationlist(identity text DEFAULT NULL, lim integer DEFAULT 100)
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
    RETURN ocpp.api_reservationlist(reservationlist.identity, NULL, NULL, lim, 0);
END;
$$;
