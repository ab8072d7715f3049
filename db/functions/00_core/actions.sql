-- Which OCPP actions go which way, per version: the one place SQL says it. direction
-- station_to_csms: the station sends the CALL (or 2.1 SEND) and ocpp.parse / ocpp.parsexml answer it;
-- csms_to_station: the central system sends it, queued by ocpp.send and the command functions.
-- DataTransfer goes both ways (a row each). 1.5 is SOAP only (its operations are the WSDLs', as
-- cs.soap_message has them). cs.command_actions and the parsers (cs.v16_parse, cs.v201_parse,
-- cs.v21_parse) read cs.action_list; the front end's table (server/protocol/actions.py) is checked
-- against ocpp.actions() by a test.

-- cs.action_list(version, direction): the actions of OCPP version (1.5, 1.6, 2.0.1, 2.1) that go in
-- direction (station_to_csms or csms_to_station), in a fixed order. Returns text[], null for another
-- version or direction. Raises nothing.
CREATE OR REPLACE FUNCTION cs.action_list(version text, direction text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    WITH v201 AS (
        SELECT ARRAY['Authorize', 'BootNotification', 'ClearedChargingLimit', 'DataTransfer',
                     'FirmwareStatusNotification', 'Get15118EVCertificate', 'GetCertificateStatus', 'Heartbeat',
                     'LogStatusNotification', 'MeterValues', 'NotifyChargingLimit', 'NotifyCustomerInformation',
                     'NotifyDisplayMessages', 'NotifyEVChargingNeeds', 'NotifyEVChargingSchedule', 'NotifyEvent',
                     'NotifyMonitoringReport', 'NotifyReport', 'PublishFirmwareStatusNotification',
                     'ReportChargingProfiles', 'ReservationStatusUpdate', 'SecurityEventNotification',
                     'SignCertificate', 'StatusNotification', 'TransactionEvent'] AS station,
               -- every 2.0.1 request but those a station sends (and DataTransfer, both ways)
               ARRAY['CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ClearCache',
                     'ClearChargingProfile', 'ClearDisplayMessage', 'ClearVariableMonitoring', 'CostUpdated',
                     'CustomerInformation', 'DataTransfer', 'DeleteCertificate', 'GetBaseReport',
                     'GetChargingProfiles', 'GetCompositeSchedule', 'GetDisplayMessages',
                     'GetInstalledCertificateIds', 'GetLocalListVersion', 'GetLog', 'GetMonitoringReport',
                     'GetReport', 'GetTransactionStatus', 'GetVariables', 'InstallCertificate', 'PublishFirmware',
                     'RequestStartTransaction', 'RequestStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList',
                     'SetChargingProfile', 'SetDisplayMessage', 'SetMonitoringBase', 'SetMonitoringLevel',
                     'SetNetworkProfile', 'SetVariableMonitoring', 'SetVariables', 'TriggerMessage',
                     'UnlockConnector', 'UnpublishFirmware', 'UpdateFirmware'] AS csms
    )
    SELECT CASE direction
        WHEN 'station_to_csms' THEN
            CASE version
                WHEN '1.5' THEN
                    ARRAY['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification',
                          'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction',
                          'StatusNotification', 'StopTransaction']
                WHEN '1.6' THEN
                    -- core, firmware, and the Security Whitepaper's
                    ARRAY['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification',
                          'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction',
                          'StatusNotification', 'StopTransaction', 'LogStatusNotification',
                          'SecurityEventNotification', 'SignCertificate', 'SignedFirmwareStatusNotification']
                WHEN '2.0.1' THEN v201.station
                WHEN '2.1' THEN
                    -- 2.0.1's and the 12 that 2.1 adds (NotifyPeriodicEventStream is a SEND)
                    v201.station
                    || ARRAY['BatterySwap', 'ClosePeriodicEventStream', 'GetCertificateChainStatus',
                             'NotifyDERAlarm', 'NotifyDERStartStop', 'NotifyPeriodicEventStream',
                             'NotifyPriorityCharging', 'NotifySettlement', 'OpenPeriodicEventStream',
                             'PullDynamicScheduleUpdate', 'ReportDERControl', 'VatNumberValidation']
            END
        WHEN 'csms_to_station' THEN
            CASE version
                WHEN '1.5' THEN
                    -- the operations of the 1.5 ChargePointService WSDL (SOAP stations only, docs/soap.md)
                    ARRAY['CancelReservation', 'ChangeAvailability', 'ChangeConfiguration', 'ClearCache',
                          'DataTransfer', 'GetConfiguration', 'GetDiagnostics', 'GetLocalListVersion',
                          'RemoteStartTransaction', 'RemoteStopTransaction', 'ReserveNow', 'Reset',
                          'SendLocalList', 'UnlockConnector', 'UpdateFirmware']
                WHEN '1.6' THEN
                    -- core, firmware, local list, reservation, smart charging, remote trigger, and the
                    -- Security Whitepaper's
                    ARRAY['CancelReservation', 'ChangeAvailability', 'ChangeConfiguration', 'ClearCache',
                          'ClearChargingProfile', 'DataTransfer', 'GetCompositeSchedule', 'GetConfiguration',
                          'GetDiagnostics', 'GetLocalListVersion', 'RemoteStartTransaction',
                          'RemoteStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile',
                          'TriggerMessage', 'UnlockConnector', 'UpdateFirmware', 'CertificateSigned',
                          'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog',
                          'InstallCertificate', 'SignedUpdateFirmware']
                WHEN '2.0.1' THEN v201.csms
                WHEN '2.1' THEN
                    -- 2.0.1's and the 15 that 2.1 adds
                    v201.csms
                    || ARRAY['AFRRSignal', 'AdjustPeriodicEventStream', 'ChangeTransactionTariff',
                             'ClearDERControl', 'ClearTariffs', 'GetDERControl', 'GetPeriodicEventStream',
                             'GetTariffs', 'NotifyAllowedEnergyTransfer', 'NotifyWebPaymentStarted',
                             'RequestBatterySwap', 'SetDERControl', 'SetDefaultTariff', 'UpdateDynamicSchedule',
                             'UsePriorityCharging']
            END
    END
      FROM v201
$$;

-- ocpp.actions(): every action of cs.action_list as a row {version, action, direction}, ordered by
-- version, direction and the list's order; for a check against another table of the same (the front
-- end's). Returns a set of rows. Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.actions()
RETURNS TABLE (version text, action text, direction text)
LANGUAGE sql
IMMUTABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
    SELECT v.version, a.action, d.direction
      FROM unnest(ARRAY['1.5', '1.6', '2.0.1', '2.1']) WITH ORDINALITY AS v(version, vn)
     CROSS JOIN unnest(ARRAY['station_to_csms', 'csms_to_station']) WITH ORDINALITY AS d(direction, dn)
     CROSS JOIN LATERAL unnest(cs.action_list(v.version, d.direction)) WITH ORDINALITY AS a(action, an)
     ORDER BY v.vn, d.dn, a.an
$$;
