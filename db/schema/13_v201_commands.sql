-- Commands to OCPP 2.0.1 and 2.1 stations (docs/commands.md, "OCPP 2.0.1 and 2.1"): what the queue
-- keeps of a translated 1.6-style request, and the tables of the 2.0.1 answers' business effects.
-- Where a 2.0.1 effect means what a 1.6 one does (local list, reservations, charging profiles,
-- availability, file transfers, certificates) the 1.6 table is extended, so a list shows both kinds
-- of station: a 1.6 connector n is EVSE n, so the 1.6 tables' connector_id holds the EVSE id of a
-- 2.0.1 station (0: the whole station).

-- A 1.6-style command sent to a 2.0.1 / 2.1 station is stored translated (action, payload: what goes
-- on the wire); requested keeps what the caller asked for: {"action", "payload"} (null: as asked).
ALTER TABLE cs.command ADD COLUMN requested jsonb;

-- the TransactionEvent handler finds the RequestStartTransaction of a remoteStartId
CREATE INDEX command_remote_start_idx ON cs.command (station_id, (payload->>'remoteStartId'))
    WHERE action = 'RequestStartTransaction';

-- RequestStartTransaction's remoteStartId when the caller gives none
CREATE SEQUENCE cs.remote_start_id_seq AS integer;
-- requestId of GetBaseReport, GetReport, GetMonitoringReport, GetChargingProfiles, GetDisplayMessages,
-- CustomerInformation, UpdateFirmware, PublishFirmware when the caller gives none
CREATE SEQUENCE cs.request_id_seq AS integer;

-- Requests a station answers later in notifications carrying their requestId: GetBaseReport and
-- GetReport (NotifyReport), GetMonitoringReport (NotifyMonitoringReport), GetChargingProfiles
-- (ReportChargingProfiles), GetDisplayMessages (NotifyDisplayMessages), CustomerInformation
-- (NotifyCustomerInformation). One row per answer; the parts received are cs.report_part rows of the
-- same station and request_id.
CREATE TABLE cs.report_request (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    action     text NOT NULL,
    request_id integer NOT NULL,
    criteria   jsonb NOT NULL,          -- the request as sent
    answer     text NOT NULL,           -- Accepted, Rejected, NotSupported, EmptyResultSet, NoProfiles, Unknown, Invalid
    command_id bigint UNIQUE REFERENCES cs.command (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX report_request_station_idx ON cs.report_request (station_id, request_id);

-- The device model rows as GetVariables / SetVariables answered them: attribute_status is the last
-- attributeStatus answered (UnknownComponent, UnknownVariable rows have no value), reboot_required a
-- SetVariables answered RebootRequired (cleared by a GetVariables after the station booted again).
ALTER TABLE cs.device_variable ADD COLUMN attribute_status text;
ALTER TABLE cs.device_variable ADD COLUMN reboot_required boolean NOT NULL DEFAULT false;
ALTER TABLE cs.device_variable ADD COLUMN command_id bigint REFERENCES cs.command (id) ON DELETE SET NULL;

-- Variable monitors set with SetVariableMonitoring and accepted (id: the station's monitor id).
CREATE TABLE cs.variable_monitor (
    station_id         integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id                 integer NOT NULL,
    component          text NOT NULL,
    component_instance text NOT NULL DEFAULT '',
    evse_id            integer NOT NULL DEFAULT 0,
    connector_id       integer NOT NULL DEFAULT 0,
    variable           text NOT NULL,
    variable_instance  text NOT NULL DEFAULT '',
    type               text NOT NULL,
    value              numeric NOT NULL,
    severity           integer NOT NULL,
    transaction        boolean NOT NULL DEFAULT false,
    command_id         bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, id)
);

-- SetMonitoringBase and SetMonitoringLevel accepted.
CREATE TABLE cs.monitoring_setting (
    station_id       integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    monitoring_base  text,
    monitoring_level integer,
    command_id       bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- SetNetworkProfile accepted: the connection data per configuration slot, as sent (passwords
-- included: the command's payload holds them too).
CREATE TABLE cs.network_profile (
    station_id         integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    configuration_slot integer NOT NULL,
    connection_data    jsonb NOT NULL,
    command_id         bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, configuration_slot)
);

-- Display messages the station accepted (SetDisplayMessage) and has not cleared.
CREATE TABLE cs.display_message (
    station_id      integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id              integer NOT NULL,
    priority        text NOT NULL,
    state           text,
    start_at        timestamptz,
    end_at          timestamptz,
    transaction_ref text,                -- 2.0.1 transactionId
    message         jsonb NOT NULL,      -- MessageContentType: format, language, content
    display         jsonb,               -- ComponentType
    command_id      bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, id)
);

-- Firmware a station (a local controller) publishes to its network: PublishFirmware answered, then
-- the PublishFirmwareStatusNotifications (cs.publish_firmware_status). active: published or being
-- published; UnpublishFirmware and failures end it.
CREATE TABLE cs.published_firmware (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    request_id integer NOT NULL,
    location   text NOT NULL,
    checksum   text NOT NULL,
    answer     text NOT NULL,
    status     text,                    -- the latest PublishFirmwareStatusNotification status
    locations  jsonb,                   -- its location array (the URIs it publishes at)
    active     boolean NOT NULL,
    command_id bigint UNIQUE REFERENCES cs.command (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX published_firmware_active_idx ON cs.published_firmware (station_id, checksum) WHERE active;

-- 2.0.1 local list entries: the idToken type (id_tag is the idToken, id_tag_info the idTokenInfo).
ALTER TABLE cs.local_list_entry ADD COLUMN id_token_type text;

-- 2.0.1 reservations: connector_id holds the evseId (0: any EVSE), id_tag the idToken, parent_id_tag
-- the groupIdToken.
ALTER TABLE cs.reservation ADD COLUMN id_token_type text;
ALTER TABLE cs.reservation ADD COLUMN connector_type text;

-- 2.0.1 charging profiles: connector_id holds the evseId, schedule the chargingSchedule array,
-- transaction_ref the 2.0.1 transactionId.
ALTER TABLE cs.charging_profile ADD COLUMN transaction_ref text;

-- 2.0.1 availability: connector_id holds the EVSE id (0: the station), evse_connector_id the
-- connectorId within the EVSE (0: the whole EVSE; always 0 for a 1.6 station).
ALTER TABLE cs.connector_availability ADD COLUMN evse_connector_id integer NOT NULL DEFAULT 0
    CHECK (evse_connector_id >= 0);
ALTER TABLE cs.connector_availability DROP CONSTRAINT connector_availability_pkey;
ALTER TABLE cs.connector_availability ADD CONSTRAINT connector_availability_pkey
    PRIMARY KEY (station_id, connector_id, evse_connector_id);

-- 2.0.1 GetInstalledCertificateIds: the childCertificateHashData of a chain.
ALTER TABLE cs.installed_certificate ADD COLUMN child_hash_data jsonb;

-- RequestStopTransaction (and 1.6 RemoteStopTransaction) accepted for the transaction; CostUpdated
-- answered: the total cost the station was told.
ALTER TABLE cs.transaction ADD COLUMN remote_stop_command bigint REFERENCES cs.command (id) ON DELETE SET NULL;
ALTER TABLE cs.transaction ADD COLUMN total_cost numeric;
ALTER TABLE cs.transaction ADD COLUMN total_cost_at timestamptz;
