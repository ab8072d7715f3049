-- ocpp.parse refusals: versions, actions, payloads, identities.
BEGIN;
SELECT plan(13);

SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'Heartbeat', '{}', NULL, '1.5')$$, 'OC002', 'unsupported OCPP version',
                 'an unknown version');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'Heartbeat', '{}', NULL, NULL)$$, 'OC002', 'unsupported OCPP version',
                 'a null version');
SELECT is((SELECT count(*) FROM cs.station WHERE identity = 'E-1'), 0::bigint, 'an unknown version creates no station');

SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'Reset', '{"type": "Hard"}')$$, 'OC002',
                 'action not supported from a charge point', 'Reset is sent by the central system');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'RemoteStartTransaction', '{"idTag": "x"}')$$, 'OC002',
                 'action not supported from a charge point', 'RemoteStartTransaction is sent by the central system');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'GetConfiguration', '{}')$$, 'OC002',
                 'action not supported from a charge point', 'GetConfiguration is sent by the central system');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'FlyToTheMoon', '{}')$$, 'OC001', 'action not implemented',
                 'an unknown action');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'heartbeat', '{}')$$, 'OC001', 'action not implemented',
                 'actions are case-sensitive');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', NULL, '{}')$$, 'OC001', 'action not implemented', 'a null action');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'Heartbeat', '[]')$$, 'OC006', 'payload is not a JSON object',
                 'an array payload');
SELECT throws_ok($$SELECT ocpp.parse('E-1', 'u1', 'Heartbeat', NULL)$$, 'OC006', 'payload is not a JSON object',
                 'a null payload');
SELECT throws_ok($$SELECT ocpp.parse('', 'u1', 'Heartbeat', '{}')$$, 'OC007', 'invalid identity', 'an empty identity');
SELECT throws_ok($$SELECT ocpp.parse(NULL, 'u1', 'Heartbeat', '{}')$$, 'OC007', 'invalid identity', 'a null identity');

SELECT * FROM finish();
ROLLBACK;
