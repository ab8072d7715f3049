-- ISO 15118 certificates known to ocpp-cs (cs.v2g_certificate): the operator's API to register and
-- revoke them, and the answers they give to Authorize (certificateStatus) and GetCertificateStatus
-- (the prepared OCSP response). docs/iso15118.md.

-- cs.v2g_hash_key(hash_data): the OCPP OCSPRequestDataType hash_data as the key cs.v2g_certificate is
-- written in: {hashAlgorithm, issuerNameHash, issuerKeyHash (lower-case hex), serialNumber
-- (lower-case hex without leading zeros)}. Returns that object. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v2g_hash_key(hash_data jsonb)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT jsonb_build_object(
        'hashAlgorithm', hash_data->>'hashAlgorithm',
        'issuerNameHash', lower(hash_data->>'issuerNameHash'),
        'issuerKeyHash', lower(hash_data->>'issuerKeyHash'),
        'serialNumber', CASE WHEN ltrim(lower(hash_data->>'serialNumber'), '0') = ''
                             THEN '0' ELSE ltrim(lower(hash_data->>'serialNumber'), '0') END)
$$;

-- cs.v2g_certificate_find(hash_data): the id of the cs.v2g_certificate row of the OCSPRequestDataType
-- hash_data (cs.v2g_hash_key), or null. (PL/pgSQL: the functions are deployed at every revision, also
-- at those before the table.) Raises nothing.
CREATE OR REPLACE FUNCTION cs.v2g_certificate_find(hash_data jsonb)
RETURNS integer
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    k  jsonb := cs.v2g_hash_key(hash_data);
    id integer;
BEGIN
    SELECT c.id INTO id FROM cs.v2g_certificate AS c
     WHERE c.hash_algorithm = k->>'hashAlgorithm' AND c.issuer_name_hash = k->>'issuerNameHash'
       AND c.issuer_key_hash = k->>'issuerKeyHash' AND c.serial_number = k->>'serialNumber';
    RETURN id;
END;
$$;

-- cs.v2g_pem_body(pem): the base64 body of the first certificate of a PEM text, whitespace removed,
-- or null when it holds none: how Authorize's certificate is matched with cs.v2g_certificate.certificate.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.v2g_pem_body(pem text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT regexp_replace((regexp_match(pem, '-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----'))[1],
                          '\s', '', 'g')
$$;

-- ocpp.register_v2g_certificate(hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number,
-- certificate, id_token, expires_at, responder_url): adds a V2G / contract certificate by its OCSP
-- hash data (hex; case and the serial's leading zeros do not matter), status good, or replaces the
-- details of the one with that hash data (its status stays). certificate: its PEM, for Authorize
-- with a certificate; responder_url null: the local OCSP responder answers for it, else the pki
-- worker fetches its OCSP responses from that URL. The pki worker is woken (NOTIFY ocpp_pki) to
-- prepare its OCSP response. Returns the certificate's id.
-- Raises OC007 for a hash algorithm other than SHA256, SHA384, SHA512, hashes that are not 1-64
-- bytes of hex, a serial number that is not 1-40 hex digits, a certificate that is not PEM, or a
-- responder URL that is not http(s).
CREATE OR REPLACE FUNCTION ocpp.register_v2g_certificate(hash_algorithm text, issuer_name_hash text,
                                                         issuer_key_hash text, serial_number text,
                                                         certificate text DEFAULT NULL,
                                                         id_token text DEFAULT NULL,
                                                         expires_at timestamptz DEFAULT NULL,
                                                         responder_url text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    k  jsonb := cs.v2g_hash_key(jsonb_build_object('hashAlgorithm', hash_algorithm,
                                                   'issuerNameHash', issuer_name_hash,
                                                   'issuerKeyHash', issuer_key_hash,
                                                   'serialNumber', serial_number));
    id integer;
BEGIN
    IF hash_algorithm IS NULL OR hash_algorithm NOT IN ('SHA256', 'SHA384', 'SHA512') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid hash algorithm',
                              format('hash algorithm %s is not SHA256, SHA384 or SHA512', hash_algorithm));
    END IF;
    IF coalesce(k->>'issuerNameHash', '') !~ '^([0-9a-f]{2}){1,64}$'
       OR coalesce(k->>'issuerKeyHash', '') !~ '^([0-9a-f]{2}){1,64}$' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid hash data', 'issuer name and key hashes must be 1-64 bytes of hex');
    END IF;
    IF coalesce(serial_number, '') !~* '^[0-9a-f]{1,40}$' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid serial number',
                              format('serial number %s is not 1-40 hex digits', serial_number));
    END IF;
    IF certificate IS NOT NULL AND cs.v2g_pem_body(certificate) IS NULL THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid certificate', 'certificate must be a PEM certificate');
    END IF;
    IF responder_url !~ '^https?://.+' THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid responder URL',
                              format('responder URL %s is not http(s)', responder_url));
    END IF;

    INSERT INTO cs.v2g_certificate AS c (hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number,
                                         certificate, id_token, expires_at, responder_url, status)
    VALUES (k->>'hashAlgorithm', k->>'issuerNameHash', k->>'issuerKeyHash', k->>'serialNumber',
            certificate, id_token, expires_at, responder_url,
            CASE WHEN responder_url IS NULL THEN 'good' ELSE 'unknown' END)
    ON CONFLICT ON CONSTRAINT v2g_certificate_hash_key DO UPDATE
       SET certificate = excluded.certificate, id_token = excluded.id_token,
           expires_at = excluded.expires_at, responder_url = excluded.responder_url,
           -- another responder: what the old one said no longer counts
           ocsp_response = CASE WHEN c.responder_url IS NOT DISTINCT FROM excluded.responder_url
                                THEN c.ocsp_response END,
           ocsp_next_update = CASE WHEN c.responder_url IS NOT DISTINCT FROM excluded.responder_url
                                   THEN c.ocsp_next_update END,
           updated_at = now()
    RETURNING c.id INTO id;
    PERFORM pg_notify('ocpp_pki', 'ocsp:' || id);
    RETURN id;
END;
$$;

-- ocpp.revoke_v2g_certificate(certificate_id, reason, revoked_at): revokes a certificate of the local
-- provider: status revoked, its OCSP response cleared (GetCertificateStatus answers Failed until the
-- pki worker, woken by NOTIFY ocpp_pki, has signed the revoked one) and Authorize answers
-- CertificateRevoked from now on. reason: an RFC 5280 CRLReason name (unspecified, keyCompromise,
-- cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold,
-- privilegeWithdrawn, aACompromise). Revoking a revoked certificate changes nothing. Returns nothing.
-- Raises OC010 for an unknown certificate, OC007 for another reason or a certificate whose status
-- its responder_url decides.
CREATE OR REPLACE FUNCTION ocpp.revoke_v2g_certificate(certificate_id integer, reason text DEFAULT 'unspecified',
                                                       revoked_at timestamptz DEFAULT now())
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    c record;  -- a cs.v2g_certificate row (no %ROWTYPE: deployable before the table)
BEGIN
    SELECT * INTO c FROM cs.v2g_certificate AS v WHERE v.id = certificate_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown certificate', format('no V2G certificate %s', certificate_id));
    END IF;
    IF reason IS NULL OR reason NOT IN ('unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged',
                                        'superseded', 'cessationOfOperation', 'certificateHold',
                                        'privilegeWithdrawn', 'aACompromise') THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid revocation reason',
                              format('%s is no RFC 5280 CRLReason', reason));
    END IF;
    IF c.responder_url IS NOT NULL THEN
        PERFORM cs.raise_ocpp('OC007', 'certificate of a remote responder',
                              format('certificate %s is revoked at %s, not here', certificate_id, c.responder_url));
    END IF;
    IF c.status = 'revoked' THEN
        RETURN;
    END IF;
    UPDATE cs.v2g_certificate AS v
       SET status = 'revoked', revoked_at = coalesce(revoke_v2g_certificate.revoked_at, now()),
           revocation_reason = reason, ocsp_response = NULL, ocsp_this_update = NULL,
           ocsp_next_update = NULL, ocsp_failed_at = NULL, ocsp_error = NULL, updated_at = now()
     WHERE v.id = certificate_id;
    PERFORM pg_notify('ocpp_pki', 'ocsp:' || certificate_id);
END;
$$;

-- cs.iso15118_certificate_status(st, payload): the answer to GetCertificateStatus from the
-- certificates ocpp-cs knows: Accepted with ocspResult when the certificate of ocspRequestData is in
-- cs.v2g_certificate with an OCSP response not past its nextUpdate; Failed with reasonCode
-- OCSPPending when it is there without one (the pki worker prepares it; the station asks again);
-- Failed/InvalidHashData when the hashes or the serial number are not hex; for a certificate not there: with setting iso15118.ocsp_url, it is added with that responder
-- (NOTIFY ocpp_pki) and answered Failed/OCSPPending; without, Failed/UnknownCertificate. Null (the
-- caller's NoPKI answer) when no certificate is known at all and no OCSP URL is set.
-- Returns the answer or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.iso15118_certificate_status(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    hash_data jsonb := payload->'ocspRequestData';
    c         record;  -- a cs.v2g_certificate row
    ocsp_url  text := cs.setting('iso15118.ocsp_url') #>> '{}';
    k         jsonb;
    new_id    integer;
BEGIN
    SELECT * INTO c FROM cs.v2g_certificate AS v WHERE v.id = cs.v2g_certificate_find(hash_data);
    IF c.id IS NOT NULL THEN
        IF c.ocsp_response IS NOT NULL AND (c.ocsp_next_update IS NULL OR c.ocsp_next_update > now()) THEN
            RETURN jsonb_build_object('status', 'Accepted', 'ocspResult', c.ocsp_response);
        END IF;
        RETURN jsonb_build_object('status', 'Failed', 'statusInfo', jsonb_build_object(
            'reasonCode', 'OCSPPending', 'additionalInfo', 'the OCSP response is being prepared; ask again'));
    END IF;
    k := cs.v2g_hash_key(hash_data);
    IF k->>'issuerNameHash' !~ '^([0-9a-f]{2}){1,64}$' OR k->>'issuerKeyHash' !~ '^([0-9a-f]{2}){1,64}$'
       OR k->>'serialNumber' !~ '^[0-9a-f]{1,40}$' THEN
        RETURN jsonb_build_object('status', 'Failed', 'statusInfo', jsonb_build_object(
            'reasonCode', 'InvalidHashData', 'additionalInfo', 'the hashes and the serial number must be hex'));
    END IF;
    IF ocsp_url <> '' THEN
        -- the station's responderURL is kept apart: asking a URL a station names would let any
        -- station make the central system send requests anywhere
        INSERT INTO cs.v2g_certificate (hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number,
                                        responder_url, status)
        VALUES (k->>'hashAlgorithm', k->>'issuerNameHash', k->>'issuerKeyHash', k->>'serialNumber',
                ocsp_url, 'unknown')
        ON CONFLICT ON CONSTRAINT v2g_certificate_hash_key DO NOTHING
        RETURNING id INTO new_id;
        PERFORM pg_notify('ocpp_pki', 'ocsp:' || new_id);
        RETURN jsonb_build_object('status', 'Failed', 'statusInfo', jsonb_build_object(
            'reasonCode', 'OCSPPending', 'additionalInfo', 'the OCSP response is being fetched; ask again'));
    END IF;
    IF NOT EXISTS (SELECT FROM cs.v2g_certificate) THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_build_object('status', 'Failed', 'statusInfo', jsonb_build_object(
        'reasonCode', 'UnknownCertificate', 'additionalInfo', 'the certificate is not known to the CSMS'));
END;
$$;

-- cs.iso15118_authorize(payload, reply): the Authorize reply with certificateStatus when payload
-- carries iso15118CertificateHashData or a certificate; reply unchanged otherwise. Each certificate
-- of the hash data (leaf first) and the certificate (matched by its PEM) is looked up in
-- cs.v2g_certificate: CertificateRevoked when one is revoked, else CertificateExpired when one is past
-- expires_at, else NoCertificateAvailable when none is known (a certificate whose responder has not
-- answered yet is not), else Accepted. When revoked or expired
-- idTokenInfo.status becomes Invalid. Returns the reply. Raises nothing.
CREATE OR REPLACE FUNCTION cs.iso15118_authorize(payload jsonb, reply jsonb)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    known    integer;
    revoked  boolean;
    expired  boolean;
    cert_status text;
BEGIN
    IF payload->'iso15118CertificateHashData' IS NULL AND payload->>'certificate' IS NULL THEN
        RETURN reply;
    END IF;
    SELECT count(*) FILTER (WHERE c.status <> 'unknown'), coalesce(bool_or(c.status = 'revoked'), false),
           coalesce(bool_or(c.expires_at < now()), false)
      INTO known, revoked, expired
      FROM cs.v2g_certificate AS c
     WHERE c.id IN (SELECT cs.v2g_certificate_find(h)
                      FROM jsonb_array_elements(coalesce(payload->'iso15118CertificateHashData', '[]')) AS h)
        OR (payload->>'certificate' IS NOT NULL
            AND cs.v2g_pem_body(c.certificate) = cs.v2g_pem_body(payload->>'certificate'));
    cert_status := CASE WHEN revoked THEN 'CertificateRevoked'
                        WHEN expired THEN 'CertificateExpired'
                        WHEN known = 0 THEN 'NoCertificateAvailable'
                        ELSE 'Accepted' END;
    reply := reply || jsonb_build_object('certificateStatus', cert_status);
    IF revoked OR expired THEN
        reply := jsonb_set(reply, '{idTokenInfo,status}', '"Invalid"');
    END IF;
    RETURN reply;
END;
$$;

-- cs.iso15118_service(st, action, payload): the built-in provider's answer to Get15118EVCertificate
-- (cs.iso15118_ev_certificate) or GetCertificateStatus (cs.iso15118_certificate_status), asked when
-- no cs.action_handler row answers; null for other actions and when the provider has nothing (the
-- NoPKI answer then). Returns the answer or null. Raises nothing.
CREATE OR REPLACE FUNCTION cs.iso15118_service(st cs.station, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    RETURN CASE action
        WHEN 'Get15118EVCertificate' THEN cs.iso15118_ev_certificate(st, payload)
        WHEN 'GetCertificateStatus' THEN cs.iso15118_certificate_status(st, payload)
    END;
END;
$$;
