-- cs.id_tag_has_running_transaction(tag, own_transaction): whether the tag has a running transaction
-- (of any station and version) other than own_transaction that counts for ConcurrentTx: one whose
-- connector reported Available, Reserved or Unavailable since its start (cs.idle_connector_status)
-- runs no more, whatever the station failed to send. Returns boolean. Raises nothing.
CREATE OR REPLACE FUNCTION cs.id_tag_has_running_transaction(tag text, own_transaction integer)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN EXISTS (SELECT FROM cs.transaction AS x
                    WHERE x.id_tag = tag AND x.stopped_at IS NULL
                      AND x.id IS DISTINCT FROM own_transaction
                      AND cs.idle_connector_status(x) IS NULL);
END;
$$;

-- cs.id_tag_info(tag, check_concurrent, own_transaction): the 1.6 idTagInfo of tag:
--   status: the tag's status in cs.id_tag (Accepted, Blocked, Expired, Invalid); Expired when Accepted
--     but past expiry_date; setting authorize.unknown_id_tag for a tag not in cs.id_tag; ConcurrentTx
--     when Accepted, check_concurrent, setting authorize.concurrent_tx, and the tag has a running
--     transaction other than own_transaction (cs.id_tag_has_running_transaction);
--   expiryDate and parentIdTag when the tag has them.
-- Returns the idTagInfo object. Raises nothing.
CREATE OR REPLACE FUNCTION cs.id_tag_info(tag text, check_concurrent boolean,
                                          own_transaction integer DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    t      cs.id_tag;
    status text;
    info   jsonb;
BEGIN
    SELECT * INTO t FROM cs.id_tag AS i WHERE i.id_tag = tag;
    IF NOT FOUND THEN
        status := cs.setting('authorize.unknown_id_tag') #>> '{}';
    ELSIF t.status = 'Accepted' AND t.expiry_date < now() THEN
        status := 'Expired';
    ELSE
        status := t.status;
    END IF;

    IF status = 'Accepted' AND check_concurrent
       AND (cs.setting('authorize.concurrent_tx'))::boolean
       AND cs.id_tag_has_running_transaction(tag, own_transaction) THEN
        status := 'ConcurrentTx';
    END IF;

    info := jsonb_build_object('status', status);
    IF t.expiry_date IS NOT NULL THEN
        info := info || jsonb_build_object('expiryDate', cs.ocpp_time(t.expiry_date));
    END IF;
    IF t.parent_id_tag IS NOT NULL THEN
        info := info || jsonb_build_object('parentIdTag', t.parent_id_tag);
    END IF;
    RETURN info;
END;
$$;

-- cs.v16_authorize(st, payload): returns {"idTagInfo"} for payload idTag (see cs.id_tag_info).
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_authorize(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN jsonb_build_object('idTagInfo', cs.id_tag_info(payload->>'idTag', true));
END;
$$;
