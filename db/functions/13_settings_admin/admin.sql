-- ocpp.add_station(identity, registration, password, account): adds a station, or, when it exists,
-- sets its registration (so an operator accepts a Pending station with it) and the password and
-- account when given. Returns nothing. Raises OC007 for an empty identity or a registration other than
-- Accepted, Pending, Rejected.
CREATE OR REPLACE FUNCTION ocpp.add_station(identity text, registration text DEFAULT 'Accepted',
                                            password text DEFAULT NULL, account text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF add_station.identity IS NULL OR add_station.identity = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid identity', 'the station identity is empty');
    END IF;
    IF registration IS NULL OR registration NOT IN ('Accepted', 'Pending', 'Rejected') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid registration',
                              format('registration %s is not Accepted, Pending or Rejected', registration));
    END IF;
    IF password = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid password', 'the password is empty');
    END IF;
    INSERT INTO cs.station AS s (identity, registration_status, password_hash, account)
    VALUES (add_station.identity, registration, cs.password_hash(convert_to(password, 'UTF8')), add_station.account)
    ON CONFLICT ON CONSTRAINT station_identity_key DO UPDATE
       SET registration_status = excluded.registration_status,
           password_hash = coalesce(excluded.password_hash, s.password_hash),
           account = coalesce(excluded.account, s.account);
END;
$$;

-- ocpp.set_station_password(identity, password): stores a bcrypt hash of password's UTF-8
-- (cs.password_hash; ocpp.set_station_key for a binary key); null removes it. Returns nothing. Raises OC010 for an unknown station, OC007 for an empty password.
CREATE OR REPLACE FUNCTION ocpp.set_station_password(identity text, password text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF password = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid password', 'the password is empty');
    END IF;
    UPDATE cs.station AS s SET password_hash = cs.password_hash(convert_to(password, 'UTF8'))
     WHERE s.identity = set_station_password.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station',
                              format('no station %s', set_station_password.identity));
    END IF;
END;
$$;

-- ocpp.set_id_tag(id_tag, status, expiry, parent): adds or replaces an id tag. Returns nothing.
-- Raises OC007 for an empty id tag or one longer than 36 characters, an empty or too long parent, or a
-- status other than Accepted, Blocked, Expired, Invalid.
CREATE OR REPLACE FUNCTION ocpp.set_id_tag(id_tag text, status text DEFAULT 'Accepted',
                                           expiry timestamptz DEFAULT NULL, parent text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF set_id_tag.id_tag IS NULL OR length(set_id_tag.id_tag) NOT BETWEEN 1 AND 36
       OR length(parent) NOT BETWEEN 1 AND 36 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id tag', 'an id tag has 1 to 36 characters');
    END IF;
    IF set_id_tag.status IS NULL OR set_id_tag.status NOT IN ('Accepted', 'Blocked', 'Expired', 'Invalid') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id tag status',
                              format('status %s is not Accepted, Blocked, Expired or Invalid',
                                     set_id_tag.status));
    END IF;
    INSERT INTO cs.id_tag AS i (id_tag, status, expiry_date, parent_id_tag)
    VALUES (set_id_tag.id_tag, set_id_tag.status, expiry, parent)
    ON CONFLICT ON CONSTRAINT id_tag_pkey DO UPDATE
       SET status = excluded.status, expiry_date = excluded.expiry_date,
           parent_id_tag = excluded.parent_id_tag, updated_at = now();
END;
$$;
