-- ocpp.parsexml end to end: SOAP 1.6 and 1.5 station requests answered by the ocpp.parse rules
-- (the same rows as for a JSON station), the station's SOAP version and From address recorded, each
-- fault as a SOAP 1.2 Fault envelope; ocpp.send to a 1.5 station.
BEGIN;
SELECT plan(45);

-- a station request envelope: version 1.6 (Cs/2015/10) or 1.5 (Cs/2012/06)
CREATE FUNCTION pg_temp.req(body text, ver text DEFAULT '1.6', ident text DEFAULT 'SOAP-16',
                            msgid text DEFAULT 'urn:uuid:m1', from_ text DEFAULT 'http://10.0.0.16:8080/ocpp')
RETURNS xml LANGUAGE sql AS $$
    SELECT ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"'
            || ' xmlns:o="' || CASE ver WHEN '1.5' THEN 'urn://Ocpp/Cs/2012/06/' ELSE 'urn://Ocpp/Cs/2015/10/' END || '">'
            || '<s:Header>' || coalesce('<o:chargeBoxIdentity>' || ident || '</o:chargeBoxIdentity>', '')
            || '<a:Action s:mustUnderstand="true">/x</a:Action><a:MessageID>' || msgid || '</a:MessageID>'
            || coalesce('<a:From><a:Address>' || from_ || '</a:Address></a:From>', '')
            || '<a:To s:mustUnderstand="true">http://cs/Ocpp</a:To></s:Header><s:Body>' || body || '</s:Body></s:Envelope>')::xml
$$;
-- the response envelope of a parsexml result, read back
CREATE FUNCTION pg_temp.resp(r jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT ocpp.soaptojson((r ->> 'response')::xml) $$;

-- 1.6 BootNotification
SELECT ocpp.parsexml(pg_temp.req('<o:bootNotificationRequest><o:chargePointVendor>ACME</o:chargePointVendor><o:chargePointModel>S1</o:chargePointModel><o:firmwareVersion>1.0</o:firmwareVersion></o:bootNotificationRequest>'),
                     'acct') AS boot \gset
SELECT is(:'boot'::jsonb - 'response', '{"identity": "SOAP-16", "from": "http://10.0.0.16:8080/ocpp", "action": "BootNotification",
                                         "version": "1.6", "messageId": "urn:uuid:m1"}', 'BootNotification: what parsexml returns');
SELECT is(pg_temp.resp(:'boot') - 'messageId' - 'payload',
          '{"identity": null, "from": null, "to": "http://10.0.0.16:8080/ocpp", "relatesTo": "urn:uuid:m1",
            "action": "BootNotification", "kind": "response", "version": "1.6", "service": "cs"}',
          'the answer relates to the request and goes to its From address');
SELECT is((pg_temp.resp(:'boot') -> 'payload') - 'currentTime', '{"status": "Accepted", "interval": 300}', 'Accepted, interval 300');
SELECT matches(:'boot'::jsonb ->> 'response', '<a:Action s:mustUnderstand="true">/BootNotificationResponse</a:Action>',
               'Action ends in Response');
SELECT results_eq($$SELECT vendor, model, firmware_version, account, version, soap_from FROM cs.station WHERE identity = 'SOAP-16'$$,
                  $$VALUES ('ACME', 'S1', '1.0', 'acct', '1.6', 'http://10.0.0.16:8080/ocpp')$$,
                  'the boot stored, the SOAP version and the From address recorded');

-- Heartbeat, Authorize
SELECT ok(pg_temp.resp(ocpp.parsexml(pg_temp.req('<o:heartbeatRequest/>', msgid => 'm2'))) #>> '{payload,currentTime}' ~ '^\d{4}-\d\d-\d\dT.*Z$',
          'Heartbeat answers the time');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req('<o:authorizeRequest><o:idTag>TAG-1</o:idTag></o:authorizeRequest>'))) -> 'payload',
          '{"idTagInfo": {"status": "Accepted"}}', 'Authorize');

-- StartTransaction, MeterValues, StatusNotification, StopTransaction
SELECT (pg_temp.resp(ocpp.parsexml(pg_temp.req('<o:startTransactionRequest><o:connectorId>1</o:connectorId><o:idTag>TAG-1</o:idTag><o:timestamp>2024-05-01T10:00:00Z</o:timestamp><o:meterStart>1000</o:meterStart></o:startTransactionRequest>')))
        #>> '{payload,transactionId}')::integer AS tx \gset
SELECT results_eq(format($$SELECT id_tag, meter_start, started_at FROM cs.transaction WHERE id = %s$$, :tx),
                  $$VALUES ('TAG-1', 1000::bigint, '2024-05-01T10:00:00Z'::timestamptz)$$, 'StartTransaction opens the transaction');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req(format('<o:meterValuesRequest><o:connectorId>1</o:connectorId><o:transactionId>%s</o:transactionId><o:meterValue><o:timestamp>2024-05-01T10:30:00Z</o:timestamp><o:sampledValue><o:value>1500</o:value></o:sampledValue><o:sampledValue><o:value>16</o:value><o:measurand>Current.Import</o:measurand><o:unit>A</o:unit></o:sampledValue></o:meterValue></o:meterValuesRequest>', :tx))))
          -> 'payload', '{}', 'MeterValues 1.6 answered');
SELECT results_eq(format($$SELECT value, measurand, unit FROM cs.meter_value WHERE transaction_id = %s ORDER BY id$$, :tx),
                  $$VALUES ('1500', 'Energy.Active.Import.Register', 'Wh'), ('16', 'Current.Import', 'A')$$,
                  'the 1.6 meter values stored');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req('<o:statusNotificationRequest><o:connectorId>1</o:connectorId><o:errorCode>NoError</o:errorCode><o:status>Charging</o:status></o:statusNotificationRequest>')))
          -> 'payload', '{}', 'StatusNotification answered');
SELECT is((SELECT c.status FROM cs.connector c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'SOAP-16' AND c.evse_id = 1),
          'Charging', 'the connector status stored');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req(format('<o:stopTransactionRequest><o:transactionId>%s</o:transactionId><o:timestamp>2024-05-01T11:00:00Z</o:timestamp><o:meterStop>2500</o:meterStop><o:reason>Local</o:reason></o:stopTransactionRequest>', :tx),
                                                 from_ => 'http://10.0.0.99/ocpp')))
          #>> '{payload,idTagInfo}', NULL, 'StopTransaction without idTag answered');
SELECT results_eq(format($$SELECT meter_stop, stopped_at, stop_reason FROM cs.transaction WHERE id = %s$$, :tx),
                  $$VALUES (2500::bigint, '2024-05-01T11:00:00Z'::timestamptz, 'Local')$$, 'StopTransaction closes it');
SELECT is((SELECT soap_from FROM cs.station WHERE identity = 'SOAP-16'), 'http://10.0.0.99/ocpp', 'soap_from follows the latest From');
SELECT ocpp.parsexml(pg_temp.req('<o:heartbeatRequest/>', from_ => NULL));
SELECT is((SELECT soap_from FROM cs.station WHERE identity = 'SOAP-16'), 'http://10.0.0.99/ocpp', 'a request without From keeps it');
SELECT is(ocpp.api_station('SOAP-16') - 'lastSeen' - 'boot' - 'connectors' - 'evses' - 'account' - 'registration'
              - 'securityProfile' - 'minimumSecurityProfile',
          '{"identity": "SOAP-16", "version": "1.6", "connected": false, "node": null, "transport": "soap"}',
          'chargepointlist: a SOAP station is transport soap, never connected');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req('<o:dataTransferRequest><o:vendorId>nobody</o:vendorId><o:data>x</o:data></o:dataTransferRequest>'))) #>> '{payload,status}',
          'UnknownVendorId', 'DataTransfer');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req('<o:firmwareStatusNotificationRequest><o:status>Installed</o:status></o:firmwareStatusNotificationRequest>'))) -> 'payload',
          '{}', 'FirmwareStatusNotification');
SELECT is((SELECT firmware_status FROM cs.station WHERE identity = 'SOAP-16'), 'Installed', 'the firmware status stored');

-- 1.5
SELECT ocpp.parsexml(pg_temp.req('<o:bootNotificationRequest><o:chargePointVendor>OLD</o:chargePointVendor><o:chargePointModel>M15</o:chargePointModel></o:bootNotificationRequest>',
                                 '1.5', 'SOAP-15', 'm15', 'http://10.0.0.15/')) AS boot15 \gset
SELECT matches(:'boot15'::jsonb ->> 'response', '<bootNotificationResponse xmlns="urn://Ocpp/Cs/2012/06/"><status>Accepted</status><currentTime>[^<]+</currentTime><heartbeatInterval>300</heartbeatInterval>',
               'a 1.5 answer: 1.5 namespace, heartbeatInterval');
SELECT results_eq($$SELECT vendor, version, soap_from FROM cs.station WHERE identity = 'SOAP-15'$$,
                  $$VALUES ('OLD', '1.5', 'http://10.0.0.15/')$$, 'a 1.5 station: version 1.5');
SELECT (pg_temp.resp(ocpp.parsexml(pg_temp.req('<o:startTransactionRequest><o:connectorId>2</o:connectorId><o:idTag>TAG-15</o:idTag><o:timestamp>2024-05-01T10:00:00Z</o:timestamp><o:meterStart>0</o:meterStart></o:startTransactionRequest>', '1.5', 'SOAP-15')))
        #>> '{payload,transactionId}')::integer AS tx15 \gset
SELECT ok(:tx15 > 0, '1.5 StartTransaction');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req(format('<o:meterValuesRequest><o:connectorId>2</o:connectorId><o:transactionId>%s</o:transactionId><o:values><o:timestamp>2024-05-01T10:30:00Z</o:timestamp><o:value>300</o:value><o:value measurand="Current.Import" unit="Amp">12</o:value></o:values></o:meterValuesRequest>', :tx15), '1.5', 'SOAP-15')))
          -> 'payload', '{}', 'MeterValues 1.5 answered');
SELECT results_eq(format($$SELECT value, measurand, unit FROM cs.meter_value WHERE transaction_id = %s ORDER BY id$$, :tx15),
                  $$VALUES ('300', 'Energy.Active.Import.Register', 'Wh'), ('12', 'Current.Import', 'A')$$,
                  'the 1.5 meter values stored as 1.6 ones');
SELECT ocpp.parsexml(pg_temp.req('<o:statusNotificationRequest><o:connectorId>2</o:connectorId><o:status>Occupied</o:status><o:errorCode>NoError</o:errorCode></o:statusNotificationRequest>', '1.5', 'SOAP-15'));
SELECT is((SELECT c.status FROM cs.connector c JOIN cs.station s ON s.id = c.station_id WHERE s.identity = 'SOAP-15' AND c.evse_id = 2),
          'Charging', '1.5 Occupied stored as Charging');
SELECT is(pg_temp.resp(ocpp.parsexml(pg_temp.req(format('<o:stopTransactionRequest><o:transactionId>%s</o:transactionId><o:idTag>TAG-15</o:idTag><o:timestamp>2024-05-01T11:00:00Z</o:timestamp><o:meterStop>900</o:meterStop><o:transactionData><o:values><o:timestamp>2024-05-01T11:00:00Z</o:timestamp><o:value>900</o:value></o:values></o:transactionData></o:stopTransactionRequest>', :tx15), '1.5', 'SOAP-15')))
          #>> '{payload,idTagInfo,status}', 'Accepted', '1.5 StopTransaction');
SELECT is((SELECT meter_stop FROM cs.transaction WHERE id = :tx15), 900::bigint, 'the 1.5 transaction stopped');

-- faults
SELECT is(ocpp.parsexml('<html/>') -> 'fault', '{"code": "Sender", "subcode": "FormationViolation", "sqlstate": "OC006",
          "reason": "not a SOAP 1.2 envelope: root element {}html"}', 'not an envelope: FormationViolation');
SELECT is(pg_temp.resp(ocpp.parsexml('<html/>')) -> 'fault', '{"code": "Sender", "subcode": "FormationViolation",
          "reason": "not a SOAP 1.2 envelope: root element {}html"}', 'the response is a SOAP 1.2 Fault envelope');
SELECT is(ocpp.parsexml(pg_temp.req('<x:heartbeatRequest xmlns:x="urn://Ocpp/Cs/2099/01/"/>')) #>> '{fault,subcode}', 'ProtocolError',
          'a wrong namespace: ProtocolError');
SELECT is(ocpp.parsexml(pg_temp.req('<o:fooRequest/>')) #>> '{fault,subcode}', 'NotImplemented', 'an unknown operation: NotImplemented');
SELECT ocpp.parsexml(pg_temp.req('<o:heartbeatRequest/>', ident => NULL, msgid => 'm-noid')) AS noid \gset
SELECT is(:'noid'::jsonb #>> '{fault,subcode}', 'OccurenceConstraintViolation', 'no chargeBoxIdentity: OccurenceConstraintViolation');
SELECT is(pg_temp.resp(:'noid') - 'fault' - 'messageId', '{"identity": null, "from": null, "to": "http://10.0.0.16:8080/ocpp",
          "relatesTo": "m-noid", "action": null, "kind": "fault", "version": null, "service": null, "payload": null}',
          'the fault relates to the request and goes to its From address');
SELECT is(ocpp.parsexml(pg_temp.req('<o:statusNotificationRequest><o:connectorId>one</o:connectorId><o:errorCode>NoError</o:errorCode><o:status>Available</o:status></o:statusNotificationRequest>',
                                    ident => 'SOAP-NEW')) -> 'fault',
          '{"code": "Sender", "subcode": "TypeConstraintViolation", "sqlstate": "OC009",
            "reason": "value of the wrong type: statusNotificationRequest/connectorId[1]: one is not a xs:int"}',
          'letters in an integer: TypeConstraintViolation');
SELECT is((SELECT count(*) FROM cs.station WHERE identity = 'SOAP-NEW'), 0::bigint, 'a faulted request changes nothing');
SELECT is(ocpp.parsexml(pg_temp.req('<o:authorizeRequest/>')) #>> '{fault,subcode}', 'OccurenceConstraintViolation',
          'a missing required element: OccurenceConstraintViolation');
SELECT ocpp.add_station('SOAP-REJ', 'Rejected');
SELECT is(ocpp.parsexml(pg_temp.req('<o:heartbeatRequest/>', ident => 'SOAP-REJ')) -> 'fault',
          '{"code": "Sender", "subcode": "SecurityError", "sqlstate": "OC005", "reason": "station is rejected: SOAP-REJ may only send BootNotification"}',
          'an error of the rules (a Rejected station): SecurityError');
SELECT is(ocpp.parsexml(('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><resetResponse xmlns="urn://Ocpp/Cp/2015/10/"><status>Accepted</status></resetResponse></s:Body></s:Envelope>')::xml)
          #>> '{fault,subcode}', 'ProtocolError', 'a response is no station request: ProtocolError');
SELECT is(ocpp.parsexml(NULL) #>> '{fault,subcode}', 'FormationViolation', 'no XML: FormationViolation');
DELETE FROM cs.setting WHERE key = 'boot.heartbeat_interval';
SELECT is(ocpp.parsexml(pg_temp.req('<o:bootNotificationRequest><o:chargePointVendor>ACME</o:chargePointVendor><o:chargePointModel>S1</o:chargePointModel></o:bootNotificationRequest>'))
          #>> '{fault,code}', 'Receiver', 'an InternalError of the rules: code Receiver');
-- a reply of the rules that does not fit the WSDL is a bug: raised, not a fault
UPDATE cs.soap_field SET json_key = 'currentTimeX' WHERE version = '1.6' AND type_name = 'HeartbeatResponse';
SELECT throws_ok($$SELECT ocpp.parsexml(pg_temp.req('<o:heartbeatRequest/>'))$$, 'OC008', 'required field missing',
                 'parsexml raises when the answer of the rules cannot be built');

-- commands to a 1.5 station: the 1.5 operations only, not translated
SELECT ocpp.send('SOAP-15', 'Reset', '{"type": "Soft"}', '1 hour') AS cmd15 \gset
SELECT results_eq(format($$SELECT action, payload, requested, status FROM cs.command WHERE id = %s$$, :cmd15),
                  $$VALUES ('Reset', '{"type": "Soft"}'::jsonb, NULL::jsonb, 'queued')$$, 'a Reset to a 1.5 station queued as is');
SELECT throws_ok($$SELECT ocpp.send('SOAP-15', 'TriggerMessage', '{"requestedMessage": "Heartbeat"}')$$, 'OC001',
                 'action not implemented', 'TriggerMessage is not a 1.5 operation');
SELECT throws_ok($$SELECT ocpp.send('SOAP-15', 'SignedUpdateFirmware', '{}')$$, 'OC001',
                 'action not implemented', 'no Security Whitepaper operation for 1.5');

SELECT * FROM finish();
ROLLBACK;
