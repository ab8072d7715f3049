-- Get15118EVCertificate (OCPP 2.0.1 M_24/26/28 use cases M01/M02): the EV's CertificateInstallationReq /
-- CertificateUpdateReq, EXI and base64, answered with an exiResponse the operator prepared or the
-- contract-certificate service gave (cs.ev_certificate_response). ocpp-cs has no EXI codec: it matches
-- the request as text, it never reads it. docs/iso15118.md.

-- ocpp.prepare_ev_certificate(exi_response, exi_request, identity, action): an exiResponse (base64
-- EXI of the CertificateInstallationRes / CertificateUpdateRes, made with the operator's own 15118
-- tools) that Get15118EVCertificate answers with status Accepted: to the request whose exiRequest is
-- exactly exi_request (from any station, or only from identity's), every time it comes; with
-- exi_request null, to the next request of station identity that has no exact match, once. action
-- (Install, Update) null: either. Returns the id of the cs.ev_certificate_response row.
-- Raises OC007 for an empty or not base64 exi_response or exi_request, both exi_request and identity
-- null, or another action; OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.prepare_ev_certificate(exi_response text, exi_request text DEFAULT NULL,
                                                       identity text DEFAULT NULL, action text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    station integer;
    id      bigint;
BEGIN
    IF coalesce(exi_response, '') !~ '^[A-Za-z0-9+/]+={0,2}$' OR length(exi_response) > 7500 THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid exiResponse', 'exi_response must be 1-7500 characters of base64');
    END IF;
    IF exi_request !~ '^[A-Za-z0-9+/]+={0,2}$' OR exi_request = '' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid exiRequest', 'exi_request must be base64');
    END IF;
    IF exi_request IS NULL AND identity IS NULL THEN
        PERFORM cs.raise_ocpp('OC007', 'no request to answer', 'give exi_request or identity (or both)');
    END IF;
    IF action NOT IN ('Install', 'Update') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid certificate action', format('%s is not Install or Update', action));
    END IF;
    IF identity IS NOT NULL THEN
        SELECT s.id INTO station FROM cs.station AS s WHERE s.identity = prepare_ev_certificate.identity;
        IF NOT FOUND THEN
            PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', identity));
        END IF;
    END IF;
    INSERT INTO cs.ev_certificate_response (station_id, exi_request, action, source, reply, answered_at)
    VALUES (station, exi_request, action, 'operator',
            jsonb_build_object('status', 'Accepted', 'exiResponse', exi_response), now())
    RETURNING cs.ev_certificate_response.id INTO id;
    RETURN id;
END;
$$;

-- cs.iso15118_ev_certificate(st, payload): the answer to Get15118EVCertificate from
-- cs.ev_certificate_response: the newest answered row whose exi_request is payload's exiRequest (of
-- st or any station), else the oldest unused row of st without exi_request (then used), action null
-- or payload's. Without one: with setting iso15118.contract_service_url the request is queued for the
-- pki worker to forward (NOTIFY ocpp_pki; one row per exiRequest) and answered Failed with reasonCode
-- Pending (the service's answer goes to the next request with this exiRequest); without, Failed with
-- reasonCode NoExiResponse, or null (the caller's NoPKI answer) when nothing was ever prepared.
-- Returns the answer or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.iso15118_ev_certificate(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    exi         text := payload->>'exiRequest';
    req_action  text := payload->>'action';
    service_url text := cs.setting('iso15118.contract_service_url') #>> '{}';
    r           record;  -- a cs.ev_certificate_response row
    pending     bigint;
BEGIN
    SELECT * INTO r FROM cs.ev_certificate_response AS e
     WHERE md5(e.exi_request) = md5(exi) AND e.exi_request = exi
       AND (e.station_id IS NULL OR e.station_id = st.id)
       AND (e.action IS NULL OR e.action = req_action)
     ORDER BY e.reply IS NOT NULL DESC, e.id DESC
     LIMIT 1;
    IF NOT FOUND OR r.reply IS NULL THEN
        pending := r.id;  -- asked of the service, no answer yet
        SELECT * INTO r FROM cs.ev_certificate_response AS e
         WHERE e.station_id = st.id AND e.exi_request IS NULL AND e.used_at IS NULL
           AND (e.action IS NULL OR e.action = req_action)
         ORDER BY e.id
         LIMIT 1
         FOR UPDATE SKIP LOCKED;
    END IF;
    IF r.reply IS NOT NULL THEN
        UPDATE cs.ev_certificate_response AS e SET used_at = now() WHERE e.id = r.id;
        RETURN r.reply;
    END IF;
    IF service_url <> '' THEN
        IF pending IS NULL THEN
            INSERT INTO cs.ev_certificate_response (station_id, exi_request, action, source, payload)
            VALUES (st.id, exi, req_action, 'service', payload)
            RETURNING id INTO pending;
        END IF;
        PERFORM pg_notify('ocpp_pki', 'exi:' || pending);
        RETURN jsonb_build_object('status', 'Failed', 'exiResponse', '', 'statusInfo', jsonb_build_object(
            'reasonCode', 'Pending', 'additionalInfo', 'asked the contract certificate service; ask again'));
    END IF;
    IF NOT EXISTS (SELECT FROM cs.ev_certificate_response) THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_build_object('status', 'Failed', 'exiResponse', '', 'statusInfo', jsonb_build_object(
        'reasonCode', 'NoExiResponse', 'additionalInfo', 'no exiResponse is prepared for this request'));
END;
$$;
