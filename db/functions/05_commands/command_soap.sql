-- ocpp.command_claim_soap(node, lim): for the dispatcher on node, the commands of SOAP stations, which
-- hold no socket anywhere so ocpp.command_claim never claims them. A SOAP station: version 1.5 or
-- 1.6, a latest WS-Addressing From address (cs.station.soap_from, kept by ocpp.parsexml), no
-- cs.connection. For at most lim such stations with a queued command and none outstanding, marks the
-- oldest queued command sent with a fresh unique_id, node and sent_at. A station another claim is
-- working on is skipped (a transaction-scoped advisory lock per station, taken without waiting), so
-- two nodes never POST two commands to one station at once.
-- Returns a jsonb array of {"id", "identity", "action", "payload", "uniqueId", "version", "to",
-- "secretPath"} (to: the From address to POST to; secretPath: see ocpp.command_claim), oldest first. Raises OC007 for an empty node or a negative lim.
CREATE OR REPLACE FUNCTION ocpp.command_claim_soap(node text, lim integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st      record;
    cmd     cs.command;
    claimed jsonb := '[]'::jsonb;
    n       integer := 0;
BEGIN
    IF command_claim_soap.node IS NULL OR command_claim_soap.node = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid node', 'the node name is empty');
    END IF;
    IF lim < 0 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid limit', format('lim %s is negative', lim));
    END IF;

    FOR st IN
        SELECT s.id, s.identity, s.version, s.soap_from
          FROM cs.station AS s
         WHERE s.soap_from IS NOT NULL
           AND s.version IN ('1.5', '1.6')
           AND s.registration_status <> 'Rejected'
           AND NOT EXISTS (SELECT FROM cs.connection AS c WHERE c.station_id = s.id)
           AND EXISTS (SELECT FROM cs.command AS q WHERE q.station_id = s.id AND q.status = 'queued')
         ORDER BY s.id
    LOOP
        EXIT WHEN lim IS NOT NULL AND n >= lim;
        CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtext('ocpp.command_claim_soap'), st.id);
        CONTINUE WHEN EXISTS (SELECT FROM cs.command AS q WHERE q.station_id = st.id AND q.status = 'sent');

        UPDATE cs.command AS c
           SET status = 'sent', unique_id = 'urn:uuid:' || gen_random_uuid()::text,
               node = command_claim_soap.node, sent_at = now()
         WHERE c.id = (SELECT q.id FROM cs.command AS q
                        WHERE q.station_id = st.id AND q.status = 'queued'
                        ORDER BY q.id
                        LIMIT 1
                          FOR UPDATE SKIP LOCKED)
        RETURNING * INTO cmd;
        CONTINUE WHEN NOT FOUND;

        n := n + 1;
        claimed := claimed || jsonb_build_array(jsonb_build_object(
            'id', cmd.id, 'identity', st.identity, 'action', cmd.action, 'payload', cmd.payload,
            'uniqueId', cmd.unique_id, 'version', st.version, 'to', st.soap_from)
            || CASE WHEN cmd.secret_path IS NULL THEN '{}'::jsonb
                    ELSE jsonb_build_object('secretPath', to_jsonb(cmd.secret_path)) END);
    END LOOP;

    RETURN (SELECT coalesce(jsonb_agg(e ORDER BY (e->>'id')::bigint), '[]'::jsonb)
              FROM jsonb_array_elements(claimed) AS e);
END;
$$;
