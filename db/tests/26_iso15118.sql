-- ISO 15118 certificate services: the certificates by hash data, Authorize's certificateStatus,
-- GetCertificateStatus from the prepared OCSP response, Get15118EVCertificate from prepared
-- exiResponses and the contract-certificate service queue, and the pki worker's API.
BEGIN;
SELECT plan(61);

CREATE FUNCTION pg_temp.p(action text, body jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse('PNC-1', 'u', action, body, NULL, '2.0.1')
$$;
CREATE FUNCTION pg_temp.h(serial text, name_hash text DEFAULT 'aa11') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('hashAlgorithm', 'SHA256', 'issuerNameHash', name_hash, 'issuerKeyHash', 'BB22',
                              'serialNumber', serial, 'responderURL', 'http://ocsp.example')
$$;
CREATE FUNCTION pg_temp.auth(hashes jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_temp.p('Authorize', jsonb_build_object('idToken', jsonb_build_object('idToken', 'DEAAAC1', 'type', 'eMAID'),
                                                     'iso15118CertificateHashData', hashes))
$$;
SELECT ocpp.add_station('PNC-1');
SELECT ocpp.add_station('PNC-2');

-- registering
CREATE TEMP TABLE reg AS SELECT ocpp.register_v2g_certificate('SHA256', 'AA11', 'bb22', '00C0FFEE') AS id;
SELECT is((SELECT id FROM reg), (SELECT id FROM cs.v2g_certificate), 'register_v2g_certificate returns the id');
SELECT results_eq($$SELECT issuer_name_hash, issuer_key_hash, serial_number, status FROM cs.v2g_certificate$$,
                  $$VALUES ('aa11', 'bb22', 'c0ffee', 'good')$$, 'hex lower case, the serial without leading zeros, good');
SELECT is(ocpp.register_v2g_certificate('SHA256', 'aa11', 'BB22', 'c0ffee', id_token => 'DEAAAC1'),
          (SELECT id FROM cs.v2g_certificate WHERE serial_number = 'c0ffee'), 'the same hash data: the same certificate');
SELECT is((SELECT id_token FROM cs.v2g_certificate WHERE serial_number = 'c0ffee'), 'DEAAAC1', 'its details replaced');
SELECT throws_ok($$SELECT ocpp.register_v2g_certificate('MD5', 'aa', 'bb', '1')$$, 'OC007', 'invalid hash algorithm', 'MD5');
SELECT throws_ok($$SELECT ocpp.register_v2g_certificate('SHA256', 'xyz', 'bb', '1')$$, 'OC007', 'invalid hash data', 'hash not hex');
SELECT throws_ok($$SELECT ocpp.register_v2g_certificate('SHA256', 'aa', 'bb', repeat('1', 41))$$, 'OC007',
                 'invalid serial number', 'serial of 41 digits');
SELECT throws_ok($$SELECT ocpp.register_v2g_certificate('SHA256', 'aa', 'bb', '1', certificate => 'not pem')$$, 'OC007',
                 'invalid certificate', 'certificate not PEM');
SELECT throws_ok($$SELECT ocpp.register_v2g_certificate('SHA256', 'aa', 'bb', '1', responder_url => 'ftp://x')$$, 'OC007',
                 'invalid responder URL', 'responder URL not http(s)');

SELECT ocpp.register_v2g_certificate('SHA256', 'aa11', 'bb22', 'dead', expires_at => now() - interval '1 day');
SELECT ocpp.register_v2g_certificate('SHA256', 'aa11', 'bb22', 'beef',
                                     certificate => E'-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n-----END CERTIFICATE-----\n');
SELECT ocpp.register_v2g_certificate('SHA256', 'aa11', 'bb22', 'f00d', responder_url => 'http://ocsp.remote/');

-- revoking
SELECT throws_ok($$SELECT ocpp.revoke_v2g_certificate(-1)$$, 'OC010', 'unknown certificate', 'revoke an unknown certificate');
SELECT throws_ok($$SELECT ocpp.revoke_v2g_certificate((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'beef'), 'bored')$$,
                 'OC007', 'invalid revocation reason', 'a reason that is no CRLReason');
SELECT throws_ok($$SELECT ocpp.revoke_v2g_certificate((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'f00d'))$$,
                 'OC007', 'certificate of a remote responder', 'a remote responder''s certificate is revoked there');

-- Authorize
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('C0FFEE')))->>'certificateStatus', 'Accepted', 'a good certificate: Accepted');
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('c0ffee')))#>>'{idTokenInfo,status}', 'Accepted', 'and the token as it is');
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('dead')))->>'certificateStatus', 'CertificateExpired', 'past expires_at: CertificateExpired');
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('dead')))#>>'{idTokenInfo,status}', 'Invalid', 'and Invalid');
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('1234')))->>'certificateStatus', 'NoCertificateAvailable', 'unknown: NoCertificateAvailable');
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('f00d')))->>'certificateStatus', 'NoCertificateAvailable',
          'a remote responder''s certificate before it answered: NoCertificateAvailable');
SELECT is(pg_temp.p('Authorize', '{"idToken": {"idToken": "DEAAAC1", "type": "eMAID"},
                                   "certificate": "-----BEGIN CERTIFICATE-----\r\nQUJDREVG\r\n-----END CERTIFICATE-----"}')->>'certificateStatus',
          'Accepted', 'a certificate matched by its PEM body');
SELECT ok(NOT pg_temp.p('Authorize', '{"idToken": {"idToken": "DEAAAC1", "type": "eMAID"}}') ? 'certificateStatus',
          'no certificate: no certificateStatus');
SELECT ocpp.revoke_v2g_certificate((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'c0ffee'), 'keyCompromise');
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('c0ffee'), pg_temp.h('beef'))),
          '{"idTokenInfo": {"status": "Invalid"}, "certificateStatus": "CertificateRevoked"}',
          'one revoked certificate of the chain: CertificateRevoked, Invalid');
SELECT results_eq($$SELECT status, revocation_reason, revoked_at IS NOT NULL FROM cs.v2g_certificate WHERE serial_number = 'c0ffee'$$,
                  $$VALUES ('revoked', 'keyCompromise', true)$$, 'the revocation is kept');
SELECT lives_ok($$SELECT ocpp.revoke_v2g_certificate((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'c0ffee'), 'superseded')$$,
                'revoking again');
SELECT is((SELECT revocation_reason FROM cs.v2g_certificate WHERE serial_number = 'c0ffee'), 'keyCompromise', 'changes nothing');

-- the worker's OCSP side
SELECT is((SELECT jsonb_agg(x->>'serialNumber' ORDER BY x->>'serialNumber') FROM jsonb_array_elements(ocpp.ocsp_to_refresh()) AS x),
          '["beef", "c0ffee", "dead", "f00d"]', 'every certificate without an OCSP response is due');
SELECT is((SELECT x FROM jsonb_array_elements(ocpp.ocsp_to_refresh()) AS x WHERE x->>'serialNumber' = 'c0ffee') - 'revokedAt' - 'id',
          '{"hashAlgorithm": "SHA256", "issuerNameHash": "aa11", "issuerKeyHash": "bb22", "serialNumber": "c0ffee",
            "status": "revoked", "revocationReason": "keyCompromise", "responderUrl": null, "validitySeconds": 86400}',
          'with what the responder needs');
SELECT throws_ok($$SELECT ocpp.ocsp_to_refresh(0)$$, 'OC007', 'invalid limit', 'ocsp_to_refresh(0)');
SELECT is(pg_temp.p('GetCertificateStatus', jsonb_build_object('ocspRequestData', pg_temp.h('beef'))),
          '{"status": "Failed", "statusInfo": {"reasonCode": "OCSPPending", "additionalInfo": "the OCSP response is being prepared; ask again"}}',
          'known, no response yet: Failed, OCSPPending');
SELECT is(ocpp.ocsp_response_prepared((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'beef'), 'T0NTUA==', 'revoked',
                                      now(), now() + interval '1 day'), false,
          'a response for another status than the local one is stale: dropped');
SELECT is(ocpp.ocsp_response_prepared((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'beef'), 'T0NTUA==', 'good',
                                      now(), now() + interval '1 day'), true, 'the worker stores the response');
SELECT is(pg_temp.p('GetCertificateStatus', jsonb_build_object('ocspRequestData', pg_temp.h('BEEF'))),
          '{"status": "Accepted", "ocspResult": "T0NTUA=="}', 'GetCertificateStatus: Accepted with it');
SELECT ok(NOT ocpp.ocsp_to_refresh() @> '[{"serialNumber": "beef"}]', 'and it is no longer due');
UPDATE cs.v2g_certificate SET ocsp_next_update = now() + interval '10 minutes' WHERE serial_number = 'beef';
SELECT ok(NOT ocpp.ocsp_to_refresh() @> '[{"serialNumber": "beef"}]', 'near its nextUpdate, but made within iso15118.ocsp_retry');
UPDATE cs.v2g_certificate SET updated_at = now() - interval '6 minutes' WHERE serial_number = 'beef';
SELECT ok(ocpp.ocsp_to_refresh() @> '[{"serialNumber": "beef"}]', 'due again within iso15118.ocsp_refresh_before of nextUpdate');
UPDATE cs.v2g_certificate SET ocsp_next_update = now() - interval '1 second' WHERE serial_number = 'beef';
SELECT is(pg_temp.p('GetCertificateStatus', jsonb_build_object('ocspRequestData', pg_temp.h('beef')))->>'status', 'Failed',
          'a response past its nextUpdate is not given');
SELECT ocpp.ocsp_response_failed((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'dead'), 'HSM away');
SELECT ok(NOT ocpp.ocsp_to_refresh() @> '[{"serialNumber": "dead"}]', 'a failed one waits iso15118.ocsp_retry');
SELECT throws_ok($$SELECT ocpp.ocsp_response_failed(-1, 'x')$$, 'OC010', 'unknown certificate', 'ocsp_response_failed of an unknown one');
SELECT throws_ok($$SELECT ocpp.ocsp_response_prepared(-1, 'T0NTUA==', 'good', now(), now())$$, 'OC010', 'unknown certificate',
                 'ocsp_response_prepared of an unknown one');
SELECT throws_ok($$SELECT ocpp.ocsp_response_prepared(1, 'T0NTUA==', 'fine', now(), now())$$, 'OC007', 'invalid certificate status',
                 'a status other than good, revoked, unknown');
SELECT throws_ok($$SELECT ocpp.ocsp_response_prepared(1, 'not base64!', 'good', now(), now())$$, 'OC007', 'invalid OCSP response',
                 'a response that is not base64');
SELECT ocpp.ocsp_response_prepared((SELECT id FROM cs.v2g_certificate WHERE serial_number = 'f00d'), 'UkVW', 'revoked',
                                   now(), now() + interval '1 hour', now() - interval '1 hour', 'keyCompromise');
SELECT is(pg_temp.auth(jsonb_build_array(pg_temp.h('f00d')))->>'certificateStatus', 'CertificateRevoked',
          'a remote responder''s revoked answer is the certificate''s status');
SELECT is(pg_temp.p('GetCertificateStatus', jsonb_build_object('ocspRequestData', pg_temp.h('abc')))#>>'{statusInfo,reasonCode}',
          'UnknownCertificate', 'an unknown certificate: Failed, UnknownCertificate');
SELECT is(pg_temp.p('GetCertificateStatus', jsonb_build_object('ocspRequestData', pg_temp.h('abc', 'not hex')))#>>'{statusInfo,reasonCode}',
          'InvalidHashData', 'hash data that is not hex: Failed, InvalidHashData');
SELECT ocpp.set_setting('iso15118.ocsp_url', '"http://ocsp.operator/"');
SELECT is(pg_temp.p('GetCertificateStatus', jsonb_build_object('ocspRequestData', pg_temp.h('abc')))#>>'{statusInfo,reasonCode}',
          'OCSPPending', 'with iso15118.ocsp_url: OCSPPending');
SELECT results_eq($$SELECT responder_url, status FROM cs.v2g_certificate WHERE serial_number = 'abc'$$,
                  $$VALUES ('http://ocsp.operator/', 'unknown')$$, 'and the certificate is asked of that URL, not the station''s');
SELECT throws_ok($$SELECT ocpp.set_setting('iso15118.ocsp_url', '"file:///etc/passwd"')$$, 'OC007', 'invalid setting value',
                 'an OCSP URL that is not http(s)');
SELECT throws_ok($$SELECT ocpp.set_setting('iso15118.ocsp_validity', '"soon"')$$, 'OC007', 'invalid setting value',
                 'a validity that is no interval');

-- Get15118EVCertificate
SELECT throws_ok($$SELECT ocpp.prepare_ev_certificate('', 'UQ==')$$, 'OC007', 'invalid exiResponse', 'an empty exiResponse');
SELECT throws_ok($$SELECT ocpp.prepare_ev_certificate('UkVT', 'not base64')$$, 'OC007', 'invalid exiRequest', 'exiRequest not base64');
SELECT throws_ok($$SELECT ocpp.prepare_ev_certificate('UkVT')$$, 'OC007', 'no request to answer', 'neither request nor station');
SELECT throws_ok($$SELECT ocpp.prepare_ev_certificate('UkVT', identity => 'PNC-1', action => 'Delete')$$, 'OC007',
                 'invalid certificate action', 'an action other than Install, Update');
SELECT throws_ok($$SELECT ocpp.prepare_ev_certificate('UkVT', identity => 'NOBODY')$$, 'OC010', 'unknown station', 'an unknown station');
SELECT ocpp.prepare_ev_certificate('UkVTLTI=', 'UkVRLTE=', identity => 'PNC-2');
SELECT ocpp.prepare_ev_certificate('UkVTLTE=', 'UkVRLTE=');
SELECT is(pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Install", "exiRequest": "UkVRLTE="}'),
          '{"status": "Accepted", "exiResponse": "UkVTLTE="}', 'the exact request: its exiResponse (not the one of another station)');
SELECT is(pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Install", "exiRequest": "UkVRLTk="}')#>>'{statusInfo,reasonCode}',
          'NoExiResponse', 'nothing prepared for it: Failed, NoExiResponse');
SELECT ocpp.set_setting('iso15118.contract_service_url', '"https://emsp.example/certificates"');
SELECT is(pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Install", "exiRequest": "UkVRLTk="}')#>>'{statusInfo,reasonCode}',
          'Pending', 'with a contract service: Failed, Pending');
SELECT pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Install", "exiRequest": "UkVRLTk="}');
SELECT is((SELECT jsonb_agg(x - 'id') FROM jsonb_array_elements(ocpp.ev_certificate_requests_to_forward()) AS x),
          '[{"identity": "PNC-1", "url": "https://emsp.example/certificates",
             "payload": {"iso15118SchemaVersion": "x", "action": "Install", "exiRequest": "UkVRLTk="}}]',
          'one request to forward, however often the station asks');
SELECT throws_ok($$SELECT ocpp.ev_certificate_forwarded((SELECT id FROM cs.ev_certificate_response WHERE source = 'service'), '{"status": "Maybe"}')$$,
                 'OC007', 'invalid contract service reply', 'a reply that is no Get15118EVCertificateResponse');
SELECT ocpp.ev_certificate_forwarded((SELECT id FROM cs.ev_certificate_response WHERE source = 'service'),
                                     '{"status": "Accepted", "exiResponse": "U0VSVklDRQ==", "extra": 1}');
SELECT is(pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Install", "exiRequest": "UkVRLTk="}'),
          '{"status": "Accepted", "exiResponse": "U0VSVklDRQ=="}', 'the service''s answer goes to the next request');
SELECT throws_ok($$SELECT ocpp.ev_certificate_forwarded((SELECT id FROM cs.ev_certificate_response WHERE source = 'service'),
                                                        '{"status": "Accepted", "exiResponse": ""}')$$,
                 'OC010', 'no such pending request', 'a request answered already');
CREATE FUNCTION pg_temp.pki(identity text, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT '{"status": "Accepted", "exiResponse": "SE9PSw=="}'::jsonb
$$;
INSERT INTO cs.action_handler (action, handler) VALUES ('Get15118EVCertificate', 'pg_temp.pki(text, jsonb)');
SELECT is(pg_temp.p('Get15118EVCertificate', '{"iso15118SchemaVersion": "x", "action": "Install", "exiRequest": "UkVRLTE="}')->>'exiResponse',
          'SE9PSw==', 'a cs.action_handler row answers before the built-in provider');
SELECT throws_ok($$SELECT ocpp.ev_certificate_forward_failed(-1, 'x')$$, 'OC010', 'no such pending request',
                 'forward_failed of an unknown request');

SELECT * FROM finish();
ROLLBACK;
