-- One command API for a mixed fleet: 1.6-style requests translated for 2.0.1 stations by ocpp.send
-- (cs.v201_translate), and the shared convenience functions building each version's payload, an
-- explicit evse_id winning over connector_id.
BEGIN;
SELECT plan(70);

SELECT ocpp.node_start('nm');
SELECT ocpp.connect('M16', NULL, '1.6', 'nm');
SELECT ocpp.connect('M201', NULL, '2.0.1', 'nm');

-- what was stored and what was asked
CREATE FUNCTION pg_temp.sent(cmd bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('action', action, 'payload', payload) FROM cs.command WHERE id = cmd
$$;
CREATE FUNCTION pg_temp.asked(cmd bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT requested FROM cs.command WHERE id = cmd
$$;
SELECT ocpp.set_id_tag('MT-1');
SELECT ocpp.set_id_tag('MT-CARD');
UPDATE cs.id_tag SET token_type = 'ISO14443' WHERE id_tag = 'MT-CARD';
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, started_at, transaction_ref)
SELECT id, 1, 1, 'MT-1', now(), 'REF-77' FROM cs.station WHERE identity = 'M201';
CREATE TEMP TABLE tx AS SELECT id FROM cs.transaction WHERE transaction_ref = 'REF-77';
SELECT setval('cs.remote_start_id_seq', 40);
SELECT setval('cs.request_id_seq', 80);

-- the translation through ocpp.send ----------------------------------------------------------------
SELECT is(pg_temp.sent(ocpp.send('M201', 'RemoteStartTransaction', '{"idTag": "MT-1", "connectorId": 2}')),
          '{"action": "RequestStartTransaction", "payload": {"idToken": {"idToken": "MT-1", "type": "Central"}, "remoteStartId": 41, "evseId": 2}}',
          'RemoteStartTransaction -> RequestStartTransaction: Central token, a remoteStartId, connector 2 is EVSE 2');
SELECT is(pg_temp.sent(ocpp.send('M201', 'RemoteStartTransaction', '{"idTag": "MT-CARD", "connectorId": 2, "evseId": 3}'))->'payload',
          '{"idToken": {"idToken": "MT-CARD", "type": "ISO14443"}, "remoteStartId": 42, "evseId": 3}',
          'the tag''s token_type; evseId wins over connectorId');
SELECT is(pg_temp.sent(ocpp.send('M201', 'RemoteStartTransaction', '{"idTag": "MT-1", "chargingProfile":
              {"chargingProfileId": 9, "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
               "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}}}'))->'payload'->'chargingProfile',
          '{"id": 9, "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
            "chargingSchedule": [{"id": 9, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}]}',
          'its charging profile in 2.0.1 form');
SELECT is(pg_temp.sent(ocpp.send('M201', 'RemoteStopTransaction', format('{"transactionId": %s}', (SELECT id FROM tx))::jsonb)),
          '{"action": "RequestStopTransaction", "payload": {"transactionId": "REF-77"}}',
          'RemoteStopTransaction -> RequestStopTransaction with the transaction''s 2.0.1 id');
SELECT is(pg_temp.sent(ocpp.send('M201', 'RemoteStopTransaction', '{"transactionId": 999999}'))->'payload',
          '{"transactionId": "999999"}', 'an unknown transaction: its number as text');
SELECT is(pg_temp.sent(ocpp.send('M201', 'Reset', '{"type": "Soft"}'))->'payload', '{"type": "OnIdle"}', 'Reset Soft -> OnIdle');
SELECT is(pg_temp.sent(ocpp.send('M201', 'Reset', '{"type": "Hard", "evseId": 2}'))->'payload', '{"type": "Immediate", "evseId": 2}',
          'Reset Hard -> Immediate, evseId kept');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ChangeAvailability', '{"connectorId": 0, "type": "Inoperative"}'))->'payload',
          '{"operationalStatus": "Inoperative"}', 'ChangeAvailability of connector 0: the station');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ChangeAvailability', '{"connectorId": 2, "type": "Operative"}'))->'payload',
          '{"operationalStatus": "Operative", "evse": {"id": 2}}', 'connector 2: EVSE 2');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ChangeAvailability', '{"connectorId": 2, "evseId": 4, "type": "Operative"}'))->'payload',
          '{"operationalStatus": "Operative", "evse": {"id": 4, "connectorId": 2}}', 'with evseId: connector 2 of EVSE 4');
SELECT is(pg_temp.sent(ocpp.send('M201', 'UnlockConnector', '{"connectorId": 3}'))->'payload',
          '{"evseId": 3, "connectorId": 1}', 'UnlockConnector 3: EVSE 3, connector 1');
SELECT is(pg_temp.sent(ocpp.send('M201', 'TriggerMessage', '{"requestedMessage": "StatusNotification", "connectorId": 1}'))->'payload',
          '{"requestedMessage": "StatusNotification", "evse": {"id": 1}}', 'TriggerMessage with connectorId: evse');
SELECT is(pg_temp.sent(ocpp.send('M201', 'TriggerMessage', '{"requestedMessage": "DiagnosticsStatusNotification"}'))->'payload',
          '{"requestedMessage": "LogStatusNotification"}', 'DiagnosticsStatusNotification -> LogStatusNotification');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ExtendedTriggerMessage', '{"requestedMessage": "SignChargePointCertificate"}')),
          '{"action": "TriggerMessage", "payload": {"requestedMessage": "SignChargingStationCertificate"}}',
          'ExtendedTriggerMessage -> TriggerMessage');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ReserveNow', '{"connectorId": 1, "expiryDate": "2030-01-01T00:00:00.000Z", "idTag": "MT-CARD",
                                                       "parentIdTag": "MT-1", "reservationId": 5}'))->'payload',
          '{"id": 5, "expiryDateTime": "2030-01-01T00:00:00.000Z", "idToken": {"idToken": "MT-CARD", "type": "ISO14443"},
            "groupIdToken": {"idToken": "MT-1", "type": "Central"}, "evseId": 1}', 'ReserveNow');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ReserveNow', '{"connectorId": 0, "expiryDate": "2030-01-01T00:00:00.000Z", "idTag": "MT-1",
                                                       "reservationId": 6}'))->'payload',
          '{"id": 6, "expiryDateTime": "2030-01-01T00:00:00.000Z", "idToken": {"idToken": "MT-1", "type": "Central"}}',
          'ReserveNow of connector 0: no evseId');
SELECT is(pg_temp.sent(ocpp.send('M201', 'SetChargingProfile', '{"connectorId": 0, "csChargingProfiles": {"chargingProfileId": 2,
              "stackLevel": 1, "chargingProfilePurpose": "ChargePointMaxProfile", "chargingProfileKind": "Absolute",
              "chargingSchedule": {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 40000}]}}}'))->'payload',
          '{"evseId": 0, "chargingProfile": {"id": 2, "stackLevel": 1, "chargingProfilePurpose": "ChargingStationMaxProfile",
            "chargingProfileKind": "Absolute", "chargingSchedule": [{"id": 2, "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 40000}]}]}}',
          'SetChargingProfile: ChargePointMaxProfile -> ChargingStationMaxProfile, schedule array');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ClearChargingProfile', '{"connectorId": 1, "chargingProfilePurpose": "TxProfile"}'))->'payload',
          '{"chargingProfileCriteria": {"evseId": 1, "chargingProfilePurpose": "TxProfile"}}', 'ClearChargingProfile criteria');
SELECT is(pg_temp.sent(ocpp.send('M201', 'ClearChargingProfile', '{"id": 4}'))->'payload', '{"chargingProfileId": 4}',
          'ClearChargingProfile id');
SELECT is(pg_temp.sent(ocpp.send('M201', 'GetCompositeSchedule', '{"connectorId": 1, "duration": 60}'))->'payload',
          '{"evseId": 1, "duration": 60}', 'GetCompositeSchedule');
SELECT is(pg_temp.sent(ocpp.send('M201', 'SendLocalList', '{"listVersion": 3, "updateType": "Differential", "localAuthorizationList":
              [{"idTag": "MT-1", "idTagInfo": {"status": "Accepted", "expiryDate": "2030-01-01T00:00:00.000Z", "parentIdTag": "G"}}, {"idTag": "OLD"}]}'))->'payload',
          '{"versionNumber": 3, "updateType": "Differential", "localAuthorizationList": [
              {"idToken": {"idToken": "MT-1", "type": "ISO14443"}, "idTokenInfo": {"status": "Accepted",
               "cacheExpiryDateTime": "2030-01-01T00:00:00.000Z", "groupIdToken": {"idToken": "G", "type": "Central"}}},
              {"idToken": {"idToken": "OLD", "type": "ISO14443"}}]}',
          'SendLocalList: idTag -> idToken, idTagInfo -> idTokenInfo');
SELECT is(pg_temp.sent(ocpp.send('M201', 'UpdateFirmware', '{"location": "https://fw/", "retrieveDate": "2030-01-01T00:00:00.000Z", "retries": 1}'))->'payload',
          '{"requestId": 81, "retries": 1, "firmware": {"location": "https://fw/", "retrieveDateTime": "2030-01-01T00:00:00.000Z"}}',
          'UpdateFirmware: a requestId, firmware');
SELECT is(pg_temp.sent(ocpp.send('M201', 'SignedUpdateFirmware', '{"requestId": 4, "firmware": {"location": "l",
              "retrieveDateTime": "2030-01-01T00:00:00.000Z", "signingCertificate": "C", "signature": "S"}}')),
          '{"action": "UpdateFirmware", "payload": {"requestId": 4, "firmware": {"location": "l",
              "retrieveDateTime": "2030-01-01T00:00:00.000Z", "signingCertificate": "C", "signature": "S"}}}',
          'SignedUpdateFirmware -> UpdateFirmware');
SELECT is(pg_temp.sent(ocpp.send('M201', 'InstallCertificate', '{"certificateType": "CentralSystemRootCertificate", "certificate": "P"}'))->'payload',
          '{"certificateType": "CSMSRootCertificate", "certificate": "P"}', 'InstallCertificate type renamed');
SELECT is(pg_temp.sent(ocpp.send('M201', 'GetInstalledCertificateIds', '{"certificateType": "ManufacturerRootCertificate"}'))->'payload',
          '{"certificateType": ["ManufacturerRootCertificate"]}', 'GetInstalledCertificateIds type in an array');
SELECT is(pg_temp.sent(ocpp.send('M201', 'GetLog', '{"logType": "DiagnosticsLog", "requestId": 1, "log": {"remoteLocation": "x"}}'))->'payload',
          '{"logType": "DiagnosticsLog", "requestId": 1, "log": {"remoteLocation": "x"}}', 'GetLog is the same in both');
SELECT is(pg_temp.asked(ocpp.send('M201', 'GetLog', '{"logType": "DiagnosticsLog", "requestId": 1, "log": {"remoteLocation": "x"}}')),
          NULL, 'and is not translated');

-- the shared convenience functions, per version ----------------------------------------------------
CREATE TEMP TABLE both_versions AS
SELECT * FROM (VALUES
    ('reset Hard', pg_temp.sent(ocpp.reset('M16', 'Hard')), pg_temp.sent(ocpp.reset('M201', 'Hard')),
     '{"action": "Reset", "payload": {"type": "Hard"}}'::jsonb, '{"action": "Reset", "payload": {"type": "Immediate"}}'::jsonb),
    ('reset OnIdle', pg_temp.sent(ocpp.reset('M16', 'OnIdle')), pg_temp.sent(ocpp.reset('M201', 'OnIdle', 2)),
     '{"action": "Reset", "payload": {"type": "Soft"}}', '{"action": "Reset", "payload": {"type": "OnIdle", "evseId": 2}}'),
    ('change_availability', pg_temp.sent(ocpp.change_availability('M16', 2, 'Inoperative')),
     pg_temp.sent(ocpp.change_availability('M201', 2, 'Inoperative')),
     '{"action": "ChangeAvailability", "payload": {"connectorId": 2, "type": "Inoperative"}}',
     '{"action": "ChangeAvailability", "payload": {"operationalStatus": "Inoperative", "evse": {"id": 2}}}'),
    ('change_availability evse_id', pg_temp.sent(ocpp.change_availability('M16', NULL, 'Operative', 3)),
     pg_temp.sent(ocpp.change_availability('M201', 2, 'Operative', 3)),
     '{"action": "ChangeAvailability", "payload": {"connectorId": 3, "type": "Operative"}}',
     '{"action": "ChangeAvailability", "payload": {"operationalStatus": "Operative", "evse": {"id": 3, "connectorId": 2}}}'),
    ('unlock_connector', pg_temp.sent(ocpp.unlock_connector('M16', 2)), pg_temp.sent(ocpp.unlock_connector('M201', 2)),
     '{"action": "UnlockConnector", "payload": {"connectorId": 2}}',
     '{"action": "UnlockConnector", "payload": {"evseId": 2, "connectorId": 1}}'),
    ('unlock_connector evse_id', pg_temp.sent(ocpp.unlock_connector('M16', NULL, 3)), pg_temp.sent(ocpp.unlock_connector('M201', 2, 3)),
     '{"action": "UnlockConnector", "payload": {"connectorId": 3}}',
     '{"action": "UnlockConnector", "payload": {"evseId": 3, "connectorId": 2}}'),
    ('trigger_message', pg_temp.sent(ocpp.trigger_message('M16', 'StatusNotification', 1, 2)),
     pg_temp.sent(ocpp.trigger_message('M201', 'StatusNotification', 1, 2)),
     '{"action": "TriggerMessage", "payload": {"requestedMessage": "StatusNotification", "connectorId": 2}}',
     '{"action": "TriggerMessage", "payload": {"requestedMessage": "StatusNotification", "evse": {"id": 2, "connectorId": 1}}}'),
    ('get_composite_schedule', pg_temp.sent(ocpp.get_composite_schedule('M16', 1, 60, 'A')),
     pg_temp.sent(ocpp.get_composite_schedule('M201', 1, 60, 'A')),
     '{"action": "GetCompositeSchedule", "payload": {"connectorId": 1, "duration": 60, "chargingRateUnit": "A"}}',
     '{"action": "GetCompositeSchedule", "payload": {"evseId": 1, "duration": 60, "chargingRateUnit": "A"}}'),
    ('clear_charging_profile', pg_temp.sent(ocpp.clear_charging_profile('M16', NULL, 1, 'ChargePointMaxProfile')),
     pg_temp.sent(ocpp.clear_charging_profile('M201', NULL, 1, 'ChargePointMaxProfile')),
     '{"action": "ClearChargingProfile", "payload": {"connectorId": 1, "chargingProfilePurpose": "ChargePointMaxProfile"}}',
     '{"action": "ClearChargingProfile", "payload": {"chargingProfileCriteria": {"evseId": 1, "chargingProfilePurpose": "ChargingStationMaxProfile"}}}'),
    ('install_certificate', pg_temp.sent(ocpp.install_certificate('M16', 'CSMSRootCertificate', 'P')),
     pg_temp.sent(ocpp.install_certificate('M201', 'CentralSystemRootCertificate', 'P')),
     '{"action": "InstallCertificate", "payload": {"certificateType": "CentralSystemRootCertificate", "certificate": "P"}}',
     '{"action": "InstallCertificate", "payload": {"certificateType": "CSMSRootCertificate", "certificate": "P"}}'),
    ('get_installed_certificate_ids', pg_temp.sent(ocpp.get_installed_certificate_ids('M16', 'ManufacturerRootCertificate')),
     pg_temp.sent(ocpp.get_installed_certificate_ids('M201', 'ManufacturerRootCertificate')),
     '{"action": "GetInstalledCertificateIds", "payload": {"certificateType": "ManufacturerRootCertificate"}}',
     '{"action": "GetInstalledCertificateIds", "payload": {"certificateType": ["ManufacturerRootCertificate"]}}'),
    ('certificate_signed', pg_temp.sent(ocpp.certificate_signed('M16', 'CHAIN')),
     pg_temp.sent(ocpp.certificate_signed('M201', 'CHAIN', 'V2GCertificate')),
     '{"action": "CertificateSigned", "payload": {"certificateChain": "CHAIN"}}',
     '{"action": "CertificateSigned", "payload": {"certificateChain": "CHAIN", "certificateType": "V2GCertificate"}}')
) AS v (name, v16, v201, want16, want201);
SELECT is(v16, want16, name || ' for 1.6') FROM both_versions ORDER BY name;
SELECT is(v201, want201, name || ' for 2.0.1') FROM both_versions ORDER BY name;

-- functions the 1.6 API has to itself: remote start and stop translate, 1.6-only ones refuse
CREATE TEMP TABLE rs AS SELECT ocpp.remote_start_transaction('M201', 'MT-1', 1, evse_id => 2) AS id;
SELECT results_eq($$SELECT action, payload->'evseId', payload ? 'remoteStartId', requested FROM cs.command WHERE id = (SELECT id FROM rs)$$,
                  $$VALUES ('RequestStartTransaction', '2'::jsonb, true,
                            '{"action": "RemoteStartTransaction", "payload": {"idTag": "MT-1", "connectorId": 2}}'::jsonb)$$,
                  'remote_start_transaction to a 2.0.1 station: a RequestStartTransaction with a remoteStartId (evse_id won)');
SELECT is(pg_temp.sent(ocpp.remote_start_transaction('M16', 'MT-1', 1, evse_id => 2))->'payload',
          '{"idTag": "MT-1", "connectorId": 2}', 'remote_start_transaction to 1.6: evse_id is the connector');
SELECT lives_ok($$SELECT ocpp.remote_start_transaction('M201', repeat('t', 36))$$, '2.0.1 takes tokens of 36 characters');
SELECT throws_ok($$SELECT ocpp.remote_start_transaction('M16', repeat('t', 21))$$, 'OC007', 'invalid id_tag', '1.6 does not');
SELECT is(pg_temp.sent(ocpp.remote_stop_transaction('M201', (SELECT id FROM tx))),
          '{"action": "RequestStopTransaction", "payload": {"transactionId": "REF-77"}}', 'remote_stop_transaction');
SELECT throws_ok($$SELECT ocpp.get_configuration('M201')$$, 'OC001', 'action not implemented', 'get_configuration for 2.0.1');

-- version-specific refusals
SELECT throws_ok($$SELECT ocpp.reset('M16', 'Soft', 1)$$, 'OC007', 'invalid evse_id', '1.6 resets the whole station');
SELECT throws_ok($$SELECT ocpp.trigger_message('M16', 'TransactionEvent')$$, 'OC007', 'invalid requested_message',
                 'a 2.0.1 message for 1.6');
SELECT throws_ok($$SELECT ocpp.reserve_now('M16', 1, 'MT-1', now() + interval '1 hour', id_token_type => 'ISO14443')$$,
                 'OC007', 'invalid id_token_type', 'an idToken type for 1.6');
SELECT throws_ok($$SELECT ocpp.update_firmware('M16', 'x', request_id => 1)$$, 'OC007', 'invalid request_id',
                 'a 2.0.1 UpdateFirmware argument for 1.6');
SELECT throws_ok($$SELECT ocpp.certificate_signed('M16', 'CHAIN', 'V2GCertificate')$$, 'OC007', 'invalid certificate_type',
                 'a certificate type for 1.6');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('M201', 0, '{"id": 1, "stackLevel": 0, "chargingProfilePurpose": "ChargingStationExternalConstraints",
                   "chargingProfileKind": "Relative", "chargingSchedule": [{"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1}]}]}')$$,
                 'OC007', 'invalid profile', 'external constraints are not the CSMS''s to set');
SELECT throws_ok($$SELECT ocpp.set_charging_profile('M201', 1, '{"id": 1, "stackLevel": 0, "chargingProfilePurpose": "ChargingStationMaxProfile",
                   "chargingProfileKind": "Relative", "chargingSchedule": [{"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1}]}]}')$$,
                 'OC007', 'invalid profile', 'a station maximum on EVSE 1');
SELECT throws_ok($$SELECT ocpp.change_availability('M16', 2, 'Operative', 3)$$, 'OC007', 'invalid connector_id',
                 '1.6 with evse_id: connector_id 0 or 1 only');

-- reservations on a 2.0.1 station
SELECT throws_ok($$SELECT ocpp.reserve_now('M201', 1, repeat('t', 37), now() + interval '1 hour')$$, 'OC007', 'invalid id_tag',
                 '2.0.1 tokens of at most 36');
SELECT is((pg_temp.sent(ocpp.reserve_now('M201', 1, 'MT-1', now() + interval '1 hour', evse_id => 2)))->'payload'->'evseId', '2',
          'reserve_now: evse_id wins');
SELECT throws_ok($$SELECT ocpp.reserve_now('M201', 2, 'MT-CARD', now() + interval '1 hour')$$, 'OC007', 'invalid connector_id',
                 'EVSE 2 has a ReserveNow queued');
INSERT INTO cs.device_variable (station_id, component, variable, value)
SELECT id, 'ReservationCtrlr', 'NonEvseSpecific', 'false' FROM cs.station WHERE identity = 'M201';
SELECT throws_ok($$SELECT ocpp.reserve_now('M201', 0, 'MT-1', now() + interval '1 hour')$$, 'OC007', 'invalid connector_id',
                 'no EVSE in particular, when ReservationCtrlr.NonEvseSpecific is false');
SELECT throws_ok($$SELECT ocpp.reserve_now('M201', 9, 'MT-1', now() + interval '1 hour', connector_type => 'Schuko')$$, 'OC007',
                 'invalid connector_type', 'a connector type outside the enum');

SELECT * FROM finish();
ROLLBACK;
