-- OCPP 2.0.1 Authorize: idTokenInfo from cs.id_tag, ocpp.set_id_token.
BEGIN;
SELECT plan(24);

CREATE FUNCTION pg_temp.auth(token text, type text DEFAULT 'ISO14443') RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse('A-1', 'u', 'Authorize', jsonb_build_object('idToken', jsonb_build_object('idToken', token, 'type', type)),
                      NULL, '2.0.1')
$$;

SELECT is(pg_temp.auth('NOBODY'), '{"idTokenInfo": {"status": "Accepted"}}', 'an unknown token: authorize.unknown_id_tag (Accepted)');
SELECT ocpp.set_setting('authorize.unknown_id_tag', '"Invalid"');
SELECT is(pg_temp.auth('NOBODY'), '{"idTokenInfo": {"status": "Unknown"}}', 'an unknown token with Invalid: Unknown in 2.0.1');
SELECT is(ocpp.parse('A-16', 'u', 'Authorize', '{"idTag": "NOBODY"}')->'idTagInfo', '{"status": "Invalid"}',
          '(1.6 still answers Invalid)');

SELECT ocpp.set_id_token('RFID-1', token_type => 'ISO14443', cache_expiry => '2030-01-01T00:00:00Z',
                         group_id_token => 'GROUP-1', evse_ids => '{1,2}', charging_priority => 3,
                         language1 => 'de', language2 => 'en',
                         personal_message => '{"format": "UTF8", "content": "Hallo"}');
SELECT is(pg_temp.auth('RFID-1'),
          '{"idTokenInfo": {"status": "Accepted", "cacheExpiryDateTime": "2030-01-01T00:00:00.000Z", "chargingPriority": 3,
            "language1": "de", "language2": "en", "evseId": [1, 2], "groupIdToken": {"idToken": "GROUP-1", "type": "Central"},
            "personalMessage": {"format": "UTF8", "content": "Hallo"}}}',
          'a known token: every idTokenInfo field');
SELECT is(pg_temp.auth('rfid-1')->'idTokenInfo'->>'status', 'Accepted', 'idTokens are case insensitive');
SELECT is(pg_temp.auth('RFID-1', 'ISO15693')->'idTokenInfo', '{"status": "Unknown"}', 'a token of another type is not that token');

SELECT ocpp.set_id_token('GROUP-1', token_type => 'Local');
SELECT is(pg_temp.auth('RFID-1')->'idTokenInfo'->'groupIdToken', '{"idToken": "GROUP-1", "type": "Local"}',
          'the group''s type is the group token''s own type');
SELECT ocpp.set_id_token('RFID-1', group_id_token => 'GROUP-1', group_token_type => 'eMAID');
SELECT is(pg_temp.auth('RFID-1', 'KeyCode')->'idTokenInfo', '{"status": "Accepted", "groupIdToken": {"idToken": "GROUP-1", "type": "eMAID"}}',
          'token_type null matches any type; group_token_type wins');

-- 1.6 tags: status, expiry, parent
SELECT ocpp.set_id_tag('OLD-1', 'Accepted', '2031-02-03T04:05:06Z', 'PARENT-1');
SELECT is(pg_temp.auth('OLD-1')->'idTokenInfo',
          '{"status": "Accepted", "cacheExpiryDateTime": "2031-02-03T04:05:06.000Z", "groupIdToken": {"idToken": "PARENT-1", "type": "Central"}}',
          'a 1.6 tag: expiry as cacheExpiryDateTime, parent as groupIdToken');
SELECT ocpp.set_id_tag('OLD-2', 'Accepted', now() - interval '1 day');
SELECT is(pg_temp.auth('OLD-2')->'idTokenInfo'->>'status', 'Expired', 'an Accepted tag past its expiry is Expired');
SELECT ocpp.set_id_tag('OLD-3', 'Blocked');
SELECT is(pg_temp.auth('OLD-3')->'idTokenInfo'->>'status', 'Blocked', 'a Blocked tag');
SELECT is(pg_temp.auth('', 'NoAuthorization'), '{"idTokenInfo": {"status": "Accepted"}}', 'NoAuthorization is Accepted');

-- ConcurrentTx: a running transaction of the token, on any station and version
SELECT ocpp.parse('A-1', 'u', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-05-01T10:00:00Z",
    "triggerReason": "Authorized", "seqNo": 0, "transactionInfo": {"transactionId": "TX-A"},
    "evse": {"id": 1, "connectorId": 1}, "idToken": {"idToken": "RFID-1", "type": "ISO14443"}}', NULL, '2.0.1');
SELECT is(pg_temp.auth('RFID-1')->'idTokenInfo'->>'status', 'ConcurrentTx', 'a token in a running transaction: ConcurrentTx');
SELECT is(ocpp.parse('A-16', 'u', 'Authorize', '{"idTag": "RFID-1"}')->'idTagInfo'->>'status', 'ConcurrentTx',
          'a 1.6 station sees the 2.0.1 transaction too');
SELECT ocpp.set_setting('authorize.concurrent_tx', 'false');
SELECT is(pg_temp.auth('RFID-1')->'idTokenInfo'->>'status', 'Accepted', 'authorize.concurrent_tx false: no ConcurrentTx');

-- ocpp.set_id_token refusals
SELECT throws_ok($$SELECT ocpp.set_id_token('')$$, 'OC007', 'invalid id token', 'an empty token');
SELECT throws_ok($$SELECT ocpp.set_id_token(repeat('x', 37))$$, 'OC007', 'invalid id token', 'a token of 37 characters');
SELECT throws_ok($$SELECT ocpp.set_id_token('T', group_id_token => '')$$, 'OC007', 'invalid group id token', 'an empty group');
SELECT throws_ok($$SELECT ocpp.set_id_token('T', 'ConcurrentTx')$$, 'OC007', 'invalid id token status', 'a computed status');
SELECT throws_ok($$SELECT ocpp.set_id_token('T', token_type => 'Barcode')$$, 'OC007', 'invalid id token type', 'an unknown type');
SELECT throws_ok($$SELECT ocpp.set_id_token('T', group_token_type => 'iso14443')$$, 'OC007', 'invalid id token type',
                 'an unknown group type');
SELECT throws_ok($$SELECT ocpp.set_id_token('T', charging_priority => 10)$$, 'OC007', 'invalid charging priority',
                 'a priority above 9');
SELECT throws_ok($$SELECT ocpp.set_id_token('T', evse_ids => '{}')$$, 'OC007', 'invalid EVSE list', 'an empty EVSE list');
SELECT throws_ok($$SELECT ocpp.set_id_token('T', personal_message => '{"content": "x"}')$$, 'OC007', 'invalid personal message',
                 'a personal message without format');

SELECT * FROM finish();
ROLLBACK;
