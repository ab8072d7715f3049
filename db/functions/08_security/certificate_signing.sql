-- Signing the CSRs stations send with SignCertificate (Security Whitepaper). The signer is outside
-- the database (ocpp-cs's local CA for development, or your PKI): it takes the requests to sign,
-- and hands back a chain, which goes to the station as a CertificateSigned command.

-- ocpp.certificate_requests_to_sign(lim): the Pending cs.certificate_request rows no CertificateSigned
-- command is queued, sent or accepted for, oldest first. Returns an array of {"id", "identity", "csr",
-- "createdAt"}. Raises OC007 for a lim below 1.
CREATE OR REPLACE FUNCTION ocpp.certificate_requests_to_sign(lim integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF lim IS NULL OR lim < 1 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid limit', format('lim must be at least 1, is %s', lim));
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object('id', r.id, 'identity', s.identity, 'csr', r.csr,
                                            'createdAt', cs.ocpp_time(r.created_at)) ORDER BY r.id)
          FROM (SELECT q.* FROM cs.certificate_request AS q
                  LEFT JOIN cs.command AS c ON c.id = q.command_id
                 WHERE q.status = 'Pending'
                   AND (c.id IS NULL OR c.status NOT IN ('queued', 'sent', 'answered')
                        OR (c.status = 'answered' AND c.response->>'status' = 'Rejected'))
                 ORDER BY q.id
                 LIMIT lim) AS r
          JOIN cs.station AS s ON s.id = r.station_id), '[]'::jsonb);
END;
$$;

-- ocpp.certificate_request_signed(request_id, certificate_chain, wait): queues the CertificateSigned
-- command carrying the chain (PEM, leaf first) to the request's station, waiting up to `wait` for it
-- to be online, and links it to the request, which becomes Signed when the station accepts it. To a
-- 2.0.1 station it names the certificateType the request asked for.
-- Returns the command id. Raises OC010 for an unknown request or one that is not Pending, and what
-- ocpp.certificate_signed raises.
CREATE OR REPLACE FUNCTION ocpp.certificate_request_signed(request_id bigint, certificate_chain text,
                                                           wait interval DEFAULT '1 day')
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    req      cs.certificate_request;
    identity text;
    cmd      bigint;
BEGIN
    SELECT * INTO req FROM cs.certificate_request AS r WHERE r.id = certificate_request_signed.request_id FOR UPDATE;
    IF NOT FOUND OR req.status <> 'Pending' THEN
        PERFORM cs.raise_ocpp('OC010', 'no such pending certificate request',
                              format('certificate request %s is %s', certificate_request_signed.request_id,
                                     coalesce(req.status, 'unknown')));
    END IF;
    SELECT s.identity INTO identity FROM cs.station AS s WHERE s.id = req.station_id;
    cmd := ocpp.certificate_signed(identity, certificate_chain,
                                   certificate_type => CASE WHEN cs.station_version(identity) <> '1.6'
                                                            THEN req.certificate_type END,
                                   wait => wait);
    UPDATE cs.certificate_request AS r SET command_id = cmd, updated_at = now() WHERE r.id = req.id;
    RETURN cmd;
END;
$$;

-- ocpp.certificate_request_rejected(request_id, reason): the signer will not sign this CSR (it does
-- not parse, its signature is wrong, policy): the request becomes Rejected and the reason is kept in
-- cs.review. Returns nothing. Raises OC010 for an unknown request or one that is not Pending.
CREATE OR REPLACE FUNCTION ocpp.certificate_request_rejected(request_id bigint, reason text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    req cs.certificate_request;
BEGIN
    UPDATE cs.certificate_request AS r SET status = 'Rejected', updated_at = now()
     WHERE r.id = certificate_request_rejected.request_id AND r.status = 'Pending'
    RETURNING * INTO req;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'no such pending certificate request',
                              format('certificate request %s is not Pending', certificate_request_rejected.request_id));
    END IF;
    INSERT INTO cs.review (station_id, action, reason, payload)
    VALUES (req.station_id, 'SignCertificate', coalesce(reason, 'rejected by the signer'),
            jsonb_build_object('certificateRequest', req.id));
END;
$$;
