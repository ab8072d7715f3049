-- OCPP 2.0.1 and 2.1 stations (docs/v201.md): EVSEs, the device model, 2.0.1 transactions and their
-- events, idToken details, and what the station-initiated 2.0.1 / 2.1 messages report.
-- A 1.6 connector n is EVSE n with connector 1 (as cs.connector already has it).

-- EVSEs a station reported (StatusNotification, TransactionEvent, NotifyReport). status: the last
-- connector status reported on the EVSE (a 1.6 connector's status for a 1.6 station).
CREATE TABLE cs.evse (
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id    integer NOT NULL CHECK (evse_id >= 0),
    status     text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, evse_id)
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
    PRIMARY KEY (station_id, component, component_instance, evse_id, connector_id, variable,
                 variable_instance, attribute_type)
);

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

-- 2.0.1 transactions share cs.transaction with 1.6 ones: transaction_ref is the station's own
-- transactionId (cs.transaction.id stays the central system's number, used in cs.meter_value).
-- A 2.0.1 transaction may start before any idToken is known and without a meter reading.
ALTER TABLE cs.transaction ALTER COLUMN id_tag DROP NOT NULL;
ALTER TABLE cs.transaction ALTER COLUMN id_tag_status DROP NOT NULL;
ALTER TABLE cs.transaction ALTER COLUMN meter_start DROP NOT NULL;
ALTER TABLE cs.transaction ADD COLUMN transaction_ref text;
ALTER TABLE cs.transaction ADD COLUMN id_token_type text;      -- 2.0.1 idToken type of id_tag
ALTER TABLE cs.transaction ADD COLUMN remote_start_id integer; -- transactionInfo.remoteStartId
ALTER TABLE cs.transaction ADD COLUMN charging_state text;     -- the last transactionInfo.chargingState
ALTER TABLE cs.transaction ADD COLUMN time_spent_charging integer;  -- seconds, last reported
ALTER TABLE cs.transaction ADD COLUMN seq_no integer;          -- the highest seqNo seen
ALTER TABLE cs.transaction ADD COLUMN seq_gaps integer NOT NULL DEFAULT 0;  -- seqNos found missing
ALTER TABLE cs.transaction ADD COLUMN stopped_reason text;     -- as sent (stop_reason: sent or derived)
ALTER TABLE cs.transaction ADD COLUMN trigger_reason text;     -- the last triggerReason
ALTER TABLE cs.transaction ADD COLUMN offline boolean;         -- some event was sent offline
ALTER TABLE cs.transaction ADD COLUMN last_event_at timestamptz;

CREATE UNIQUE INDEX transaction_ref_key ON cs.transaction (station_id, transaction_ref)
    WHERE transaction_ref IS NOT NULL;

-- One row per TransactionEvent (a duplicate, same transaction_ref and seq_no, is stored once).
CREATE TABLE cs.transaction_event (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id            integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    transaction_id        integer NOT NULL REFERENCES cs.transaction (id) ON DELETE CASCADE,
    transaction_ref       text NOT NULL,
    event_type            text NOT NULL CHECK (event_type IN ('Started', 'Updated', 'Ended')),
    "timestamp"           timestamptz NOT NULL,
    trigger_reason        text NOT NULL,
    seq_no                integer NOT NULL,
    offline               boolean NOT NULL DEFAULT false,
    number_of_phases_used integer,
    cable_max_current     integer,
    reservation_id        integer,
    transaction_info      jsonb NOT NULL,
    id_token              jsonb,
    evse                  jsonb,
    payload               jsonb NOT NULL,
    reply                 jsonb,              -- what was answered (a duplicate gets the same)
    received_at           timestamptz NOT NULL DEFAULT now()
);

-- a repeated seqNo with other content is stored too (cs.v201_transaction_event)
CREATE INDEX transaction_event_seq_idx ON cs.transaction_event (station_id, transaction_ref, seq_no);
CREATE INDEX transaction_event_transaction_idx ON cs.transaction_event (transaction_id);

-- 2.0.1 idToken details of an id tag. token_type null: any type matches; group_id_token: the
-- groupIdToken (1.6 keeps parent_id_tag); cache_expiry: cacheExpiryDateTime; evse_ids: the EVSEs the
-- token may use (null = all); personal_message: a MessageContentType object; language1/2.
ALTER TABLE cs.id_tag ADD COLUMN token_type text
    CHECK (token_type IN ('ISO14443', 'ISO15693', 'eMAID', 'Central', 'Local', 'MacAddress',
                          'NoAuthorization', 'KeyCode'));
ALTER TABLE cs.id_tag ADD COLUMN group_id_token text;
ALTER TABLE cs.id_tag ADD COLUMN group_token_type text;
ALTER TABLE cs.id_tag ADD COLUMN cache_expiry timestamptz;
ALTER TABLE cs.id_tag ADD COLUMN evse_ids integer[];
ALTER TABLE cs.id_tag ADD COLUMN charging_priority integer CHECK (charging_priority BETWEEN -9 AND 9);
ALTER TABLE cs.id_tag ADD COLUMN language1 text;
ALTER TABLE cs.id_tag ADD COLUMN language2 text;
ALTER TABLE cs.id_tag ADD COLUMN personal_message jsonb;

-- 2.0.1 idTokens are case insensitive
CREATE INDEX id_tag_lower_idx ON cs.id_tag (lower(id_tag));

-- ReservationStatusUpdate: a 2.0.1 station removes a reservation (Removed), a 2.1 one reports that
-- no transaction followed it (NoTransaction).
ALTER TABLE cs.reservation ADD COLUMN status_at timestamptz;   -- when the status last changed
ALTER TABLE cs.reservation DROP CONSTRAINT reservation_status_check;
ALTER TABLE cs.reservation ADD CONSTRAINT reservation_status_check
    CHECK (status IN ('Accepted', 'Used', 'Cancelled', 'Expired', 'Removed', 'NoTransaction'));

-- 2.0.1 BootNotification reason; the latest PublishFirmwareStatusNotification status.
ALTER TABLE cs.station ADD COLUMN boot_reason text;
ALTER TABLE cs.station ADD COLUMN publish_firmware_status text;

-- 2.0.1 sampled values: unitOfMeasure.multiplier as sent (numeric_value is value × 10^multiplier, in
-- unit) and the signedMeterValue object.
ALTER TABLE cs.meter_value ADD COLUMN multiplier integer;
ALTER TABLE cs.meter_value ADD COLUMN signed_meter_value jsonb;

-- PublishFirmwareStatusNotification history; 2.1 statusInfo and PublishFirmware locations.
ALTER TABLE cs.station_notification DROP CONSTRAINT station_notification_kind_check;
ALTER TABLE cs.station_notification ADD CONSTRAINT station_notification_kind_check
    CHECK (kind IN ('Diagnostics', 'Firmware', 'Log', 'SignedFirmware', 'PublishFirmware'));
ALTER TABLE cs.station_notification ADD COLUMN details jsonb;  -- statusInfo, location as sent

-- 2.0.1 SignCertificate: certificateType (null: ChargingStationCertificate); 2.1 requestId and
-- hashRootCertificate.
ALTER TABLE cs.certificate_request ADD COLUMN certificate_type text;
ALTER TABLE cs.certificate_request ADD COLUMN request_id integer;
ALTER TABLE cs.certificate_request ADD COLUMN hash_root_certificate jsonb;

-- 2.1 NotifyPriorityCharging: priority charging is active in the transaction.
ALTER TABLE cs.transaction ADD COLUMN priority_charging boolean;

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

-- Hooks for the requests ocpp-cs cannot answer by itself (a PKI, an EMS, a VAT registry): a row names
-- a DBA's function f(identity text, payload jsonb) returns jsonb whose result is the reply
-- (docs/v201.md lists the actions and the answer given without a hook).
CREATE TABLE cs.action_handler (
    action  text PRIMARY KEY,
    handler regprocedure NOT NULL
);

-- Requests answered through cs.action_handler (or the answer without one), as received and answered:
-- Get15118EVCertificate, GetCertificateStatus, 2.1 GetCertificateChainStatus,
-- PullDynamicScheduleUpdate, VatNumberValidation.
CREATE TABLE cs.service_request (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    action      text NOT NULL,
    payload     jsonb NOT NULL,
    status      text,                    -- the status answered
    reply       jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX service_request_station_idx ON cs.service_request (station_id, received_at);

-- NotifyEVChargingNeeds, with the status answered.
CREATE TABLE cs.ev_charging_needs (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id                integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id                   integer NOT NULL,
    requested_energy_transfer text,
    departure_time            timestamptz,
    max_schedule_tuples       integer,
    charging_needs            jsonb NOT NULL,
    status                    text NOT NULL,
    received_at               timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ev_charging_needs_station_idx ON cs.ev_charging_needs (station_id, evse_id, received_at);

-- NotifyEVChargingSchedule: the schedule the EV chose.
CREATE TABLE cs.ev_charging_schedule (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id           integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id              integer NOT NULL,
    time_base            timestamptz NOT NULL,
    charging_schedule    jsonb NOT NULL,
    selected_schedule_id integer,                -- 2.1 selectedChargingScheduleId
    received_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ev_charging_schedule_station_idx ON cs.ev_charging_schedule (station_id, evse_id, received_at);

-- External charging limits (NotifyChargingLimit), open until ClearedChargingLimit of the same source
-- and EVSE (evse_id 0: the whole station).
CREATE TABLE cs.charging_limit (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id         integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id            integer NOT NULL DEFAULT 0,
    source             text NOT NULL,
    is_grid_critical   boolean,
    charging_schedule  jsonb,                     -- the chargingSchedule array as sent
    payload            jsonb NOT NULL,
    reported_at        timestamptz NOT NULL DEFAULT now(),
    cleared_at         timestamptz
);

CREATE INDEX charging_limit_open_idx ON cs.charging_limit (station_id, source, evse_id) WHERE cleared_at IS NULL;

-- Charging profiles the station reported (ReportChargingProfiles, the answer to GetChargingProfiles),
-- one row per profile and report; cs.charging_profile holds the profiles sent by the central system.
CREATE TABLE cs.reported_charging_profile (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id            integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    request_id            integer NOT NULL,
    evse_id               integer NOT NULL,
    charging_limit_source text NOT NULL,
    profile_id            integer NOT NULL,
    stack_level           integer NOT NULL,
    purpose               text NOT NULL,
    kind                  text NOT NULL,
    transaction_ref       text,
    profile               jsonb NOT NULL,
    received_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX reported_charging_profile_request_idx ON cs.reported_charging_profile (station_id, request_id);

-- Display messages the station reported (NotifyDisplayMessages, the answer to GetDisplayMessages).
CREATE TABLE cs.reported_display_message (
    station_id      integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id              integer NOT NULL,
    request_id      integer,
    priority        text NOT NULL,
    state           text,
    start_at        timestamptz,
    end_at          timestamptz,
    transaction_ref text,
    message         jsonb NOT NULL,               -- MessageContentType as sent
    display         jsonb,                        -- ComponentType as sent
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, id)
);

-- 2.1 BatterySwap.
CREATE TABLE cs.battery_swap (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id   integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    event_type   text NOT NULL,
    request_id   integer NOT NULL,
    id_token     jsonb NOT NULL,
    battery_data jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX battery_swap_station_idx ON cs.battery_swap (station_id, received_at);

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

-- 2.1 NotifyDERAlarm and NotifyDERStartStop.
CREATE TABLE cs.der_notification (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('Alarm', 'StartStop')),
    occurred_at timestamptz NOT NULL,
    payload     jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX der_notification_station_idx ON cs.der_notification (station_id, occurred_at);

-- 2.1 NotifySettlement: a payment settled at the station's payment terminal.
CREATE TABLE cs.settlement (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id      integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    transaction_id  integer REFERENCES cs.transaction (id) ON DELETE SET NULL,
    transaction_ref text,
    psp_ref         text NOT NULL,
    status          text NOT NULL,
    status_info     text,
    amount          numeric NOT NULL,
    settled_at      timestamptz NOT NULL,
    receipt_id      text,
    receipt_url     text,
    vat_number      text,
    vat_company     jsonb,
    reply           jsonb NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX settlement_station_idx ON cs.settlement (station_id, settled_at);
