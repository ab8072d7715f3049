-- Security profiles 2 and 3, certificate binding, per-station minimum profile, binary keys, password
-- changes through commands (masked, applied on acceptance), raising a profile the OCPP way.
BEGIN;
SELECT plan(56);

SELECT ocpp.node_start('n1');

-- profiles of a connection ----------------------------------------------------------------------
SELECT ocpp.add_station('SP-1', 'Accepted', 'password-of-sp-1');
SELECT is(ocpp.connect('SP-1', NULL, '1.6', 'n1', 'password-of-sp-1', NULL, false)->'profile', '1',
          'Basic auth without TLS: profile 1');
SELECT is(ocpp.connect('SP-1', NULL, '1.6', 'n1', 'password-of-sp-1', NULL, true)->'profile', '2',
          'Basic auth over TLS: profile 2');
SELECT is((SELECT c.security_profile FROM cs.connection c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'SP-1'),
          2::smallint, 'the connection row keeps its profile');
SELECT is(ocpp.connect('SP-1', NULL, '1.6', 'n1', 'wrong', NULL, true),
          '{"accepted": false, "reason": "wrong password"}', 'a wrong password over TLS: refused');
SELECT is((SELECT type || '/' || source FROM cs.security_event e JOIN cs.station s ON s.id = e.station_id
            WHERE s.identity = 'SP-1' ORDER BY e.id DESC LIMIT 1),
          'InvalidBasicAuthPassword/csms', 'a refused password leaves a security event of the CSMS');
SELECT is(ocpp.connect('SP-1', NULL, '1.6', 'n1', NULL, NULL, true)->'profile', '0',
          'TLS without any credential: profile 0');

SELECT is(ocpp.connect('SP-3', NULL, '2.0.1', 'n1', NULL, NULL, true,
                       '{"cn": "SP-3", "subject": "CN=SP-3", "fingerprint": "aa"}')->'profile', '3',
          'a verified client certificate whose CN is the identity: profile 3');
SELECT is((SELECT certificate->>'subject' FROM cs.connection c JOIN cs.station s ON s.id = c.station_id
            WHERE s.identity = 'SP-3'), 'CN=SP-3', 'the connection row keeps the certificate');
SELECT is(ocpp.connect('SP-3', NULL, '2.0.1', 'n1', NULL, NULL, true,
                       '{"cn": "OTHER", "subject": "CN=OTHER", "fingerprint": "aa"}')->>'reason',
          'the client certificate CN=OTHER is not bound to station SP-3 (station.certificate_binding = cn)',
          'a certificate of another station: refused');
SELECT is((SELECT type FROM cs.security_event e JOIN cs.station s ON s.id = e.station_id
            WHERE s.identity = 'SP-3' ORDER BY e.id DESC LIMIT 1),
          'InvalidClientCertificate', 'and a security event');

SELECT ocpp.set_setting('station.certificate_binding', '"mapping"');
SELECT is(ocpp.connect('SP-3', NULL, '2.0.1', 'n1', NULL, NULL, true,
                       ('{"cn": "SP-3", "subject": "CN=SP-3", "fingerprint": "' || repeat('ab', 32) || '"}')::jsonb)->'accepted',
          'false', 'binding mapping: an unmapped certificate is refused, whatever its CN');
SELECT ocpp.bind_station_certificate('SP-3', upper(repeat('AB:', 31) || 'AB'), 'CN=SP-3');
SELECT is((SELECT fingerprint FROM cs.station_certificate), repeat('ab', 32), 'fingerprints are stored lowercase, no colons');
SELECT is(ocpp.connect('SP-3', NULL, '2.0.1', 'n1', NULL, NULL, true,
                       ('{"cn": "anything", "subject": "CN=anything", "fingerprint": "' || repeat('ab', 32) || '"}')::jsonb)->'profile',
          '3', 'binding mapping: the mapped certificate is accepted');
SELECT throws_ok($$SELECT ocpp.bind_station_certificate('SP-3', 'xyz')$$, 'OC007', 'invalid fingerprint',
                 'bind_station_certificate refuses what is no SHA-256 fingerprint');
SELECT throws_ok($$SELECT ocpp.bind_station_certificate('nobody', repeat('ab', 32))$$, 'OC010', 'unknown station',
                 'bind_station_certificate of an unknown station');
SELECT ok(ocpp.unbind_station_certificate(repeat('ab', 32)) AND NOT ocpp.unbind_station_certificate(repeat('ab', 32)),
          'unbind_station_certificate says whether there was one');
SELECT ocpp.set_setting('station.certificate_binding', '"any"');
SELECT is(ocpp.connect('SP-3', NULL, '2.0.1', 'n1', NULL, NULL, true, '{"cn": "x", "fingerprint": "cc"}')->'profile',
          '3', 'binding any: any certificate of a trusted CA');
SELECT ocpp.set_setting('station.certificate_binding', '"cn"');
SELECT throws_ok($$SELECT ocpp.set_setting('station.certificate_binding', '"subject"')$$, 'OC007',
                 'invalid setting value', 'certificate_binding takes cn, mapping or any');

-- the minimum profile ---------------------------------------------------------------------------
SELECT ocpp.set_station_security_profile('SP-1', 2);
SELECT is(ocpp.connect('SP-1', NULL, '1.6', 'n1', 'password-of-sp-1', NULL, false)->>'reason',
          'security profile 1 is below the minimum 2 of station SP-1', 'below the station''s minimum: refused');
SELECT is((SELECT type || ': ' || tech_info FROM cs.security_event e JOIN cs.station s ON s.id = e.station_id
            WHERE s.identity = 'SP-1' ORDER BY e.id DESC LIMIT 1),
          'SecurityProfileBelowMinimum: security profile 1 is below the minimum 2 of station SP-1',
          'a security event says why');
SELECT is(ocpp.connect('SP-1', NULL, '1.6', 'n1', 'password-of-sp-1', NULL, true)->'profile', '2',
          'at its minimum: accepted');
SELECT ocpp.set_setting('station.security_profile', '1');
SELECT is(ocpp.connect('SP-NEW', NULL, '1.6', 'n1')->'accepted', 'false',
          'station.security_profile 1: an unknown station without credentials is refused');
SELECT is((SELECT count(*) FROM cs.station WHERE identity = 'SP-NEW'), 0::bigint, 'and nothing is created');
SELECT ocpp.set_setting('station.security_profile', '0');
SELECT throws_ok($$SELECT ocpp.set_station_security_profile('SP-1', 4)$$, 'OC007', 'invalid security profile',
                 'profiles are 0 to 3');

-- binary keys, the hex fallback, the rehash ---------------------------------------------------------
SELECT ocpp.add_station('KEY-1');
SELECT ocpp.set_station_key('KEY-1', '\x00ff3a10deadbeef00112233445566778899aabb');
SELECT is(ocpp.connect('KEY-1', NULL, '1.6', 'n1', '\x00ff3a10deadbeef00112233445566778899aabb')->'profile', '1',
          'a 20-byte binary key with a zero byte and a colon byte: accepted');
SELECT is(ocpp.connect('KEY-1', NULL, '1.6', 'n1', convert_to('00ff3a10deadbeef00112233445566778899aabb', 'UTF8'))->'profile',
          '1', 'the same key sent as its hex text: accepted (station.password_hex_fallback)');
SELECT ocpp.set_setting('station.password_hex_fallback', 'false');
SELECT is(ocpp.connect('KEY-1', NULL, '1.6', 'n1', convert_to('00ff3a10deadbeef00112233445566778899aabb', 'UTF8'))->'accepted',
          'false', 'without the fallback the hex text is a wrong password');
SELECT ocpp.set_setting('station.password_hex_fallback', 'true');
SELECT is(ocpp.connect('KEY-1', NULL, '1.6', 'n1', '\x00ff3a10deadbeef00112233445566778899aabc')->'accepted',
          'false', 'one byte off: refused');

UPDATE cs.station SET password_hash = 'sha256$salt$' || encode(sha256(convert_to('saltold-password', 'UTF8')), 'hex')
 WHERE identity = 'KEY-1';
SELECT is(ocpp.connect('KEY-1', NULL, '1.6', 'n1', 'old-password')->'accepted', 'true', 'an old-format hash still works');
SELECT ok((SELECT password_hash LIKE 'bcrypt-sha256$2a$08$%' AND cs.password_matches(password_hash, 'old-password')
             FROM cs.station WHERE identity = 'KEY-1'),
          'and is replaced by bcrypt of the same password at that connect');

-- a password change through a command: masked, applied when accepted --------------------------------
SELECT ocpp.add_station('PW-16', 'Accepted', 'first-password-16');
SELECT ocpp.connect('PW-16', NULL, '1.6', 'n1', 'first-password-16');
CREATE TEMP TABLE ids (name text PRIMARY KEY, id bigint);
INSERT INTO ids VALUES ('ak', ocpp.change_configuration('PW-16', 'AuthorizationKey', '0a0b0c0d0e0f10111213141516171819'));
SELECT results_eq($$SELECT payload, secret_path FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'ak')$$,
                  $$VALUES ('{"key": "AuthorizationKey", "value": "********"}'::jsonb, ARRAY['value'])$$,
                  'ChangeConfiguration AuthorizationKey is stored masked, with where the secret goes');
SELECT ok((SELECT cs.password_matches(credential_hash, '\x0a0b0c0d0e0f10111213141516171819') FROM cs.command
            WHERE id = (SELECT id FROM ids WHERE name = 'ak')),
          'the command keeps the hash of the bytes the hex digits encode');
SELECT ok((SELECT position('0a0b0c0d0e0f1011' IN c::text) = 0 FROM cs.command c WHERE id = (SELECT id FROM ids WHERE name = 'ak')),
          'the clear key is nowhere in the row');
SELECT is((SELECT c->>'secretPath' FROM jsonb_array_elements(ocpp.command_claim('n1', ARRAY['PW-16'])) c),
          '["value"]', 'the claim names where the dispatcher puts the secret');
SELECT ok(cs.password_matches((SELECT password_hash FROM cs.station WHERE identity = 'PW-16'), 'first-password-16'),
          'until the station accepts, the old password stays');
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'ak'), '{"status": "Accepted"}');
SELECT ok((SELECT cs.password_matches(password_hash, '\x0a0b0c0d0e0f10111213141516171819')
                  AND NOT cs.password_matches(password_hash, 'first-password-16') FROM cs.station WHERE identity = 'PW-16'),
          'accepted: the new key is the station''s password, the old one no longer');
SELECT is((SELECT value FROM cs.configuration_key k JOIN cs.station s ON s.id = k.station_id
            WHERE s.identity = 'PW-16' AND key = 'AuthorizationKey'), '********',
          'the configuration key table holds the mask only');

INSERT INTO ids VALUES ('rej', ocpp.change_station_password('PW-16', 'another-password-16'));
SELECT ocpp.command_claim('n1', ARRAY['PW-16']);
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'rej'), '{"status": "Rejected"}');
SELECT ok((SELECT cs.password_matches(password_hash, '\x0a0b0c0d0e0f10111213141516171819') FROM cs.station WHERE identity = 'PW-16'),
          'a rejected change leaves the password as it was');
SELECT throws_ok($$SELECT ocpp.change_station_password('PW-16', 'short')$$, 'OC007', 'invalid password',
                 'a station password has 16 to 40 characters');

SELECT ocpp.connect('PW-201', NULL, '2.0.1', 'n1');
INSERT INTO ids VALUES ('bap', ocpp.set_variable('PW-201', 'SecurityCtrlr', 'BasicAuthPassword', 'new-password-of-201'));
SELECT is((SELECT payload #>> '{setVariableData,0,attributeValue}' FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'bap')),
          '********', 'SetVariables BasicAuthPassword is stored masked');
SELECT ocpp.command_claim('n1', ARRAY['PW-201']);
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'bap'),
    '{"setVariableResult": [{"attributeStatus": "Accepted", "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}]}');
SELECT is(ocpp.connect('PW-201', NULL, '2.0.1', 'n1', 'new-password-of-201', NULL, true)->'profile', '2',
          'accepted: the station connects with its new password');
SELECT ok(NOT EXISTS (SELECT FROM cs.device_variable WHERE value LIKE '%new-password-of-201%'),
          'the device model holds no clear password');

INSERT INTO ids VALUES ('rot', ocpp.rotate_station_password('PW-16'));
SELECT ok((SELECT payload->>'value' = '********' AND credential_hash IS NOT NULL FROM cs.command
            WHERE id = (SELECT id FROM ids WHERE name = 'rot')), 'rotate: a random key nobody sees');

-- raising the profile the OCPP way -----------------------------------------------------------------
INSERT INTO ids VALUES ('sp16', ocpp.raise_security_profile('PW-16', 2));
SELECT is((SELECT payload FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'sp16')),
          '{"key": "SecurityProfile", "value": "2"}', '1.6: ChangeConfiguration SecurityProfile');
UPDATE cs.command SET status = 'cancelled' WHERE id = (SELECT id FROM ids WHERE name = 'rot');
SELECT ocpp.command_claim('n1', ARRAY['PW-16']);
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'sp16'), '{"status": "Accepted"}');
SELECT is((SELECT security_profile FROM cs.station WHERE identity = 'PW-16'), 2::smallint,
          'accepted: the station''s minimum is 2');
SELECT throws_ok($$SELECT ocpp.raise_security_profile('PW-16', 1)$$, 'OC007', 'no downgrade',
                 'no downgrade through the flow');

INSERT INTO ids VALUES ('np', ocpp.raise_security_profile('PW-201', 3, 'wss://csms.example:9221/ocpp/', 2));
SELECT is((SELECT payload #>> '{connectionData,securityProfile}' || ' ' || (then_queue->0->>'action') || ' ' || (then_queue->1->>'action')
             FROM cs.command WHERE id = (SELECT id FROM ids WHERE name = 'np')),
          '3 SetVariables Reset', '2.0.1: SetNetworkProfile, then SetVariables, then Reset');
SELECT ocpp.command_claim('n1', ARRAY['PW-201']);
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'np'), '{"status": "Accepted"}');
SELECT is((SELECT payload #>> '{setVariableData,0,attributeValue}' FROM cs.command c JOIN cs.station s ON s.id = c.station_id
            WHERE s.identity = 'PW-201' AND c.status = 'queued'), '2',
          'SetNetworkProfile accepted: NetworkConfigurationPriority = the new slot is queued');
INSERT INTO ids SELECT 'ncp', c.id FROM cs.command c JOIN cs.station s ON s.id = c.station_id
                 WHERE s.identity = 'PW-201' AND c.status = 'queued';
SELECT ocpp.command_claim('n1', ARRAY['PW-201']);
SELECT ocpp.command_result((SELECT id FROM ids WHERE name = 'ncp'),
    '{"setVariableResult": [{"attributeStatus": "Accepted", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NetworkConfigurationPriority"}}]}');
SELECT is((SELECT security_profile FROM cs.station WHERE identity = 'PW-201'), 3::smallint,
          'accepted: the station''s minimum is 3');
SELECT is((SELECT c.action || ' ' || (c.payload->>'type') FROM cs.command c JOIN cs.station s ON s.id = c.station_id
            WHERE s.identity = 'PW-201' AND c.status = 'queued'), 'Reset OnIdle', 'and the Reset is queued');
SELECT is(ocpp.connect('PW-201', NULL, '2.0.1', 'n1', 'new-password-of-201', NULL, true)->'accepted', 'false',
          'from now on profile 2 is refused');
SELECT throws_ok($$SELECT ocpp.raise_security_profile('SP-3', 3)$$, 'OC007', 'csms_url required',
                 'a 2.0.1 station needs the new URL') ;

-- what a station reports of its password is masked too -----------------------------------------------
SELECT is(cs.mask_secrets('GetConfiguration', '{"configurationKey": [{"key": "AuthorizationKey", "readonly": false, "value": "00ff"}, {"key": "HeartbeatInterval", "readonly": false, "value": "60"}]}'),
          '{"configurationKey": [{"key": "AuthorizationKey", "readonly": false, "value": "********"}, {"key": "HeartbeatInterval", "readonly": false, "value": "60"}]}',
          'GetConfiguration: AuthorizationKey masked, other keys kept, order kept');
SELECT is(cs.mask_secrets('GetVariables', '{"getVariableResult": [{"attributeStatus": "Accepted", "attributeValue": "pw", "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}]}')
          #>> '{getVariableResult,0,attributeValue}', '********', 'GetVariables: BasicAuthPassword masked');
SELECT ocpp.parse('PW-201', 'nr1', 'NotifyReport', '{"requestId": 1, "generatedAt": "2026-01-01T00:00:00Z", "seqNo": 0, "reportData": [{"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}, "variableAttribute": [{"value": "reported-in-clear"}]}]}', NULL, '2.0.1');
SELECT is((SELECT value FROM cs.device_variable d JOIN cs.station s ON s.id = d.station_id
            WHERE s.identity = 'PW-201' AND d.variable = 'BasicAuthPassword'), '********',
          'NotifyReport: the device model keeps the mask only');
SELECT ocpp.log_frames('[{"identity": "PW-201", "direction": "in", "messageType": 3, "action": "GetConfiguration", "uniqueId": "x1", "payload": {"configurationKey": [{"key": "AuthorizationKey", "readonly": false, "value": "secret-in-log"}]}}]');
SELECT is((SELECT count(*) FROM cs.message_log WHERE payload::text LIKE '%secret-in-log%'), 0::bigint,
          'log_frames masks a reported AuthorizationKey');

SELECT * FROM finish();
ROLLBACK;
