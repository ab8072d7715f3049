-- Site load balancing (docs/site-load-balancing.md): a site is a group of stations behind one grid
-- connection with a limit in A (per phase) or W; ocpp-cs divides it among the EVSEs that charge there
-- (db/functions/15_sites/). Limits are per phase in A inside; W converts with voltage × phases.

CREATE TABLE cs.site (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    limit_value numeric NOT NULL CHECK (limit_value >= 0),
    limit_unit  text NOT NULL DEFAULT 'A' CHECK (limit_unit IN ('A', 'W')),
    voltage     numeric NOT NULL DEFAULT 230 CHECK (voltage > 0),   -- phase to neutral, for W <-> A
    phases      integer NOT NULL DEFAULT 3 CHECK (phases IN (1, 2, 3)),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A station belongs to one site at most; its EVSEs take the station's priority, minimum and maximum
-- (A per phase; null minimum: setting site.min_current, null maximum: no maximum of its own) unless
-- cs.site_evse says otherwise. A higher priority is served first.
CREATE TABLE cs.site_station (
    station_id  integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    site_id     integer NOT NULL REFERENCES cs.site (id) ON DELETE CASCADE,
    priority    integer NOT NULL DEFAULT 0,
    min_current numeric CHECK (min_current >= 0),
    max_current numeric CHECK (max_current >= 0),
    added_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX site_station_site_idx ON cs.site_station (site_id);

-- Per-EVSE priority, minimum and maximum of a member station; a null column takes the station's.
CREATE TABLE cs.site_evse (
    station_id  integer NOT NULL REFERENCES cs.site_station (station_id) ON DELETE CASCADE,
    evse_id     integer NOT NULL CHECK (evse_id > 0),
    priority    integer,
    min_current numeric CHECK (min_current >= 0),
    max_current numeric CHECK (max_current >= 0),
    PRIMARY KEY (station_id, evse_id)
);

-- The limit last given to each charging EVSE of a site (A per phase; 0: waits for its minimum), the
-- draw measured then and the SetChargingProfile that carried it; a row goes when its transaction ends.
-- A new profile is sent only when limit_a changes.
CREATE TABLE cs.site_allocation (
    station_id     integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id        integer NOT NULL,
    site_id        integer NOT NULL REFERENCES cs.site (id) ON DELETE CASCADE,
    transaction_id integer NOT NULL REFERENCES cs.transaction (id) ON DELETE CASCADE,
    limit_a        numeric NOT NULL,
    draw_a         numeric,
    held           boolean NOT NULL DEFAULT false,   -- under-using: held to draw_a + site.underuse_headroom
    meter_seen     bigint,   -- the transaction's last cs.meter_value id when limit_a was given: later ones measure it
    command_id     bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    allocated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, evse_id)
);

CREATE INDEX site_allocation_site_idx ON cs.site_allocation (site_id);
