-- Security profiles 2 and 3 and station credentials (docs/security-profiles.md).

-- bcrypt for station passwords, random secrets
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA cs;
DO $$
BEGIN
    IF (SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
         WHERE e.extname = 'pgcrypto') <> 'cs' THEN
        RAISE EXCEPTION 'pgcrypto is installed in another schema; ocpp-cs calls it in schema cs'
              USING HINT = 'ALTER EXTENSION pgcrypto SET SCHEMA cs, then qualify other uses of it with cs.';
    END IF;
END
$$;

-- A new signature is a new function: the password is bytes now, connect knows TLS and certificates.
DROP FUNCTION IF EXISTS ocpp.connect(text, text, text, text, text, text);
DROP FUNCTION IF EXISTS cs.password_hash(text);
DROP FUNCTION IF EXISTS cs.password_matches(text, text);

ALTER TABLE cs.station DROP CONSTRAINT station_password_hash_check;
ALTER TABLE cs.station ADD CONSTRAINT station_password_hash_check
    CHECK (password_hash ~ '^(sha256\$[^$]+\$[0-9a-f]{64}|bcrypt-sha256\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53})$');
ALTER TABLE cs.station ADD COLUMN security_profile smallint CHECK (security_profile BETWEEN 0 AND 3);

ALTER TABLE cs.connection ADD COLUMN security_profile smallint NOT NULL DEFAULT 0
    CHECK (security_profile BETWEEN 0 AND 3);
ALTER TABLE cs.connection ADD COLUMN certificate jsonb;

CREATE TABLE cs.station_certificate (
    fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    subject     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX station_certificate_station_idx ON cs.station_certificate (station_id);

ALTER TABLE cs.security_event ADD COLUMN source text NOT NULL DEFAULT 'station'
    CHECK (source IN ('station', 'csms'));

ALTER TABLE cs.command ADD COLUMN secret_path text[];
ALTER TABLE cs.command ADD COLUMN credential_hash text;
ALTER TABLE cs.command ADD COLUMN then_queue jsonb CHECK (jsonb_typeof(then_queue) = 'array');

INSERT INTO cs.setting (key, value, description) VALUES
    ('station.security_profile', '0',
     'lowest security profile (0-3) a station may connect with (per station: cs.station.security_profile)'),
    ('station.certificate_binding', '"cn"',
     'which client certificate of a trusted CA is a station''s own (profile 3): cn (its common name is the identity), mapping (cs.station_certificate) or any'),
    ('station.password_cost', '8',
     'bcrypt cost (4-16) of station password hashes; each step doubles the time of a Basic-auth check'),
    ('station.password_hex_fallback', 'true',
     'a Basic-auth password written as hex digits also matches the bytes they encode (1.6 AuthorizationKey sent as text)')
ON CONFLICT (key) DO NOTHING;
