-- Commands to stations (docs/commands.md): the queue the dispatcher sends from, one row per CALL.

CREATE TABLE cs.command (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    action      text NOT NULL,
    payload     jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sent', 'answered', 'error', 'timeout', 'offline', 'refused',
                                  'cancelled', 'interrupted')),
    unique_id   text,                   -- the OCPP-J message id, set when claimed
    node        text,                   -- the front-end node that claimed it
    response    jsonb,                  -- the CALLRESULT payload
    error       jsonb,                  -- {"code", "description", "details"}
    wait_until  timestamptz,            -- queued for an offline station until then
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    answered_at timestamptz,            -- CALLRESULT or CALLERROR received
    finished_at timestamptz,            -- reached a final status (anything but queued and sent)
    created_by  text NOT NULL DEFAULT session_user,
    -- a command that sets the station's Basic-auth password (SetVariables BasicAuthPassword,
    -- ChangeConfiguration AuthorizationKey) keeps it masked in payload: secret_path is where the
    -- dispatcher puts the clear value (handed over by NOTIFY ocpp_secret, never stored) and
    -- credential_hash what cs.station.password_hash becomes when the station accepts it
    secret_path     text[],
    credential_hash text,
    -- commands to queue, in order, once the station accepts this one (cs.command_then)
    then_queue  jsonb CHECK (jsonb_typeof(then_queue) = 'array')
);

-- what the dispatcher claims: the oldest queued command per station
CREATE INDEX command_queued_idx ON cs.command (station_id, id) WHERE status = 'queued';
-- one outstanding CALL per station, enforced
CREATE UNIQUE INDEX command_sent_station_key ON cs.command (station_id) WHERE status = 'sent';
-- ocpp.command_interrupted(node)
CREATE INDEX command_sent_node_idx ON cs.command (node) WHERE status = 'sent';
CREATE INDEX command_station_idx ON cs.command (station_id, created_at);
CREATE INDEX command_created_idx ON cs.command (created_at);

-- The business effects of answers (db/functions/command_effects.sql).

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

-- The local authorization list of each station: version is the last list the station accepted,
-- reported_version what it answered to GetLocalListVersion (-1: no local list support).
CREATE TABLE cs.local_list (
    station_id       integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    version          integer,
    updated_at       timestamptz,
    reported_version integer,
    reported_at      timestamptz
);

CREATE TABLE cs.local_list_entry (
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id_tag      text NOT NULL,
    id_tag_info jsonb NOT NULL,         -- as sent in SendLocalList
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, id_tag)
);

-- Reservations are created when the station accepts ReserveNow; the command that made them.
ALTER TABLE cs.reservation ADD COLUMN parent_id_tag text;
ALTER TABLE cs.reservation ADD COLUMN command_id bigint REFERENCES cs.command (id) ON DELETE SET NULL;
CREATE INDEX reservation_active_idx ON cs.reservation (station_id, connector_id) WHERE status = 'Accepted';

-- Charging profiles sent to stations and accepted: Installed while the station holds them, Replaced
-- (by a SetChargingProfile with the same id, or purpose and stack level on the connector) or Cleared
-- (ClearChargingProfile) after, with the command that ended them.
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
    updated_at     timestamptz NOT NULL DEFAULT now()
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

-- Availability per 1.6 connector (0 = the whole station) as set by ChangeAvailability; scheduled: the
-- type the station will switch to when the transaction on the connector ends.
CREATE TABLE cs.connector_availability (
    station_id   integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    connector_id integer NOT NULL CHECK (connector_id >= 0),
    availability text CHECK (availability IN ('Operative', 'Inoperative')),
    scheduled    text CHECK (scheduled IN ('Operative', 'Inoperative')),
    command_id   bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, connector_id)
);

-- Firmware updates, diagnostics and log uploads the station accepted, followed by its status
-- notifications (cs.file_transfer_status). active: the station is still working on it.
CREATE TABLE cs.file_transfer (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('Firmware', 'SignedFirmware', 'Diagnostics', 'Log')),
    command_id  bigint UNIQUE REFERENCES cs.command (id) ON DELETE SET NULL,
    request_id  integer,                -- GetLog and SignedUpdateFirmware requestId
    location    text,
    answer      text NOT NULL,          -- the command's answer: Accepted, Rejected, AcceptedCanceled, ...
    file_name   text,
    status      text,                   -- the latest status notification
    active      boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX file_transfer_active_idx ON cs.file_transfer (station_id, kind) WHERE active;

-- Certificates installed on a station: from GetInstalledCertificateIds (hash data) or an accepted
-- InstallCertificate (the certificate as sent; hash data unknown until the station lists it).
CREATE TABLE cs.installed_certificate (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id       integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    certificate_type text NOT NULL,
    hash_algorithm   text,
    issuer_name_hash text,
    issuer_key_hash  text,
    serial_number    text,
    certificate      text,
    command_id       bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX installed_certificate_hash_key
    ON cs.installed_certificate (station_id, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
    WHERE hash_algorithm IS NOT NULL;

-- The CertificateSigned command that answered a SignCertificate request.
ALTER TABLE cs.certificate_request ADD COLUMN command_id bigint REFERENCES cs.command (id) ON DELETE SET NULL;

-- The accepted RemoteStartTransaction that a transaction answers (cs.link_remote_start).
ALTER TABLE cs.transaction ADD COLUMN remote_start_command bigint REFERENCES cs.command (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX transaction_remote_start_key ON cs.transaction (remote_start_command)
    WHERE remote_start_command IS NOT NULL;
