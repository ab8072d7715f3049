-- Signing the CSRs of SignCertificate: the requests to sign, the chain handed back as a
-- CertificateSigned command, the station's answer marking the request Signed, and refusals.
BEGIN;
SELECT plan(14);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('SIGN-1', NULL, '1.6', 'n1');
SELECT ocpp.connect('SIGN-2', NULL, '1.6', 'n1');

SELECT is(ocpp.certificate_requests_to_sign(), '[]'::jsonb, 'nothing to sign at first');

LISTEN ocpp_csr;
SELECT is(ocpp.parse('SIGN-1', 'c1', 'SignCertificate', '{"csr": "CSR-ONE"}'),
          '{"status": "Accepted"}'::jsonb, 'SignCertificate is accepted');
SELECT ocpp.parse('SIGN-2', 'c2', 'SignCertificate', '{"csr": "CSR-TWO"}');
CREATE TEMP TABLE req AS
SELECT r.id, s.identity FROM cs.certificate_request r JOIN cs.station s ON s.id = r.station_id;

SELECT is((SELECT jsonb_agg(e->>'identity' || ':' || (e->>'csr')) FROM jsonb_array_elements(ocpp.certificate_requests_to_sign()) e),
          '["SIGN-1:CSR-ONE", "SIGN-2:CSR-TWO"]'::jsonb, 'both requests wait for the signer, oldest first');
SELECT is(jsonb_array_length(ocpp.certificate_requests_to_sign(1)), 1, 'lim is honoured');

-- signed: a CertificateSigned command, linked to the request
CREATE TEMP TABLE cmd AS
SELECT ocpp.certificate_request_signed((SELECT id FROM req WHERE identity = 'SIGN-1'), 'CHAIN-ONE') AS id;
SELECT results_eq($$SELECT c.action, c.payload, c.status FROM cs.command c WHERE c.id = (SELECT id FROM cmd)$$,
                  $$VALUES ('CertificateSigned', '{"certificateChain": "CHAIN-ONE"}'::jsonb, 'queued')$$,
                  'the chain is queued to the station as CertificateSigned');
SELECT is((SELECT command_id FROM cs.certificate_request WHERE id = (SELECT id FROM req WHERE identity = 'SIGN-1')),
          (SELECT id FROM cmd), 'the request remembers its command');
SELECT is((SELECT jsonb_agg(e->>'identity') FROM jsonb_array_elements(ocpp.certificate_requests_to_sign()) e),
          '["SIGN-2"]'::jsonb, 'a request with a command in flight is not signed twice');

-- the station accepts: Signed
SELECT ocpp.command_claim('n1');
SELECT ocpp.command_result((SELECT id FROM cmd), '{"status": "Accepted"}');
SELECT is((SELECT status FROM cs.certificate_request WHERE id = (SELECT id FROM req WHERE identity = 'SIGN-1')),
          'Signed', 'accepted by the station: Signed');
SELECT throws_ok(format('SELECT ocpp.certificate_request_signed(%s, %L)', (SELECT id FROM req WHERE identity = 'SIGN-1'), 'X'),
                 'OC010', 'no such pending certificate request', 'signing a Signed request again is refused');
SELECT throws_ok($$SELECT ocpp.certificate_request_signed(-1, 'X')$$,
                 'OC010', 'no such pending certificate request', 'an unknown request is refused');

-- rejected by the signer
SELECT ocpp.certificate_request_rejected((SELECT id FROM req WHERE identity = 'SIGN-2'), 'CSR does not parse');
SELECT results_eq($$SELECT r.status, v.action, v.reason FROM cs.certificate_request r
                      JOIN cs.review v ON v.station_id = r.station_id WHERE r.id = (SELECT id FROM req WHERE identity = 'SIGN-2')$$,
                  $$VALUES ('Rejected', 'SignCertificate', 'CSR does not parse')$$,
                  'a rejected request is kept for review with the reason');
SELECT throws_ok(format('SELECT ocpp.certificate_request_rejected(%s, %L)', (SELECT id FROM req WHERE identity = 'SIGN-2'), 'again'),
                 'OC010', 'no such pending certificate request', 'rejecting twice is refused');
SELECT throws_ok($$SELECT ocpp.certificate_requests_to_sign(0)$$, 'OC007', 'invalid limit', 'lim below 1 is refused');
SELECT is(ocpp.certificate_requests_to_sign(), '[]'::jsonb, 'nothing left to sign');

SELECT * FROM finish();
ROLLBACK;
