-- ocpp.command_queue_depth(): the queue each node's /metrics reports, queued and sent, whatever else
-- the table holds.
BEGIN;
SELECT plan(5);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('QD-1', NULL, '1.6', 'n1');
SELECT ocpp.add_station('QD-OFF');

SELECT is(ocpp.command_queue_depth() - 'queued' - 'sent', '{}'::jsonb, 'only queued and sent');
DELETE FROM cs.command;  -- a test database starts empty, but say so
SELECT is(ocpp.command_queue_depth(), '{"queued": 0, "sent": 0}'::jsonb, 'an empty queue');

SELECT ocpp.send('QD-1', 'Reset', '{"type": "Soft"}');
SELECT ocpp.send('QD-1', 'ClearCache');
SELECT ocpp.send('QD-OFF', 'ClearCache', '{}', interval '1 hour');  -- waits for the station
SELECT ocpp.send('QD-OFF', 'ClearCache');                            -- offline at once: not queued
SELECT is(ocpp.command_queue_depth(), '{"queued": 3, "sent": 0}'::jsonb, 'three queued, one offline');

SELECT ocpp.command_claim('n1');  -- one outstanding CALL per station: Reset goes, ClearCache waits
SELECT is(ocpp.command_queue_depth(), '{"queued": 2, "sent": 1}'::jsonb, 'one claimed: sent');

SELECT ok(has_function_privilege('ocpp_frontend', 'ocpp.command_queue_depth()', 'EXECUTE'),
          'the front end may ask');

SELECT * FROM finish();
ROLLBACK;
