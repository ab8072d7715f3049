-- Certificates and security (docs/security-profiles.md): client certificates bound to stations,
-- security events, certificate signing requests, certificates installed on stations, network profiles.

-- Client certificates bound to a station by an operator, for station.certificate_binding = 'mapping'
-- (security profile 3): the SHA-256 fingerprint of the certificate's DER, lowercase hex.
CREATE TABLE cs.station_certificate (
    fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    subject     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX station_certificate_station_idx ON cs.station_certificate (station_id);

-- SecurityEventNotifications, and what the central system saw itself.
CREATE TABLE cs.security_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    type        text NOT NULL,
    occurred_at timestamptz NOT NULL,   -- the station's timestamp
    tech_info   text,
    received_at timestamptz NOT NULL DEFAULT now(),
    -- station: a SecurityEventNotification; csms: what the central system saw (a refused handshake)
    source      text NOT NULL DEFAULT 'station' CHECK (source IN ('station', 'csms'))
);

CREATE INDEX security_event_station_idx ON cs.security_event (station_id, occurred_at);

-- Certificate signing requests (SignCertificate), until signed or rejected.
CREATE TABLE cs.certificate_request (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    csr        text NOT NULL,
    status     text NOT NULL DEFAULT 'Pending' CHECK (status IN ('Pending', 'Signed', 'Rejected')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- the CertificateSigned command that answered the request
    command_id bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    -- 2.0.1 certificateType (null: ChargingStationCertificate); 2.1 requestId and hashRootCertificate
    certificate_type      text,
    request_id            integer,
    hash_root_certificate jsonb
);

CREATE INDEX certificate_request_pending_idx ON cs.certificate_request (created_at) WHERE status = 'Pending';

-- Certificates installed on a station: from GetInstalledCertificateIds (hash data) or an accepted
-- InstallCertificate (the certificate as sent; hash data unknown until the station lists it).
CREATE TABLE cs.installed_certificate (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id       integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    certificate_type text NOT NULL,
    hash_algorithm   text,
    issuer_name_hash text,
    issuer_key_hash  text,
    serial_number    text,
    certificate      text,
    command_id       bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    child_hash_data  jsonb              -- 2.0.1 GetInstalledCertificateIds: childCertificateHashData
);

CREATE UNIQUE INDEX installed_certificate_hash_key
    ON cs.installed_certificate (station_id, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
    WHERE hash_algorithm IS NOT NULL;

-- SetNetworkProfile accepted: the connection data per configuration slot, as sent (passwords
-- included: the command's payload holds them too).
CREATE TABLE cs.network_profile (
    station_id         integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    configuration_slot integer NOT NULL,
    connection_data    jsonb NOT NULL,
    command_id         bigint REFERENCES cs.command (id) ON DELETE SET NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, configuration_slot)
);
