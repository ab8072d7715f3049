-- History that grows without bound, partitioned by time (issue 16): cs.message_log by UTC day of
-- created_at, cs.meter_value by UTC month of received_at, each with a DEFAULT partition that takes
-- whatever has no partition yet. A primary key of a partitioned table must hold the partition key:
-- (id, created_at) and (id, received_at). Nothing references either table (no foreign key, no ON
-- CONFLICT). The rows move into the new tables here, one partition for each day / month that has rows;
-- the identity sequences go on where the old ones stopped (no id is used twice). Partitions ahead and
-- retention: ocpp.partition_maintain(), run by ocpp.log_cleanup() (the server calls it at start and
-- hourly).

-- message log
ALTER TABLE cs.message_log RENAME TO message_log_old;
ALTER INDEX cs.message_log_pkey RENAME TO message_log_old_pkey;
ALTER INDEX cs.message_log_created_idx RENAME TO message_log_old_created_idx;
ALTER INDEX cs.message_log_identity_idx RENAME TO message_log_old_identity_idx;
ALTER SEQUENCE cs.message_log_id_seq RENAME TO message_log_old_id_seq;
-- constraint names are chosen unique in the schema: free them for the new table
ALTER TABLE cs.message_log_old RENAME CONSTRAINT message_log_direction_check TO message_log_old_direction_check;
ALTER TABLE cs.message_log_old RENAME CONSTRAINT message_log_message_type_check TO message_log_old_message_type_check;
DROP TRIGGER message_log_notify ON cs.message_log_old;
-- takes the row type of the old table (when functions were deployed); `db upgrade` creates it again after the migrations
DROP FUNCTION IF EXISTS cs.message_log_json(cs.message_log_old);

CREATE TABLE cs.message_log (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    identity          text NOT NULL,
    account           text,
    direction         text NOT NULL CHECK (direction IN ('in', 'out')),
    message_type      smallint CHECK (message_type IN (2, 3, 4, 5, 6)),
    action            text,
    unique_id         text,
    payload           jsonb,
    error_code        text,
    error_description text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    latency_ms        real,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE cs.message_log_default PARTITION OF cs.message_log DEFAULT;

CREATE INDEX message_log_created_idx ON cs.message_log (created_at);
CREATE INDEX message_log_identity_idx ON cs.message_log (identity, created_at);

DO $$
DECLARE
    d timestamp;
BEGIN
    FOR d IN SELECT DISTINCT date_trunc('day', m.created_at AT TIME ZONE 'UTC') FROM cs.message_log_old AS m LOOP
        EXECUTE format('CREATE TABLE cs.%I PARTITION OF cs.message_log FOR VALUES FROM (%L) TO (%L)',
                       'message_log_p' || to_char(d, 'YYYYMMDD'), d AT TIME ZONE 'UTC',
                       (d + interval '1 day') AT TIME ZONE 'UTC');
    END LOOP;
END;
$$;

INSERT INTO cs.message_log (id, identity, account, direction, message_type, action, unique_id, payload,
                            error_code, error_description, created_at, latency_ms)
OVERRIDING SYSTEM VALUE
SELECT id, identity, account, direction, message_type, action, unique_id, payload, error_code,
       error_description, created_at, latency_ms
  FROM cs.message_log_old;

SELECT setval(pg_get_serial_sequence('cs.message_log', 'id'), s.last_value, s.is_called)
  FROM cs.message_log_old_id_seq AS s;

DROP TABLE cs.message_log_old;

CREATE TRIGGER message_log_notify AFTER INSERT ON cs.message_log
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cs.notify_message_log();

-- meter values
ALTER TABLE cs.meter_value RENAME TO meter_value_old;
ALTER INDEX cs.meter_value_pkey RENAME TO meter_value_old_pkey;
ALTER INDEX cs.meter_value_transaction_idx RENAME TO meter_value_old_transaction_idx;
ALTER INDEX cs.meter_value_station_idx RENAME TO meter_value_old_station_idx;
ALTER SEQUENCE cs.meter_value_id_seq RENAME TO meter_value_old_id_seq;
ALTER TABLE cs.meter_value_old RENAME CONSTRAINT meter_value_station_id_fkey TO meter_value_old_station_id_fkey;

CREATE TABLE cs.meter_value (
    id             bigint GENERATED ALWAYS AS IDENTITY,
    station_id     integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    evse_id        integer NOT NULL,
    connector_id   integer NOT NULL,
    transaction_id integer,
    sampled_at     timestamptz NOT NULL,
    value          text NOT NULL,
    numeric_value  numeric,
    context        text NOT NULL,
    format         text NOT NULL,
    measurand      text NOT NULL,
    phase          text,
    location       text NOT NULL,
    unit           text,
    received_at    timestamptz NOT NULL DEFAULT now(),
    multiplier         integer,
    signed_meter_value jsonb,
    PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);

CREATE TABLE cs.meter_value_default PARTITION OF cs.meter_value DEFAULT;

CREATE INDEX meter_value_transaction_idx ON cs.meter_value (transaction_id) WHERE transaction_id IS NOT NULL;
CREATE INDEX meter_value_station_idx ON cs.meter_value (station_id, sampled_at);

DO $$
DECLARE
    d timestamp;
BEGIN
    FOR d IN SELECT DISTINCT date_trunc('month', m.received_at AT TIME ZONE 'UTC') FROM cs.meter_value_old AS m LOOP
        EXECUTE format('CREATE TABLE cs.%I PARTITION OF cs.meter_value FOR VALUES FROM (%L) TO (%L)',
                       'meter_value_p' || to_char(d, 'YYYYMM'), d AT TIME ZONE 'UTC',
                       (d + interval '1 month') AT TIME ZONE 'UTC');
    END LOOP;
END;
$$;

INSERT INTO cs.meter_value (id, station_id, evse_id, connector_id, transaction_id, sampled_at, value,
                            numeric_value, context, format, measurand, phase, location, unit, received_at,
                            multiplier, signed_meter_value)
OVERRIDING SYSTEM VALUE
SELECT id, station_id, evse_id, connector_id, transaction_id, sampled_at, value, numeric_value, context,
       format, measurand, phase, location, unit, received_at, multiplier, signed_meter_value
  FROM cs.meter_value_old;

SELECT setval(pg_get_serial_sequence('cs.meter_value', 'id'), s.last_value, s.is_called)
  FROM cs.meter_value_old_id_seq AS s;

DROP TABLE cs.meter_value_old;

UPDATE cs.setting SET description = 'age after which ocpp.log_cleanup() removes message log rows (whole days of them by dropping their partition)'
 WHERE key = 'message_log.retention';

INSERT INTO cs.setting (key, value, description) VALUES
    ('history.exact_retention', 'true',
     'ocpp.partition_maintain() also deletes the rows past retention from the partition that straddles the boundary (false: whole partitions only, rows stay up to a day / month longer)'),
    ('history.partitions_ahead', '3',
     'partitions ocpp.partition_maintain() keeps ready after the current one: days of cs.message_log, months of cs.meter_value (1-366)'),
    ('meter_value.retention', 'null',
     'age (by received_at) after which ocpp.partition_maintain() removes meter values; null keeps them forever')
ON CONFLICT (key) DO NOTHING;
