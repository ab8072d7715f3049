-- Id tags (2.0.1: idTokens) known to the central system, and the local authorization list of each
-- station.

CREATE TABLE cs.id_tag (
    id_tag            text PRIMARY KEY CHECK (length(id_tag) BETWEEN 1 AND 36),
    status            text NOT NULL DEFAULT 'Accepted'
                      CHECK (status IN ('Accepted', 'Blocked', 'Expired', 'Invalid')),
    expiry_date       timestamptz,
    parent_id_tag     text CHECK (length(parent_id_tag) BETWEEN 1 AND 36),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- 2.0.1 idToken details of an id tag. token_type null: any type matches; group_id_token: the
    -- groupIdToken (1.6 keeps parent_id_tag); cache_expiry: cacheExpiryDateTime; evse_ids: the EVSEs
    -- the token may use (null = all); personal_message: a MessageContentType object; language1/2.
    token_type        text
                      CHECK (token_type IN ('ISO14443', 'ISO15693', 'eMAID', 'Central', 'Local',
                                            'MacAddress', 'NoAuthorization', 'KeyCode')),
    group_id_token    text,
    group_token_type  text,
    cache_expiry      timestamptz,
    evse_ids          integer[],
    charging_priority integer CHECK (charging_priority BETWEEN -9 AND 9),
    language1         text,
    language2         text,
    personal_message  jsonb
);

-- 2.0.1 idTokens are case insensitive
CREATE INDEX id_tag_lower_idx ON cs.id_tag (lower(id_tag));

-- The local authorization list of each station: version is the last list the station accepted,
-- reported_version what it answered to GetLocalListVersion (-1: no local list support).
CREATE TABLE cs.local_list (
    station_id       integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    version          integer,
    updated_at       timestamptz,
    reported_version integer,
    reported_at      timestamptz
);

CREATE TABLE cs.local_list_entry (
    station_id    integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id_tag        text NOT NULL,
    id_tag_info   jsonb NOT NULL,       -- as sent in SendLocalList
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- 2.0.1 entries: the idToken type (id_tag is the idToken, id_tag_info the idTokenInfo)
    id_token_type text,
    PRIMARY KEY (station_id, id_tag)
);
