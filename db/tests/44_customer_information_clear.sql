-- N10.FR.02: an accepted CustomerInformation with clear and an idToken queues a differential SendLocalList
-- that removes the token from the station's local list; the stored list follows when it is accepted.
BEGIN;
SELECT plan(9);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('CI-1', NULL, '2.0.1', 'n1');
SELECT ocpp.set_id_tag('TOK1');
SELECT ocpp.set_id_tag('TOK2');
CREATE FUNCTION pg_temp.answer(status text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c jsonb := ocpp.command_claim('n1', ARRAY['CI-1'])->0;
BEGIN
    PERFORM ocpp.command_result((c->>'id')::bigint, jsonb_build_object('status', status));
    RETURN (c->>'id')::bigint;
END;
$$;
CREATE FUNCTION pg_temp.queued_list() RETURNS jsonb LANGUAGE sql AS $$
    SELECT payload FROM cs.command WHERE station_id = cs.station_id('CI-1') AND action = 'SendLocalList'
       AND status = 'queued'
$$;

SELECT ocpp.send_local_list('CI-1', 'Full');
SELECT pg_temp.answer('Accepted');
SELECT set_eq($$SELECT id_tag FROM cs.local_list_entry WHERE station_id = cs.station_id('CI-1')$$,
              ARRAY['TOK1', 'TOK2'], 'the station holds a local list of TOK1 and TOK2');

-- what does not clear
SELECT ocpp.send('CI-1', 'CustomerInformation', '{"requestId": 1, "report": true, "clear": false,
                                                 "idToken": {"idToken": "TOK1", "type": "ISO14443"}}');
SELECT pg_temp.answer('Accepted');
SELECT is(pg_temp.queued_list(), NULL, 'a report without clear leaves the list alone');
SELECT ocpp.send('CI-1', 'CustomerInformation', '{"requestId": 2, "report": false, "clear": true,
                                                 "idToken": {"idToken": "TOK1", "type": "ISO14443"}}');
SELECT pg_temp.answer('Rejected');
SELECT is(pg_temp.queued_list(), NULL, 'a clear the station rejected too');
SELECT ocpp.send('CI-1', 'CustomerInformation', '{"requestId": 3, "report": false, "clear": true,
                                                 "idToken": {"idToken": "OTHER", "type": "ISO14443"}}');
SELECT pg_temp.answer('Accepted');
SELECT is(pg_temp.queued_list(), NULL, 'and a token the list does not hold');
SELECT ocpp.send('CI-1', 'CustomerInformation', '{"requestId": 4, "report": false, "clear": true,
                                                 "customerIdentifier": "cust-1"}');
SELECT pg_temp.answer('Accepted');
SELECT is(pg_temp.queued_list(), NULL, 'and a clear by customer identifier alone');

-- the clear of TOK1 (spelt in lower case: idTokens compare case-insensitively)
SELECT ocpp.send('CI-1', 'CustomerInformation', '{"requestId": 5, "report": false, "clear": true,
                                                 "idToken": {"idToken": "tok1", "type": "ISO14443"}}');
SELECT pg_temp.answer('Accepted');
SELECT is(pg_temp.queued_list(),
          '{"versionNumber": 2, "updateType": "Differential",
            "localAuthorizationList": [{"idToken": {"idToken": "TOK1", "type": "ISO14443"}}]}',
          'an accepted clear queues a differential SendLocalList: TOK1 without idTokenInfo, the next version');
SELECT is((SELECT wait_until IS NOT NULL FROM cs.command WHERE payload = pg_temp.queued_list()), true,
          'it waits for the station');
SELECT pg_temp.answer('Accepted');
SELECT set_eq($$SELECT id_tag FROM cs.local_list_entry WHERE station_id = cs.station_id('CI-1')$$,
              ARRAY['TOK2'], 'accepted: the stored list loses TOK1');
SELECT is((SELECT version FROM cs.local_list WHERE station_id = cs.station_id('CI-1')), 2, 'and has version 2');

SELECT * FROM finish();
ROLLBACK;
