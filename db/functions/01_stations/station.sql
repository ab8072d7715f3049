-- cs.station_create(identity, account, version): the station row for identity, inserted when missing
-- with the registration of setting boot.unknown_station (an empty account is stored as null). Returns the row. Raises OC007 for a null or
-- empty identity.
CREATE OR REPLACE FUNCTION cs.station_create(identity text, account text, version text)
RETURNS cs.station
LANGUAGE plpgsql
AS $$
DECLARE
    st cs.station;
BEGIN
    IF station_create.identity IS NULL OR station_create.identity = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid identity', 'the station identity is empty');
    END IF;
    -- ON CONFLICT: another session may create the same station at the same moment
    INSERT INTO cs.station AS s (identity, account, version, registration_status)
    VALUES (station_create.identity, nullif(station_create.account, ''), station_create.version,
            cs.setting('boot.unknown_station') #>> '{}')
    ON CONFLICT ON CONSTRAINT station_identity_key DO UPDATE SET identity = excluded.identity
    RETURNING * INTO st;
    PERFORM cs.station_seen(st.id);
    RETURN st;
END;
$$;

-- cs.station_seen(station_id): records that the station was heard from now: its cs.station_presence
-- row, made at the first time. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.station_seen(station_id integer)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE cs.station_presence AS p SET last_seen = now() WHERE p.station_id = station_seen.station_id;
    IF NOT FOUND THEN
        INSERT INTO cs.station_presence AS p (station_id, last_seen) VALUES (station_seen.station_id, now())
        ON CONFLICT ON CONSTRAINT station_presence_pkey DO UPDATE SET last_seen = excluded.last_seen;
    END IF;
END;
$$;
