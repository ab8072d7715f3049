-- The 2.0.1 convenience functions: the payload each builds for a 2.0.1 station, the arguments refused.
BEGIN;
SELECT plan(95);

SELECT ocpp.node_start('no');
SELECT ocpp.connect('O201', NULL, '2.0.1', 'no');
SELECT ocpp.connect('O16', NULL, '1.6', 'no');

CREATE FUNCTION pg_temp.sent(cmd bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('action', action, 'payload', payload) FROM cs.command WHERE id = cmd
$$;
CREATE FUNCTION pg_temp.cmd(cmd bigint) RETURNS cs.command LANGUAGE sql AS $$
    SELECT * FROM cs.command WHERE id = cmd
$$;
CREATE FUNCTION pg_temp.profile(purpose text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('id', 1, 'stackLevel', 0, 'chargingProfilePurpose', purpose, 'chargingProfileKind', 'Relative',
                              'chargingSchedule', '[{"id": 1, "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}]}]'::jsonb)
$$;
SELECT setval('cs.remote_start_id_seq', 100);
SELECT setval('cs.request_id_seq', 500);

-- transactions ------------------------------------------------------------------------------------
SELECT is(pg_temp.sent(ocpp.request_start_transaction('O201', 'TOKEN-1')),
          '{"action": "RequestStartTransaction", "payload": {"idToken": {"idToken": "TOKEN-1", "type": "Central"}, "remoteStartId": 101}}',
          'request_start_transaction: Central token, remoteStartId from the sequence');
SELECT is(pg_temp.sent(ocpp.request_start_transaction('O201', 'TOKEN-1', 'ISO14443', 2, 7, pg_temp.profile('TxProfile'), 'GROUP-1')),
          jsonb_build_object('action', 'RequestStartTransaction', 'payload',
                             jsonb_build_object('idToken', '{"idToken": "TOKEN-1", "type": "ISO14443"}'::jsonb, 'evseId', 2,
                                                'remoteStartId', 7, 'chargingProfile', pg_temp.profile('TxProfile'),
                                                'groupIdToken', '{"idToken": "GROUP-1", "type": "Central"}'::jsonb)),
          'request_start_transaction with every argument');
SELECT is(pg_temp.sent(ocpp.request_start_transaction('O201', 'T', charging_profile =>
              '{"chargingProfileId": 3, "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
                "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}}'))->'payload'->'chargingProfile',
          '{"id": 3, "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
            "chargingSchedule": [{"id": 3, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}]}',
          'a 1.6 profile is translated');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O201', '')$$, 'OC007', 'invalid id_token', 'empty id_token');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O201', repeat('x', 37))$$, 'OC007', 'invalid id_token', 'id_token of 37');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O201', 'T', 'RFID')$$, 'OC007', 'invalid id_token_type', 'unknown type');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O201', 'T', 'Central', 0)$$, 'OC007', 'invalid evse_id', 'evse 0');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O201', 'T', charging_profile => pg_temp.profile('TxDefaultProfile'))$$,
                 'OC007', 'invalid charging_profile', 'not a TxProfile');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O201', 'T', charging_profile => '{"id": 1}')$$,
                 'OC007', 'invalid charging_profile', 'not a profile');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O201', 'T', group_id_token => '')$$,
                 'OC007', 'invalid group_id_token', 'empty group');
SELECT throws_ok($$SELECT ocpp.request_start_transaction('O16', 'T')$$, 'OC001', 'action not implemented',
                 'a 2.0.1 operation for a 1.6 station');

SELECT is(pg_temp.sent(ocpp.request_stop_transaction('O201', 'TX-9')),
          '{"action": "RequestStopTransaction", "payload": {"transactionId": "TX-9"}}', 'request_stop_transaction');
SELECT throws_ok($$SELECT ocpp.request_stop_transaction('O201', NULL)$$, 'OC007', 'invalid transaction_id', 'no transaction');
SELECT is(pg_temp.sent(ocpp.get_transaction_status('O201')), '{"action": "GetTransactionStatus", "payload": {}}',
          'get_transaction_status without transaction');
SELECT is(pg_temp.sent(ocpp.get_transaction_status('O201', 'TX-9'))->'payload', '{"transactionId": "TX-9"}', 'with one');
SELECT throws_ok($$SELECT ocpp.get_transaction_status('O201', repeat('x', 37))$$, 'OC007', 'invalid transaction_id', 'too long');
SELECT is(pg_temp.sent(ocpp.cost_updated('O201', 'TX-9', 1.5)),
          '{"action": "CostUpdated", "payload": {"totalCost": 1.5, "transactionId": "TX-9"}}', 'cost_updated');
SELECT throws_ok($$SELECT ocpp.cost_updated('O201', 'TX-9', NULL)$$, 'OC007', 'invalid total_cost', 'no cost');
SELECT throws_ok($$SELECT ocpp.cost_updated('O201', '', 1)$$, 'OC007', 'invalid transaction_id', 'no transaction');

-- device model ------------------------------------------------------------------------------------
SELECT is(pg_temp.sent(ocpp.set_variable('O201', 'OCPPCommCtrlr', 'HeartbeatInterval', '60')),
          '{"action": "SetVariables", "payload": {"setVariableData": [{"component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"}, "attributeValue": "60"}]}}', 'set_variable');
SELECT is(pg_temp.sent(ocpp.set_variable('O201', 'Connector', 'Enabled', 'true', 'Target', 'c', 'v', 1, 2))->'payload',
          '{"setVariableData": [{"component": {"name": "Connector", "instance": "c", "evse": {"id": 1, "connectorId": 2}},
            "variable": {"name": "Enabled", "instance": "v"}, "attributeType": "Target", "attributeValue": "true"}]}',
          'set_variable with every argument');
SELECT throws_ok($$SELECT ocpp.set_variable('O201', '', 'V', '1')$$, 'OC007', 'invalid component', 'empty component');
SELECT throws_ok($$SELECT ocpp.set_variable('O201', 'C', repeat('v', 51), '1')$$, 'OC007', 'invalid variable', 'variable of 51');
SELECT throws_ok($$SELECT ocpp.set_variable('O201', 'C', 'V', NULL)$$, 'OC007', 'invalid value', 'no value');
SELECT throws_ok($$SELECT ocpp.set_variable('O201', 'C', 'V', repeat('1', 1001))$$, 'OC007', 'invalid value', 'value of 1001');
SELECT throws_ok($$SELECT ocpp.set_variable('O201', 'C', 'V', '1', 'Minimum')$$, 'OC007', 'invalid attribute_type', 'attribute type');
SELECT throws_ok($$SELECT ocpp.set_variable('O201', 'C', 'V', '1', connector_id => 1)$$, 'OC007', 'invalid connector_id',
                 'a connector without its EVSE');
SELECT throws_ok($$SELECT ocpp.set_variables('O201', '[]')$$, 'OC007', 'invalid variables', 'empty set_variables');
SELECT throws_ok($$SELECT ocpp.set_variables('O201', '[{"component": {"name": "C"}, "variable": {"name": "V"}}]')$$,
                 'OC007', 'invalid variables', 'set_variables without attributeValue');
SELECT throws_ok($$SELECT ocpp.set_variables('O201', '{"component": {"name": "C"}}')$$, 'OC007', 'invalid variables', 'not an array');
SELECT is(pg_temp.sent(ocpp.get_variable('O201', 'EVSE', 'Power', 'MaxSet', evse_id => 1)),
          '{"action": "GetVariables", "payload": {"getVariableData": [{"component": {"name": "EVSE", "evse": {"id": 1}},
            "variable": {"name": "Power"}, "attributeType": "MaxSet"}]}}', 'get_variable');
SELECT is(pg_temp.sent(ocpp.get_variables('O201', '[{"component": {"name": "A"}, "variable": {"name": "B"}}]'))->'payload',
          '{"getVariableData": [{"component": {"name": "A"}, "variable": {"name": "B"}}]}', 'get_variables');
SELECT throws_ok($$SELECT ocpp.get_variables('O201', '[{"component": {"name": "A"}}]')$$, 'OC007', 'invalid variables',
                 'get_variables without a variable');
SELECT throws_ok($$SELECT ocpp.get_variable('O201', 'A', NULL)$$, 'OC007', 'invalid variable', 'get_variable without a variable');
SELECT throws_ok($$SELECT ocpp.get_variable('O201', 'A', 'B', 'x')$$, 'OC007', 'invalid attribute_type', 'get_variable attribute type');
SELECT throws_ok($$SELECT ocpp.get_variable('O201', NULL, 'B')$$, 'OC007', 'invalid component', 'get_variable without a component');
SELECT throws_ok($$SELECT ocpp.get_variable('O201', 'A', 'B', connector_id => 2)$$, 'OC007', 'invalid connector_id',
                 'get_variable connector without EVSE');

SELECT is(pg_temp.sent(ocpp.get_base_report('O201')),
          '{"action": "GetBaseReport", "payload": {"requestId": 501, "reportBase": "FullInventory"}}',
          'get_base_report: FullInventory, requestId from the sequence');
SELECT is(pg_temp.sent(ocpp.get_base_report('O201', 'SummaryInventory', 9))->'payload',
          '{"requestId": 9, "reportBase": "SummaryInventory"}', 'get_base_report with arguments');
SELECT throws_ok($$SELECT ocpp.get_base_report('O201', 'Everything')$$, 'OC007', 'invalid report_base', 'report base');
SELECT is(pg_temp.sent(ocpp.get_report('O201', '[{"component": {"name": "EVSE"}}]', ARRAY['Problem'], 3))->'payload',
          '{"requestId": 3, "componentVariable": [{"component": {"name": "EVSE"}}], "componentCriteria": ["Problem"]}', 'get_report');
SELECT is(pg_temp.sent(ocpp.get_report('O201'))->'payload', '{"requestId": 502}', 'get_report of everything');
SELECT throws_ok($$SELECT ocpp.get_report('O201', NULL, ARRAY['Broken'])$$, 'OC007', 'invalid component_criteria', 'criteria');
SELECT throws_ok($$SELECT ocpp.get_report('O201', NULL, ARRAY[]::text[])$$, 'OC007', 'invalid component_criteria', 'no criteria');
SELECT throws_ok($$SELECT ocpp.get_report('O201', '[{"variable": {"name": "x"}}]')$$, 'OC007', 'invalid component_variables',
                 'a component variable without component');

-- monitoring --------------------------------------------------------------------------------------
SELECT is(pg_temp.sent(ocpp.set_variable_monitoring('O201', '[{"value": 1, "type": "Delta", "severity": 5, "component": {"name": "C"}, "variable": {"name": "V"}}]'))->'payload',
          '{"setMonitoringData": [{"value": 1, "type": "Delta", "severity": 5, "component": {"name": "C"}, "variable": {"name": "V"}}]}',
          'set_variable_monitoring');
SELECT throws_ok($$SELECT ocpp.set_variable_monitoring('O201', '[{"value": 1, "type": "Sometimes", "severity": 5, "component": {"name": "C"}, "variable": {"name": "V"}}]')$$,
                 'OC007', 'invalid monitors', 'monitor type');
SELECT throws_ok($$SELECT ocpp.set_variable_monitoring('O201', '[{"value": 1, "type": "Delta", "severity": 10, "component": {"name": "C"}, "variable": {"name": "V"}}]')$$,
                 'OC007', 'invalid monitors', 'severity 10');
SELECT throws_ok($$SELECT ocpp.set_variable_monitoring('O201', '[{"value": 1, "type": "Delta", "severity": 1, "component": {"name": "C"}}]')$$,
                 'OC007', 'invalid monitors', 'no variable');
SELECT is(pg_temp.sent(ocpp.clear_variable_monitoring('O201', ARRAY[1, 2]))->'payload', '{"id": [1, 2]}', 'clear_variable_monitoring');
SELECT throws_ok($$SELECT ocpp.clear_variable_monitoring('O201', ARRAY[]::integer[])$$, 'OC007', 'invalid ids', 'no ids');
SELECT throws_ok($$SELECT ocpp.clear_variable_monitoring('O201', ARRAY[1, NULL])$$, 'OC007', 'invalid ids', 'a null id');
SELECT is(pg_temp.sent(ocpp.set_monitoring_base('O201', 'FactoryDefault')),
          '{"action": "SetMonitoringBase", "payload": {"monitoringBase": "FactoryDefault"}}', 'set_monitoring_base');
SELECT throws_ok($$SELECT ocpp.set_monitoring_base('O201', 'None')$$, 'OC007', 'invalid monitoring_base', 'monitoring base');
SELECT is(pg_temp.sent(ocpp.set_monitoring_level('O201', 0))->'payload', '{"severity": 0}', 'set_monitoring_level');
SELECT throws_ok($$SELECT ocpp.set_monitoring_level('O201', 10)$$, 'OC007', 'invalid severity', 'severity 10');
SELECT is(pg_temp.sent(ocpp.get_monitoring_report('O201', NULL, ARRAY['DeltaMonitoring'], 4))->'payload',
          '{"requestId": 4, "monitoringCriteria": ["DeltaMonitoring"]}', 'get_monitoring_report');
SELECT throws_ok($$SELECT ocpp.get_monitoring_report('O201', NULL, ARRAY['Delta'])$$, 'OC007', 'invalid monitoring_criteria', 'criteria');

-- network, profiles, firmware, customer, display ---------------------------------------------------
SELECT is(pg_temp.sent(ocpp.set_network_profile('O201', 1, '{"ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": "wss://x/",
                                                          "messageTimeout": 30, "securityProfile": 1, "ocppInterface": "Wireless0"}'))->'payload'->'configurationSlot',
          '1', 'set_network_profile');
SELECT throws_ok($$SELECT ocpp.set_network_profile('O201', 1, '{"ocppVersion": "OCPP16"}')$$, 'OC007', 'invalid connection_data',
                 'incomplete connection data');
SELECT throws_ok($$SELECT ocpp.set_network_profile('O201', -1, '{}')$$, 'OC007', 'invalid configuration_slot', 'negative slot');
SELECT is(pg_temp.sent(ocpp.get_charging_profiles('O201', 8, 1, 'TxProfile', 0, ARRAY[4], ARRAY['CSO']))->'payload',
          '{"requestId": 8, "evseId": 1, "chargingProfile": {"chargingProfilePurpose": "TxProfile", "stackLevel": 0,
            "chargingProfileId": [4], "chargingLimitSource": ["CSO"]}}', 'get_charging_profiles');
SELECT is(pg_temp.sent(ocpp.get_charging_profiles('O201', 8))->'payload', '{"requestId": 8, "chargingProfile": {}}',
          'get_charging_profiles of every profile');
SELECT throws_ok($$SELECT ocpp.get_charging_profiles('O201', purpose => 'ChargePointMaxProfile')$$, 'OC007', 'invalid purpose', 'a 1.6 purpose');
SELECT throws_ok($$SELECT ocpp.get_charging_profiles('O201', limit_sources => ARRAY['Grid'])$$, 'OC007', 'invalid limit_sources', 'source');
SELECT throws_ok($$SELECT ocpp.get_charging_profiles('O201', profile_ids => ARRAY[]::integer[])$$, 'OC007', 'invalid profile_ids', 'no ids');
SELECT throws_ok($$SELECT ocpp.get_charging_profiles('O201', stack_level => -1)$$, 'OC007', 'invalid stack_level', 'stack level');
SELECT throws_ok($$SELECT ocpp.get_charging_profiles('O201', evse_id => -1)$$, 'OC007', 'invalid evse_id', 'evse');
SELECT is(pg_temp.sent(ocpp.publish_firmware('O201', 'https://fw/', 'abc', 6, 2, 10)),
          '{"action": "PublishFirmware", "payload": {"location": "https://fw/", "checksum": "abc", "requestId": 6, "retries": 2, "retryInterval": 10}}',
          'publish_firmware');
SELECT throws_ok($$SELECT ocpp.publish_firmware('O201', 'https://fw/', repeat('a', 33))$$, 'OC007', 'invalid checksum', 'checksum of 33');
SELECT throws_ok($$SELECT ocpp.publish_firmware('O201', '', 'abc')$$, 'OC007', 'invalid location', 'no location');
SELECT throws_ok($$SELECT ocpp.publish_firmware('O201', 'x', 'abc', retries => -1)$$, 'OC007', 'invalid retries', 'retries');
SELECT is(pg_temp.sent(ocpp.unpublish_firmware('O201', 'abc')), '{"action": "UnpublishFirmware", "payload": {"checksum": "abc"}}',
          'unpublish_firmware');
SELECT throws_ok($$SELECT ocpp.unpublish_firmware('O201', NULL)$$, 'OC007', 'invalid checksum', 'no checksum');
SELECT is(pg_temp.sent(ocpp.customer_information('O201', true, true, 'C-1', 'TOK', 'eMAID', request_id => 5))->'payload',
          '{"requestId": 5, "report": true, "clear": true, "customerIdentifier": "C-1", "idToken": {"idToken": "TOK", "type": "eMAID"}}',
          'customer_information');
SELECT throws_ok($$SELECT ocpp.customer_information('O201', false, false, 'C-1')$$, 'OC007', 'invalid report', 'neither report nor clear');
SELECT throws_ok($$SELECT ocpp.customer_information('O201')$$, 'OC007', 'invalid customer_identifier', 'no customer');
SELECT throws_ok($$SELECT ocpp.customer_information('O201', customer_identifier => repeat('c', 65))$$, 'OC007',
                 'invalid customer_identifier', 'identifier of 65');
SELECT throws_ok($$SELECT ocpp.customer_information('O201', id_token => 'T', id_token_type => 'Card')$$, 'OC007',
                 'invalid id_token_type', 'token type');
SELECT throws_ok($$SELECT ocpp.customer_information('O201', customer_certificate => '{"hashAlgorithm": "MD5"}')$$, 'OC007',
                 'invalid customer_certificate', 'certificate hash data');
SELECT is(pg_temp.sent(ocpp.set_display_message('O201', 3, 'Hi', 'AlwaysFront', 'ASCII', 'en', 'Idle',
                                                '2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z', 'TX-1'))->'payload',
          '{"message": {"id": 3, "priority": "AlwaysFront", "state": "Idle", "startDateTime": "2030-01-01T00:00:00.000Z",
            "endDateTime": "2030-01-02T00:00:00.000Z", "transactionId": "TX-1",
            "message": {"format": "ASCII", "language": "en", "content": "Hi"}}}', 'set_display_message');
SELECT throws_ok($$SELECT ocpp.set_display_message('O201', NULL, 'Hi')$$, 'OC007', 'invalid id', 'no id');
SELECT throws_ok($$SELECT ocpp.set_display_message('O201', 1, '')$$, 'OC007', 'invalid content', 'no content');
SELECT throws_ok($$SELECT ocpp.set_display_message('O201', 1, 'Hi', 'Urgent')$$, 'OC007', 'invalid priority', 'priority');
SELECT throws_ok($$SELECT ocpp.set_display_message('O201', 1, 'Hi', format => 'PDF')$$, 'OC007', 'invalid format', 'format');
SELECT throws_ok($$SELECT ocpp.set_display_message('O201', 1, 'Hi', state => 'Busy')$$, 'OC007', 'invalid state', 'state');
SELECT throws_ok($$SELECT ocpp.set_display_message('O201', 1, 'Hi', language => 'too-long-x')$$, 'OC007', 'invalid language', 'language');
SELECT throws_ok($$SELECT ocpp.set_display_message('O201', 1, 'Hi', start_time => now(), end_time => now() - interval '1 hour')$$,
                 'OC007', 'invalid start_time', 'start after end');
SELECT is(pg_temp.sent(ocpp.get_display_messages('O201', 2, ARRAY[3], 'InFront', 'Charging'))->'payload',
          '{"requestId": 2, "id": [3], "priority": "InFront", "state": "Charging"}', 'get_display_messages');
SELECT throws_ok($$SELECT ocpp.get_display_messages('O201', ids => ARRAY[]::integer[])$$, 'OC007', 'invalid ids', 'no ids');
SELECT throws_ok($$SELECT ocpp.get_display_messages('O201', priority => 'Top')$$, 'OC007', 'invalid priority', 'priority');
SELECT is(pg_temp.sent(ocpp.clear_display_message('O201', 3)), '{"action": "ClearDisplayMessage", "payload": {"id": 3}}',
          'clear_display_message');
SELECT throws_ok($$SELECT ocpp.clear_display_message('O201', NULL)$$, 'OC007', 'invalid id', 'no id');

-- every function takes wait; unknown stations are refused
SELECT is((SELECT c.wait_until = now() + interval '1 minute' FROM pg_temp.cmd(ocpp.get_base_report('O201', wait => '1 minute')) AS c),
          true, 'wait is passed on');
SELECT throws_ok($$SELECT ocpp.get_base_report('nobody')$$, 'OC010', 'unknown station', 'unknown station');

SELECT * FROM finish();
ROLLBACK;
