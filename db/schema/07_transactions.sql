-- Charging transactions (1.6 and 2.0.1 share one table), 2.0.1 transaction events, meter values,
-- 2.1 settlements and battery swaps, and messages kept for a person to look at (cs.review).

CREATE TABLE cs.transaction (
    -- 1.6 transactionId is an integer chosen by the central system
    id                   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id           integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id              integer NOT NULL,
    connector_id         integer NOT NULL,
    -- a 2.0.1 transaction may start before any idToken is known and without a meter reading
    id_tag               text,
    id_tag_status        text,          -- the idTagInfo status answered at start
    meter_start          bigint,        -- Wh
    started_at           timestamptz NOT NULL,
    reservation_id       integer REFERENCES cs.reservation (id) ON DELETE SET NULL,
    meter_stop           bigint,
    stopped_at           timestamptz,
    stop_reason          text,
    stop_id_tag          text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- the accepted RemoteStartTransaction that a transaction answers (cs.link_remote_start)
    remote_start_command bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    -- 2.0.1 transactions: transaction_ref is the station's own transactionId (id stays the central
    -- system's number, used in cs.meter_value)
    transaction_ref      text,
    id_token_type        text,          -- 2.0.1 idToken type of id_tag
    remote_start_id      integer,       -- transactionInfo.remoteStartId
    charging_state       text,          -- the last transactionInfo.chargingState
    time_spent_charging  integer,       -- seconds, last reported
    seq_no               integer,       -- the highest seqNo seen
    seq_gaps             integer NOT NULL DEFAULT 0,  -- seqNos found missing
    stopped_reason       text,          -- as sent (stop_reason: sent or derived)
    trigger_reason       text,          -- the last triggerReason
    offline              boolean,       -- some event was sent offline
    last_event_at        timestamptz,
    priority_charging    boolean,       -- 2.1 NotifyPriorityCharging: priority charging is active
    -- RequestStopTransaction (and 1.6 RemoteStopTransaction) accepted for the transaction; CostUpdated
    -- answered: the total cost the station was told.
    remote_stop_command  bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    total_cost           numeric,
    total_cost_at        timestamptz,
    -- who closed it when the station did not: a rule, named by the message that showed the
    -- transaction dead, or an operator (ocpp.close_transaction; closed_by_user: the session user)
    closed_by            text CHECK (closed_by IN ('BootNotification', 'StatusNotification', 'operator')),
    closed_by_user       text
);

-- finds a retried StartTransaction
CREATE INDEX transaction_station_start_idx ON cs.transaction (station_id, started_at);
-- ConcurrentTx: running transactions of a tag
CREATE INDEX transaction_running_idx ON cs.transaction (id_tag) WHERE stopped_at IS NULL;
CREATE UNIQUE INDEX transaction_remote_start_key ON cs.transaction (remote_start_command)
    WHERE remote_start_command IS NOT NULL;
CREATE UNIQUE INDEX transaction_ref_key ON cs.transaction (station_id, transaction_ref)
    WHERE transaction_ref IS NOT NULL;
-- ocpp.api_transactionlist: newest first overall, by id tag; by station it has
-- transaction_station_start_idx.
CREATE INDEX transaction_started_idx ON cs.transaction (started_at);
CREATE INDEX transaction_id_tag_idx ON cs.transaction (id_tag, started_at);

-- One row per TransactionEvent (a duplicate, same transaction_ref and seq_no, is stored once).
CREATE TABLE cs.transaction_event (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id            integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    transaction_id        integer NOT NULL REFERENCES cs.transaction (id) ON DELETE CASCADE,
    transaction_ref       text NOT NULL,
    event_type            text NOT NULL CHECK (event_type IN ('Started', 'Updated', 'Ended')),
    "timestamp"           timestamptz NOT NULL,
    trigger_reason        text NOT NULL,
    seq_no                integer NOT NULL,
    offline               boolean NOT NULL DEFAULT false,
    number_of_phases_used integer,
    cable_max_current     integer,
    reservation_id        integer,
    transaction_info      jsonb NOT NULL,
    id_token              jsonb,
    evse                  jsonb,
    payload               jsonb NOT NULL,
    reply                 jsonb,              -- what was answered (a duplicate gets the same)
    received_at           timestamptz NOT NULL DEFAULT now()
);

-- a repeated seqNo with other content is stored too (cs.v201_transaction_event)
CREATE INDEX transaction_event_seq_idx ON cs.transaction_event (station_id, transaction_ref, seq_no);
CREATE INDEX transaction_event_transaction_idx ON cs.transaction_event (transaction_id);

-- Partitioned by month of received_at (UTC months, cs.meter_value_pYYYYMM): the central system's clock,
-- so a station with a wrong clock cannot scatter rows over years; retention (meter_value.retention, null:
-- keep forever) drops whole months (ocpp.partition_maintain). Rows of a month without a partition land
-- in cs.meter_value_default until ocpp.partition_maintain creates it.
CREATE TABLE cs.meter_value (
    id             bigint GENERATED ALWAYS AS IDENTITY,
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
    received_at    timestamptz NOT NULL DEFAULT now(),
    -- 2.0.1 sampled values: unitOfMeasure.multiplier as sent (numeric_value is value × 10^multiplier,
    -- in unit) and the signedMeterValue object.
    multiplier         integer,
    signed_meter_value jsonb,
    PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);

CREATE TABLE cs.meter_value_default PARTITION OF cs.meter_value DEFAULT;

CREATE INDEX meter_value_transaction_idx ON cs.meter_value (transaction_id) WHERE transaction_id IS NOT NULL;
CREATE INDEX meter_value_station_idx ON cs.meter_value (station_id, sampled_at);

-- 2.1 NotifySettlement: a payment settled at the station's payment terminal.
CREATE TABLE cs.settlement (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id      integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    transaction_id  integer REFERENCES cs.transaction (id) ON DELETE SET NULL,
    transaction_ref text,
    psp_ref         text NOT NULL,
    status          text NOT NULL,
    status_info     text,
    amount          numeric NOT NULL,
    settled_at      timestamptz NOT NULL,
    receipt_id      text,
    receipt_url     text,
    vat_number      text,
    vat_company     jsonb,
    reply           jsonb NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX settlement_station_idx ON cs.settlement (station_id, settled_at);

-- 2.1 BatterySwap.
CREATE TABLE cs.battery_swap (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id   integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    event_type   text NOT NULL,
    request_id   integer NOT NULL,
    id_token     jsonb NOT NULL,
    battery_data jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX battery_swap_station_idx ON cs.battery_swap (station_id, received_at);

-- Messages kept for a person to look at: what a rule did that an operator should see (a transaction
-- closed for its station, a message that could not be applied); resolved_at and note are theirs.
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
