-- What an operator changes on a station besides its password, security profile and heartbeat
-- interval (admin.sql, security.sql, boot_notification.sql), and the list of settings; the REST
-- API's station "Manage" routes and settings routes call these (docs/rest-api.md).

-- ocpp.set_station_registration(identity, status): the registration the station's next
-- BootNotification answers (Accepted, Pending, Rejected): Accepted accepts a Pending station; Pending
-- and Rejected stations are held as docs/v201.md "Pending stations" and ocpp.parse say. It does not
-- tell the station now: the station learns it at its next BootNotification (a Pending one retries
-- after boot.retry_interval; TriggerMessage BootNotification asks sooner). Returns nothing.
-- Raises OC007 for a status other than Accepted, Pending, Rejected, OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.set_station_registration(identity text, status text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF status IS NULL OR status NOT IN ('Accepted', 'Pending', 'Rejected') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid registration',
                              format('registration %s is not Accepted, Pending or Rejected', coalesce(status, 'null')));
    END IF;
    UPDATE cs.station AS s SET registration_status = status
     WHERE s.identity = set_station_registration.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station',
                              format('no station %s', set_station_registration.identity));
    END IF;
END;
$$;

-- ocpp.set_station_account(identity, account): the account (tenant) of the station; null or empty
-- removes it. Returns nothing. Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.set_station_account(identity text, account text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    UPDATE cs.station AS s SET account = nullif(set_station_account.account, '')
     WHERE s.identity = set_station_account.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station',
                              format('no station %s', set_station_account.identity));
    END IF;
END;
$$;

-- ocpp.delete_station(identity): removes the station and, by ON DELETE CASCADE, every row that
-- belongs to it: connection, connectors and EVSEs, transactions with their meter values and costs,
-- reservations, commands, configuration and device model, charging profiles, certificates, security
-- events, site membership and tariff assignments. The message log keeps its frames (it names the
-- station by identity, not by row). A station that is still connected or connects again is seen as
-- new: its next message creates it with the registration of boot.unknown_station. Returns nothing.
-- Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.delete_station(identity text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    DELETE FROM cs.station AS s WHERE s.identity = delete_station.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', delete_station.identity));
    END IF;
END;
$$;

-- ocpp.settings(): every setting, by key: [{"key", "value" (its jsonb), "description"}]; changed
-- with ocpp.set_setting. Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.settings()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    RETURN coalesce((SELECT jsonb_agg(jsonb_build_object('key', s.key, 'value', s.value,
                                                         'description', s.description) ORDER BY s.key)
                       FROM cs.setting AS s), '[]'::jsonb);
END;
$$;
