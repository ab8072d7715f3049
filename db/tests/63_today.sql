-- ocpp.api_today (db/functions/11_api/today.sql): the dashboard's figures since a moment — sessions
-- started, energy they delivered (meter_stop, else the last register value, less meter_start),
-- running transactions, faulted and offline stations.
BEGIN;
SELECT plan(9);

SELECT ocpp.node_start('n1');
SELECT ocpp.connect('DAY-1', NULL, '1.6', 'n1');
SELECT ocpp.add_station('DAY-2');

SELECT is(ocpp.api_today('2026-03-01T00:00:00Z') - 'since',
          '{"sessions": 0, "running": 0, "energyWh": 0, "stations": 2, "faulted": 0, "offline": 1}'::jsonb,
          'no sessions: zeros; DAY-2 has no connection');

-- a stopped session, a running one with a register value, a running one without, one before
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, id_tag_status, meter_start, meter_stop,
                            started_at, stopped_at)
SELECT id, 1, 1, 'T1', 'Accepted', 1000, 3500, '2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z'
  FROM cs.station WHERE identity = 'DAY-1';
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, id_tag_status, meter_start, started_at)
SELECT id, 2, 1, 'T2', 'Accepted', 200, '2026-03-01T10:00:00Z' FROM cs.station WHERE identity = 'DAY-1';
INSERT INTO cs.meter_value (transaction_id, station_id, evse_id, connector_id, sampled_at, value, numeric_value,
                            context, format, measurand, location, unit)
SELECT t.id, t.station_id, 2, 1, '2026-03-01T10:30:00Z', '1.2', 1.2, 'Sample.Periodic', 'Raw',
       'Energy.Active.Import.Register', 'Outlet', 'kWh'
  FROM cs.transaction AS t WHERE t.id_tag = 'T2';
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, id_tag_status, meter_start, started_at)
SELECT id, 1, 1, 'T3', 'Accepted', 500, '2026-03-01T11:00:00Z' FROM cs.station WHERE identity = 'DAY-1';
INSERT INTO cs.transaction (station_id, evse_id, connector_id, id_tag, id_tag_status, meter_start, meter_stop,
                            started_at, stopped_at)
SELECT id, 1, 1, 'T0', 'Accepted', 0, 9000, '2026-02-28T22:00:00Z', '2026-02-28T23:00:00Z'
  FROM cs.station WHERE identity = 'DAY-1';

SELECT is((ocpp.api_today('2026-03-01T00:00:00Z')->>'sessions')::int, 3, 'sessions started since then');
SELECT is((ocpp.api_today('2026-03-01T00:00:00Z')->>'energyWh')::numeric, 3500::numeric,
          'energy: 2500 stopped + 1000 from the register; nothing from the one without a value');
SELECT is((ocpp.api_today('2026-03-01T00:00:00Z')->>'running')::int, 2, 'running transactions');
SELECT is((ocpp.api_today('2026-02-28T00:00:00Z')->>'energyWh')::numeric, 12500::numeric, 'an earlier since counts the day before');
SELECT is((ocpp.api_today('2999-01-01T00:00:00Z')->>'sessions')::int, 0, 'nothing started after a later since');
SELECT is(ocpp.api_today('2026-03-01T00:00:00Z')->>'since', '2026-03-01T00:00:00.000Z', 'since as given');
SELECT is((ocpp.api_today()->>'since')::timestamptz, date_trunc('day', now()), 'no since: midnight today');

SELECT ocpp.parse('DAY-1', 'u', 'StatusNotification',
                  '{"connectorId": 0, "errorCode": "GroundFailure", "status": "Faulted"}');
SELECT is((ocpp.api_today()->>'faulted')::int, 1, 'a station whose own connector is Faulted');

SELECT * FROM finish();
ROLLBACK;
