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
    received_at timestamptz NOT NULL DEFAULT now(),
    -- station: a SecurityEventNotification; csms: what the central system saw (a refused handshake)
    source      text NOT NULL DEFAULT 'station' CHECK (source IN ('station', 'csms'))
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
