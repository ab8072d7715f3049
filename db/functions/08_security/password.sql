-- Station passwords (HTTP Basic auth, security profiles 1 and 2) are bytes: OCPP-J 1.6 recommends a
-- random binary AuthorizationKey of up to 20 bytes, 2.0.1's BasicAuthPassword is text (its UTF-8).
-- Stored as bcrypt (pgcrypto) of the password's SHA-256: bcrypt reads text up to 72 bytes and stops at
-- a zero byte, its base64 SHA-256 is 44 printable characters whatever the password holds.
-- The cost is the setting station.password_cost; hashes from before (one round of salted SHA-256) still
-- match and are replaced at the next successful connect (cs.password_needs_rehash).

-- cs.password_hash(password, cost): 'bcrypt-sha256$2a$NN$<salt and hash>' with a fresh salt; cost
-- null reads station.password_cost. Null for a null password. Raises nothing.
CREATE OR REPLACE FUNCTION cs.password_hash(password bytea, cost integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
VOLATILE
AS $$
BEGIN
    IF password IS NULL THEN
        RETURN NULL;
    END IF;
    cost := coalesce(cost, (cs.setting('station.password_cost'))::integer);
    RETURN 'bcrypt-sha256' || cs.crypt(encode(sha256(password), 'base64'), cs.gen_salt('bf', cost));
END;
$$;

-- cs.password_matches(hash, password): true when password is the one hash was made from (either
-- format above); false for a null or malformed hash or a null password. Raises nothing.
CREATE OR REPLACE FUNCTION cs.password_matches(hash text, password bytea)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    parts  text[];
    stored text;
BEGIN
    IF hash IS NULL OR password IS NULL THEN
        RETURN false;
    END IF;
    IF hash LIKE 'bcrypt-sha256$%' THEN
        stored := substr(hash, length('bcrypt-sha256') + 1);
        RETURN cs.crypt(encode(sha256(password), 'base64'), stored) = stored;
    END IF;
    parts := string_to_array(hash, '$');
    IF cardinality(parts) <> 3 OR parts[1] <> 'sha256' THEN
        RETURN false;
    END IF;
    RETURN encode(sha256(convert_to(parts[2], 'UTF8') || password), 'hex') = parts[3];
END;
$$;

-- cs.password_needs_rehash(hash): true for a hash of the old format or of a lower bcrypt cost than
-- station.password_cost. Raises nothing.
CREATE OR REPLACE FUNCTION cs.password_needs_rehash(hash text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN hash IS NOT NULL
       AND (hash NOT LIKE 'bcrypt-sha256$%'
            OR substr(hash, length('bcrypt-sha256$2a$') + 1, 2)::integer
               < (cs.setting('station.password_cost'))::integer);
END;
$$;

-- cs.password_presented(password): the byte strings a presented Basic-auth password may stand for:
-- itself, and, with station.password_hex_fallback, the bytes its hex digits encode (a 1.6 station that
-- sends its AuthorizationKey as the hex text it was configured with). Raises nothing.
CREATE OR REPLACE FUNCTION cs.password_presented(password bytea)
RETURNS bytea[]
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF password IS NULL THEN
        RETURN '{}';
    END IF;
    IF (cs.setting('station.password_hex_fallback'))::boolean
       AND length(password) % 2 = 0 AND length(password) > 0
       AND encode(password, 'escape') ~ '^[0-9A-Fa-f]+$' THEN
        RETURN ARRAY[password, decode(convert_from(password, 'SQL_ASCII'), 'hex')];
    END IF;
    RETURN ARRAY[password];
END;
$$;

-- cs.authorization_key(value): the bytes of a 1.6 AuthorizationKey as configured: the bytes its hex
-- digits encode (OCPP-J 1.6: "hexadecimal representation"), or, when it is not hex, its UTF-8 text.
-- Null for null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.authorization_key(value text)
RETURNS bytea
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN value ~ '^([0-9A-Fa-f]{2})+$' THEN decode(value, 'hex')
                ELSE convert_to(value, 'UTF8') END;
$$;
