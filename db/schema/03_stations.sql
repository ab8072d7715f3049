-- Front-end nodes, stations, their live connections, EVSEs and connectors.
-- Columns are in the order the migrations left them (a column added later sits at the end).

CREATE TABLE cs.node (
    name        text PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    -- the node's lease (ocpp.node_start, ocpp.node_renew): once it is over by more than
    -- node.grace_seconds, any live node declares this one dead (ocpp.node_reap). Null: no lease, never
    -- reaped (a node registered by ocpp.connect alone, or running a version from before leases).
    lease_until timestamptz,
    -- when, and by which node, this node was declared dead; cleared when it renews (it learns it was
    -- reaped and closes the sockets it still holds)
    reaped_at   timestamptz,
    reaped_by   text
);

CREATE TABLE cs.station (
    id                         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identity                   text NOT NULL UNIQUE CHECK (identity <> ''),
    account                    text,
    version                    text,    -- its OCPP version: 1.5, 1.6, 2.0.1, 2.1
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
    -- the Basic-auth password (security profiles 1 and 2), never in clear (db/functions/08_security/password.sql):
    -- 'bcrypt-sha256$2a$NN$...' or, from before 0007, 'sha256$<salt>$<hexhash>' (upgraded at the next
    -- successful connect); auth_required null follows the setting station.auth_required
    password_hash              text CHECK (password_hash ~ '^(sha256\$[^$]+\$[0-9a-f]{64}|bcrypt-sha256\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53})$'),
    auth_required              boolean,
    -- latest status of the station-wide notifications (history in cs.station_notification)
    firmware_status            text,
    diagnostics_status         text,
    log_status                 text,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    -- 2.0.1 BootNotification reason; the latest PublishFirmwareStatusNotification status.
    boot_reason                text,
    publish_firmware_status    text,
    -- the station's latest WS-Addressing From address: where commands to a SOAP station are POSTed
    -- (null for a JSON station); version holds its OCPP version, 1.5 or 1.6 (db/schema/14_soap.sql)
    soap_from                  text,
    -- the lowest security profile (0-3) the station may connect with; null follows the setting
    -- station.security_profile. Raised, never lowered, when the station accepts a higher one.
    security_profile           smallint CHECK (security_profile BETWEEN 0 AND 3),
    -- the HeartbeatInterval a BootNotification answers: set by the operator
    -- (ocpp.set_station_heartbeat_interval) or by an accepted ChangeConfiguration / SetVariables;
    -- null follows the setting boot.heartbeat_interval
    heartbeat_interval         integer CHECK (heartbeat_interval > 0)
);

-- When each station was last heard from: set by every message (ocpp.parse) and every connect
-- (ocpp.connect); no row while a station was never heard from. A table of its own because it is
-- written on every station message: cs.station has ~50 foreign keys pointing at it and CHECK
-- constraints, and an UPDATE of its row pays for each of them (the after-update triggers, the
-- constraint expressions) even when only this timestamp changes. This row has none of them, and
-- room on its page for HOT updates.
CREATE TABLE cs.station_presence (
    station_id integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    last_seen  timestamptz NOT NULL
) WITH (fillfactor = 50);

-- One row per connected station: which front-end node holds its socket.
CREATE TABLE cs.connection (
    station_id   integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    node         text NOT NULL REFERENCES cs.node (name) ON DELETE CASCADE,
    version      text NOT NULL,
    remote       text,
    connected_at timestamptz NOT NULL DEFAULT now(),
    -- the security profile this connection came with (ocpp.connect), and its client certificate
    -- (profile 3): {"subject", "cn", "issuer", "serial", "fingerprint", "notAfter"}
    security_profile smallint NOT NULL DEFAULT 0 CHECK (security_profile BETWEEN 0 AND 3),
    certificate  jsonb
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

-- EVSEs a station reported (StatusNotification, TransactionEvent, NotifyReport). status: the last
-- connector status reported on the EVSE (a 1.6 connector's status for a 1.6 station).
CREATE TABLE cs.evse (
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id    integer NOT NULL CHECK (evse_id >= 0),
    status     text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, evse_id)
);
