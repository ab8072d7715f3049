-- Which actions go which way (cs.action_list, ocpp.actions): the one list the parsers and the command
-- queue read, consistent with the SOAP WSDLs and with what ocpp.parse and ocpp.send accept.
BEGIN;
SELECT plan(12);

SELECT is((SELECT count(*) FROM ocpp.actions()), 222::bigint, 'every version and direction');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT version, action, direction FROM ocpp.actions()) AS d),
          222::bigint, 'no action twice in a list');
SELECT is((SELECT array_agg(DISTINCT action) FROM ocpp.actions() AS a
            WHERE EXISTS (SELECT FROM ocpp.actions() AS b
                           WHERE b.version = a.version AND b.action = a.action AND b.direction <> a.direction)),
          ARRAY['DataTransfer'], 'only DataTransfer goes both ways');
SELECT is(cs.action_list('3.0', 'csms_to_station'), NULL, 'no list for another version');
SELECT is(cs.action_list('1.6', 'sideways'), NULL, 'no list for another direction');
SELECT ok(cs.action_list('2.1', 'station_to_csms') @> cs.action_list('2.0.1', 'station_to_csms')
          AND cs.action_list('2.1', 'csms_to_station') @> cs.action_list('2.0.1', 'csms_to_station'),
          '2.1 has every 2.0.1 action, the same way');

-- SOAP: 1.5 is exactly its WSDLs' operations; 1.6's WSDLs are a part of 1.6 (no Security Whitepaper)
SELECT set_eq($$SELECT action, CASE service WHEN 'cs' THEN 'station_to_csms' ELSE 'csms_to_station' END
                  FROM cs.soap_message WHERE version = '1.5' AND kind = 'request'$$,
              $$SELECT action, direction FROM ocpp.actions() WHERE version = '1.5'$$,
              '1.5: the operations of the WSDLs');
SELECT is_empty($$SELECT action, CASE service WHEN 'cs' THEN 'station_to_csms' ELSE 'csms_to_station' END
                    FROM cs.soap_message WHERE version = '1.6' AND kind = 'request'
                  EXCEPT SELECT action, direction FROM ocpp.actions() WHERE version = '1.6'$$,
                '1.6: every WSDL operation, the same way');

-- the readers
SELECT is(cs.command_actions('2.1'), cs.action_list('2.1', 'csms_to_station'), 'ocpp.send sends the CSMS''s');
SELECT throws_ok($$SELECT ocpp.parse('A-1', 'u1', 'UsePriorityCharging', '{}', NULL, '2.1')$$, 'OC002',
                 'action not supported from a charging station', 'a 2.1 station may not send a 2.1 CSMS action');
SELECT throws_ok($$SELECT ocpp.parse('A-1', 'u1', 'BatterySwap', '{}', NULL, '2.0.1')$$, 'OC001',
                 'action not implemented', 'a 2.1 station action is unknown to 2.0.1');
SELECT ok(has_function_privilege('ocpp_frontend', 'ocpp.actions()', 'EXECUTE'), 'the front end may read it');

SELECT * FROM finish();
ROLLBACK;
