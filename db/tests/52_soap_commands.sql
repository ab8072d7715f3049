-- Commands to SOAP stations: cs.reachable, ocpp.send to a SOAP station without a socket, and
-- ocpp.command_claim_soap (one outstanding command per station, the From address to POST to).
BEGIN;
SELECT plan(13);

SELECT ocpp.node_start('n1');
SELECT ocpp.add_station('SOAP-1');
SELECT ocpp.add_station('SOAP-OLD');
SELECT ocpp.add_station('WS-1');
UPDATE cs.station SET version = '1.6', soap_from = 'http://10.0.0.7:8080/' WHERE identity = 'SOAP-1';
UPDATE cs.station SET version = '1.5', soap_from = 'http://10.0.0.8:8080/' WHERE identity = 'SOAP-OLD';
UPDATE cs.station SET version = '1.6' WHERE identity = 'WS-1';

SELECT ok(cs.reachable(s.id, s.soap_from, s.version), 'a 1.6 SOAP station is reachable without a socket')
  FROM cs.station s WHERE identity = 'SOAP-1';
SELECT ok(NOT cs.reachable(s.id, s.soap_from, s.version), 'a JSON station without a socket is not')
  FROM cs.station s WHERE identity = 'WS-1';
SELECT ocpp.connect('WS-1', NULL, '1.6', 'n1');
SELECT ok(cs.reachable(s.id, s.soap_from, s.version), 'with a socket it is')
  FROM cs.station s WHERE identity = 'WS-1';

CREATE TEMP TABLE ids AS
SELECT ocpp.send('SOAP-1', 'Reset', '{"type": "Soft"}') AS reset,
       ocpp.send('SOAP-1', 'ClearCache') AS clear,
       ocpp.send('SOAP-OLD', 'UnlockConnector', '{"connectorId": 1}') AS unlock,
       ocpp.send('WS-1', 'ClearCache') AS ws;
SELECT is((SELECT status FROM cs.command WHERE id = (SELECT reset FROM ids)), 'queued',
          'a command to a SOAP station is queued, not offline');

CREATE TEMP TABLE claimed AS SELECT ocpp.command_claim_soap('n1') AS c;
SELECT is(jsonb_array_length((SELECT c FROM claimed)), 2, 'one command per SOAP station, WebSocket stations left out');
SELECT is((SELECT c->0->>'action' FROM claimed), 'Reset', 'the oldest queued command first');
SELECT is((SELECT c->0->>'to' FROM claimed), 'http://10.0.0.7:8080/', 'with the From address to POST to');
SELECT is((SELECT c->1->>'version' FROM claimed), '1.5', 'and the SOAP version of the station');
SELECT results_eq($$SELECT status, node FROM cs.command WHERE id = (SELECT reset FROM ids)$$,
                  $$VALUES ('sent', 'n1')$$, 'the claimed command is sent by n1');
SELECT is(ocpp.command_claim_soap('n1'), '[]'::jsonb, 'nothing more while a command is outstanding');

SELECT ocpp.command_result((SELECT reset FROM ids), '{"status": "Accepted"}');
SELECT is((SELECT c->0->>'action' FROM (SELECT ocpp.command_claim_soap('n1') AS c) x), 'ClearCache',
          'once answered, the next command of the station');

SELECT throws_ok($$SELECT ocpp.command_claim_soap('')$$, 'OC007', 'invalid node', 'an empty node is refused');
SELECT throws_ok($$SELECT ocpp.command_claim_soap('n1', -1)$$, 'OC007', 'invalid limit', 'a negative lim is refused');

SELECT * FROM finish();
ROLLBACK;
