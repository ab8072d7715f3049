-- Authorize: id tag status, expiry, parent, unknown tags, ConcurrentTx; ocpp.set_id_tag.
BEGIN;
SELECT plan(21);

SELECT ocpp.set_id_tag('TAG-OK');
SELECT ocpp.set_id_tag('TAG-EXP', 'Accepted', '2030-01-02 03:04:05.678+00', 'PARENT');
SELECT ocpp.set_id_tag('TAG-BLK', 'Blocked');
SELECT ocpp.set_id_tag('TAG-EXPST', 'Expired');
SELECT ocpp.set_id_tag('TAG-INV', 'Invalid');
SELECT ocpp.set_id_tag('TAG-OLD', 'Accepted', now() - interval '1 day');

SELECT results_eq($$SELECT id_tag, status, expiry_date, parent_id_tag FROM cs.id_tag WHERE id_tag = 'TAG-EXP'$$,
                  $$VALUES ('TAG-EXP', 'Accepted', '2030-01-02 03:04:05.678+00'::timestamptz, 'PARENT')$$,
                  'set_id_tag stores the tag');

SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-OK"}'), '{"idTagInfo": {"status": "Accepted"}}',
          'a known Accepted tag');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-EXP"}'),
          '{"idTagInfo": {"status": "Accepted", "expiryDate": "2030-01-02T03:04:05.678Z", "parentIdTag": "PARENT"}}',
          'expiryDate (UTC, Z) and parentIdTag are sent');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-BLK"}'), '{"idTagInfo": {"status": "Blocked"}}', 'Blocked');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-EXPST"}'), '{"idTagInfo": {"status": "Expired"}}', 'Expired by status');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-INV"}'), '{"idTagInfo": {"status": "Invalid"}}', 'Invalid');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-OLD"}')->'idTagInfo'->>'status', 'Expired',
          'Accepted but past its expiry date: Expired');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-OLD"}')->'idTagInfo'->>'expiryDate',
          cs.ocpp_time(now() - interval '1 day'), 'the past expiry date is sent');

-- unknown tags
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "NOBODY"}'), '{"idTagInfo": {"status": "Accepted"}}',
          'an unknown tag is Accepted by default');
SELECT ocpp.set_setting('authorize.unknown_id_tag', '"Invalid"');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "NOBODY"}'), '{"idTagInfo": {"status": "Invalid"}}',
          'an unknown tag is Invalid when the setting says so');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-OK"}'), '{"idTagInfo": {"status": "Accepted"}}',
          'known tags do not follow the unknown-tag setting');

-- ConcurrentTx
SELECT ocpp.parse('A-1', 'u', 'StartTransaction', '{"connectorId": 1, "idTag": "TAG-OK", "meterStart": 0, "timestamp": "2024-01-01T00:00:00Z"}') AS start \gset
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-OK"}'), '{"idTagInfo": {"status": "ConcurrentTx"}}',
          'a tag with a running transaction: ConcurrentTx');
SELECT is(ocpp.parse('A-2', 'u', 'Authorize', '{"idTag": "TAG-OK"}'), '{"idTagInfo": {"status": "ConcurrentTx"}}',
          'ConcurrentTx also at another station');
SELECT ocpp.set_setting('authorize.concurrent_tx', 'false');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-OK"}'), '{"idTagInfo": {"status": "Accepted"}}',
          'authorize.concurrent_tx off: Accepted');
SELECT ocpp.set_setting('authorize.concurrent_tx', 'true');
SELECT ocpp.parse('A-1', 'u', 'StopTransaction', jsonb_build_object('transactionId', (:'start'::jsonb->>'transactionId')::int,
                  'meterStop', 10, 'timestamp', '2024-01-01T01:00:00Z'));
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-OK"}'), '{"idTagInfo": {"status": "Accepted"}}',
          'after the stop the tag is Accepted again');
SELECT is(ocpp.parse('A-1', 'u', 'Authorize', '{"idTag": "TAG-BLK"}'), '{"idTagInfo": {"status": "Blocked"}}',
          'Blocked stays Blocked');

-- set_id_tag replaces, and refuses bad input
SELECT ocpp.set_id_tag('TAG-OK', 'Blocked');
SELECT results_eq($$SELECT status, expiry_date, updated_at FROM cs.id_tag WHERE id_tag = 'TAG-OK'$$,
                  $$VALUES ('Blocked', NULL::timestamptz, now())$$, 'set_id_tag replaces an existing tag');
SELECT throws_ok($$SELECT ocpp.set_id_tag('T', 'Maybe')$$, 'OC007', 'invalid id tag status', 'set_id_tag with a bad status');
SELECT throws_ok($$SELECT ocpp.set_id_tag('')$$, 'OC007', 'invalid id tag', 'set_id_tag with an empty tag');
SELECT throws_ok($$SELECT ocpp.set_id_tag(repeat('x', 37))$$, 'OC007', 'invalid id tag', 'set_id_tag with a tag too long');
SELECT throws_ok($$SELECT ocpp.set_id_tag('T', 'Accepted', NULL, '')$$, 'OC007', 'invalid id tag', 'set_id_tag with an empty parent');

SELECT * FROM finish();
ROLLBACK;
