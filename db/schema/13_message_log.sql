-- Every OCPP-J frame in and out, written in batches by the front end (ocpp.log_frames).
-- No foreign key to cs.station: the log keeps frames of stations that were refused or deleted.
-- message_type 2-4 as in OCPP-J, 5 (CALLRESULTERROR) and 6 (SEND) as in 2.1; null for what is not an
-- OCPP-J message: handshakes (refused ones carry the HTTP
-- status as error_code), connects, disconnects, and frames too broken to classify.

CREATE TABLE cs.message_log (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    latency_ms        real
);

CREATE INDEX message_log_created_idx ON cs.message_log (created_at);
CREATE INDEX message_log_identity_idx ON cs.message_log (identity, created_at);
