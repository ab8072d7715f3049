-- ocpp.disconnect(identity, node) becomes ocpp.disconnect(identity, node, connected_at default null)
-- (db/functions/01_stations/connect.sql): a new signature is a new function, so the old one goes here.
-- A node of the previous version calling it with two arguments gets the new one (the default).
DROP FUNCTION IF EXISTS ocpp.disconnect(text, text);
