"""The local OCSP responder: signs an RFC 6960 OCSPResponse for a certificate known to SQL by its
hash data, with the status SQL holds. It signs as the issuer (the local CA) or as a delegated
responder whose certificate the issuer gave id-kp-OCSPSigning; a station or EV checks it as it would
any OCSP response."""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

HASHES: dict[str, type[hashes.HashAlgorithm]] = {"SHA256": hashes.SHA256, "SHA384": hashes.SHA384,
                                                 "SHA512": hashes.SHA512}

# RFC 5280 CRLReason names as SQL keeps them (ocpp.revoke_v2g_certificate) and cryptography's flags
REASONS: dict[str, x509.ReasonFlags] = {
    "unspecified": x509.ReasonFlags.unspecified, "keyCompromise": x509.ReasonFlags.key_compromise,
    "cACompromise": x509.ReasonFlags.ca_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "certificateHold": x509.ReasonFlags.certificate_hold,
    "privilegeWithdrawn": x509.ReasonFlags.privilege_withdrawn,
    "aACompromise": x509.ReasonFlags.aa_compromise,
}
REASON_NAMES = {flag: name for name, flag in REASONS.items()}


@dataclass
class Prepared:
    """An OCSP response ready for SQL (ocpp.ocsp_response_prepared)."""
    response_b64: str
    cert_status: str             # good, revoked, unknown
    this_update: dt.datetime
    next_update: dt.datetime
    revoked_at: dt.datetime | None = None
    revocation_reason: str | None = None


def parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class LocalResponder:
    def __init__(self, certificate: x509.Certificate, key: CertificateIssuerPrivateKeyTypes):
        self.certificate = certificate
        self.key = key

    @classmethod
    def from_files(cls, cert_path: str, key_path: str) -> "LocalResponder":
        """A delegated responder: its certificate and key, PEM files."""
        from pathlib import Path

        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
        key = load_pem_private_key(Path(key_path).read_bytes(), password=None)
        return cls(certificate, key)  # type: ignore[arg-type]

    def prepare(self, item: dict[str, Any]) -> Prepared:
        """The signed response for one row of ocpp.ocsp_to_refresh (its status: good or revoked)."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        next_update = now + dt.timedelta(seconds=int(item["validitySeconds"]))
        revoked = item["status"] == "revoked"
        revoked_at = parse_time(item.get("revokedAt")) if revoked else None
        reason = REASONS.get(item.get("revocationReason") or "unspecified") if revoked else None
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=bytes.fromhex(item["issuerNameHash"]),
            issuer_key_hash=bytes.fromhex(item["issuerKeyHash"]),
            serial_number=int(item["serialNumber"], 16),
            algorithm=HASHES[item["hashAlgorithm"]](),
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now, next_update=next_update,
            revocation_time=revoked_at, revocation_reason=reason,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.certificate).certificates([self.certificate])
        response = builder.sign(self.key, hashes.SHA256())
        der = response.public_bytes(Encoding.DER)
        return Prepared(base64.b64encode(der).decode(), item["status"], now, next_update, revoked_at,
                        item.get("revocationReason") if revoked else None)

