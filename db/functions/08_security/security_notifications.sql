-- What stations send about their security: SecurityEventNotification (every version: the 1.6
-- handler) and SignCertificate (1.6 and 2.0.1 / 2.1; certificate_signing.sql signs the requests).

-- cs.v16_security_event_notification(st, payload): a cs.security_event row (type, timestamp,
-- techInfo). Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_security_event_notification(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO cs.security_event (station_id, type, occurred_at, tech_info)
    VALUES (st.id, payload->>'type', coalesce((payload->>'timestamp')::timestamptz, now()),
            payload->>'techInfo');
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v16_sign_certificate(st, payload): a cs.certificate_request row for the csr, status Pending (the
-- CertificateSigned call that answers it is sent later, see certificate_signing.sql), and a NOTIFY
-- ocpp_csr with its id to wake the signer. Returns {"status": "Accepted"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v16_sign_certificate(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    request bigint;
BEGIN
    INSERT INTO cs.certificate_request AS r (station_id, csr) VALUES (st.id, payload->>'csr')
    RETURNING r.id INTO request;
    PERFORM pg_notify('ocpp_csr', request::text);
    RETURN jsonb_build_object('status', 'Accepted');
END;
$$;

-- cs.v201_sign_certificate(st, payload): a cs.certificate_request row for the csr, status Pending,
-- with certificateType (null: ChargingStationCertificate), 2.1 requestId and hashRootCertificate,
-- and a NOTIFY ocpp_csr with its id to wake the signer (as for 1.6, certificate_signing.sql).
-- Returns {"status": "Accepted"}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_sign_certificate(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    request bigint;
BEGIN
    INSERT INTO cs.certificate_request AS r (station_id, csr, certificate_type, request_id,
                                             hash_root_certificate)
    VALUES (st.id, payload->>'csr', payload->>'certificateType', (payload->>'requestId')::integer,
            payload->'hashRootCertificate')
    RETURNING r.id INTO request;
    PERFORM pg_notify('ocpp_csr', request::text);
    RETURN jsonb_build_object('status', 'Accepted');
END;
$$;
