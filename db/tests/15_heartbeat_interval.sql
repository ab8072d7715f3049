-- The HeartbeatInterval a BootNotification answers (issue 13, item 11): per station, set by the
-- operator or by an accepted 1.6 ChangeConfiguration / 2.0.1 SetVariables; null follows the setting.
BEGIN;
SELECT plan(14);

SELECT ocpp.node_start('nh');
SELECT ocpp.connect('H-1', NULL, '1.6', 'nh');
SELECT ocpp.connect('H-2', NULL, '2.0.1', 'nh');
CREATE FUNCTION pg_temp.answer(cmd bigint, response jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cs.command SET status = 'sent', node = 'nh', sent_at = now(), unique_id = gen_random_uuid()::text
     WHERE id = cmd AND status = 'queued';
    PERFORM ocpp.command_result(cmd, response);
    RETURN cmd;
END $$;
CREATE FUNCTION pg_temp.boot16() RETURNS integer LANGUAGE sql AS $$
    SELECT (ocpp.parse('H-1', 'u', 'BootNotification', '{"chargePointVendor": "V", "chargePointModel": "M"}')->>'interval')::integer
$$;
CREATE FUNCTION pg_temp.boot201() RETURNS integer LANGUAGE sql AS $$
    SELECT (ocpp.parse('H-2', 'u', 'BootNotification', '{"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}',
                       NULL, '2.0.1')->>'interval')::integer
$$;

SELECT is(pg_temp.boot16(), 300, 'no interval of its own: the setting');
SELECT ocpp.set_station_heartbeat_interval('H-1', 900);
SELECT is(pg_temp.boot16(), 900, 'the operator''s interval is answered at boot');
SELECT is(pg_temp.boot16(), 900, 'at every boot');
SELECT ocpp.set_station_heartbeat_interval('H-1', NULL);
SELECT is(pg_temp.boot16(), 300, 'null: the setting again');
SELECT throws_ok($$SELECT ocpp.set_station_heartbeat_interval('H-1', 0)$$, 'OC007', 'invalid heartbeat interval',
                 'a non-positive interval');
SELECT throws_ok($$SELECT ocpp.set_station_heartbeat_interval('H-NONE', 60)$$, 'OC010', 'unknown station',
                 'an unknown station');

-- 1.6 ChangeConfiguration HeartbeatInterval, accepted
SELECT pg_temp.answer(ocpp.change_configuration('H-1', 'HeartbeatInterval', '120'), '{"status": "Accepted"}');
SELECT is(pg_temp.boot16(), 120, 'an accepted ChangeConfiguration HeartbeatInterval is answered at boot');
SELECT pg_temp.answer(ocpp.change_configuration('H-1', 'HeartbeatInterval', '45'), '{"status": "Rejected"}');
SELECT is(pg_temp.boot16(), 120, 'a rejected one is not');
SELECT pg_temp.answer(ocpp.change_configuration('H-1', 'HeartbeatInterval', 'soon'), '{"status": "Accepted"}');
SELECT is(pg_temp.boot16(), 120, 'nor a value that is not a positive number of seconds');

-- Pending: the retry interval, as before
UPDATE cs.station SET registration_status = 'Pending' WHERE identity = 'H-1';
SELECT is(pg_temp.boot16(), 60, 'Pending: boot.retry_interval');

-- 2.0.1 SetVariables OCPPCommCtrlr.HeartbeatInterval
SELECT is(pg_temp.boot201(), 300, '2.0.1: the setting');
SELECT pg_temp.answer(ocpp.set_variable('H-2', 'OCPPCommCtrlr', 'HeartbeatInterval', '600'),
    '{"setVariableResult": [{"attributeStatus": "Accepted", "component": {"name": "OCPPCommCtrlr"},
                             "variable": {"name": "HeartbeatInterval"}}]}');
SELECT is(pg_temp.boot201(), 600, '2.0.1: an accepted SetVariables HeartbeatInterval is answered at boot');
SELECT pg_temp.answer(ocpp.set_variable('H-2', 'OCPPCommCtrlr', 'HeartbeatInterval', '30'),
    '{"setVariableResult": [{"attributeStatus": "Rejected", "component": {"name": "OCPPCommCtrlr"},
                             "variable": {"name": "HeartbeatInterval"}}]}');
SELECT is(pg_temp.boot201(), 600, '2.0.1: a rejected one is not');
SELECT ocpp.set_station_heartbeat_interval('H-2', 1800);
SELECT is(pg_temp.boot201(), 1800, '2.0.1: the operator''s interval');

SELECT * FROM finish();
ROLLBACK;
