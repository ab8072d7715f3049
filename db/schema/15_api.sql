-- REST API tokens (docs/rest-api.md): Bearer tokens for /api/v1, stored as the sha256 of the token
-- (the token itself is shown once, by ocpp.api_token_create). role read may only GET; operator may
-- also send commands and change id tags. A revoked token stays for the record.
CREATE TABLE cs.api_token (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role         text NOT NULL CHECK (role IN ('read', 'operator')),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz,
    expires_at   timestamptz            -- null: never
);

-- one live token per name: a revoked name may be given to a new token
CREATE UNIQUE INDEX api_token_name_key ON cs.api_token (name) WHERE revoked_at IS NULL;
