-- Node liveness: a lease per front-end node, and who declared it dead when it ran out. Nodes that exist
-- already get no lease (null: never reaped) until they start again with this version.
ALTER TABLE cs.node
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN reaped_at   timestamptz,
    ADD COLUMN reaped_by   text;

INSERT INTO cs.setting (key, value, description) VALUES
    ('node.lease_seconds', '15',
     'seconds a front-end node''s lease lasts; the node renews it every third of that (ocpp.node_renew)'),
    ('node.grace_seconds', '5',
     'seconds past an expired lease before another node declares the node dead (ocpp.node_reap)')
ON CONFLICT (key) DO NOTHING;
