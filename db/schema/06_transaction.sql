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
    -- who closed it when the station did not: a rule, named by the message that showed the
    -- transaction dead, or an operator (ocpp.close_transaction; closed_by_user: the session user)
    closed_by      text CHECK (closed_by IN ('BootNotification', 'StatusNotification', 'operator')),
    closed_by_user text,
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
    unit           text,                -- null: the measurand has no unit (Power.Factor, RPM)
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
