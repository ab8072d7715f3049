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
