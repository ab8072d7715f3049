-- StatusNotification: current state per connector, history, connector 0.
BEGIN;
SELECT plan(13);

SELECT is(ocpp.parse('S-1', 'u1', 'StatusNotification',
    '{"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "2024-05-01T10:00:00Z"}'),
    '{}', 'StatusNotification answers {}');
SELECT results_eq($$SELECT k.evse_id, k.connector_id, k.status, k.error_code, k.info, k.vendor_id, k.vendor_error_code, k.status_at, k.updated_at
                      FROM cs.connector k JOIN cs.station s ON s.id = k.station_id WHERE s.identity = 'S-1'$$,
                  $$VALUES (1, 1, 'Available', 'NoError', NULL::text, NULL::text, NULL::text, '2024-05-01T10:00:00Z'::timestamptz, now())$$,
                  'connector 1 is EVSE 1 / connector 1 with its state');

SELECT ocpp.parse('S-1', 'u2', 'StatusNotification',
    '{"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted", "info": "rcd", "vendorId": "acme",
      "vendorErrorCode": "E42", "timestamp": "2024-05-01T10:05:00Z"}');
SELECT results_eq($$SELECT k.status, k.error_code, k.info, k.vendor_id, k.vendor_error_code, k.status_at
                      FROM cs.connector k JOIN cs.station s ON s.id = k.station_id WHERE s.identity = 'S-1'$$,
                  $$VALUES ('Faulted', 'GroundFailure', 'rcd', 'acme', 'E42', '2024-05-01T10:05:00Z'::timestamptz)$$,
                  'the current state is replaced, every field kept');
SELECT ocpp.parse('S-1', 'u3', 'StatusNotification',
    '{"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "2024-05-01T10:10:00Z"}');
SELECT results_eq($$SELECT k.status, k.error_code, k.info, k.vendor_id FROM cs.connector k JOIN cs.station s ON s.id = k.station_id
                     WHERE s.identity = 'S-1'$$,
                  $$VALUES ('Available', 'NoError', NULL::text, NULL::text)$$, 'fields not sent any more are cleared');
SELECT results_eq($$SELECT h.evse_id, h.connector_id, h.status, h.error_code, h.info, h.vendor_id, h.vendor_error_code, h.status_at, h.received_at
                      FROM cs.status_notification h JOIN cs.station s ON s.id = h.station_id WHERE s.identity = 'S-1' ORDER BY h.id$$,
                  $$VALUES (1, 1, 'Available', 'NoError', NULL::text, NULL::text, NULL::text, '2024-05-01T10:00:00Z'::timestamptz, now()),
                           (1, 1, 'Faulted', 'GroundFailure', 'rcd', 'acme', 'E42', '2024-05-01T10:05:00Z', now()),
                           (1, 1, 'Available', 'NoError', NULL, NULL, NULL, '2024-05-01T10:10:00Z', now())$$,
                  'every notification is in the history');

-- connector 0, without timestamp
SELECT ocpp.parse('S-1', 'u4', 'StatusNotification', '{"connectorId": 0, "errorCode": "NoError", "status": "Unavailable"}');
SELECT results_eq($$SELECT k.status, k.status_at FROM cs.connector k JOIN cs.station s ON s.id = k.station_id
                     WHERE s.identity = 'S-1' AND k.evse_id = 0 AND k.connector_id = 0$$,
                  $$VALUES ('Unavailable', now())$$, 'connector 0 is EVSE 0 / connector 0; no timestamp reads as receipt time');
SELECT ocpp.parse('S-1', 'u5', 'StatusNotification', '{"connectorId": 2, "errorCode": "NoError", "status": "Charging"}');
SELECT results_eq($$SELECT k.evse_id, k.connector_id, k.status FROM cs.connector k JOIN cs.station s ON s.id = k.station_id
                     WHERE s.identity = 'S-1' ORDER BY 1, 2$$,
                  $$VALUES (0, 0, 'Unavailable'), (1, 1, 'Available'), (2, 1, 'Charging')$$, 'one current row per connector');
SELECT is((SELECT count(*) FROM cs.status_notification h JOIN cs.station s ON s.id = h.station_id WHERE s.identity = 'S-1'),
          5::bigint, 'five history rows');

-- a timestamp without offset is UTC, whatever the session's zone
SET LOCAL TimeZone = 'America/New_York';
SELECT ocpp.parse('S-1', 'u6', 'StatusNotification', '{"connectorId": 3, "errorCode": "NoError", "status": "Available", "timestamp": "2024-05-01T10:00:00"}');
SELECT is((SELECT k.status_at FROM cs.connector k JOIN cs.station s ON s.id = k.station_id WHERE s.identity = 'S-1' AND k.evse_id = 3),
          '2024-05-01T10:00:00Z'::timestamptz, 'a station timestamp without offset reads as UTC');
DELETE FROM cs.connector WHERE evse_id = 3;
-- the same through ocpp.parse_logged, the front end's path (it sets the zone once for its group)
SELECT ocpp.parse_logged(ARRAY['S-1'], ARRAY['u6b'], ARRAY['StatusNotification'],
                         ARRAY['{"connectorId": 3, "errorCode": "NoError", "status": "Available", "timestamp": "2024-05-01T10:00:00"}'],
                         ARRAY[NULL], ARRAY['1.6'], ARRAY[now()], ARRAY[NULL]);
SELECT is((SELECT k.status_at FROM cs.connector k JOIN cs.station s ON s.id = k.station_id WHERE s.identity = 'S-1' AND k.evse_id = 3),
          '2024-05-01T10:00:00Z'::timestamptz, 'and through ocpp.parse_logged');
DELETE FROM cs.connector WHERE evse_id = 3;
RESET TimeZone;

-- another station's connectors are its own
SELECT ocpp.parse('S-2', 'u1', 'StatusNotification', '{"connectorId": 1, "errorCode": "NoError", "status": "Preparing"}');
SELECT is((SELECT k.status FROM cs.connector k JOIN cs.station s ON s.id = k.station_id WHERE s.identity = 'S-1' AND k.evse_id = 1),
          'Available', 'connectors are per station');

-- chargepointlist shows the connectors
SELECT is((SELECT c FROM jsonb_array_elements(ocpp.chargepointlist()) AS c WHERE c->>'identity' = 'S-1')->'connectors'->1,
          '{"evseId": 1, "connectorId": 1, "status": "Available", "errorCode": "NoError", "info": null, "vendorId": null,
            "vendorErrorCode": null, "timestamp": "2024-05-01T10:10:00.000Z"}',
          'chargepointlist: a connector''s object');
SELECT is(jsonb_array_length((SELECT c FROM jsonb_array_elements(ocpp.chargepointlist()) AS c WHERE c->>'identity' = 'S-1')->'connectors'),
          3, 'chargepointlist: every connector of the station');

SELECT * FROM finish();
ROLLBACK;
