-- Station management: availability, firmware updates and file transfers with their status
-- notifications, published firmware, and display messages.

-- Availability per 1.6 connector (0 = the whole station) as set by ChangeAvailability; scheduled: the
-- type the station will switch to when the transaction on the connector ends. 2.0.1: connector_id
-- holds the EVSE id (0: the station), evse_connector_id the connectorId within the EVSE (0: the whole
-- EVSE; always 0 for a 1.6 station).
CREATE TABLE cs.connector_availability (
    station_id   integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    connector_id integer NOT NULL CHECK (connector_id >= 0),
    availability text CHECK (availability IN ('Operative', 'Inoperative')),
    scheduled    text CHECK (scheduled IN ('Operative', 'Inoperative')),
    command_id   bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    evse_connector_id integer NOT NULL DEFAULT 0 CHECK (evse_connector_id >= 0),
    PRIMARY KEY (station_id, connector_id, evse_connector_id)
);

-- Station-wide notifications (firmware, diagnostics, log upload, PublishFirmware status), history.
CREATE TABLE cs.station_notification (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('Diagnostics', 'Firmware', 'Log', 'SignedFirmware',
                                      'PublishFirmware')),
    status      text NOT NULL,
    request_id  integer,
    received_at timestamptz NOT NULL DEFAULT now(),
    details     jsonb                   -- 2.1 statusInfo, PublishFirmware location as sent
);

CREATE INDEX station_notification_station_idx ON cs.station_notification (station_id, received_at);

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

-- Firmware a station (a local controller) publishes to its network: PublishFirmware answered, then
-- the PublishFirmwareStatusNotifications (cs.publish_firmware_status). active: published or being
-- published; UnpublishFirmware and failures end it.
CREATE TABLE cs.published_firmware (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    request_id integer NOT NULL,
    location   text NOT NULL,
    checksum   text NOT NULL,
    answer     text NOT NULL,
    status     text,                    -- the latest PublishFirmwareStatusNotification status
    locations  jsonb,                   -- its location array (the URIs it publishes at)
    active     boolean NOT NULL,
    command_id bigint UNIQUE REFERENCES cs.command (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX published_firmware_active_idx ON cs.published_firmware (station_id, checksum) WHERE active;

-- Display messages the station accepted (SetDisplayMessage) and has not cleared.
CREATE TABLE cs.display_message (
    station_id      integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    id              integer NOT NULL,
    priority        text NOT NULL,
    state           text,
    start_at        timestamptz,
    end_at          timestamptz,
    transaction_ref text,                -- 2.0.1 transactionId
    message         jsonb NOT NULL,      -- MessageContentType: format, language, content
    display         jsonb,               -- ComponentType
    command_id      bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, id)
);

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
