-- OCPP 2.0.1 / 2.1 authorization: idTokenInfo from cs.id_tag, Authorize, and ocpp.set_id_token for
-- the 2.0.1 details of a token. docs/v201.md, "Authorization".

-- cs.v201_id_token_info(id_token, check_concurrent, own_transaction, evse_id): the idTokenInfo of the
-- idToken object id_token ({idToken, type}):
--   the cs.id_tag row whose id_tag equals idToken ignoring case (an exact match first) and whose
--   token_type is null or the type; type NoAuthorization is Accepted without a look-up;
--   status: the row's status; Expired when Accepted but past expiry_date; for a token not found,
--     setting authorize.unknown_id_tag with Invalid answered as Unknown (2.0.1's status for a token
--     the CSMS does not know); NotAtThisLocation when Accepted, evse_id is given and the row's
--     evse_ids do not hold it; ConcurrentTx when Accepted, check_concurrent, setting
--     authorize.concurrent_tx, and the token has a running transaction other than own_transaction
--     (cs.id_tag_has_running_transaction);
--   cacheExpiryDateTime: cache_expiry, else expiry_date; groupIdToken: group_id_token (else the 1.6
--     parent_id_tag) with group_token_type (else the group's own token_type, else Central);
--   chargingPriority, language1, language2, evseId (evse_ids), personalMessage when set.
-- Returns the idTokenInfo object. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_id_token_info(id_token jsonb, check_concurrent boolean,
                                                 own_transaction integer DEFAULT NULL,
                                                 evse_id integer DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    token      text := id_token->>'idToken';
    tok_type   text := id_token->>'type';
    t          cs.id_tag;
    group_tag  text;
    group_type text;
    status     text;
    info       jsonb;
BEGIN
    IF tok_type = 'NoAuthorization' THEN
        RETURN jsonb_build_object('status', 'Accepted');
    END IF;

    SELECT * INTO t
      FROM cs.id_tag AS i
     WHERE lower(i.id_tag) = lower(token)
       AND (i.token_type IS NULL OR i.token_type = tok_type)
     ORDER BY i.id_tag = token DESC, i.token_type IS NOT NULL DESC
     LIMIT 1;
    IF NOT FOUND THEN
        status := cs.setting('authorize.unknown_id_tag') #>> '{}';
        IF status = 'Invalid' THEN
            status := 'Unknown';
        END IF;
    ELSIF t.status = 'Accepted' AND t.expiry_date < now() THEN
        status := 'Expired';
    ELSE
        status := t.status;
    END IF;

    IF status = 'Accepted' AND v201_id_token_info.evse_id IS NOT NULL AND t.evse_ids IS NOT NULL
       AND NOT v201_id_token_info.evse_id = ANY (t.evse_ids) THEN
        status := 'NotAtThisLocation';
    END IF;

    IF status = 'Accepted' AND check_concurrent
       AND (cs.setting('authorize.concurrent_tx'))::boolean
       AND cs.id_tag_has_running_transaction(coalesce(t.id_tag, token), own_transaction) THEN
        status := 'ConcurrentTx';
    END IF;

    info := jsonb_build_object('status', status);
    IF coalesce(t.cache_expiry, t.expiry_date) IS NOT NULL THEN
        info := info || jsonb_build_object('cacheExpiryDateTime',
                                           cs.ocpp_time(coalesce(t.cache_expiry, t.expiry_date)));
    END IF;
    IF t.charging_priority IS NOT NULL THEN
        info := info || jsonb_build_object('chargingPriority', t.charging_priority);
    END IF;
    IF t.language1 IS NOT NULL THEN
        info := info || jsonb_build_object('language1', t.language1);
    END IF;
    IF t.language2 IS NOT NULL THEN
        info := info || jsonb_build_object('language2', t.language2);
    END IF;
    IF cardinality(t.evse_ids) > 0 THEN
        info := info || jsonb_build_object('evseId', to_jsonb(t.evse_ids));
    END IF;
    group_tag := coalesce(t.group_id_token, t.parent_id_tag);
    IF group_tag IS NOT NULL THEN
        group_type := t.group_token_type;
        IF group_type IS NULL THEN
            SELECT g.token_type INTO group_type FROM cs.id_tag AS g WHERE g.id_tag = group_tag;
        END IF;
        info := info || jsonb_build_object('groupIdToken',
                                           jsonb_build_object('idToken', group_tag,
                                                              'type', coalesce(group_type, 'Central')));
    END IF;
    IF t.personal_message IS NOT NULL THEN
        info := info || jsonb_build_object('personalMessage', t.personal_message);
    END IF;
    RETURN info;
END;
$$;

-- cs.v201_authorize(st, payload): returns {"idTokenInfo"} for payload idToken (see
-- cs.v201_id_token_info, with the ConcurrentTx check), with certificateStatus when the payload carries
-- iso15118CertificateHashData or a certificate (cs.iso15118_authorize; docs/iso15118.md). Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_authorize(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN cs.iso15118_authorize(payload,
                                 jsonb_build_object('idTokenInfo', cs.v201_id_token_info(payload->'idToken', true)));
END;
$$;

-- ocpp.set_id_token(id_token, status, token_type, expiry, group_id_token, group_token_type,
-- cache_expiry, evse_ids, charging_priority, language1, language2, personal_message): adds or
-- replaces an id tag with its 2.0.1 details (cs.id_tag; ocpp.set_id_tag does the 1.6 ones and leaves
-- these alone). token_type null: any type matches. Returns nothing.
-- Raises OC007 for a token or group not of 1-36 characters, a status other than Accepted, Blocked,
-- Expired, Invalid, a token type outside the 2.0.1 list, a charging priority outside -9..9, an empty
-- or negative EVSE list entry, or a personal message that is not an object with format and content.
CREATE OR REPLACE FUNCTION ocpp.set_id_token(id_token text, status text DEFAULT 'Accepted',
                                             token_type text DEFAULT NULL,
                                             expiry timestamptz DEFAULT NULL,
                                             group_id_token text DEFAULT NULL,
                                             group_token_type text DEFAULT NULL,
                                             cache_expiry timestamptz DEFAULT NULL,
                                             evse_ids integer[] DEFAULT NULL,
                                             charging_priority integer DEFAULT NULL,
                                             language1 text DEFAULT NULL,
                                             language2 text DEFAULT NULL,
                                             personal_message jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    token_types text[] := ARRAY['ISO14443', 'ISO15693', 'eMAID', 'Central', 'Local', 'MacAddress',
                                'NoAuthorization', 'KeyCode'];
BEGIN
    IF set_id_token.id_token IS NULL OR length(set_id_token.id_token) NOT BETWEEN 1 AND 36 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id token', 'the id token must have 1 to 36 characters');
    END IF;
    IF length(set_id_token.group_id_token) NOT BETWEEN 1 AND 36 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid group id token',
                              'the group id token must have 1 to 36 characters');
    END IF;
    IF set_id_token.status IS NULL OR set_id_token.status NOT IN ('Accepted', 'Blocked', 'Expired', 'Invalid') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id token status',
                              format('status %s is not Accepted, Blocked, Expired or Invalid',
                                     set_id_token.status));
    END IF;
    IF set_id_token.token_type <> ALL (token_types) OR set_id_token.group_token_type <> ALL (token_types) THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid id token type',
                              format('type %s is not one of %s',
                                     coalesce(set_id_token.token_type, set_id_token.group_token_type),
                                     array_to_string(token_types, ', ')));
    END IF;
    IF set_id_token.charging_priority NOT BETWEEN -9 AND 9 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid charging priority',
                              format('charging priority %s is not within -9..9', set_id_token.charging_priority));
    END IF;
    IF cardinality(set_id_token.evse_ids) = 0
       OR EXISTS (SELECT FROM unnest(set_id_token.evse_ids) AS e WHERE e IS NULL OR e < 0) THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid EVSE list',
                              'evse_ids must be null or a non-empty list of EVSE ids');
    END IF;
    IF set_id_token.personal_message IS NOT NULL
       AND (jsonb_typeof(set_id_token.personal_message) IS DISTINCT FROM 'object'
            OR set_id_token.personal_message->>'format' IS NULL
            OR set_id_token.personal_message->>'content' IS NULL) THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid personal message',
                              'personal_message must be an object with format and content');
    END IF;

    INSERT INTO cs.id_tag AS i (id_tag, status, expiry_date, token_type, group_id_token,
                                group_token_type, cache_expiry, evse_ids, charging_priority,
                                language1, language2, personal_message)
    VALUES (set_id_token.id_token, set_id_token.status, expiry, set_id_token.token_type,
            set_id_token.group_id_token, set_id_token.group_token_type, set_id_token.cache_expiry,
            set_id_token.evse_ids, set_id_token.charging_priority, set_id_token.language1,
            set_id_token.language2, set_id_token.personal_message)
    ON CONFLICT ON CONSTRAINT id_tag_pkey DO UPDATE
       SET status = excluded.status, expiry_date = excluded.expiry_date,
           token_type = excluded.token_type, group_id_token = excluded.group_id_token,
           group_token_type = excluded.group_token_type, cache_expiry = excluded.cache_expiry,
           evse_ids = excluded.evse_ids, charging_priority = excluded.charging_priority,
           language1 = excluded.language1, language2 = excluded.language2,
           personal_message = excluded.personal_message, updated_at = now();
END;
$$;
