-- ocpp.connect(identity, account, version, node, password, remote, tls, certificate): the WebSocket
-- handshake. Decides the connection's security profile (docs/security-profiles.md):
--   3: certificate, a client certificate the TLS layer (or a trusted proxy) verified against the station
--      CAs, bound to this station by station.certificate_binding (cn: its CN is the identity; mapping:
--      its fingerprint is in cs.station_certificate; any);
--   2: tls and a Basic-auth password (bytes) that matches the stored hash; 1: the same without TLS;
--   0: neither.
-- Refuses a wrong password, an unbound certificate, no credential when auth is required
-- (station.auth_required) and a profile below the station's minimum (cs.station.security_profile, else
-- station.security_profile; the last two leave a cs.security_event row of source csms). On success:
-- creates an unknown station, upgrades an old password hash, records the connection held by node.
-- Returns {"accepted": true, "profile": n, "replaced_node": <node of the previous connection>|null}
-- or {"accepted": false, "reason": text}. Raises OC007 for an empty identity, version or node.
CREATE OR REPLACE FUNCTION ocpp.connect(identity text, account text, version text, node text,
                                        password bytea DEFAULT NULL, remote text DEFAULT NULL,
                                        tls boolean DEFAULT false, certificate jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st        cs.station;
    required  boolean;
    minimum   integer;
    binding   text;
    bound     boolean;
    profile   integer := 0;
    matched   bytea;
    candidate bytea;
    replaced  text;
BEGIN
    IF connect.identity IS NULL OR connect.identity = ''
       OR connect.version IS NULL OR connect.version = ''
       OR connect.node IS NULL OR connect.node = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid connection',
                              'identity, version and node must not be empty');
    END IF;

    SELECT * INTO st FROM cs.station AS s WHERE s.identity = connect.identity FOR UPDATE;
    -- an unknown station has no row yet: its auth_required, security_profile and password_hash read as null
    required := coalesce(st.auth_required, (cs.setting('station.auth_required'))::boolean);
    minimum := coalesce(st.security_profile, (cs.setting('station.security_profile'))::integer);

    IF connect.password IS NOT NULL AND st.password_hash IS NOT NULL THEN
        FOREACH candidate IN ARRAY cs.password_presented(connect.password) LOOP
            IF cs.password_matches(st.password_hash, candidate) THEN
                matched := candidate;
                EXIT;
            END IF;
        END LOOP;
        IF matched IS NULL THEN
            RETURN cs.connect_refused(st, 'wrong password', 'InvalidBasicAuthPassword');
        END IF;
        profile := CASE WHEN connect.tls THEN 2 ELSE 1 END;
    END IF;

    IF connect.certificate IS NOT NULL THEN
        binding := cs.setting('station.certificate_binding') #>> '{}';
        bound := CASE binding
                     WHEN 'cn' THEN connect.certificate->>'cn' IS NOT DISTINCT FROM connect.identity
                     WHEN 'mapping' THEN EXISTS (SELECT FROM cs.station_certificate AS c
                                                  WHERE c.fingerprint = connect.certificate->>'fingerprint'
                                                    AND c.station_id = st.id)
                     ELSE binding = 'any'
                 END;
        IF NOT bound THEN
            RETURN cs.connect_refused(st, format('the client certificate %s is not bound to station %s '
                                                 '(station.certificate_binding = %s)',
                                                 connect.certificate->>'subject', connect.identity, binding),
                                      'InvalidClientCertificate');
        END IF;
        profile := 3;
    END IF;

    IF required AND profile = 0 THEN
        RETURN jsonb_build_object('accepted', false, 'reason',
                                  CASE WHEN connect.password IS NULL THEN 'password required'
                                       ELSE 'no password set for this station' END);
    END IF;
    IF profile < minimum THEN
        RETURN cs.connect_refused(st, format('security profile %s is below the minimum %s of station %s',
                                             profile, minimum, connect.identity),
                                  'SecurityProfileBelowMinimum');
    END IF;

    IF st.id IS NULL THEN
        st := cs.station_create(connect.identity, connect.account, connect.version);
    END IF;
    UPDATE cs.station AS s
       SET version = connect.version,
           account = coalesce(nullif(connect.account, ''), s.account),
           password_hash = CASE WHEN matched IS NOT NULL AND cs.password_needs_rehash(s.password_hash)
                                THEN cs.password_hash(matched) ELSE s.password_hash END
     WHERE s.id = st.id;
    PERFORM cs.station_seen(st.id);

    INSERT INTO cs.node AS n (name) VALUES (connect.node) ON CONFLICT ON CONSTRAINT node_pkey DO NOTHING;

    SELECT c.node INTO replaced FROM cs.connection AS c WHERE c.station_id = st.id FOR UPDATE;
    INSERT INTO cs.connection AS c (station_id, node, version, remote, connected_at, security_profile,
                                    certificate)
    VALUES (st.id, connect.node, connect.version, connect.remote, now(), profile, connect.certificate)
    ON CONFLICT ON CONSTRAINT connection_pkey DO UPDATE
       SET node = excluded.node, version = excluded.version, remote = excluded.remote,
           connected_at = excluded.connected_at, security_profile = excluded.security_profile,
           certificate = excluded.certificate;

    RETURN jsonb_build_object('accepted', true, 'profile', profile, 'replaced_node', replaced,
                              'connectedAt', now());
END;
$$;

-- cs.connect_refused(st, reason, event): the refusal ocpp.connect returns, {"accepted": false, "reason"},
-- after a cs.security_event row (source csms, type event) for a known station st. Raises nothing.
CREATE OR REPLACE FUNCTION cs.connect_refused(st cs.station, reason text, event text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    IF st.id IS NOT NULL THEN
        INSERT INTO cs.security_event (station_id, type, occurred_at, tech_info, source)
        VALUES (st.id, event, now(), reason, 'csms');
    END IF;
    RETURN jsonb_build_object('accepted', false, 'reason', reason);
END;
$$;

-- ocpp.disconnect(identity, node, connected_at): the station's socket on node closed; removes its
-- connection row only when node still holds it (a newer connection on another node stays) and, with
-- connected_at (the "connectedAt" ocpp.connect returned for that socket), only when it is still that
-- socket's row: a station that reconnected to the same node while its old socket was closing keeps
-- its new row, whichever of the two calls commits first. Returns nothing; raises nothing.
CREATE OR REPLACE FUNCTION ocpp.disconnect(identity text, node text, connected_at timestamptz DEFAULT NULL)
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
       AND c.node = disconnect.node
       AND (disconnect.connected_at IS NULL OR c.connected_at = disconnect.connected_at);
END;
$$;

-- cs.node_lease(): how long a lease lasts, the setting node.lease_seconds. Raises OC003 when the setting
-- is missing.
CREATE OR REPLACE FUNCTION cs.node_lease()
RETURNS interval
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN make_interval(secs => (cs.setting('node.lease_seconds'))::numeric);
END;
$$;

-- ocpp.node_start(node): a front-end node starts: registers it (a mark of an earlier reaping goes) and
-- removes the connection rows it held before (its sockets are gone). It has no lease until its first
-- ocpp.node_renew, which a node of this version calls at once: a node of an older version, which never
-- renews, is then never declared dead during a rolling upgrade. Returns nothing. Raises OC007 for an
-- empty node name.
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
    INSERT INTO cs.node AS n (name, started_at, lease_until) VALUES (node_start.node, now(), NULL)
    ON CONFLICT ON CONSTRAINT node_pkey DO UPDATE
       SET started_at = excluded.started_at, lease_until = NULL, reaped_at = NULL, reaped_by = NULL;
    DELETE FROM cs.connection AS c WHERE c.node = node_start.node;
END;
$$;

-- ocpp.node_renew(node): the node is alive: its lease runs node.lease_seconds from now. A node that was
-- declared dead meanwhile (ocpp.node_reap; or whose row is gone) is registered again and its connection
-- rows go: the stations it still holds are ghosts to the rest of the system (their commands ended,
-- another node may serve them now), so the node closes every socket it holds and lets them reconnect,
-- rather than claim them back and perhaps take a station from the node that serves it now.
-- Returns {"reaped": boolean (declared dead since the last renewal: close every socket),
-- "renewEvery": seconds until the next renewal (a third of the lease, so two renewals may fail before
-- it runs out), "leaseUntil": timestamp}. Raises OC007 for an empty node name.
CREATE OR REPLACE FUNCTION ocpp.node_renew(node text)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    n      cs.node;
    lease  interval := cs.node_lease();
    reaped boolean;
BEGIN
    IF node_renew.node IS NULL OR node_renew.node = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid node', 'the node name is empty');
    END IF;
    -- NO KEY UPDATE: waits for a reaper that holds the row (then reads its verdict), not for the
    -- connections being inserted (their foreign key takes KEY SHARE)
    SELECT * INTO n FROM cs.node AS x WHERE x.name = node_renew.node FOR NO KEY UPDATE;
    reaped := NOT FOUND OR n.reaped_at IS NOT NULL;
    INSERT INTO cs.node AS x (name, started_at, lease_until) VALUES (node_renew.node, now(), now() + lease)
    ON CONFLICT ON CONSTRAINT node_pkey DO UPDATE
       SET lease_until = excluded.lease_until, reaped_at = NULL, reaped_by = NULL;
    IF reaped THEN
        DELETE FROM cs.connection AS c WHERE c.node = node_renew.node;
        RAISE LOG 'node % renewed its lease after it was declared dead by %: it closes its sockets',
                  node_renew.node, coalesce(n.reaped_by, 'nobody (its row was gone)');
    END IF;
    RETURN jsonb_build_object('reaped', reaped,
                              'renewEvery', round(extract(epoch FROM lease) / 3, 3),
                              'leaseUntil', cs.ocpp_time(now() + lease));
END;
$$;

-- ocpp.node_reap(node): node, a live node, declares dead every other node whose lease ran out more
-- than node.grace_seconds ago, each in this one transaction: its connection rows go (its stations show
-- offline; their queued commands wait for them to reconnect elsewhere, or end offline when their wait
-- is over, cs.command_sweep), its sent commands become interrupted (ocpp.command_interrupted: their
-- answer can no longer come; never resent), and it is marked reaped (reaped_at, reaped_by). A node
-- already reaped is taken again only if it holds connection rows since. Nodes another reaper holds are
-- skipped (SKIP LOCKED), so two reapers never do the same work. Nodes without a lease are never reaped.
-- Returns a jsonb array of {"node", "leaseUntil", "connections", "interrupted"}, one per node declared
-- dead. Raises OC007 for an empty node name.
CREATE OR REPLACE FUNCTION ocpp.node_reap(node text)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    dead        record;
    grace       interval := make_interval(secs => (cs.setting('node.grace_seconds'))::numeric);
    connections integer;
    interrupted integer;
    result      jsonb := '[]'::jsonb;
BEGIN
    IF node_reap.node IS NULL OR node_reap.node = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid node', 'the node name is empty');
    END IF;
    FOR dead IN
        SELECT n.name, n.lease_until
          FROM cs.node AS n
         WHERE n.lease_until < now() - grace
           AND n.name <> node_reap.node
           AND (n.reaped_at IS NULL OR EXISTS (SELECT FROM cs.connection AS c WHERE c.node = n.name))
         ORDER BY n.name
           FOR NO KEY UPDATE OF n SKIP LOCKED
    LOOP
        DELETE FROM cs.connection AS c WHERE c.node = dead.name;
        GET DIAGNOSTICS connections = ROW_COUNT;
        interrupted := ocpp.command_interrupted(dead.name);
        UPDATE cs.node AS n SET reaped_at = now(), reaped_by = node_reap.node WHERE n.name = dead.name;
        RAISE LOG 'node % declared dead by %: lease over since %, % connections removed, % sent commands interrupted',
                  dead.name, node_reap.node, dead.lease_until, connections, interrupted;
        result := result || jsonb_build_array(jsonb_build_object(
            'node', dead.name, 'leaseUntil', cs.ocpp_time(dead.lease_until),
            'connections', connections, 'interrupted', interrupted));
    END LOOP;
    RETURN result;
END;
$$;
