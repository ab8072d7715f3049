-- Every OCPP-J frame in and out, written in batches by the front end (ocpp.log_frames).
-- No foreign key to cs.station: the log keeps frames of stations that were refused or deleted.
-- message_type 2-4 as in OCPP-J, 5 (CALLRESULTERROR) and 6 (SEND) as in 2.1; null for what is not an
-- OCPP-J message: handshakes (refused ones carry the HTTP
-- status as error_code), connects, disconnects, and frames too broken to classify.
-- Partitioned by day of created_at (UTC days, cs.message_log_pYYYYMMDD), so that retention drops whole
-- days instead of deleting rows (ocpp.log_cleanup, ocpp.partition_maintain); the primary key must hold
-- the partition key. Rows of a day that has no partition yet land in cs.message_log_default and move to
-- their own partition when ocpp.partition_maintain creates it.

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
