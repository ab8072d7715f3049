-- Tariffs and the cost of transactions (docs/tariffs.md). A tariff is data: a base energy price per
-- kWh and time price per hour, a session fee, VAT and a currency, with time-of-day / weekday periods
-- that override the base prices while they last. Prices are without VAT; the cost adds it.

CREATE TABLE cs.tariff (
    -- the 2.1 tariffId
    id           text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 60),
    currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),       -- ISO 4217
    energy_price numeric NOT NULL DEFAULT 0 CHECK (energy_price >= 0),  -- per kWh
    time_price   numeric NOT NULL DEFAULT 0 CHECK (time_price >= 0),    -- per hour of the transaction
    session_fee  numeric NOT NULL DEFAULT 0 CHECK (session_fee >= 0),   -- once per transaction
    vat_percent  numeric NOT NULL DEFAULT 0 CHECK (vat_percent >= 0 AND vat_percent < 100),
    -- the periods' times of day and weekdays are local times of this zone (the driver's clock)
    time_zone    text NOT NULL DEFAULT 'UTC',
    description  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A period overrides the base prices from start_time to end_time (end before start: past midnight,
-- the part after midnight still belongs to the weekday it started on; equal: the whole day) on the
-- weekdays days (ISO 1 = Monday .. 7 = Sunday; null: every day). The first matching position wins.
CREATE TABLE cs.tariff_period (
    tariff_id    text NOT NULL REFERENCES cs.tariff (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    start_time   time NOT NULL DEFAULT '00:00',
    end_time     time NOT NULL DEFAULT '00:00',
    days         smallint[] CHECK (days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
    energy_price numeric NOT NULL CHECK (energy_price >= 0),
    time_price   numeric NOT NULL CHECK (time_price >= 0),
    PRIMARY KEY (tariff_id, position)
);

-- Which tariff applies: per station (null: every station), EVSE (null: every EVSE of it) and id token
-- group (null: any token, and a transaction without one; else the token's groupIdToken or 1.6
-- parentIdTag). The most specific row wins: group, then EVSE, then station (cs.tariff_for).
CREATE TABLE cs.tariff_assignment (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tariff_id      text NOT NULL REFERENCES cs.tariff (id) ON DELETE CASCADE,
    station_id     integer REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id        integer CHECK (evse_id > 0),
    id_token_group text CHECK (length(id_token_group) BETWEEN 1 AND 36),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (evse_id IS NULL OR station_id IS NOT NULL),
    CONSTRAINT tariff_assignment_scope_key UNIQUE NULLS NOT DISTINCT (station_id, evse_id, id_token_group)
);

CREATE INDEX tariff_assignment_tariff_idx ON cs.tariff_assignment (tariff_id);

-- The cost of a transaction under its tariff: running while it runs (final false), final when it
-- stopped; amounts without VAT, vat on their sum, total with VAT; rounded to 2 decimals.
-- cost_updated_at: the last CostUpdated queued for it (tariff.cost_updated_interval).
CREATE TABLE cs.transaction_cost (
    transaction_id  integer PRIMARY KEY REFERENCES cs.transaction (id) ON DELETE CASCADE,
    tariff_id       text REFERENCES cs.tariff (id) ON DELETE SET NULL,
    currency        text NOT NULL,
    energy_wh       bigint NOT NULL,
    energy          numeric NOT NULL,
    time            numeric NOT NULL,
    fee             numeric NOT NULL,
    vat             numeric NOT NULL,
    total           numeric NOT NULL,
    final           boolean NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    cost_updated_at timestamptz
);

-- 2.1 stations: the tariffs a station accepted (SetDefaultTariff answered Accepted), until cleared
-- (ClearTariffs answered Accepted); evse_id 0: the whole station.
CREATE TABLE cs.station_tariff (
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id    integer NOT NULL,
    tariff_id  text NOT NULL,
    command_id bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, evse_id, tariff_id)
);

INSERT INTO cs.setting (key, value, description) VALUES
    ('tariff.cost_updated_interval', '0',
     'seconds between CostUpdated messages sent to a 2.0.1 / 2.1 station during a priced transaction (on its TransactionEvent Updated); 0 sends none'),
    ('tariff.california_pricing', 'true',
     '1.6: send the California Pricing FinalCost DataTransfer (org.openchargealliance.costmsg) when a priced transaction stops at a station whose CustomDisplayCostAndPrice is true');
