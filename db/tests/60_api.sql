-- The REST API's functions (db/functions/api.sql): tokens, the date-range lists, single objects, id
-- tag changes, commands and message log lists, and every error they raise.
BEGIN;
SELECT plan(47);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('API-1', NULL, '1.6', 'n1');
SELECT ocpp.add_station('API-2');

-- tokens -----------------------------------------------------------------------------------------
CREATE TEMP TABLE tokens (name text PRIMARY KEY, token text);
INSERT INTO tokens VALUES ('op', ocpp.api_token_create('op', 'operator')),
                          ('ro', ocpp.api_token_create('ro', 'read'));
SELECT matches((SELECT token FROM tokens WHERE name = 'op'), '^ocs_[0-9a-f]{64}$', 'a token is ocs_ and 64 hex digits');
SELECT is((SELECT count(*)::int FROM cs.api_token AS t JOIN tokens USING (name)
            WHERE t.token_hash = encode(sha256(convert_to(tokens.token, 'UTF8')), 'hex')), 2,
          'only the sha256 of each token is kept');
SELECT is((SELECT count(*)::int FROM cs.api_token AS t JOIN tokens USING (name) WHERE t.token_hash = tokens.token), 0,
          'never the token itself');
SELECT is(ocpp.api_token_check((SELECT token FROM tokens WHERE name = 'op')), 'operator', 'check: operator');
SELECT is(ocpp.api_token_check((SELECT token FROM tokens WHERE name = 'ro')), 'read', 'check: read');
SELECT isnt((SELECT last_used_at FROM cs.api_token WHERE name = 'op'), NULL, 'check notes last_used_at');
SELECT is(ocpp.api_token_check('ocs_wrong'), NULL, 'a wrong token: null');
SELECT is(ocpp.api_token_check(NULL), NULL, 'no token: null');
SELECT throws_ok($$SELECT ocpp.api_token_create('op', 'read')$$, 'OC007', 'invalid name', 'a live name cannot be reused');
SELECT throws_ok($$SELECT ocpp.api_token_create('', 'read')$$, 'OC007', 'invalid name', 'an empty name');
SELECT throws_ok($$SELECT ocpp.api_token_create(NULL, 'read')$$, 'OC007', 'invalid name', 'a null name');
SELECT throws_ok($$SELECT ocpp.api_token_create(repeat('x', 101), 'read')$$, 'OC007', 'invalid name', 'a long name');
SELECT throws_ok($$SELECT ocpp.api_token_create('x', 'admin')$$, 'OC007', 'invalid role', 'an unknown role');
SELECT lives_ok($$SELECT ocpp.api_token_revoke('op')$$, 'revoke');
SELECT is(ocpp.api_token_check((SELECT token FROM tokens WHERE name = 'op')), NULL, 'a revoked token: null');
SELECT throws_ok($$SELECT ocpp.api_token_revoke('op')$$, 'OC010', 'unknown api token', 'revoke twice');
SELECT throws_ok($$SELECT ocpp.api_token_revoke('nobody')$$, 'OC010', 'unknown api token', 'revoke an unknown name');
SELECT lives_ok($$SELECT ocpp.api_token_create('op', 'read')$$, 'a revoked name may be given again');

-- lists with date ranges and paging --------------------------------------------------------------
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, id_tag_status, meter_start, started_at)
SELECT id, 1, 1, 'T1', 'Accepted', 10, '2026-01-01T10:00:00Z' FROM cs.station WHERE identity = 'API-1';
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, id_tag_status, meter_start, started_at)
SELECT id, 1, 1, 'T2', 'Accepted', 20, '2026-02-01T10:00:00Z' FROM cs.station WHERE identity = 'API-1';
SELECT is(jsonb_array_length(ocpp.api_transactionlist()), 2, 'transactions: all');
SELECT is(ocpp.api_transactionlist('API-1', '2026-01-15', NULL)->0->>'idTag', 'T2', 'transactions: from');
SELECT is(jsonb_array_length(ocpp.api_transactionlist('API-1', NULL, '2026-01-01T10:00:00Z')), 0, 'transactions: to is exclusive');
SELECT is(ocpp.api_transactionlist(NULL, NULL, NULL, 1, 1)->0->>'idTag', 'T1', 'transactions: limit and offset');
SELECT is(ocpp.api_transactionlist('API-2'), '[]'::jsonb, 'transactions: another station');
SELECT throws_ok($$SELECT ocpp.api_transactionlist(NULL, NULL, NULL, -1)$$, 'OC007', 'invalid limit', 'negative limit');
SELECT throws_ok($$SELECT ocpp.api_transactionlist(NULL, NULL, NULL, 1, -1)$$, 'OC007', 'invalid offset', 'negative offset');
SELECT throws_ok($$SELECT ocpp.api_transactionlist(NULL, '2026-02-01', '2026-01-01')$$, 'OC007', 'invalid dateFrom', 'from after to');
SELECT is(ocpp.api_reservationlist(), '[]'::jsonb, 'reservations: none');
SELECT throws_ok($$SELECT ocpp.api_reservationlist(NULL, '2026-02-01', '2026-01-01')$$, 'OC007', 'invalid dateFrom', 'reservations: from after to');

-- single objects -----------------------------------------------------------------------------------
SELECT is(ocpp.api_station('API-1')->>'connected', 'true', 'station: as chargepointlist');
SELECT is(ocpp.api_station('API-1')->'evses', '[]'::jsonb, 'station: with its evses');
SELECT throws_ok($$SELECT ocpp.api_station('NOPE')$$, 'OC010', 'unknown station', 'station: unknown');
SELECT is(ocpp.api_transaction((SELECT min(id) FROM cs.transaction))->>'idTag', 'T1', 'transaction: by id');
SELECT is(ocpp.api_transaction((SELECT min(id) FROM cs.transaction))->'meterValues', '[]'::jsonb, 'transaction: meter values');
SELECT throws_ok($$SELECT ocpp.api_transaction(-5)$$, 'OC010', 'unknown transaction', 'transaction: unknown');

-- id tags ----------------------------------------------------------------------------------------
SELECT is(ocpp.api_set_id_tag('TAG-A')->>'status', 'Accepted', 'set: a new tag');
SELECT is(ocpp.api_set_id_tag('TAG-A', 'Expired', NULL, NULL, true)->>'status', 'Expired', 'set: update an existing tag');
SELECT throws_ok($$SELECT ocpp.api_set_id_tag('TAG-B', 'Accepted', NULL, NULL, true)$$, 'OC010', 'unknown id tag', 'update: unknown');
SELECT throws_ok($$SELECT ocpp.api_set_id_tag('TAG-A', 'Maybe')$$, 'OC007', 'invalid id tag status', 'set: bad status');
SELECT is(ocpp.block_id_tag('TAG-A')->>'status', 'Blocked', 'block');
SELECT throws_ok($$SELECT ocpp.block_id_tag('TAG-B')$$, 'OC010', 'unknown id tag', 'block: unknown');
SELECT is(ocpp.api_id_tags()->0->>'idTag', 'TAG-A', 'list');
SELECT lives_ok($$SELECT ocpp.delete_id_tag('TAG-A')$$, 'delete');
SELECT throws_ok($$SELECT ocpp.delete_id_tag('TAG-A')$$, 'OC010', 'unknown id tag', 'delete: unknown');
SELECT throws_ok($$SELECT ocpp.api_id_tag('TAG-A')$$, 'OC010', 'unknown id tag', 'get: unknown');

-- commands and the message log -------------------------------------------------------------------
SELECT ocpp.send('API-1', 'Reset', '{"type": "Soft"}');
SELECT is(ocpp.api_commands('API-1', 'queued')->0->>'action', 'Reset', 'commands: by station and status');
SELECT throws_ok($$SELECT ocpp.api_commands(NULL, 'lost')$$, 'OC007', 'invalid status', 'commands: unknown status');
SELECT throws_ok($$SELECT ocpp.api_message_log(NULL, NULL, NULL, -1)$$, 'OC007', 'invalid limit', 'message log: negative limit');

SELECT * FROM finish();
ROLLBACK;
