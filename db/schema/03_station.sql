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
    -- the Basic-auth password (security profiles 1 and 2), never in clear (db/functions/password.sql):
    -- 'bcrypt-sha256$2a$NN$...' or, from before 0007, 'sha256$<salt>$<hexhash>' (upgraded at the next
    -- successful connect); auth_required null follows the setting station.auth_required
    password_hash              text CHECK (password_hash ~ '^(sha256\$[^$]+\$[0-9a-f]{64}|bcrypt-sha256\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53})$'),
    auth_required              boolean,
    -- the lowest security profile (0-3) the station may connect with; null follows the setting
    -- station.security_profile. Raised, never lowered, when the station accepts a higher one.
    security_profile           smallint CHECK (security_profile BETWEEN 0 AND 3),
    -- latest status of the station-wide notifications (history in cs.station_notification)
    firmware_status            text,
    diagnostics_status         text,
    log_status                 text,
    -- the HeartbeatInterval a BootNotification answers: set by the operator
    -- (ocpp.set_station_heartbeat_interval) or by an accepted ChangeConfiguration / SetVariables;
    -- null follows the setting boot.heartbeat_interval
    heartbeat_interval         integer CHECK (heartbeat_interval > 0),
    created_at                 timestamptz NOT NULL DEFAULT now()
);

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

-- Client certificates bound to a station by an operator, for station.certificate_binding = 'mapping'
-- (security profile 3): the SHA-256 fingerprint of the certificate's DER, lowercase hex.
CREATE TABLE cs.station_certificate (
    fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    subject     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX station_certificate_station_idx ON cs.station_certificate (station_id);
