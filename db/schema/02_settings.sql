-- Settings an operator may argue about; read with cs.setting(key), changed with ocpp.set_setting().
-- The rows below are the shipped defaults (docs/sql-api.md, "Settings").

CREATE TABLE cs.setting (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    description text NOT NULL
);

INSERT INTO cs.setting (key, value, description) VALUES
    ('boot.unknown_station', '"Accepted"',
     'registration given to a station the first time it is seen: Accepted, Pending or Rejected'),
    ('boot.heartbeat_interval', '300',
     'seconds, the interval of an Accepted BootNotification'),
    ('boot.retry_interval', '60',
     'seconds, the interval of a Pending or Rejected BootNotification'),
    ('authorize.unknown_id_tag', '"Accepted"',
     'status of an id tag that is not in cs.id_tag: Accepted or Invalid'),
    ('authorize.concurrent_tx', 'true',
     'answer ConcurrentTx when the tag already has a running transaction'),
    ('transaction.dedupe_start', 'true',
     'a retried StartTransaction returns the transaction it opened before'),
    ('transaction.stop_on_boot', 'true',
     'a BootNotification closes the station''s open transactions (stop reason PowerLoss, a review row each)'),
    ('transaction.stop_on_available', 'true',
     'a connector reported Available closes its open transaction (stop reason Other, a review row)'),
    ('station.auth_required', 'false',
     'HTTP Basic auth required for every station (per station: cs.station.auth_required)'),
    ('station.security_profile', '0',
     'lowest security profile (0-3) a station may connect with (per station: cs.station.security_profile)'),
    ('station.certificate_binding', '"cn"',
     'which client certificate of a trusted CA is a station''s own (profile 3): cn (its common name is the identity), mapping (cs.station_certificate) or any'),
    ('station.password_cost', '8',
     'bcrypt cost (4-16) of station password hashes; each step doubles the time of a Basic-auth check'),
    ('station.password_hex_fallback', 'true',
     'a Basic-auth password written as hex digits also matches the bytes they encode (1.6 AuthorizationKey sent as text)'),
    ('message_log.retention', '"30 days"',
     'age after which ocpp.log_cleanup() deletes message log rows'),
    ('data_transfer.unknown_vendor', '"UnknownVendorId"',
     'DataTransfer status when no handler is registered for the vendorId'),
    ('node.lease_seconds', '15',
     'seconds a front-end node''s lease lasts; the node renews it every third of that (ocpp.node_renew)'),
    ('node.grace_seconds', '5',
     'seconds past an expired lease before another node declares the node dead (ocpp.node_reap)');
