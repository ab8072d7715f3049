-- ocpp.connect, ocpp.disconnect, ocpp.node_start, station passwords (security profile 1).
BEGIN;
SELECT plan(44);

-- an unknown station connects
SELECT is(ocpp.connect('C-1', 'acme', '1.6', 'n1', NULL, '10.0.0.1:5000'),
          '{"accepted": true, "profile": 0, "replaced_node": null}'::jsonb || jsonb_build_object('connectedAt', now()), 'unknown station accepted, no replaced node');
SELECT results_eq($$SELECT account, version, registration_status, (SELECT p.last_seen FROM cs.station_presence p WHERE p.station_id = s.id) = now() FROM cs.station s WHERE identity = 'C-1'$$,
                  $$VALUES ('acme', '1.6', 'Accepted', true)$$, 'the station is created');
SELECT results_eq($$SELECT c.node, c.version, c.remote, c.connected_at = now()
                      FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'C-1'$$,
                  $$VALUES ('n1', '1.6', '10.0.0.1:5000', true)$$, 'the connection row');
SELECT ok(EXISTS (SELECT FROM cs.node WHERE name = 'n1'), 'the node is registered');

-- it reconnects through another node
SELECT is(ocpp.connect('C-1', NULL, '1.6', 'n2'), '{"accepted": true, "profile": 0, "replaced_node": "n1"}'::jsonb || jsonb_build_object('connectedAt', now()),
          'a second connection names the node it replaces');
SELECT results_eq($$SELECT c.node, s.account FROM cs.connection c JOIN cs.station s ON s.id = c.station_id
                     WHERE s.identity = 'C-1'$$,
                  $$VALUES ('n2', 'acme')$$, 'one connection row, now on n2; account kept');

-- the old socket closes late: the newer connection stays
SELECT lives_ok($$SELECT ocpp.disconnect('C-1', 'n1')$$, 'disconnect from a stale node');
SELECT is((SELECT c.node FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'C-1'),
          'n2', 'disconnect by a node that no longer holds the connection changes nothing');
SELECT ocpp.disconnect('C-1', 'n2');
SELECT is((SELECT count(*) FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'C-1'),
          0::bigint, 'disconnect by the holding node removes the row');
SELECT lives_ok($$SELECT ocpp.disconnect('nobody', 'n2')$$, 'disconnect of an unknown station is harmless');
-- the same node, a newer connection: the old socket's disconnect (its connectedAt) leaves it
SELECT ocpp.connect('C-1', NULL, '1.6', 'n2');
SELECT ocpp.disconnect('C-1', 'n2', now() - interval '1 second');
SELECT is((SELECT count(*) FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'C-1'),
          1::bigint, 'disconnect of an older connection on the same node keeps the newer one');
SELECT ocpp.disconnect('C-1', 'n2', (ocpp.connect('C-1', NULL, '1.6', 'n2')->>'connectedAt')::timestamptz);
SELECT is((SELECT count(*) FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'C-1'),
          0::bigint, 'disconnect with the connection''s own connectedAt removes it');

-- a node restarts: its stale rows go, other nodes' rows stay
SELECT ocpp.connect('C-2', NULL, '1.6', 'n3');
SELECT ocpp.connect('C-3', NULL, '1.6', 'n4');
SELECT ocpp.node_start('n3');
SELECT is((SELECT count(*) FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'C-2'),
          0::bigint, 'node_start removes the node''s connections');
SELECT is((SELECT count(*) FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'C-3'),
          1::bigint, 'node_start keeps other nodes'' connections');
SELECT is((SELECT started_at FROM cs.node WHERE name = 'n3'), now(), 'node_start records the start');
SELECT ocpp.node_start('n9');
SELECT ok(EXISTS (SELECT FROM cs.node WHERE name = 'n9'), 'node_start registers a new node');

SELECT ocpp.connect('C-4', '', '1.6', 'n1');
SELECT is((SELECT account FROM cs.station WHERE identity = 'C-4'), NULL, 'an empty account is stored as null');

SELECT throws_ok($$SELECT ocpp.node_start('')$$, 'OC007', 'invalid node', 'node_start of an empty name');
SELECT throws_ok($$SELECT ocpp.connect('', NULL, '1.6', 'n1')$$, 'OC007', 'invalid connection', 'connect with an empty identity');
SELECT throws_ok($$SELECT ocpp.connect('C-1', NULL, '1.6', NULL)$$, 'OC007', 'invalid connection', 'connect without node');
SELECT throws_ok($$SELECT ocpp.connect('C-1', NULL, NULL, 'n1')$$, 'OC007', 'invalid connection', 'connect without version');

-- passwords
SELECT ocpp.add_station('P-1', 'Accepted', 'pw-1');
SELECT ok((SELECT password_hash ~ '^bcrypt-sha256\$2a\$' FROM cs.station WHERE identity = 'P-1'),
          'add_station stores a salted hash');
SELECT ok((SELECT cs.password_matches(password_hash, 'pw-1') FROM cs.station WHERE identity = 'P-1'),
          'the hash matches the password');

-- auth not required (the default)
SELECT is(ocpp.connect('P-1', NULL, '1.6', 'n1', 'pw-1')->'accepted', 'true', 'right password accepted');
SELECT is(ocpp.connect('P-1', NULL, '1.6', 'n1', 'nope'), '{"accepted": false, "reason": "wrong password"}',
          'a wrong password is refused even when not required');
SELECT is(ocpp.connect('P-1', NULL, '1.6', 'n1')->'accepted', 'true', 'no password, not required: accepted');
SELECT is(ocpp.connect('C-1', NULL, '1.6', 'n1', 'anything')->'accepted', 'true',
          'a password for a station without hash, not required: accepted');

-- required globally
SELECT ocpp.set_setting('station.auth_required', 'true');
SELECT is(ocpp.connect('P-1', NULL, '1.6', 'n1'), '{"accepted": false, "reason": "password required"}',
          'required and no password: refused');
SELECT is(ocpp.connect('P-1', NULL, '1.6', 'n1', 'nope'), '{"accepted": false, "reason": "wrong password"}',
          'required and wrong password: refused');
SELECT is(ocpp.connect('P-1', NULL, '1.6', 'n1', 'pw-1')->'accepted', 'true', 'required and right password: accepted');
SELECT is(ocpp.connect('C-1', NULL, '1.6', 'n1', 'anything'),
          '{"accepted": false, "reason": "no password set for this station"}', 'required and the station has no hash: refused');
SELECT is(ocpp.connect('NEW-1', NULL, '1.6', 'n1'), '{"accepted": false, "reason": "password required"}',
          'required: an unknown station is refused');
SELECT is((SELECT count(*) FROM cs.station WHERE identity = 'NEW-1'), 0::bigint, 'and is not created');

-- per station override
UPDATE cs.station SET auth_required = false WHERE identity = 'C-1';
SELECT is(ocpp.connect('C-1', NULL, '1.6', 'n1')->'accepted', 'true', 'station override false beats the setting');
SELECT ocpp.set_setting('station.auth_required', 'false');
UPDATE cs.station SET auth_required = true WHERE identity = 'C-1';
SELECT is(ocpp.connect('C-1', NULL, '1.6', 'n1'), '{"accepted": false, "reason": "password required"}',
          'station override true beats the setting');
SELECT ocpp.set_station_password('C-1', 'pw-c1');
SELECT is(ocpp.connect('C-1', NULL, '1.6', 'n1', 'pw-c1')->'accepted', 'true', 'set_station_password: the new password works');

-- set_station_password
SELECT ocpp.set_station_password('C-1', NULL);
SELECT is((SELECT password_hash FROM cs.station WHERE identity = 'C-1'), NULL, 'set_station_password null removes the hash');
SELECT is(ocpp.connect('C-1', NULL, '1.6', 'n1', 'pw-c1'),
          '{"accepted": false, "reason": "no password set for this station"}', 'required, hash removed: refused');
SELECT throws_ok($$SELECT ocpp.set_station_password('nobody', 'x')$$, 'OC010', 'unknown station',
                 'set_station_password of an unknown station');
SELECT throws_ok($$SELECT ocpp.set_station_password('C-1', '')$$, 'OC007', 'invalid password',
                 'set_station_password with an empty password');

-- add_station
SELECT ocpp.add_station('C-1', 'Pending', NULL, 'other');
SELECT results_eq($$SELECT registration_status, account FROM cs.station WHERE identity = 'C-1'$$,
                  $$VALUES ('Pending', 'other')$$, 'add_station of an existing station sets registration and account');
SELECT throws_ok($$SELECT ocpp.add_station('')$$, 'OC007', 'invalid identity', 'add_station with an empty identity');
SELECT throws_ok($$SELECT ocpp.add_station('X', 'Maybe')$$, 'OC007', 'invalid registration', 'add_station with a bad registration');
SELECT throws_ok($$SELECT ocpp.add_station('X', 'Accepted', '')$$, 'OC007', 'invalid password', 'add_station with an empty password');

SELECT * FROM finish();
ROLLBACK;
