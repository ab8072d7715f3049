-- The command queue: ocpp.send, ocpp.command, ocpp.cancel_command, the dispatcher's functions
-- (claim, result, error, timeout, refused, interrupted), the view ocpp.commands, ocpp.call.
BEGIN;
SELECT plan(73);

SELECT ocpp.node_start('n1');
SELECT ocpp.node_start('n2');
SELECT ocpp.connect('CMD-1', NULL, '1.6', 'n1');
SELECT ocpp.connect('CMD-2', NULL, '1.6', 'n1');
SELECT ocpp.connect('CMD-3', NULL, '1.6', 'n2');
SELECT ocpp.add_station('CMD-OFF');
SELECT ocpp.add_station('CMD-REJ', 'Rejected');
SELECT ocpp.connect('CMD-REJ', NULL, '1.6', 'n1');
SELECT ocpp.add_station('CMD-20');
UPDATE cs.station SET version = '1.2' WHERE identity = 'CMD-20';

CREATE TEMP TABLE ids (name text PRIMARY KEY, id bigint);

-- ocpp.send --------------------------------------------------------------------------------------
INSERT INTO ids VALUES ('reset', ocpp.send('CMD-1', 'Reset', '{"type": "Soft"}'));
SELECT results_eq(
    $$SELECT s.identity, c.action, c.payload, c.status, c.wait_until, c.created_at = now(), c.created_by = session_user,
             c.unique_id, c.node, c.sent_at, c.finished_at
        FROM cs.command c JOIN cs.station s ON s.id = c.station_id WHERE c.id = (SELECT id FROM ids WHERE name = 'reset')$$,
    $$VALUES ('CMD-1', 'Reset', '{"type": "Soft"}'::jsonb, 'queued', NULL::timestamptz, true, true,
              NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz)$$,
    'send to a connected station: queued, not waiting');

INSERT INTO ids VALUES ('offline', ocpp.send('CMD-OFF', 'ClearCache'));
SELECT results_eq($$SELECT status, payload, finished_at = now() FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'offline')$$,
                  $$VALUES ('offline', '{}'::jsonb, true)$$, 'send to a station not connected, no wait: offline, payload {} by default');

INSERT INTO ids VALUES ('waiting', ocpp.send('CMD-OFF', 'ClearCache', '{}', '10 minutes'));
SELECT results_eq($$SELECT status, wait_until, finished_at FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'waiting')$$,
                  $$VALUES ('queued', now() + interval '10 minutes', NULL::timestamptz)$$,
                  'send to a station not connected with a wait: queued until now() + wait');

INSERT INTO ids VALUES ('rejected', ocpp.send('CMD-REJ', 'Reset', '{"type": "Hard"}'));
SELECT results_eq($$SELECT status, error, finished_at = now() FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'rejected')$$,
                  $$VALUES ('refused', '{"code": "SecurityError", "description": "station is rejected", "details": {}}'::jsonb, true)$$,
                  'send to a Rejected station: refused, SecurityError');

SELECT throws_ok($$SELECT ocpp.send('nobody', 'Reset', '{"type": "Soft"}')$$, 'OC010', 'unknown station', 'send to an unknown station');
SELECT throws_ok($$SELECT ocpp.send('CMD-1', 'Heartbeat', '{}')$$, 'OC001', 'action not implemented',
                 'send of an action the station sends');
SELECT throws_ok($$SELECT ocpp.send('CMD-1', 'Explode', '{}')$$, 'OC001', 'action not implemented', 'send of an unknown action');
SELECT throws_ok($$SELECT ocpp.send('CMD-1', NULL, '{}')$$, 'OC001', 'action not implemented', 'send without action');
SELECT throws_ok($$SELECT ocpp.send('CMD-1', 'Reset', '[1]')$$, 'OC006', 'payload is not a JSON object', 'send of an array payload');
SELECT throws_ok($$SELECT ocpp.send('CMD-1', 'Reset', NULL)$$, 'OC006', 'payload is not a JSON object', 'send of a null payload');
SELECT throws_ok($$SELECT ocpp.send('CMD-1', 'Reset', '{}', '-1 second')$$, 'OC007', 'invalid wait', 'send with a negative wait');
SELECT throws_ok($$SELECT ocpp.send('CMD-20', 'Reset', '{"type": "Soft"}')$$, 'OC002', 'unsupported OCPP version',
                 'send to a station of a version other than 1.5, 1.6, 2.0.1, 2.1');
SELECT lives_ok($$SELECT ocpp.send('CMD-OFF', 'SignedUpdateFirmware', '{}')$$,
                'a Security Whitepaper operation is accepted (the schema is the dispatcher''s check)');

-- ocpp.command ------------------------------------------------------------------------------------
SELECT is(ocpp.command((SELECT id FROM ids WHERE name = 'reset')) - 'createdAt',
          jsonb_build_object('id', (SELECT id FROM ids WHERE name = 'reset'), 'identity', 'CMD-1', 'action', 'Reset',
                             'payload', '{"type": "Soft"}'::jsonb, 'requested', NULL, 'status', 'queued', 'response', NULL,
                             'error', NULL, 'uniqueId', NULL, 'node', NULL, 'waitUntil', NULL, 'sentAt', NULL,
                             'answeredAt', NULL, 'finishedAt', NULL, 'createdBy', session_user),
          'ocpp.command: the command as JSON');
SELECT is(ocpp.command((SELECT id FROM ids WHERE name = 'reset'))->>'createdAt', cs.ocpp_time(now()), 'createdAt in OCPP time');
SELECT throws_ok($$SELECT ocpp.command(-1)$$, 'OC010', 'unknown command', 'ocpp.command of an unknown id');

-- ocpp.command_claim ------------------------------------------------------------------------------
INSERT INTO ids VALUES ('second', ocpp.send('CMD-1', 'ClearCache'));
INSERT INTO ids VALUES ('other', ocpp.send('CMD-2', 'GetLocalListVersion'));
INSERT INTO ids VALUES ('n2cmd', ocpp.send('CMD-3', 'ClearCache'));

CREATE TEMP TABLE claim1 AS SELECT ocpp.command_claim('n1') AS claimed;
SELECT is((SELECT jsonb_path_query_array(claimed, '$[*].id') FROM claim1),
          jsonb_build_array((SELECT id FROM ids WHERE name = 'reset'), (SELECT id FROM ids WHERE name = 'other')),
          'claim: the oldest queued command of each station of the node, none of the Rejected station');
SELECT is((SELECT (claimed->0) - 'uniqueId' FROM claim1),
          jsonb_build_object('id', (SELECT id FROM ids WHERE name = 'reset'), 'identity', 'CMD-1', 'action', 'Reset',
                             'payload', '{"type": "Soft"}'::jsonb),
          'claim: id, identity, action, payload');
SELECT results_eq(
    $$SELECT c.status, c.node, c.sent_at = now(), c.unique_id = (SELECT claimed->0->>'uniqueId' FROM claim1),
             length(c.unique_id)
        FROM cs.command c WHERE c.id = (SELECT id FROM ids WHERE name = 'reset')$$,
    $$VALUES ('sent', 'n1', true, true, 36)$$, 'claimed: sent, node, sent_at, a uuid unique id');
SELECT is(ocpp.command_claim('n1'), '[]'::jsonb, 'one outstanding CALL per station: nothing more to claim');
SELECT is(ocpp.command_claim('n2', ARRAY['CMD-1']), '[]'::jsonb, 'identities filter: CMD-1 is not on n2');
SELECT is(ocpp.command_claim('n2', NULL, 0), '[]'::jsonb, 'lim 0 claims nothing');
SELECT is(jsonb_path_query_array(ocpp.command_claim('n2', ARRAY['CMD-3']), '$[*].id'),
          jsonb_build_array((SELECT id FROM ids WHERE name = 'n2cmd')), 'claim of node n2 for CMD-3');
SELECT throws_ok($$SELECT ocpp.command_claim('')$$, 'OC007', 'invalid node', 'claim with an empty node');
SELECT throws_ok($$SELECT ocpp.command_claim('n1', NULL, -1)$$, 'OC007', 'invalid limit', 'claim with a negative lim');
SELECT throws_ok(format('INSERT INTO cs.command (station_id, action, payload, status) SELECT station_id, ''Reset'', ''{}'', ''sent'' FROM cs.command WHERE id = %s',
                        (SELECT id FROM ids WHERE name = 'reset')),
                 '23505', NULL, 'the table refuses a second sent command for a station');

-- the sweep: waits that passed, stations gone, stations rejected
UPDATE cs.command SET wait_until = now() - interval '1 second' WHERE id = (SELECT id FROM ids WHERE name = 'waiting');
SELECT ocpp.disconnect('CMD-2', 'n1');
SELECT is(ocpp.command_interrupted('n1', 'CMD-2'), 1, 'the socket closed with a call outstanding: interrupted');
SELECT ocpp.connect('CMD-2', NULL, '1.6', 'n1');
INSERT INTO ids VALUES ('gone', ocpp.send('CMD-2', 'ClearCache'));
SELECT ocpp.disconnect('CMD-2', 'n1');
INSERT INTO ids VALUES ('gone-wait', ocpp.send('CMD-OFF', 'ClearCache', '{}', '1 hour'));
INSERT INTO ids VALUES ('later-rejected', ocpp.send('CMD-3', 'GetLocalListVersion'));
SELECT ocpp.add_station('CMD-3', 'Rejected');
SELECT is(ocpp.command_claim('n9'), '[]'::jsonb, 'claim of a node without stations');
SELECT results_eq(
    $$SELECT i.name, c.status, c.error->>'code', c.finished_at IS NOT NULL FROM cs.command c JOIN ids i USING (id)
       WHERE i.name IN ('waiting', 'gone', 'gone-wait', 'later-rejected') ORDER BY i.name$$,
    $$VALUES ('gone', 'offline', NULL, true), ('gone-wait', 'queued', NULL, false),
             ('later-rejected', 'refused', 'SecurityError', true), ('waiting', 'offline', NULL, true)$$,
    'claim sweeps: a passed wait and a disconnected station without wait go offline, a Rejected station''s is refused');

-- a waiting command is claimed once the station connects
SELECT ocpp.connect('CMD-OFF', NULL, '1.6', 'n2');
SELECT is(ocpp.command_claim('n2', ARRAY['CMD-OFF'])->0->'id', to_jsonb((SELECT id FROM ids WHERE name = 'gone-wait')),
          'a waiting command goes when its station connects');

-- ocpp.command_result ------------------------------------------------------------------------------
SELECT lives_ok(format($$SELECT ocpp.command_result(%s, '{"status": "Accepted"}')$$, (SELECT id FROM ids WHERE name = 'reset')),
                'command_result');
SELECT results_eq($$SELECT status, response, answered_at = now(), finished_at = now(), error FROM cs.command
                     WHERE id = (SELECT id FROM ids WHERE name = 'reset')$$,
                  $$VALUES ('answered', '{"status": "Accepted"}'::jsonb, true, true, NULL::jsonb)$$,
                  'answered: the response and the times');
SELECT throws_ok(format($$SELECT ocpp.command_result(%s, '{"status": "Accepted"}')$$, (SELECT id FROM ids WHERE name = 'reset')),
                 'OC004', 'command not waiting for an answer', 'a second answer is an answer without a question');
SELECT throws_ok(format($$SELECT ocpp.command_result(%s, '{}')$$, (SELECT id FROM ids WHERE name = 'second')),
                 'OC004', 'command not waiting for an answer', 'an answer to a queued command');
SELECT throws_ok($$SELECT ocpp.command_result(-1, '{}')$$, 'OC010', 'unknown command', 'an answer to an unknown command');
SELECT is(ocpp.command_claim('n1')->0->'id', to_jsonb((SELECT id FROM ids WHERE name = 'second')),
          'after the answer the next command of the station is claimed');
SELECT throws_ok(format($$SELECT ocpp.command_result(%s, '"Accepted"')$$, (SELECT id FROM ids WHERE name = 'second')),
                 'OC006', 'response is not a JSON object', 'a response that is not an object');
SELECT is((SELECT status FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'second')), 'sent',
          'and the command still waits');

-- ocpp.command_error -------------------------------------------------------------------------------
SELECT ocpp.command_error((SELECT id FROM ids WHERE name = 'second'), 'NotImplemented', 'no cache', '{"x": 1}');
SELECT results_eq($$SELECT status, error, answered_at = now(), finished_at = now() FROM cs.command
                     WHERE id = (SELECT id FROM ids WHERE name = 'second')$$,
                  $$VALUES ('error', '{"code": "NotImplemented", "description": "no cache", "details": {"x": 1}}'::jsonb, true, true)$$,
                  'command_error: status error with the CALLERROR');
SELECT throws_ok(format($$SELECT ocpp.command_error(%s, 'GenericError', 'again', NULL)$$, (SELECT id FROM ids WHERE name = 'second')),
                 'OC004', 'command not waiting for an answer', 'an error for a command already answered');
SELECT throws_ok($$SELECT ocpp.command_error(-1, 'GenericError', 'x', NULL)$$, 'OC010', 'unknown command', 'an error for an unknown command');

-- ocpp.command_timeout -----------------------------------------------------------------------------
INSERT INTO ids VALUES ('slow', ocpp.send('CMD-1', 'ClearCache'));
SELECT ocpp.command_claim('n1');
SELECT ocpp.command_timeout((SELECT id FROM ids WHERE name = 'slow'));
SELECT results_eq($$SELECT status, answered_at, finished_at = now() FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'slow')$$,
                  $$VALUES ('timeout', NULL::timestamptz, true)$$, 'command_timeout: status timeout');
SELECT throws_ok(format('SELECT ocpp.command_timeout(%s)', (SELECT id FROM ids WHERE name = 'slow')),
                 'OC004', 'command not waiting for an answer', 'a timeout of a command no longer waiting');
SELECT throws_ok($$SELECT ocpp.command_timeout(-1)$$, 'OC010', 'unknown command', 'a timeout of an unknown command');

-- ocpp.command_refused -----------------------------------------------------------------------------
INSERT INTO ids VALUES ('bad', ocpp.send('CMD-1', 'Reset', '{"type": "Medium"}'));
SELECT ocpp.command_claim('n1');
SELECT ocpp.command_refused((SELECT id FROM ids WHERE name = 'bad'), 'FormationViolation', 'type: not in enum', '{"path": "type"}');
SELECT results_eq($$SELECT status, error, sent_at, unique_id, finished_at = now() FROM cs.command
                     WHERE id = (SELECT id FROM ids WHERE name = 'bad')$$,
                  $$VALUES ('refused', '{"code": "FormationViolation", "description": "type: not in enum", "details": {"path": "type"}}'::jsonb,
                            NULL::timestamptz, NULL::text, true)$$,
                  'command_refused: refused, not sent');
SELECT throws_ok(format($$SELECT ocpp.command_refused(%s, 'x', 'y', NULL)$$, (SELECT id FROM ids WHERE name = 'bad')),
                 'OC004', 'command not waiting for an answer', 'refusing a command that is not claimed');
SELECT throws_ok($$SELECT ocpp.command_refused(-1, 'x', 'y', NULL)$$, 'OC010', 'unknown command', 'refusing an unknown command');

-- ocpp.command_unclaim ----------------------------------------------------------------------------
INSERT INTO ids VALUES ('unclaimed', ocpp.send('CMD-1', 'ClearCache'));
SELECT ocpp.command_claim('n1');
SELECT ocpp.command_unclaim((SELECT id FROM ids WHERE name = 'unclaimed'));
SELECT results_eq($$SELECT status, sent_at, unique_id, node, finished_at FROM cs.command
                     WHERE id = (SELECT id FROM ids WHERE name = 'unclaimed')$$,
                  $$VALUES ('queued', NULL::timestamptz, NULL::text, NULL::text, NULL::timestamptz)$$,
                  'command_unclaim: claimed, never sent, queued again');
SELECT is((SELECT c->>'id' FROM jsonb_array_elements(ocpp.command_claim('n1')) AS c),
          (SELECT id::text FROM ids WHERE name = 'unclaimed'), 'and the next claim takes it');
SELECT ocpp.command_unclaim((SELECT id FROM ids WHERE name = 'unclaimed'));
SELECT ocpp.cancel_command((SELECT id FROM ids WHERE name = 'unclaimed'));
SELECT throws_ok(format('SELECT ocpp.command_unclaim(%s)', (SELECT id FROM ids WHERE name = 'unclaimed')),
                 'OC004', 'command not waiting for an answer', 'unclaiming a command that is not sent');

-- ocpp.command_interrupted -------------------------------------------------------------------------
SELECT ocpp.add_station('CMD-3', 'Accepted');
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'n2cmd'), '{"status": "Accepted"}');
SELECT ocpp.connect('CMD-2', NULL, '1.6', 'n1');
INSERT INTO ids VALUES ('i1', ocpp.send('CMD-1', 'ClearCache'));
INSERT INTO ids VALUES ('i2', ocpp.send('CMD-2', 'ClearCache'));
INSERT INTO ids VALUES ('i3', ocpp.send('CMD-3', 'ClearCache'));
SELECT is(jsonb_array_length(ocpp.command_claim('n1')), 2, 'two commands claimed on n1');
SELECT ocpp.command_claim('n2');
SELECT is(ocpp.command_interrupted('n1', 'CMD-2'), 1, 'interrupted: one station of the node');
SELECT is((SELECT status FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'i2')), 'interrupted', 'its command is interrupted');
SELECT is(ocpp.command_interrupted('n1'), 1, 'interrupted: the rest of the node');
SELECT results_eq($$SELECT i.name, c.status, c.finished_at IS NOT NULL FROM cs.command c JOIN ids i USING (id)
                     WHERE i.name IN ('i1', 'i2', 'i3') ORDER BY i.name$$,
                  $$VALUES ('i1', 'interrupted', true), ('i2', 'interrupted', true), ('i3', 'sent', false)$$,
                  'other nodes'' commands stay sent');
SELECT is(ocpp.command_interrupted('n1'), 0, 'nothing left to interrupt');
SELECT is(ocpp.command_claim('n1'), '[]'::jsonb, 'an interrupted command is never resent');

-- ocpp.cancel_command -----------------------------------------------------------------------------
INSERT INTO ids VALUES ('c1', ocpp.send('CMD-3', 'Reset', '{"type": "Soft"}'));
SELECT is(ocpp.cancel_command((SELECT id FROM ids WHERE name = 'c1')), true, 'cancel of a queued command');
SELECT results_eq($$SELECT status, finished_at = now() FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'c1')$$,
                  $$VALUES ('cancelled', true)$$, 'it is cancelled');
SELECT is(ocpp.cancel_command((SELECT id FROM ids WHERE name = 'c1')), false, 'cancel of a cancelled command');
SELECT is(ocpp.cancel_command((SELECT id FROM ids WHERE name = 'i3')), false, 'cancel of a sent command');
SELECT is((SELECT status FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'i3')), 'sent', 'which stays sent');
SELECT throws_ok($$SELECT ocpp.cancel_command(-1)$$, 'OC010', 'unknown command', 'cancel of an unknown command');

-- the view ----------------------------------------------------------------------------------------
SELECT results_eq($$SELECT id, identity, action, status FROM ocpp.commands LIMIT 2$$,
                  $$SELECT c.id, s.identity, c.action, c.status FROM cs.command c JOIN cs.station s ON s.id = c.station_id
                     ORDER BY c.id DESC LIMIT 2$$, 'ocpp.commands: newest first with identity');
UPDATE cs.command SET created_at = now() - interval '8 days' WHERE id IN (SELECT id FROM ids WHERE name IN ('reset', 'i3'));
SELECT results_eq($$SELECT count(*) FILTER (WHERE id = (SELECT id FROM ids WHERE name = 'reset')),
                           count(*) FILTER (WHERE id = (SELECT id FROM ids WHERE name = 'i3')) FROM ocpp.commands$$,
                  $$VALUES (0::bigint, 1::bigint)$$, 'ocpp.commands: older than 7 days only while unfinished');
SELECT ok(has_table_privilege('ocpp_frontend', 'ocpp.commands', 'SELECT'), 'ocpp_frontend may read ocpp.commands');

-- effects that fail keep the answer ---------------------------------------------------------------
INSERT INTO ids VALUES ('broken', ocpp.send('CMD-OFF', 'ReserveNow',
                                             '{"connectorId": 1, "idTag": "T", "reservationId": 1, "expiryDate": "soon"}'));
SELECT ocpp.command_claim('n2', ARRAY['CMD-OFF']);
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'gone-wait'), '{"status": "Accepted"}');
SELECT ocpp.command_claim('n2', ARRAY['CMD-OFF']);
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'broken'), '{"status": "Accepted"}');
SELECT is((SELECT status FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'broken')), 'answered',
          'a failing effect does not lose the answer');
SELECT results_eq($$SELECT action, reason ~ '^command effect failed: ', payload->'command' FROM cs.review r
                     JOIN cs.station s ON s.id = r.station_id WHERE s.identity = 'CMD-OFF'$$,
                  $$SELECT 'ReserveNow', true, to_jsonb(id) FROM ids WHERE name = 'broken'$$,
                  'the failure is kept in cs.review');
SELECT is((SELECT count(*) FROM cs.reservation), 0::bigint, 'and the effect left nothing behind');

-- ocpp.call ---------------------------------------------------------------------------------------
SELECT throws_ok($$CALL ocpp.call('CMD-1', 'ClearCache', '{}')$$, '2D000', NULL,
                 'ocpp.call commits, so it refuses to run inside a transaction block');
SELECT ok(has_function_privilege('ocpp_frontend', 'ocpp.call(text, text, jsonb, jsonb, interval)', 'EXECUTE')
          AND NOT EXISTS (SELECT FROM pg_proc p, aclexplode(p.proacl) a
                           WHERE p.oid = 'ocpp.call(text, text, jsonb, jsonb, interval)'::regprocedure AND a.grantee = 0),
          'ocpp.call: ocpp_frontend may call it, PUBLIC may not');
SELECT is((SELECT prosecdef FROM pg_proc WHERE oid = 'ocpp.call(text, text, jsonb, jsonb, interval)'::regprocedure), false,
          'ocpp.call runs with the caller''s rights (a SECURITY DEFINER procedure may not COMMIT)');

-- the front end's role may call the API
SELECT ok(has_function_privilege('ocpp_frontend', 'ocpp.send(text, text, jsonb, interval)', 'EXECUTE')
          AND has_function_privilege('ocpp_frontend', 'ocpp.command_claim(text, text[], integer)', 'EXECUTE'),
          'ocpp_frontend may execute send and command_claim');

SELECT * FROM finish();
ROLLBACK;
