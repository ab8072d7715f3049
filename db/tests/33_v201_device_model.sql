-- OCPP 2.0.1 NotifyReport, NotifyMonitoringReport, NotifyEvent, ocpp.device_model, cs.report_part.
BEGIN;
SELECT plan(18);

CREATE FUNCTION pg_temp.p(action text, body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT ocpp.parse('D-1', 'u', action, body::jsonb, NULL, '2.0.1')
$$;

-- a two-part report
SELECT is(pg_temp.p('NotifyReport', '{"requestId": 42, "generatedAt": "2024-05-01T10:00:00Z", "seqNo": 0, "tbc": true,
    "reportData": [
      {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"},
       "variableAttribute": [{"value": "300"}],
       "variableCharacteristics": {"dataType": "integer", "unit": "s", "minLimit": 1, "maxLimit": 86400, "supportsMonitoring": false}},
      {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"},
       "variableAttribute": [{"type": "Actual", "value": "0", "mutability": "ReadOnly"},
                             {"type": "MaxSet", "value": "22000", "mutability": "ReadOnly", "persistent": true, "constant": true}],
       "variableCharacteristics": {"dataType": "decimal", "unit": "W", "supportsMonitoring": true}},
      {"component": {"name": "Connector", "instance": "c", "evse": {"id": 2, "connectorId": 1}}, "variable": {"name": "ConnectorType"},
       "variableAttribute": [{"value": "cType2", "mutability": "ReadOnly"}],
       "variableCharacteristics": {"dataType": "OptionList", "valuesList": "cType2,cCCS2", "supportsMonitoring": false}}]}'),
    '{}', 'NotifyReport answers {}');
SELECT results_eq(
    $$SELECT component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type, value,
             mutability, persistent, constant, data_type, unit, min_limit, max_limit, values_list, supports_monitoring, request_id
        FROM cs.device_variable ORDER BY component, attribute_type$$,
    $$VALUES ('Connector', 'c', 2, 1, 'ConnectorType', '', 'Actual', 'cType2', 'ReadOnly', false, false, 'OptionList', NULL, NULL::numeric,
              NULL::numeric, 'cType2,cCCS2', false, 42),
             ('EVSE', '', 1, 0, 'Power', '', 'Actual', '0', 'ReadOnly', false, false, 'decimal', 'W', NULL, NULL, NULL, true, 42),
             ('EVSE', '', 1, 0, 'Power', '', 'MaxSet', '22000', 'ReadOnly', true, true, 'decimal', 'W', NULL, NULL, NULL, true, 42),
             ('OCPPCommCtrlr', '', 0, 0, 'HeartbeatInterval', '', 'Actual', '300', 'ReadWrite', false, false, 'integer', 's', 1,
              86400, NULL, false, 42)$$,
    'one row per component / variable / attribute, with the 2.0.1 defaults and the characteristics');
SELECT results_eq($$SELECT evse_id FROM cs.evse ORDER BY 1$$, $$VALUES (1), (2)$$, 'the EVSEs named are recorded');
SELECT results_eq($$SELECT evse_id, connector_id, status FROM cs.connector$$, $$VALUES (2, 1, NULL::text)$$,
                  'the connectors named are recorded, status unknown');

SELECT pg_temp.p('NotifyReport', '{"requestId": 42, "generatedAt": "2024-05-01T10:00:01Z", "seqNo": 1,
    "reportData": [{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"},
                    "variableAttribute": [{"value": "600"}, {"value": "900"}],
                    "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": false}}]}');
SELECT is((SELECT value FROM cs.device_variable WHERE variable = 'HeartbeatInterval'), '900',
          'a later part updates the row; the last of a part wins');
SELECT results_eq($$SELECT action, request_id, seq_no, tbc, items FROM cs.report_part ORDER BY seq_no$$,
                  $$VALUES ('NotifyReport', 42, 0, true, 3), ('NotifyReport', 42, 1, false, 1)$$,
                  'the parts are recorded: the last has tbc false');
SELECT pg_temp.p('NotifyReport', '{"requestId": 42, "generatedAt": "2024-05-01T10:00:01Z", "seqNo": 1,
    "reportData": [{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"},
                    "variableAttribute": [{"value": "900"}], "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": false}}]}');
SELECT is((SELECT count(*) FROM cs.report_part), 2::bigint, 'a retransmitted part is recorded once');
SELECT is(pg_temp.p('NotifyReport', '{"requestId": 43, "generatedAt": "2024-05-01T11:00:00Z", "seqNo": 0}'), '{}',
          'an empty report (no reportData)');

-- ocpp.device_model
SELECT is(jsonb_array_length(ocpp.device_model('D-1')), 4, 'device_model lists every row');
SELECT is((ocpp.device_model('D-1', 'OCPPCommCtrlr')->0) - 'updatedAt',
          '{"component": "OCPPCommCtrlr", "componentInstance": "", "evseId": 0, "connectorId": 0, "variable": "HeartbeatInterval",
            "variableInstance": "", "attributeType": "Actual", "value": "900", "mutability": "ReadWrite", "persistent": false,
            "constant": false, "dataType": "integer", "unit": null, "minLimit": null, "maxLimit": null, "valuesList": null,
            "supportsMonitoring": false}', 'device_model of one component: the object shape');
SELECT throws_ok($$SELECT ocpp.device_model('NO-SUCH')$$, 'OC010', 'unknown station', 'device_model of an unknown station');

-- NotifyMonitoringReport
SELECT is(pg_temp.p('NotifyMonitoringReport', '{"requestId": 50, "generatedAt": "2024-05-01T10:00:00Z", "seqNo": 0,
    "monitor": [{"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"},
                 "variableMonitoring": [{"id": 3, "transaction": false, "value": 20000, "type": "UpperThreshold", "severity": 4},
                                        {"id": 4, "transaction": true, "value": 500, "type": "Delta", "severity": 7}]}]}'),
    '{}', 'NotifyMonitoringReport answers {}');
SELECT results_eq($$SELECT id, component, evse_id, variable, type, value, severity, transaction FROM cs.variable_monitor ORDER BY id$$,
                  $$VALUES (3, 'EVSE', 1, 'Power', 'UpperThreshold', 20000::numeric, 4, false),
                           (4, 'EVSE', 1, 'Power', 'Delta', 500::numeric, 7, true)$$,
                  'one cs.variable_monitor row per monitor');
SELECT is((SELECT items FROM cs.report_part WHERE action = 'NotifyMonitoringReport'), 1, 'the monitoring report part');

-- NotifyEvent
SELECT is(pg_temp.p('NotifyEvent', '{"generatedAt": "2024-05-01T12:00:00Z", "seqNo": 0, "eventData": [
    {"eventId": 1, "timestamp": "2099-05-01T12:00:00Z", "trigger": "Alerting", "actualValue": "23000", "techCode": "T1",
     "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}, "variableMonitoringId": 3,
     "eventNotificationType": "CustomMonitor", "transactionId": "TX-9", "cleared": false}]}'),
    '{}', 'NotifyEvent answers {}');
SELECT results_eq($$SELECT event_id, trigger, actual_value, tech_code, component, evse_id, variable, variable_monitoring_id,
                           event_notification_type, transaction_ref, cleared, generated_at FROM cs.device_event$$,
                  $$VALUES (1, 'Alerting', '23000', 'T1', 'EVSE', 1, 'Power', 3, 'CustomMonitor', 'TX-9', false,
                            '2024-05-01T12:00:00Z'::timestamptz)$$, 'the event is stored');
SELECT is((SELECT value FROM cs.device_variable WHERE variable = 'Power' AND attribute_type = 'Actual'), '23000',
          'its actualValue becomes the variable''s Actual value');
SELECT pg_temp.p('NotifyEvent', '{"generatedAt": "2024-05-01T12:00:00Z", "seqNo": 0, "eventData": [
    {"eventId": 1, "timestamp": "2099-05-01T12:00:00Z", "trigger": "Alerting", "actualValue": "23000",
     "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}, "eventNotificationType": "CustomMonitor"}]}');
SELECT is((SELECT count(*) FROM cs.device_event), 1::bigint, 'a retransmitted event is stored once');

SELECT * FROM finish();
ROLLBACK;
