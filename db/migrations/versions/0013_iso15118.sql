-- ISO 15118 certificate services (OCPP 2.0.1 C_50-52, M_24/26/28; docs/iso15118.md): the V2G and
-- contract certificates ocpp-cs knows, with their status and the OCSP response it answers
-- GetCertificateStatus with, and the exiResponses it answers Get15118EVCertificate with.

-- A certificate, by the hash data a station sends (OCPP OCSPRequestDataType): hex digests written
-- lower case, the serial number as lower-case hex without leading zeros. status: good or revoked as
-- the operator set it (local provider); for a certificate with a responder_url, what the last OCSP
-- response fetched from there said (unknown until one is fetched). The OCSP response is the one the
-- station gets (base64 DER), prepared by the pki worker (local responder or fetched over HTTP) and
-- cleared when the certificate is revoked, so no station is told good after the revocation.
CREATE TABLE cs.v2g_certificate (
    id                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash_algorithm    text NOT NULL CHECK (hash_algorithm IN ('SHA256', 'SHA384', 'SHA512')),
    issuer_name_hash  text NOT NULL CHECK (issuer_name_hash ~ '^[0-9a-f]{2,128}$'),
    issuer_key_hash   text NOT NULL CHECK (issuer_key_hash ~ '^[0-9a-f]{2,128}$'),
    serial_number     text NOT NULL CHECK (serial_number ~ '^[0-9a-f]{1,40}$'),
    certificate       text,                -- PEM of the certificate, matched by Authorize's certificate
    id_token          text,                -- the eMAID it belongs to, for the operator
    expires_at        timestamptz,         -- Authorize answers CertificateExpired after it
    responder_url     text,                -- null: the local responder; else fetched from here
    status            text NOT NULL DEFAULT 'good' CHECK (status IN ('good', 'revoked', 'unknown')),
    revoked_at        timestamptz,
    revocation_reason text,
    ocsp_response     text,                -- base64 DER OCSPResponse (RFC 6960)
    ocsp_this_update  timestamptz,
    ocsp_next_update  timestamptz,
    ocsp_error        text,                -- why the last attempt to prepare one failed
    ocsp_failed_at    timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT v2g_certificate_hash_key UNIQUE (hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
);

CREATE INDEX v2g_certificate_next_update_idx ON cs.v2g_certificate (ocsp_next_update);

-- The answers to Get15118EVCertificate: prepared by the operator (reply set when the row is made) or
-- asked of the contract-certificate service (reply null until the pki worker has its answer).
-- exi_request null: the next request of the station (identity) that has no exact match, used once.
CREATE TABLE cs.ev_certificate_response (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id   integer REFERENCES cs.station (id) ON DELETE CASCADE,
    exi_request  text,
    action       text CHECK (action IN ('Install', 'Update')),
    source       text NOT NULL CHECK (source IN ('operator', 'service')),
    payload      jsonb,                   -- the request forwarded to the service
    reply        jsonb,                   -- the Get15118EVCertificateResponse answered
    error        text,                    -- why the service gave no answer (last attempt)
    attempts     integer NOT NULL DEFAULT 0,
    failed_at    timestamptz,             -- the last attempt failed then
    created_at   timestamptz NOT NULL DEFAULT now(),
    answered_at  timestamptz,             -- the service's answer came in
    used_at      timestamptz,             -- last given to a station
    CHECK (exi_request IS NOT NULL OR station_id IS NOT NULL),
    CHECK (source = 'operator' OR exi_request IS NOT NULL)
);

CREATE INDEX ev_certificate_response_request_idx ON cs.ev_certificate_response (md5(exi_request));
CREATE INDEX ev_certificate_response_pending_idx ON cs.ev_certificate_response (id) WHERE reply IS NULL;

INSERT INTO cs.setting (key, value, description) VALUES
    ('iso15118.ocsp_validity', '"1 day"',
     'interval between thisUpdate and nextUpdate of the OCSP responses of the local responder'),
    ('iso15118.ocsp_refresh_before', '"1 hour"',
     'an OCSP response is prepared again this long before its nextUpdate'),
    ('iso15118.ocsp_retry', '"5 minutes"',
     'wait after a failed attempt to prepare or fetch an OCSP response (or ask the contract service) before the next one, and least time between two refreshes of one response'),
    ('iso15118.ocsp_url', '""',
     'OCSP responder asked about certificates GetCertificateStatus names and cs.v2g_certificate does not hold; empty: none (answer Failed)'),
    ('iso15118.contract_service_url', '""',
     'contract-certificate service Get15118EVCertificate requests without a prepared answer are forwarded to (POST JSON); empty: none');
