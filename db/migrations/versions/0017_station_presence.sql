-- last_seen moves from cs.station to cs.station_presence (db/schema/03_stations.sql says why).
CREATE TABLE cs.station_presence (
    station_id integer PRIMARY KEY REFERENCES cs.station (id) ON DELETE CASCADE,
    last_seen  timestamptz NOT NULL
) WITH (fillfactor = 50);
INSERT INTO cs.station_presence (station_id, last_seen)
SELECT s.id, s.last_seen FROM cs.station AS s WHERE s.last_seen IS NOT NULL;
ALTER TABLE cs.station DROP COLUMN last_seen;
