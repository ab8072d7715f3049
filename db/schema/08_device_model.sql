-- What a station says about itself and how it is configured: 1.6 configuration keys, the 2.0.1
-- device model (variables, monitors, reports and their parts, events) and 2.1 periodic event streams.

-- Configuration keys as the station reported them (GetConfiguration) or accepted them
-- (ChangeConfiguration). unknown: the station named the key in unknownKey.
CREATE TABLE cs.configuration_key (
    station_id      integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    key             text NOT NULL,
    value           text,
    readonly        boolean,
    unknown         boolean NOT NULL DEFAULT false,
    reboot_required boolean NOT NULL DEFAULT false,  -- ChangeConfiguration answered RebootRequired
    command_id      bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, key)
);

-- The device model: one row per component / variable / attribute type (NotifyReport fills it;
-- GetVariables and SetVariables results update it). evse_id and connector_id 0: not given.
-- request_id: the NotifyReport requestId (the GetBaseReport / GetReport) that last wrote the row.
CREATE TABLE cs.device_variable (
    station_id          integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    component           text NOT NULL,
    component_instance  text NOT NULL DEFAULT '',
    evse_id             integer NOT NULL DEFAULT 0,
    connector_id        integer NOT NULL DEFAULT 0,
    variable            text NOT NULL,
    variable_instance   text NOT NULL DEFAULT '',
    attribute_type      text NOT NULL DEFAULT 'Actual',
    value               text,
    mutability          text,
    persistent          boolean,
    constant            boolean,
    data_type           text,
    unit                text,
    min_limit           numeric,
    max_limit           numeric,
    values_list         text,
    supports_monitoring boolean,
    request_id          integer,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- as GetVariables / SetVariables answered: attribute_status is the last attributeStatus answered
    -- (UnknownComponent, UnknownVariable rows have no value), reboot_required a SetVariables answered
    -- RebootRequired (cleared by a GetVariables after the station booted again)
    attribute_status    text,
    reboot_required     boolean NOT NULL DEFAULT false,
    command_id          bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    PRIMARY KEY (station_id, component, component_instance, evse_id, connector_id, variable,
                 variable_instance, attribute_type)
);

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

-- Parts of the multi-part reports a station sends (NotifyReport, NotifyMonitoringReport,
-- NotifyCustomerInformation, NotifyDisplayMessages, ReportChargingProfiles, 2.1 ReportDERControl):
-- one row per part, so that a command's report (by request_id) can be found and known complete
-- (the part with tbc false). items: the number of entries of the part. payload: the part as sent for
-- the messages whose entries have no table of their own (NotifyCustomerInformation, ReportDERControl).
CREATE TABLE cs.report_part (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id   integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    action       text NOT NULL,
    request_id   integer,
    seq_no       integer NOT NULL DEFAULT 0,
    tbc          boolean NOT NULL DEFAULT false,
    generated_at timestamptz,
    items        integer NOT NULL DEFAULT 0,
    payload      jsonb,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- a retransmitted part is stored once
CREATE UNIQUE INDEX report_part_key ON cs.report_part (station_id, action, request_id, seq_no, generated_at)
    NULLS NOT DISTINCT;
CREATE INDEX report_part_request_idx ON cs.report_part (station_id, request_id);

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

-- NotifyEvent: one row per eventData.
CREATE TABLE cs.device_event (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id              integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    event_id                integer NOT NULL,
    occurred_at             timestamptz NOT NULL,  -- the event's timestamp
    trigger                 text NOT NULL,
    cause                   integer,
    actual_value            text,
    tech_code               text,
    tech_info               text,
    cleared                 boolean,
    transaction_ref         text,
    component               text NOT NULL,
    component_instance      text NOT NULL DEFAULT '',
    evse_id                 integer NOT NULL DEFAULT 0,
    connector_id            integer NOT NULL DEFAULT 0,
    variable                text NOT NULL,
    variable_instance       text NOT NULL DEFAULT '',
    variable_monitoring_id  integer,
    event_notification_type text,
    severity                integer,              -- 2.1
    generated_at            timestamptz,
    received_at             timestamptz NOT NULL DEFAULT now()
);

-- a retransmitted NotifyEvent is stored once
CREATE UNIQUE INDEX device_event_key ON cs.device_event (station_id, event_id, occurred_at);
CREATE INDEX device_event_station_idx ON cs.device_event (station_id, occurred_at);

-- 2.1 periodic event streams (OpenPeriodicEventStream / ClosePeriodicEventStream) and their data
-- (NotifyPeriodicEventStream, one row per message).
CREATE TABLE cs.event_stream (
    station_id             integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id                     integer NOT NULL,
    variable_monitoring_id integer NOT NULL,
    interval               integer,
    "values"               integer,
    opened_at              timestamptz NOT NULL DEFAULT now(),
    closed_at              timestamptz,
    PRIMARY KEY (station_id, id)
);

CREATE TABLE cs.event_stream_data (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    stream_id   integer NOT NULL,
    basetime    timestamptz NOT NULL,
    pending     integer NOT NULL,
    data        jsonb NOT NULL,                   -- [{t, v}] as sent
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX event_stream_data_stream_idx ON cs.event_stream_data (station_id, stream_id, basetime);
