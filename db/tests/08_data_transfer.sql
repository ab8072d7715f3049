-- DataTransfer: handlers, unknown vendor and message, stored rows.
BEGIN;
SELECT plan(15);

CREATE FUNCTION pg_temp.dt_ping(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql
AS $$ SELECT jsonb_build_object('status', 'Accepted', 'data', 'pong:' || identity || ':' || coalesce(payload->>'data', '')) $$;
CREATE FUNCTION pg_temp.dt_any(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql
AS $$ SELECT jsonb_build_object('status', 'Rejected', 'data', jsonb_build_object('seen', payload->>'messageId')) $$;
CREATE FUNCTION pg_temp.dt_nodata(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql
AS $$ SELECT '{"status": "Accepted", "data": null}'::jsonb $$;
CREATE FUNCTION pg_temp.dt_bad(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql
AS $$ SELECT '{"status": "Maybe"}'::jsonb $$;
CREATE FUNCTION pg_temp.dt_fail(identity text, payload jsonb) RETURNS jsonb LANGUAGE plpgsql
AS $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'handler broke'; END $$;

INSERT INTO cs.data_transfer_handler (vendor_id, message_id, handler) VALUES
    ('acme', 'ping', 'pg_temp.dt_ping(text, jsonb)'),
    ('acme', 'nodata', 'pg_temp.dt_nodata(text, jsonb)'),
    ('acme', 'bad', 'pg_temp.dt_bad(text, jsonb)'),
    ('acme', 'fail', 'pg_temp.dt_fail(text, jsonb)'),
    ('wild', NULL, 'pg_temp.dt_any(text, jsonb)'),
    ('wild', 'ping', 'pg_temp.dt_ping(text, jsonb)');

SELECT is(ocpp.parse('D-1', 'u1', 'DataTransfer', '{"vendorId": "acme", "messageId": "ping", "data": "hello"}'),
          '{"status": "Accepted", "data": "pong:D-1:hello"}', 'the handler''s result is the reply');
SELECT results_eq($$SELECT s.identity, d.vendor_id, d.message_id, d.data, d.status, d.reply, d.created_at
                      FROM cs.data_transfer d JOIN cs.station s ON s.id = d.station_id$$,
                  $$VALUES ('D-1', 'acme', 'ping', 'hello', 'Accepted', '{"status": "Accepted", "data": "pong:D-1:hello"}'::jsonb, now())$$,
                  'the DataTransfer and its reply are stored');

SELECT is(ocpp.parse('D-1', 'u2', 'DataTransfer', '{"vendorId": "wild", "messageId": "other"}'),
          '{"status": "Rejected", "data": "{\"seen\": \"other\"}"}',
          'a handler with message_id null takes any message; non-string data is sent as JSON text');
SELECT is(ocpp.parse('D-1', 'u3', 'DataTransfer', '{"vendorId": "wild", "messageId": "ping"}'),
          '{"status": "Accepted", "data": "pong:D-1:"}', 'an exact message handler wins over the catch-all');
SELECT is(ocpp.parse('D-1', 'u4', 'DataTransfer', '{"vendorId": "wild"}'),
          '{"status": "Rejected", "data": "{\"seen\": null}"}', 'no messageId: the catch-all');
SELECT is(ocpp.parse('D-1', 'u5', 'DataTransfer', '{"vendorId": "acme", "messageId": "nodata"}'),
          '{"status": "Accepted"}', 'a null data is left out');

SELECT is(ocpp.parse('D-1', 'u6', 'DataTransfer', '{"vendorId": "acme", "messageId": "nope", "data": "x"}'),
          '{"status": "UnknownMessageId"}', 'a known vendor, unknown message: UnknownMessageId');
SELECT is(ocpp.parse('D-1', 'u7', 'DataTransfer', '{"vendorId": "acme"}'),
          '{"status": "UnknownMessageId"}', 'a known vendor without catch-all, no messageId: UnknownMessageId');
SELECT is(ocpp.parse('D-1', 'u8', 'DataTransfer', '{"vendorId": "nobody", "messageId": "ping"}'),
          '{"status": "UnknownVendorId"}', 'an unknown vendor: UnknownVendorId');
SELECT ocpp.set_setting('data_transfer.unknown_vendor', '"Rejected"');
SELECT is(ocpp.parse('D-1', 'u9', 'DataTransfer', '{"vendorId": "nobody"}'),
          '{"status": "Rejected"}', 'an unknown vendor follows data_transfer.unknown_vendor');
SELECT results_eq($$SELECT vendor_id, message_id, data, status FROM cs.data_transfer ORDER BY id OFFSET 5$$,
                  $$VALUES ('acme', 'nope', 'x', 'UnknownMessageId'), ('acme', NULL, NULL, 'UnknownMessageId'),
                           ('nobody', 'ping', NULL, 'UnknownVendorId'), ('nobody', NULL, NULL, 'Rejected')$$,
                  'unanswered DataTransfers are stored too');

SELECT throws_ok($$SELECT ocpp.parse('D-1', 'u10', 'DataTransfer', '{"vendorId": "acme", "messageId": "bad"}')$$,
                 'OC003', 'internal error', 'a handler answering an invalid status is an InternalError');
SELECT throws_ok($$SELECT ocpp.parse('D-1', 'u11', 'DataTransfer', '{"vendorId": "acme", "messageId": "fail"}')$$,
                 'P0001', 'handler broke', 'a handler''s own error reaches the caller');
SELECT throws_ok($$INSERT INTO cs.data_transfer_handler (vendor_id, message_id, handler) VALUES ('wild', NULL, 'pg_temp.dt_ping(text, jsonb)')$$,
                 '23505', NULL, 'one catch-all handler per vendor');
SELECT is((SELECT count(*) FROM cs.data_transfer), 9::bigint, 'nine DataTransfers stored');

SELECT * FROM finish();
ROLLBACK;
