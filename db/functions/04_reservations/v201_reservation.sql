-- OCPP 2.0.1 / 2.1 ReservationStatusUpdate. docs/v201.md, "Reservations".

-- cs.v201_reservation_status_update(st, payload): the station's Accepted reservation reservationId
-- takes reservationUpdateStatus (Expired, Removed; 2.1 NoTransaction) and status_at; an unknown one,
-- or one no longer Accepted, is kept in cs.review ('unknown reservation'). Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_reservation_status_update(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE cs.reservation AS r
       SET status = payload->>'reservationUpdateStatus', status_at = now()
     WHERE r.id = (payload->>'reservationId')::integer AND r.station_id = st.id AND r.status = 'Accepted';
    IF NOT FOUND THEN
        INSERT INTO cs.review (station_id, action, reason, payload)
        VALUES (st.id, 'ReservationStatusUpdate', 'unknown reservation', payload);
    END IF;
    RETURN '{}'::jsonb;
END;
$$;
