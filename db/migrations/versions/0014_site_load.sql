-- Site load balancing and ISO 15118 smart charging (issue 15; docs/site-load-balancing.md,
-- docs/iso15118-smart-charging.md).

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

ALTER TABLE cs.ev_charging_needs
    ADD COLUMN transaction_id integer REFERENCES cs.transaction (id) ON DELETE SET NULL,
    ADD COLUMN schedule       jsonb,
    ADD COLUMN command_id     bigint REFERENCES cs.command (id) ON DELETE SET NULL;

ALTER TABLE cs.ev_charging_schedule
    ADD COLUMN within_limits         boolean,
    ADD COLUMN renegotiation_command bigint REFERENCES cs.command (id) ON DELETE SET NULL;

INSERT INTO cs.setting (key, value, description) VALUES
    ('site.min_current', '6',
     'A per phase, the least an EVSE of a site charges with when it has no minimum of its own; one that cannot get it waits (limit 0)'),
    ('site.underuse_ratio', '0.8',
     'an EVSE of a site drawing less than this share of its limit (last meter value) is held to its draw plus site.underuse_headroom; the rest goes to the others'),
    ('site.underuse_headroom', '2',
     'A per phase above its measured draw that an under-using EVSE of a site keeps'),
    ('site.draw_max_age', '300',
     'seconds; a meter value older than this says nothing about an EVSE''s draw'),
    ('site.profile_id', '1500',
     'chargingProfileId of the TxProfile sent to EVSE n of a site (and for ISO 15118 schedules) is this + n'),
    ('site.stack_level', '5',
     'stackLevel of the TxProfiles that site load balancing and ISO 15118 schedules send'),
    ('smart_charging.ev_schedule', 'true',
     'NotifyEVChargingNeeds of an EVSE with a running transaction is answered Accepted and ocpp-cs sends a schedule (false: Rejected, none)'),
    ('smart_charging.evse_max_current', '32',
     'A per phase an EVSE may take when neither the EV nor its site says less');
