-- The pki worker's side of the ISO 15118 certificate services (server/pki/): what to prepare or
-- fetch, and where the results go. The worker is woken by NOTIFY ocpp_pki and scans now and then; it
-- does the crypto and the HTTP the database cannot, ocpp.parse answers stations from what it stored.
-- docs/iso15118.md.

-- ocpp.ocsp_to_refresh(lim): the certificates whose OCSP response is missing, or due (nextUpdate within
-- setting iso15118.ocsp_refresh_before) and not changed within iso15118.ocsp_retry, not failed within
-- iso15118.ocsp_retry, the most urgent first.
-- Returns an array of {"id", "hashAlgorithm", "issuerNameHash", "issuerKeyHash", "serialNumber",
-- "status", "revokedAt", "revocationReason", "responderUrl", "validitySeconds"} (responderUrl null: the
-- local responder signs; validitySeconds from iso15118.ocsp_validity). Raises OC007 for a lim below 1.
CREATE OR REPLACE FUNCTION ocpp.ocsp_to_refresh(lim integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    refresh_before interval := (cs.setting('iso15118.ocsp_refresh_before') #>> '{}')::interval;
    retry          interval := (cs.setting('iso15118.ocsp_retry') #>> '{}')::interval;
    validity       interval := (cs.setting('iso15118.ocsp_validity') #>> '{}')::interval;
BEGIN
    IF lim IS NULL OR lim < 1 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid limit', format('lim must be at least 1, is %s', lim));
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'id', c.id, 'hashAlgorithm', c.hash_algorithm, 'issuerNameHash', c.issuer_name_hash,
                   'issuerKeyHash', c.issuer_key_hash, 'serialNumber', c.serial_number,
                   'status', c.status, 'revokedAt', cs.ocpp_time(c.revoked_at),
                   'revocationReason', c.revocation_reason, 'responderUrl', c.responder_url,
                   'validitySeconds', extract(epoch FROM validity)::bigint)
                 ORDER BY c.ocsp_next_update NULLS FIRST, c.id)
          FROM (SELECT * FROM cs.v2g_certificate AS v
                 WHERE (v.ocsp_response IS NULL
                        -- a responder whose nextUpdate is always near is asked once per retry, not in a loop
                        OR (v.ocsp_next_update < now() + refresh_before AND v.updated_at < now() - retry))
                   AND (v.ocsp_failed_at IS NULL OR v.ocsp_failed_at < now() - retry)
                 ORDER BY v.ocsp_next_update NULLS FIRST, v.id
                 LIMIT lim) AS c), '[]'::jsonb);
END;
$$;

-- ocpp.ocsp_response_prepared(certificate_id, ocsp_response, cert_status, this_update, next_update,
-- revoked_at, revocation_reason): stores the OCSP response (base64 DER) the worker signed or fetched
-- for a certificate, which GetCertificateStatus answers with from now on. For a certificate of the
-- local responder cert_status must still be its status (a revocation in between makes the response
-- stale: it is dropped); for one of a remote responder, cert_status (and revoked_at, reason) become
-- its status. Returns true when stored, false when dropped.
-- Raises OC010 for an unknown certificate, OC007 for a cert_status other than good, revoked,
-- unknown or a response that is not base64.
CREATE OR REPLACE FUNCTION ocpp.ocsp_response_prepared(certificate_id integer, ocsp_response text,
                                                       cert_status text, this_update timestamptz,
                                                       next_update timestamptz,
                                                       revoked_at timestamptz DEFAULT NULL,
                                                       revocation_reason text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    c record;  -- a cs.v2g_certificate row (no %ROWTYPE: deployable before the table)
BEGIN
    IF cert_status IS NULL OR cert_status NOT IN ('good', 'revoked', 'unknown') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid certificate status',
                              format('%s is not good, revoked or unknown', cert_status));
    END IF;
    IF coalesce(ocsp_response, '') !~ '^[A-Za-z0-9+/]+={0,2}$' OR length(ocsp_response) > 5500 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid OCSP response', 'the response must be 1-5500 characters of base64');
    END IF;
    SELECT * INTO c FROM cs.v2g_certificate AS v WHERE v.id = certificate_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown certificate', format('no V2G certificate %s', certificate_id));
    END IF;
    IF c.responder_url IS NULL AND c.status <> cert_status THEN
        RETURN false;
    END IF;
    UPDATE cs.v2g_certificate AS v
       SET ocsp_response = ocsp_response_prepared.ocsp_response, ocsp_this_update = this_update,
           ocsp_next_update = next_update, ocsp_error = NULL, ocsp_failed_at = NULL, updated_at = now(),
           status = cert_status,
           revoked_at = CASE WHEN v.responder_url IS NULL THEN v.revoked_at
                             WHEN cert_status = 'revoked' THEN coalesce(ocsp_response_prepared.revoked_at, now()) END,
           revocation_reason = CASE WHEN v.responder_url IS NULL THEN v.revocation_reason
                                    WHEN cert_status = 'revoked' THEN ocsp_response_prepared.revocation_reason END
     WHERE v.id = certificate_id;
    RETURN true;
END;
$$;

-- ocpp.ocsp_response_failed(certificate_id, error): the worker could not sign or fetch a certificate's
-- OCSP response; it tries again after setting iso15118.ocsp_retry. The response it had stays until its
-- nextUpdate. Returns nothing. Raises OC010 for an unknown certificate.
CREATE OR REPLACE FUNCTION ocpp.ocsp_response_failed(certificate_id integer, error text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    UPDATE cs.v2g_certificate AS v
       SET ocsp_error = left(coalesce(error, 'failed'), 1000), ocsp_failed_at = now(), updated_at = now()
     WHERE v.id = certificate_id;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown certificate', format('no V2G certificate %s', certificate_id));
    END IF;
END;
$$;

-- ocpp.ev_certificate_requests_to_forward(lim): the Get15118EVCertificate requests waiting for the
-- contract-certificate service (setting iso15118.contract_service_url), not failed within
-- iso15118.ocsp_retry, oldest first. Returns an array of {"id", "identity", "payload", "url"}; empty
-- when no URL is set. Raises OC007 for a lim below 1.
CREATE OR REPLACE FUNCTION ocpp.ev_certificate_requests_to_forward(lim integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    url   text := cs.setting('iso15118.contract_service_url') #>> '{}';
    retry interval := (cs.setting('iso15118.ocsp_retry') #>> '{}')::interval;
BEGIN
    IF lim IS NULL OR lim < 1 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid limit', format('lim must be at least 1, is %s', lim));
    END IF;
    IF url = '' THEN
        RETURN '[]'::jsonb;
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object('id', r.id, 'identity', s.identity, 'payload', r.payload,
                                            'url', url) ORDER BY r.id)
          FROM (SELECT * FROM cs.ev_certificate_response AS e
                 WHERE e.reply IS NULL AND e.source = 'service'
                   AND (e.failed_at IS NULL OR e.failed_at < now() - retry)
                 ORDER BY e.id
                 LIMIT lim) AS r
          LEFT JOIN cs.station AS s ON s.id = r.station_id), '[]'::jsonb);
END;
$$;

-- ocpp.ev_certificate_forwarded(request_id, reply): the contract-certificate service's answer to a
-- forwarded request, a Get15118EVCertificateResponse ({"status": Accepted or Failed, "exiResponse",
-- "statusInfo"?}), which the station gets when it asks again with the same exiRequest.
-- Returns nothing. Raises OC010 for an unknown or answered request, OC007 for a reply that is not such
-- an object.
CREATE OR REPLACE FUNCTION ocpp.ev_certificate_forwarded(request_id bigint, reply jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    IF jsonb_typeof(reply) IS DISTINCT FROM 'object' OR reply->>'status' IS NULL
       OR reply->>'status' NOT IN ('Accepted', 'Failed') OR jsonb_typeof(reply->'exiResponse') IS DISTINCT FROM 'string'
       OR length(reply->>'exiResponse') > 7500
       OR (reply ? 'statusInfo' AND jsonb_typeof(reply->'statusInfo'->'reasonCode') IS DISTINCT FROM 'string') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid contract service reply',
                              'the reply must be {"status": "Accepted" or "Failed", "exiResponse": base64, "statusInfo"?}');
    END IF;
    UPDATE cs.ev_certificate_response AS e
       SET reply = jsonb_strip_nulls(jsonb_build_object('status', ev_certificate_forwarded.reply->'status',
                                                        'exiResponse', ev_certificate_forwarded.reply->'exiResponse',
                                                        'statusInfo', ev_certificate_forwarded.reply->'statusInfo')),
           answered_at = now(), error = NULL, attempts = e.attempts + 1
     WHERE e.id = request_id AND e.reply IS NULL AND e.source = 'service';
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'no such pending request',
                              format('Get15118EVCertificate request %s is not waiting for the service', request_id));
    END IF;
END;
$$;

-- ocpp.ev_certificate_forward_failed(request_id, error): the contract-certificate service could not
-- be asked or gave no usable answer; the worker tries again after setting iso15118.ocsp_retry.
-- Returns nothing. Raises OC010 for an unknown or answered request.
CREATE OR REPLACE FUNCTION ocpp.ev_certificate_forward_failed(request_id bigint, error text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    UPDATE cs.ev_certificate_response AS e
       SET error = left(coalesce(ev_certificate_forward_failed.error, 'failed'), 1000), failed_at = now(),
           attempts = e.attempts + 1
     WHERE e.id = request_id AND e.reply IS NULL AND e.source = 'service';
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'no such pending request',
                              format('Get15118EVCertificate request %s is not waiting for the service', request_id));
    END IF;
END;
$$;
