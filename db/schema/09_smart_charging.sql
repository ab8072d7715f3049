-- Smart charging: profiles sent and reported, composite schedules, external limits, what the EV
-- asks for and chose, and 2.1 DER notifications. A 1.6 connector n is EVSE n, so connector_id holds
-- the EVSE id of a 2.0.1 station (0: the whole station).

-- Charging profiles sent to stations and accepted: Installed while the station holds them, Replaced
-- (by a SetChargingProfile with the same id, or purpose and stack level on the connector) or Cleared
-- (ClearChargingProfile) after, with the command that ended them. 2.0.1 profiles: connector_id holds
-- the evseId, schedule the chargingSchedule array.
CREATE TABLE cs.charging_profile (
    entry_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id     integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id             integer NOT NULL,    -- chargingProfileId
    connector_id   integer NOT NULL,    -- 1.6 connector, 0 = the whole station
    purpose        text NOT NULL,
    stack_level    integer NOT NULL,
    kind           text NOT NULL,
    recurrency     text,
    valid_from     timestamptz,
    valid_to       timestamptz,
    transaction_id integer,
    schedule       jsonb NOT NULL,      -- chargingSchedule as sent
    profile        jsonb NOT NULL,      -- csChargingProfiles as sent
    status         text NOT NULL DEFAULT 'Installed' CHECK (status IN ('Installed', 'Replaced', 'Cleared')),
    command_id     bigint REFERENCES cs.command (id) ON DELETE SET NULL,  -- the SetChargingProfile
    ended_by       bigint REFERENCES cs.command (id) ON DELETE SET NULL,  -- what replaced or cleared it
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    transaction_ref text                -- 2.0.1 transactionId
);

CREATE UNIQUE INDEX charging_profile_installed_key ON cs.charging_profile (station_id, id) WHERE status = 'Installed';
CREATE INDEX charging_profile_stack_idx ON cs.charging_profile (station_id, connector_id, purpose, stack_level)
    WHERE status = 'Installed';

-- GetCompositeSchedule answers.
CREATE TABLE cs.composite_schedule (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id         integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    connector_id       integer NOT NULL,
    duration           integer,
    charging_rate_unit text,
    status             text NOT NULL,
    schedule_start     timestamptz,
    schedule           jsonb,           -- chargingSchedule as answered
    command_id         bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    received_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX composite_schedule_station_idx ON cs.composite_schedule (station_id, connector_id, received_at);

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
    received_at               timestamptz NOT NULL DEFAULT now(),
    -- Accepted: the running transaction the schedule is for, and the schedule ocpp-cs computed
    -- ({"chargingRateUnit", "startSchedule", "chargingSchedulePeriod"}) with its SetChargingProfile
    transaction_id            integer REFERENCES cs.transaction (id) ON DELETE SET NULL,
    schedule                  jsonb,
    command_id                bigint REFERENCES cs.command (id) ON DELETE SET NULL
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
    received_at          timestamptz NOT NULL DEFAULT now(),
    -- checked against the schedule ocpp-cs sent (K15.FR.12): null when none was sent; false: answered
    -- Rejected and renegotiated (K16) with the SetChargingProfile renegotiation_command
    within_limits        boolean,
    renegotiation_command bigint REFERENCES cs.command (id) ON DELETE SET NULL
);

CREATE INDEX ev_charging_schedule_station_idx ON cs.ev_charging_schedule (station_id, evse_id, received_at);

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
