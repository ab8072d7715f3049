-- Hold up in the field (issue 13): docs/sql-api.md "Transactions the station never stopped",
-- docs/v201.md, docs/rest-api.md.

-- who closed a transaction when its station did not: a rule (the message that showed it dead) or an
-- operator (ocpp.close_transaction, with the session user)
ALTER TABLE cs.transaction ADD COLUMN closed_by text
    CHECK (closed_by IN ('BootNotification', 'StatusNotification', 'operator'));
ALTER TABLE cs.transaction ADD COLUMN closed_by_user text;

-- a repeated seqNo with other content is an event too: stored, no longer unique
DROP INDEX cs.transaction_event_seq_key;
CREATE INDEX transaction_event_seq_idx ON cs.transaction_event (station_id, transaction_ref, seq_no);

-- a measurand without a unit in OCPP (Power.Factor, RPM, an unknown one) has none
ALTER TABLE cs.meter_value ALTER COLUMN unit DROP NOT NULL;

-- the HeartbeatInterval the operator (or an accepted ChangeConfiguration / SetVariables) gave the
-- station; null follows the setting boot.heartbeat_interval
ALTER TABLE cs.station ADD COLUMN heartbeat_interval integer CHECK (heartbeat_interval > 0);

ALTER TABLE cs.api_token ADD COLUMN expires_at timestamptz;
-- a new signature is a new function: ocpp.api_token_create(name, role, expires)
DROP FUNCTION IF EXISTS ocpp.api_token_create(text, text);

INSERT INTO cs.setting (key, value, description) VALUES
    ('transaction.stop_on_boot', 'true',
     'a BootNotification closes the station''s open transactions (stop reason PowerLoss, a review row each)'),
    ('transaction.stop_on_available', 'true',
     'a connector reported Available closes its open transaction (stop reason Other, a review row)');
