-- One set of lists for a mixed fleet: chargepointlist, transactionlist, evselist, reservationlist.
BEGIN;
SELECT plan(15);

DELETE FROM cs.station;
-- a 1.6 station: connector 1 with a transaction
SELECT ocpp.parse('M-16', 'u', 'StatusNotification', '{"connectorId": 1, "errorCode": "NoError", "status": "Charging",
                                                       "timestamp": "2024-05-01T09:00:00Z"}');
SELECT ocpp.parse('M-16', 'u', 'StartTransaction', '{"connectorId": 1, "idTag": "OLD", "meterStart": 100,
                                                     "timestamp": "2024-05-01T09:00:00Z"}') AS start16 \gset
-- a 2.0.1 station: EVSE 1 with two connectors, a transaction
SELECT ocpp.parse('M-201', 'u', 'StatusNotification', '{"timestamp": "2024-05-01T10:00:00Z", "connectorStatus": "Occupied",
                  "evseId": 1, "connectorId": 1}', NULL, '2.0.1');
SELECT ocpp.parse('M-201', 'u', 'StatusNotification', '{"timestamp": "2024-05-01T10:00:00Z", "connectorStatus": "Available",
                  "evseId": 1, "connectorId": 2}', NULL, '2.0.1');
SELECT ocpp.parse('M-201', 'u', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2024-05-01T10:00:00Z",
    "triggerReason": "Authorized", "seqNo": 0, "transactionInfo": {"transactionId": "abc-1"}, "evse": {"id": 1, "connectorId": 1},
    "idToken": {"idToken": "NEW", "type": "ISO14443"},
    "meterValue": [{"timestamp": "2024-05-01T10:00:00Z", "sampledValue": [{"value": 1000, "context": "Transaction.Begin"}]}]}',
    NULL, '2.0.1');
SELECT ocpp.parse('M-201', 'u', 'TransactionEvent', '{"eventType": "Ended", "timestamp": "2024-05-01T11:00:00Z",
    "triggerReason": "EVDeparted", "seqNo": 1, "transactionInfo": {"transactionId": "abc-1"},
    "meterValue": [{"timestamp": "2024-05-01T11:00:00Z", "sampledValue": [{"value": 1500, "context": "Transaction.End"}]}]}',
    NULL, '2.0.1');

-- chargepointlist: the same connector objects
SELECT is((SELECT c->'connectors' FROM jsonb_array_elements(ocpp.chargepointlist()) AS c WHERE c->>'identity' = 'M-16'),
          '[{"evseId": 1, "connectorId": 1, "status": "Charging", "errorCode": "NoError", "info": null, "vendorId": null,
             "vendorErrorCode": null, "timestamp": "2024-05-01T09:00:00.000Z"}]', 'chargepointlist: a 1.6 connector is EVSE n / connector 1');
SELECT is((SELECT jsonb_agg(jsonb_build_array(k->'evseId', k->'connectorId', k->'status'))
             FROM jsonb_array_elements(ocpp.chargepointlist()) AS c, jsonb_array_elements(c->'connectors') AS k
            WHERE c->>'identity' = 'M-201'),
          '[[1, 1, "Occupied"], [1, 2, "Available"]]', 'chargepointlist: 2.0.1 connectors of an EVSE');

-- transactionlist
SELECT is((ocpp.transactionlist('M-201')->0) - 'startedAt' - 'stoppedAt' - 'id',
          '{"transactionId": "abc-1", "identity": "M-201", "evseId": 1, "connectorId": 1, "idTag": "NEW", "idTagStatus": "Accepted",
            "meterStart": 1000, "meterStop": 1500, "energy": 500, "stopReason": "EVDisconnected", "stopIdTag": null,
            "reservationId": null, "running": false}',
          'transactionlist: a 2.0.1 transaction with its transactionId and energy');
SELECT is(ocpp.transactionlist('M-16')->0->'transactionId', :'start16'::jsonb->'transactionId',
          'transactionlist: a 1.6 transaction keeps its integer id');
SELECT is((SELECT array_agg(jsonb_typeof(t->'transactionId') ORDER BY t->>'identity') FROM jsonb_array_elements(ocpp.transactionlist()) AS t),
          ARRAY['number', 'string'], 'both in one list');

-- evselist
SELECT is(ocpp.evselist(),
          '[{"identity": "M-16", "evseId": 1, "status": "Charging",
             "connectors": [{"connectorId": 1, "status": "Charging", "timestamp": "2024-05-01T09:00:00.000Z"}]},
            {"identity": "M-201", "evseId": 1, "status": "Available",
             "connectors": [{"connectorId": 1, "status": "Occupied", "timestamp": "2024-05-01T10:00:00.000Z"},
                            {"connectorId": 2, "status": "Available", "timestamp": "2024-05-01T10:00:00.000Z"}]}]',
          'evselist: EVSEs of both kinds with their connectors');
SELECT is(jsonb_array_length(ocpp.evselist('M-16')), 1, 'evselist of one station');
SELECT is(ocpp.evselist('NOBODY'), '[]', 'evselist of an unknown station: []');

-- reservationlist
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date, parent_id_tag, created_at)
SELECT 501, id, 1, 'OLD', '2030-01-01T00:00:00Z', 'P', '2024-05-01T08:00:00Z' FROM cs.station WHERE identity = 'M-16';
INSERT INTO cs.reservation (id, station_id, connector_id, id_tag, expiry_date, created_at)
SELECT 502, id, 0, 'NEW', '2024-01-01T00:00:00Z', '2024-05-01T08:00:00Z' FROM cs.station WHERE identity = 'M-201';
SELECT ocpp.parse('M-201', 'u', 'TransactionEvent', '{"eventType": "Started", "timestamp": "2023-12-01T10:00:00Z",
    "triggerReason": "Authorized", "seqNo": 0, "transactionInfo": {"transactionId": "abc-2"}, "evse": {"id": 1, "connectorId": 2},
    "reservationId": 502}', NULL, '2.0.1');
SELECT is(ocpp.reservationlist('M-16'),
          '[{"reservationId": 501, "identity": "M-16", "evseId": 1, "idTag": "OLD", "parentIdTag": "P",
             "expiryDate": "2030-01-01T00:00:00.000Z", "status": "Accepted", "statusAt": null,
             "createdAt": "2024-05-01T08:00:00.000Z", "transactionId": null, "active": true}]',
          'reservationlist: the object shape');
SELECT is(ocpp.reservationlist('M-201')->0->'transactionId', '"abc-2"', 'reservationlist: the transaction that used it');
SELECT is(ocpp.reservationlist('M-201')->0->'active', 'false', 'a used reservation is not active');
SELECT is(jsonb_array_length(ocpp.reservationlist()), 2, 'reservationlist of every station');
SELECT is(jsonb_array_length(ocpp.reservationlist(NULL, 1)), 1, 'reservationlist honours lim');
SELECT is((ocpp.reservationlist(NULL, 1)->0->>'reservationId')::int, 502, 'newest first');
SELECT throws_ok($$SELECT ocpp.reservationlist(NULL, -1)$$, 'OC007', 'invalid limit', 'reservationlist with a negative lim');

SELECT * FROM finish();
ROLLBACK;
