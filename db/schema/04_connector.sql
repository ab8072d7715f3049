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
