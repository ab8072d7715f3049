-- Node liveness (issue 16): leases in cs.node (ocpp.node_start, ocpp.node_renew), a dead node
-- declared so by a live one (ocpp.node_reap): connections removed, sent commands interrupted,
-- queued commands left waiting; a reaped node that comes back learns it; a station reconnecting to
-- another node is served there. Settings node.lease_seconds and node.grace_seconds.
BEGIN;
SELECT plan(39);

CREATE FUNCTION pg_temp.node(name text) RETURNS cs.node LANGUAGE sql AS $$
    SELECT * FROM cs.node AS n WHERE n.name = node.name
$$;
CREATE FUNCTION pg_temp.cmd(id bigint) RETURNS cs.command LANGUAGE sql AS $$
    SELECT * FROM cs.command AS c WHERE c.id = cmd.id
$$;
CREATE FUNCTION pg_temp.on_node(name text) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(s.identity ORDER BY s.identity), '{}')
      FROM cs.connection AS c JOIN cs.station AS s ON s.id = c.station_id WHERE c.node = on_node.name
$$;
CREATE FUNCTION pg_temp.connected(identity text) RETURNS boolean LANGUAGE sql AS $$
    SELECT (e->>'connected')::boolean FROM jsonb_array_elements(ocpp.chargepointlist()) AS e
     WHERE e->>'identity' = connected.identity
$$;

-- the lease: set at start, renewed, from the setting -----------------------------------------------
SELECT ocpp.node_start('NL-A');
SELECT ocpp.node_start('NL-B');
SELECT is((pg_temp.node('NL-A')).lease_until, NULL, 'node_start: no lease until the first renewal (an older node that never renews is never reaped)');
SELECT is(ocpp.node_renew('NL-A') - 'leaseUntil', '{"reaped": false, "renewEvery": 5.000}',
          'node_renew of a live node: not reaped, next renewal in a third of the lease');
SELECT is((pg_temp.node('NL-A')).lease_until, now() + interval '15 s', 'node_renew: a lease of node.lease_seconds (15)');
SELECT ocpp.node_renew('NL-B');
SELECT ocpp.set_setting('node.lease_seconds', '30');
SELECT is(ocpp.node_renew('NL-A')->'renewEvery', '10.000', 'the renewal interval follows the setting');
SELECT is((pg_temp.node('NL-A')).lease_until, now() + interval '30 s', 'and so does the lease');
SELECT ocpp.set_setting('node.lease_seconds', '15');

-- stations on both nodes, commands in every state ---------------------------------------------------
SELECT ocpp.connect('NL-1', NULL, '1.6', 'NL-B');
SELECT ocpp.connect('NL-2', NULL, '1.6', 'NL-B');
SELECT ocpp.connect('NL-3', NULL, '1.6', 'NL-A');
SELECT ocpp.send('NL-1', 'ClearCache', '{}', interval '10 minutes') AS sent1 \gset
SELECT is(jsonb_array_length(ocpp.command_claim('NL-B')), 1, 'NL-B claims the command to NL-1 (status sent)');
SELECT ocpp.send('NL-2', 'ClearCache', '{}', interval '10 minutes') AS waiting2 \gset
SELECT ocpp.send('NL-2', 'ClearCache', '{}') AS nowait2 \gset
SELECT ocpp.send('NL-3', 'ClearCache', '{}', interval '10 minutes') AS sent3 \gset
SELECT is(jsonb_array_length(ocpp.command_claim('NL-A')), 1, 'NL-A claims the command to NL-3');

-- within the lease and its grace nobody is reaped ----------------------------------------------------
SELECT is(ocpp.node_reap('NL-A'), '[]', 'a live node is not reaped');
UPDATE cs.node SET lease_until = now() - interval '4 s' WHERE name = 'NL-B';
SELECT is(ocpp.node_reap('NL-A'), '[]', 'a lease over by less than node.grace_seconds (5): not yet');
SELECT is(pg_temp.on_node('NL-B'), '{NL-1,NL-2}', 'its connections stay');
UPDATE cs.node SET lease_until = now() - interval '1 hour' WHERE name = 'NL-A';
SELECT is(ocpp.node_reap('NL-A'), '[]', 'a reaper never reaps itself (its own lease is its renewal''s business)');
UPDATE cs.node SET lease_until = now() + interval '15 s' WHERE name = 'NL-A';
UPDATE cs.node SET lease_until = now() - interval '6 s' WHERE name = 'NL-B';
SELECT ocpp.connect('NL-9', NULL, '1.6', 'NL-OLD');
UPDATE cs.node SET started_at = now() - interval '1 day' WHERE name = 'NL-OLD';

-- expiry: NL-A declares NL-B dead -----------------------------------------------------------------
SELECT is(ocpp.node_reap('NL-A'),
          jsonb_build_array(jsonb_build_object('node', 'NL-B', 'leaseUntil', cs.ocpp_time(now() - interval '6 s'),
                                               'connections', 2, 'interrupted', 1)),
          'a lease over by more than the grace: the node is declared dead, with its counts');
SELECT is(pg_temp.on_node('NL-B'), '{}', 'its connections are removed');
SELECT is(pg_temp.connected('NL-1'), false, 'its stations show offline in ocpp.chargepointlist');
SELECT is(pg_temp.connected('NL-3'), true, 'a station of the live node stays online');
SELECT is(pg_temp.on_node('NL-OLD'), '{NL-9}', 'a node without a lease (registered by ocpp.connect alone) is never reaped');
SELECT is((SELECT (c.status, c.finished_at)::text FROM pg_temp.cmd(:sent1) AS c),
          ('interrupted', now())::text, 'its sent command is interrupted');
SELECT is((pg_temp.cmd(:sent3)).status, 'sent', 'the live node''s sent command is untouched');
SELECT is((SELECT (c.status, c.wait_until)::text FROM pg_temp.cmd(:waiting2) AS c),
          ('queued', now() + interval '10 minutes')::text,
          'a queued command with a wait waits for the station to reconnect elsewhere');
SELECT results_eq($$SELECT reaped_at, reaped_by FROM pg_temp.node('NL-B')$$, $$VALUES (now(), 'NL-A')$$,
                  'the dead node is marked: when and by whom');
SELECT is(ocpp.node_reap('NL-C'), '[]', 'a second reaper finds nothing left to do: nothing counted twice');
SELECT is(ocpp.node_reap('NL-A'), '[]', 'nor does the first one again');
SELECT is(cs.command_sweep(), 1, 'the queued command without a wait ...');
SELECT is((pg_temp.cmd(:nowait2)).status, 'offline', '... ends offline, as for any station gone');

-- the stations reconnect to the live node: served at once ------------------------------------------
SELECT is(ocpp.connect('NL-2', NULL, '1.6', 'NL-A')->'replaced_node', 'null', 'NL-2 connects to NL-A');
SELECT is((SELECT array_agg(e->>'id' || ' ' || (e->>'identity')) FROM jsonb_array_elements(ocpp.command_claim('NL-A')) AS e),
          ARRAY[:'waiting2' || ' NL-2'], 'its waiting command is claimed by NL-A');
-- a station that moves before its old node is reaped replaces the old row at once
SELECT ocpp.connect('NL-4', NULL, '1.6', 'NL-B');
SELECT is(ocpp.connect('NL-4', NULL, '1.6', 'NL-A')->>'replaced_node', 'NL-B',
          'a station reconnecting to another node replaces the connection of the old one');
SELECT is(pg_temp.on_node('NL-A'), '{NL-2,NL-3,NL-4}', 'the connection is the new node''s');

-- a node reaped while paused: connections it took since are reaped again; its renewal tells it ---------
SELECT ocpp.connect('NL-5', NULL, '1.6', 'NL-B');
SELECT is(ocpp.node_reap('NL-A')->0->'connections', '1', 'a reaped node that took a connection since is reaped again');
SELECT ocpp.connect('NL-6', NULL, '1.6', 'NL-B');
SELECT is(ocpp.node_renew('NL-B')->'reaped', 'true', 'the reaped node renews: it learns it was declared dead');
SELECT is(pg_temp.on_node('NL-B'), '{}', 'the connections it holds are removed (it closes their sockets)');
SELECT results_eq($$SELECT reaped_at, reaped_by, lease_until FROM pg_temp.node('NL-B')$$,
                  $$VALUES (NULL::timestamptz, NULL::text, now() + interval '15 s')$$, 'it is alive again, with a lease');
SELECT is(ocpp.node_renew('NL-B')->'reaped', 'false', 'the next renewal is an ordinary one');
DELETE FROM cs.node WHERE name = 'NL-B';
SELECT is(ocpp.node_renew('NL-B')->'reaped', 'true', 'a node whose row is gone counts as reaped, and is registered again');

-- bad input ------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT ocpp.node_renew('')$$, 'OC007', 'invalid node', 'node_renew of an empty name');
SELECT throws_ok($$SELECT ocpp.node_renew(NULL)$$, 'OC007', 'invalid node', 'node_renew of null');
SELECT throws_ok($$SELECT ocpp.node_reap('')$$, 'OC007', 'invalid node', 'node_reap by an empty name');
SELECT throws_ok($$SELECT ocpp.set_setting('node.lease_seconds', '0')$$, 'OC007', 'invalid setting value',
                 'a lease of 0 s');
SELECT throws_ok($$SELECT ocpp.set_setting('node.grace_seconds', '-1')$$, 'OC007', 'invalid setting value',
                 'a negative grace');

SELECT * FROM finish();
ROLLBACK;
