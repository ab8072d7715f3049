-- ocpp.log_frames and ocpp.log_cleanup.
BEGIN;
SELECT plan(12);

SELECT is(ocpp.log_frames('[
    {"identity": "L-1", "account": "acme", "direction": "in", "messageType": 2, "action": "Heartbeat",
     "uniqueId": "u1", "payload": {}, "at": "2024-07-01T10:00:00Z"},
    {"identity": "L-1", "account": "acme", "direction": "out", "messageType": 3, "action": "Heartbeat",
     "uniqueId": "u1", "payload": {"currentTime": "2024-07-01T10:00:00.010Z"}, "at": "2024-07-01T10:00:00.010Z", "latencyMs": 1.5},
    {"identity": "L-1", "direction": "out", "messageType": 4, "uniqueId": "u2", "payload": null,
     "errorCode": "NotImplemented", "errorDescription": "action not implemented"}]'), 3, 'log_frames returns the rows written');
SELECT results_eq($$SELECT identity, account, direction, message_type, action, unique_id, payload, error_code,
                           error_description, created_at, latency_ms FROM cs.message_log ORDER BY id$$,
                  $$VALUES ('L-1', 'acme', 'in', 2::smallint, 'Heartbeat', 'u1', '{}'::jsonb, NULL::text, NULL::text,
                            '2024-07-01T10:00:00Z'::timestamptz, NULL::real),
                           ('L-1', 'acme', 'out', 3::smallint, 'Heartbeat', 'u1', '{"currentTime": "2024-07-01T10:00:00.010Z"}',
                            NULL, NULL, '2024-07-01T10:00:00.010Z', 1.5),
                           ('L-1', NULL, 'out', 4::smallint, NULL, 'u2', NULL, 'NotImplemented', 'action not implemented', now(), NULL)$$,
                  'every field is stored; a missing "at" is now()');
SELECT is(ocpp.log_frames('[]'), 0, 'an empty batch writes nothing');

SELECT throws_ok($$SELECT ocpp.log_frames('{"identity": "L-1"}')$$, 'OC006', 'frames is not an array', 'log_frames of an object');
SELECT throws_ok($$SELECT ocpp.log_frames(NULL)$$, 'OC006', 'frames is not an array', 'log_frames of null');
SELECT throws_ok($$SELECT ocpp.log_frames('[{"identity": "L-1", "direction": "sideways", "messageType": 2}]')$$,
                 '23514', NULL, 'log_frames with a bad direction');
SELECT throws_ok($$SELECT ocpp.log_frames('[{"identity": "L-1", "direction": "in", "messageType": 7}]')$$,
                 '23514', NULL, 'log_frames with a bad message type');
SELECT throws_ok($$SELECT ocpp.log_frames('[{"direction": "in", "messageType": 2}]')$$,
                 '23502', NULL, 'log_frames without identity');

-- cleanup
INSERT INTO cs.message_log (identity, direction, message_type, created_at)
VALUES ('L-2', 'in', 2, now() - interval '31 days'), ('L-2', 'in', 2, now() - interval '29 days'),
       ('L-2', 'in', 2, now() - interval '2 hours');
SELECT is(ocpp.log_cleanup(), 3::bigint, 'log_cleanup deletes rows older than 30 days (the 2024 frames too)');
SELECT is((SELECT count(*) FROM cs.message_log), 3::bigint, 'newer rows stay');
SELECT ocpp.set_setting('message_log.retention', '"1 hour"');
SELECT is(ocpp.log_cleanup(), 2::bigint, 'log_cleanup follows message_log.retention');
SELECT results_eq($$SELECT identity, created_at FROM cs.message_log$$, $$VALUES ('L-1', now())$$, 'only the recent row is left');

SELECT * FROM finish();
ROLLBACK;
