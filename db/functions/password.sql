-- cs.password_hash(password): 'sha256$<salt>$<hexhash>', hexhash = sha256(salt || password), a fresh
-- random salt each call; null for null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.password_hash(password text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = cs, pg_temp
AS $$
DECLARE
    salt text := replace(gen_random_uuid()::text, '-', '');
BEGIN
    IF password IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN 'sha256$' || salt || '$' || encode(sha256(convert_to(salt || password, 'UTF8')), 'hex');
END;
$$;

-- cs.password_matches(hash, password): true when password hashes to hash (format above); false for a
-- null or malformed hash or a null password. Raises nothing.
CREATE OR REPLACE FUNCTION cs.password_matches(hash text, password text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = cs, pg_temp
AS $$
DECLARE
    parts text[] := string_to_array(hash, '$');
BEGIN
    IF hash IS NULL OR password IS NULL OR cardinality(parts) <> 3 OR parts[1] <> 'sha256' THEN
        RETURN false;
    END IF;
    RETURN encode(sha256(convert_to(parts[2] || password, 'UTF8')), 'hex') = parts[3];
END;
$$;
