"""What an emulated station pretends about certificates: a CSR that is only a digest of its
identity, and hash data derived from a certificate's text (no key material, no parsing)."""
from __future__ import annotations

import hashlib


def fake_csr(identity: str) -> str:
    body = hashlib.sha256(identity.encode()).hexdigest()
    return f"-----BEGIN CERTIFICATE REQUEST-----\n{body}\n-----END CERTIFICATE REQUEST-----"


def hash_data(pem: str, serial_length: int) -> dict[str, str]:
    """CertificateHashData of a certificate (1.6 security extension: 16 hex digits of serial,
    2.0.1: 20)."""
    digest = hashlib.sha256(pem.encode()).hexdigest()
    return {"hashAlgorithm": "SHA256", "issuerNameHash": digest[:64],
            "issuerKeyHash": digest[::-1][:64], "serialNumber": digest[:serial_length]}
