-- DataTransfer messages and the DBA's handlers that answer them, and the hooks for the 2.0.1 / 2.1
-- requests ocpp-cs cannot answer by itself.

-- DataTransfer messages, with the answer given.
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
