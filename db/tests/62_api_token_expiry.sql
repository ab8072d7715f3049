-- API tokens that expire (issue 13, item 13b): ocpp.api_token_create(name, role, expires),
-- ocpp.api_token_check refuses an expired token as it refuses a revoked one.
BEGIN;
SELECT plan(9);

SELECT has_function('ocpp', 'api_token_create', ARRAY['text', 'text', 'interval']);
SELECT hasnt_function('ocpp', 'api_token_create', ARRAY['text', 'text']);

SELECT ocpp.api_token_create('forever', 'read') AS forever \gset
SELECT ocpp.api_token_create('month', 'operator', '30 days') AS month \gset
SELECT is((SELECT expires_at FROM cs.api_token WHERE name = 'forever'), NULL, 'no expiry: never expires');
SELECT is((SELECT expires_at FROM cs.api_token WHERE name = 'month'), now() + interval '30 days', 'expires_at = now + expires');
SELECT is(ocpp.api_token_check(:'month'), 'operator', 'a token before its expiry works');

UPDATE cs.api_token SET expires_at = now() - interval '1 second' WHERE name = 'month';
SELECT is(ocpp.api_token_check(:'month'), NULL, 'an expired token is refused like a revoked one');
SELECT is(ocpp.api_token_check(:'forever'), 'read', 'others still work');

SELECT throws_ok($$SELECT ocpp.api_token_create('x', 'read', '-1 day')$$, 'OC007', 'invalid expires',
                 'expires must be positive');
-- the name of an expired token is free again
SELECT lives_ok($$SELECT ocpp.api_token_create('month', 'read', '1 day')$$, 'an expired token''s name may be reused');

SELECT * FROM finish();
ROLLBACK;
