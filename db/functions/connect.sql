-- ocpp.connect(identity, account, version, node, password, remote): the WebSocket handshake.
-- Authenticates (security profile 1), creates an unknown station, records the connection held by node.
-- Returns {"accepted": true, "replaced_node": <node that held the station's previous connection>|null}
-- or {"accepted": false, "reason": text}. Raises OC007 for an empty identity, version or node.
CREATE OR REPLACE FUNCTION ocpp.connect(identity text, account text, version text, node text,
                                        password text DEFAULT NULL, remote text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st       cs.station;
    required boolean;
    replaced text;
BEGIN
    IF connect.identity IS NULL OR connect.identity = ''
       OR connect.version IS NULL OR connect.version = ''
       OR connect.node IS NULL OR connect.node = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid connection',
                              'identity, version and node must not be empty');
    END IF;

    SELECT * INTO st FROM cs.station AS s WHERE s.identity = connect.identity FOR UPDATE;
    -- an unknown station has no row yet: its auth_required and password_hash read as null
    required := coalesce(st.auth_required, (cs.setting('station.auth_required'))::boolean);

    IF required AND connect.password IS NULL THEN
        RETURN jsonb_build_object('accepted', false, 'reason', 'password required');
    END IF;
    IF connect.password IS NOT NULL AND st.password_hash IS NOT NULL
       AND NOT cs.password_matches(st.password_hash, connect.password) THEN
        RETURN jsonb_build_object('accepted', false, 'reason', 'wrong password');
    END IF;
    IF required AND st.password_hash IS NULL THEN
        RETURN jsonb_build_object('accepted', false, 'reason', 'no password set for this station');
    END IF;

    IF st.id IS NULL THEN
        st := cs.station_create(connect.identity, connect.account, connect.version);
    END IF;
    UPDATE cs.station AS s
       SET version = connect.version,
           account = coalesce(nullif(connect.account, ''), s.account),
           last_seen = now()
     WHERE s.id = st.id;

    INSERT INTO cs.node AS n (name) VALUES (connect.node) ON CONFLICT ON CONSTRAINT node_pkey DO NOTHING;

    SELECT c.node INTO replaced FROM cs.connection AS c WHERE c.station_id = st.id FOR UPDATE;
    INSERT INTO cs.connection AS c (station_id, node, version, remote, connected_at)
    VALUES (st.id, connect.node, connect.version, connect.remote, now())
    ON CONFLICT ON CONSTRAINT connection_pkey DO UPDATE
       SET node = excluded.node, version = excluded.version, remote = excluded.remote,
           connected_at = excluded.connected_at;

    RETURN jsonb_build_object('accepted', true, 'replaced_node', replaced);
END;
$$;

-- ocpp.disconnect(identity, node): the station's socket on node closed; removes its connection row only
-- when node still holds it (a newer connection on another node stays). Returns nothing; raises nothing.
CREATE OR REPLACE FUNCTION ocpp.disconnect(identity text, node text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    DELETE FROM cs.connection AS c
     USING cs.station AS s
     WHERE s.identity = disconnect.identity
       AND c.station_id = s.id
       AND c.node = disconnect.node;
END;
$$;

-- ocpp.node_start(node): a front-end node starts: registers it and removes the connection rows it
-- held before (its sockets are gone). Returns nothing. Raises OC007 for an empty node name.
CREATE OR REPLACE FUNCTION ocpp.node_start(node text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF node_start.node IS NULL OR node_start.node = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid node', 'the node name is empty');
    END IF;
    INSERT INTO cs.node AS n (name, started_at) VALUES (node_start.node, now())
    ON CONFLICT ON CONSTRAINT node_pkey DO UPDATE SET started_at = excluded.started_at;
    DELETE FROM cs.connection AS c WHERE c.node = node_start.node;
END;
$$;
