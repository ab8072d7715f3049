-- Schemas and the front end's role.
-- ocpp: the API, functions only. cs: tables and internal functions.
-- Roles are cluster-wide and many databases share a cluster, so the role is created only when missing
-- (and a concurrent creation by another database's build is tolerated).

CREATE SCHEMA ocpp;
CREATE SCHEMA cs;

COMMENT ON SCHEMA ocpp IS 'ocpp-cs API: functions only, EXECUTE granted to ocpp_frontend';
COMMENT ON SCHEMA cs IS 'ocpp-cs tables and internal functions';

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ocpp_frontend') THEN
        CREATE ROLE ocpp_frontend NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created meanwhile by another database build in the same cluster
END
$$;

GRANT USAGE ON SCHEMA ocpp TO ocpp_frontend;
ALTER DEFAULT PRIVILEGES IN SCHEMA ocpp GRANT EXECUTE ON FUNCTIONS TO ocpp_frontend;
-- Settings an operator may argue about; read with cs.setting(key), changed with ocpp.set_setting().
-- The rows below are the shipped defaults (docs/sql-api.md, "Settings").

CREATE TABLE cs.setting (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    description text NOT NULL
);

INSERT INTO cs.setting (key, value, description) VALUES
    ('boot.unknown_station', '"Accepted"',
     'registration given to a station the first time it is seen: Accepted, Pending or Rejected'),
    ('boot.heartbeat_interval', '300',
     'seconds, the interval of an Accepted BootNotification'),
    ('boot.retry_interval', '60',
     'seconds, the interval of a Pending or Rejected BootNotification'),
    ('authorize.unknown_id_tag', '"Accepted"',
     'status of an id tag that is not in cs.id_tag: Accepted or Invalid'),
    ('authorize.concurrent_tx', 'true',
     'answer ConcurrentTx when the tag already has a running transaction'),
    ('transaction.dedupe_start', 'true',
     'a retried StartTransaction returns the transaction it opened before'),
    ('station.auth_required', 'false',
     'HTTP Basic auth required for every station (per station: cs.station.auth_required)'),
    ('message_log.retention', '"30 days"',
     'age after which ocpp.log_cleanup() deletes message log rows'),
    ('data_transfer.unknown_vendor', '"UnknownVendorId"',
     'DataTransfer status when no handler is registered for the vendorId');
-- Front-end nodes, stations and their live connections.

CREATE TABLE cs.node (
    name       text PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cs.station (
    id                         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identity                   text NOT NULL UNIQUE CHECK (identity <> ''),
    account                    text,
    version                    text,
    registration_status        text NOT NULL DEFAULT 'Accepted'
                               CHECK (registration_status IN ('Accepted', 'Pending', 'Rejected')),
    -- the last BootNotification, as columns and as sent
    vendor                     text,
    model                      text,
    charge_point_serial_number text,
    charge_box_serial_number   text,
    firmware_version           text,
    iccid                      text,
    imsi                       text,
    meter_type                 text,
    meter_serial_number        text,
    boot                       jsonb,
    booted_at                  timestamptz,
    last_seen                  timestamptz,
    -- security profile 1: 'sha256$<salt>$<hexhash>'; auth_required null follows the setting
    password_hash              text CHECK (password_hash ~ '^sha256\$[^$]+\$[0-9a-f]{64}$'),
    auth_required              boolean,
    -- latest status of the station-wide notifications (history in cs.station_notification)
    firmware_status            text,
    diagnostics_status         text,
    log_status                 text,
    created_at                 timestamptz NOT NULL DEFAULT now()
);

-- One row per connected station: which front-end node holds its socket.
CREATE TABLE cs.connection (
    station_id   integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    node         text NOT NULL REFERENCES cs.node (name) ON DELETE CASCADE,
    version      text NOT NULL,
    remote       text,
    connected_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX connection_node_idx ON cs.connection (node);
-- Current state of every connector, and the StatusNotification history.
-- EVSE and connector as in OCPP 2.0.1; a 1.6 connector n is EVSE n / connector 1, and the 1.6
-- connector 0 (the whole station) is EVSE 0 / connector 0.

CREATE TABLE cs.connector (
    station_id        integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id           integer NOT NULL CHECK (evse_id >= 0),
    connector_id      integer NOT NULL CHECK (connector_id >= 0),
    status            text,
    error_code        text,
    info              text,
    vendor_id         text,
    vendor_error_code text,
    status_at         timestamptz,          -- the station's timestamp (or receipt time when absent)
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, evse_id, connector_id)
);

CREATE TABLE cs.status_notification (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id        integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id           integer NOT NULL,
    connector_id      integer NOT NULL,
    status            text NOT NULL,
    error_code        text,
    info              text,
    vendor_id         text,
    vendor_error_code text,
    status_at         timestamptz,
    received_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX status_notification_station_idx ON cs.status_notification (station_id, received_at);
-- Id tags known to the central system, and reservations.

CREATE TABLE cs.id_tag (
    id_tag        text PRIMARY KEY CHECK (length(id_tag) BETWEEN 1 AND 36),
    status        text NOT NULL DEFAULT 'Accepted'
                  CHECK (status IN ('Accepted', 'Blocked', 'Expired', 'Invalid')),
    expiry_date   timestamptz,
    parent_id_tag text CHECK (length(parent_id_tag) BETWEEN 1 AND 36),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Minimal for now (consumed by StartTransaction's reservationId); ReserveNow extends it.
CREATE TABLE cs.reservation (
    id           integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    station_id   integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    connector_id integer NOT NULL DEFAULT 0,   -- 1.6 connector; 0 = any connector
    id_tag       text NOT NULL,
    expiry_date  timestamptz NOT NULL,
    status       text NOT NULL DEFAULT 'Accepted'
                 CHECK (status IN ('Accepted', 'Used', 'Cancelled', 'Expired')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- Charging transactions, their meter values, and messages kept for a person to look at.

CREATE TABLE cs.transaction (
    -- 1.6 transactionId is an integer chosen by the central system
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id     integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id        integer NOT NULL,
    connector_id   integer NOT NULL,
    id_tag         text NOT NULL,
    id_tag_status  text NOT NULL,       -- the idTagInfo status answered at start
    meter_start    bigint NOT NULL,     -- Wh
    started_at     timestamptz NOT NULL,
    reservation_id integer REFERENCES cs.reservation (id) ON DELETE SET NULL,
    meter_stop     bigint,
    stopped_at     timestamptz,
    stop_reason    text,
    stop_id_tag    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- finds a retried StartTransaction
CREATE INDEX transaction_station_start_idx ON cs.transaction (station_id, started_at);
-- ConcurrentTx: running transactions of a tag
CREATE INDEX transaction_running_idx ON cs.transaction (id_tag) WHERE stopped_at IS NULL;

CREATE TABLE cs.meter_value (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id     integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id        integer NOT NULL,
    connector_id   integer NOT NULL,
    -- as sent; no foreign key, a station may name a transaction we do not know
    transaction_id integer,
    sampled_at     timestamptz NOT NULL,
    value          text NOT NULL,       -- as sent (SignedData is not a number)
    numeric_value  numeric,             -- value when it reads as a plain number
    context        text NOT NULL,
    format         text NOT NULL,
    measurand      text NOT NULL,
    phase          text,
    location       text NOT NULL,
    unit           text NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX meter_value_transaction_idx ON cs.meter_value (transaction_id) WHERE transaction_id IS NOT NULL;
CREATE INDEX meter_value_station_idx ON cs.meter_value (station_id, sampled_at);

CREATE TABLE cs.review (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer REFERENCES cs.station (id) ON DELETE CASCADE,
    action      text NOT NULL,
    reason      text NOT NULL,
    payload     jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    note        text
);

CREATE INDEX review_open_idx ON cs.review (created_at) WHERE resolved_at IS NULL;
-- DataTransfer messages and the DBA's handlers that answer them.

CREATE TABLE cs.data_transfer (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    vendor_id  text NOT NULL,
    message_id text,
    data       text,
    status     text NOT NULL,           -- the status answered
    reply      jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX data_transfer_station_idx ON cs.data_transfer (station_id, created_at);

-- handler: f(identity text, payload jsonb) returns jsonb, the reply; message_id null matches any message
CREATE TABLE cs.data_transfer_handler (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vendor_id  text NOT NULL,
    message_id text,
    handler    regprocedure NOT NULL,
    UNIQUE NULLS NOT DISTINCT (vendor_id, message_id)
);
-- Station-wide notifications, security events and certificate signing requests.

CREATE TABLE cs.station_notification (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('Diagnostics', 'Firmware', 'Log', 'SignedFirmware')),
    status      text NOT NULL,
    request_id  integer,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX station_notification_station_idx ON cs.station_notification (station_id, received_at);

CREATE TABLE cs.security_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    type        text NOT NULL,
    occurred_at timestamptz NOT NULL,   -- the station's timestamp
    tech_info   text,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX security_event_station_idx ON cs.security_event (station_id, occurred_at);

CREATE TABLE cs.certificate_request (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    csr        text NOT NULL,
    status     text NOT NULL DEFAULT 'Pending' CHECK (status IN ('Pending', 'Signed', 'Rejected')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX certificate_request_pending_idx ON cs.certificate_request (created_at) WHERE status = 'Pending';
-- Every OCPP-J frame in and out, written in batches by the front end (ocpp.log_frames).
-- No foreign key to cs.station: the log keeps frames of stations that were refused or deleted.
-- message_type is null for what is not an OCPP-J message: handshakes (refused ones carry the HTTP
-- status as error_code), connects, disconnects, and frames too broken to classify.

CREATE TABLE cs.message_log (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identity          text NOT NULL,
    account           text,
    direction         text NOT NULL CHECK (direction IN ('in', 'out')),
    message_type      smallint CHECK (message_type IN (2, 3, 4)),
    action            text,
    unique_id         text,
    payload           jsonb,
    error_code        text,
    error_description text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    latency_ms        real
);

CREATE INDEX message_log_created_idx ON cs.message_log (created_at);
CREATE INDEX message_log_identity_idx ON cs.message_log (identity, created_at);
