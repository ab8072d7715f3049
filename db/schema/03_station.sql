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
