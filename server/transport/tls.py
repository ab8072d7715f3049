"""The wss:// listener's TLS: the server context ([tls] in the configuration), and what a handshake
tells about the station (TLS or not, the verified client certificate) for ocpp.connect to decide the
security profile."""
from __future__ import annotations

import logging
import ssl
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ..config import Config, ConfigError
from ..signer import LocalCA

log = logging.getLogger("ocpp_cs.transport")

# TLS 1.2 suites the OCPP security whitepaper (1.6) and OCPP 2.0.1 part 2 allow; TLS 1.3 keeps
# OpenSSL's defaults (set_ciphers does not touch them).
OCPP_TLS12_CIPHERS = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
    "AES128-GCM-SHA256", "AES256-GCM-SHA384",
])


def station_ca_files(config: Config) -> list[str]:
    """The CA files station certificates may chain to: [tls] station_ca and, with the local-ca
    signer, its ca.pem (made here when it does not exist yet, so it can be trusted before the
    signer first runs)."""
    files = list(config.tls.station_ca)
    if config.certificates.signer == "local-ca":
        files.append(str(LocalCA(config.local_ca_dir, config.certificates.validity_days).cert_path))
    return files


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise ConfigError(f"tls: cannot read {what} {path}: {e.strerror or e}") from None


def _key_type(key: Any) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ECDSA"
    return type(key).__name__


def _check_pair(cert_path: str, key_path: str) -> str:
    """The pair's key type; ConfigError naming the file when either does not parse or the key is
    not the certificate's (OpenSSL's own message for that is 'key values mismatch')."""
    try:
        cert = x509.load_pem_x509_certificates(_read(cert_path, "certificate"))[0]
    except ValueError as e:
        raise ConfigError(f"tls: {cert_path} holds no PEM certificate: {e}") from None
    try:
        key = serialization.load_pem_private_key(_read(key_path, "key"), password=None)
    except TypeError:
        raise ConfigError(f"tls: key {key_path} is encrypted; give it unencrypted, readable by "
                          "ocpp-cs only") from None
    except ValueError:
        raise ConfigError(f"tls: {key_path} holds no PEM private key") from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise ConfigError(f"tls: key {key_path} does not match certificate {cert_path}")
    return _key_type(cert.public_key())


def server_context(config: Config) -> ssl.SSLContext | None:
    """The context of the [tls] listener, None when it is off. Raises ConfigError with one line
    naming the file at fault."""
    c = config.tls
    if not c.port:
        return None
    if not c.certificates:
        raise ConfigError("tls: port is set but no certificates are given ([tls] certificates, keys)")
    if len(c.certificates) != len(c.keys):
        raise ConfigError(f"tls: {len(c.certificates)} certificates but {len(c.keys)} keys; "
                          "give one key per certificate, in the same order")
    # Not create_default_context: that would trust the system's public CAs for client certificates.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(OCPP_TLS12_CIPHERS)
    seen: dict[str, str] = {}
    for cert_path, key_path in zip(c.certificates, c.keys):
        kind = _check_pair(cert_path, key_path)
        if kind in seen:
            # OpenSSL would silently keep only the last certificate of a key type.
            raise ConfigError(f"tls: {seen[kind]} and {cert_path} both hold {kind} keys; give at "
                              "most one certificate per key type (one RSA, one ECDSA)")
        seen[kind] = cert_path
        try:
            context.load_cert_chain(cert_path, key_path)
        except ssl.SSLError as e:
            raise ConfigError(f"tls: cannot use certificate {cert_path} with key {key_path}: "
                              f"{e.reason or e}") from None
    cas = station_ca_files(config)
    for ca in cas:
        _read(ca, "station CA")
        try:
            context.load_verify_locations(cafile=ca)
        except ssl.SSLError as e:
            raise ConfigError(f"tls: station CA {ca} holds no usable certificate: "
                              f"{e.reason or e}") from None
    if cas:
        # Optional at the TLS layer: profile 2 stations have none. One that is presented must
        # verify, or the handshake fails; ocpp.connect decides whether it is enough.
        context.verify_mode = ssl.CERT_OPTIONAL
        # A station CA may be an intermediate (an operator's sub-CA): trust it as an anchor, as the
        # proxy check (verify_directly_issued_by) does.
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    else:
        log.info("tls: no station CA ([tls] station_ca, or signer local-ca): client certificates "
                 "are not asked for, so no station can use security profile 3")
    return context


def certificate_facts(cert: x509.Certificate) -> dict[str, Any]:
    """What ocpp.connect is told about a verified client certificate."""
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    cn = cns[0].value if cns else None
    return {
        "subject": cert.subject.rfc4514_string(),
        "cn": cn.decode() if isinstance(cn, bytes) else cn,
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "fingerprint": cert.fingerprint(hashes.SHA256()).hex(),
        "notAfter": cert.not_valid_after_utc.isoformat(),
    }


def direct_security(request: web.Request) -> tuple[bool, dict[str, Any] | None]:
    """(tls, certificate) of the connection itself. A certificate here was verified by the
    handshake (CERT_OPTIONAL refuses one that does not chain to a station CA)."""
    transport = request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if ssl_object is None:
        return False, None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return True, None
    return True, certificate_facts(x509.load_der_x509_certificate(der))
