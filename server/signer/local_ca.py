"""A certificate authority in a folder, made on first use: for development and tests, not for a
production PKI (point `[certificates] signer = "none"` there and sign with your own)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


class CsrRefused(Exception):
    """The CSR cannot be signed: it does not parse or its signature is wrong."""


class LocalCA:
    def __init__(self, folder: str | Path, validity_days: int = 365):
        self.folder = Path(folder)
        self.validity = dt.timedelta(days=validity_days)
        self.key_path = self.folder / "ca.key"
        self.cert_path = self.folder / "ca.pem"
        if not self.key_path.exists():
            self._create()
        self.key = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        self.cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())

    def _create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ocpp-cs"),
                          x509.NameAttribute(NameOID.COMMON_NAME, "ocpp-cs development CA")])
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                             crl_sign=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    def sign(self, csr_pem: str) -> str:
        """The chain for a station's CSR: its certificate (client auth, the CSR's subject) then ours."""
        try:
            csr = x509.load_pem_x509_csr(csr_pem.encode())
            signature_valid = csr.is_signature_valid
        except (ValueError, TypeError, x509.InvalidVersion, x509.UnsupportedGeneralNameType) as e:
            # InvalidVersion is no ValueError: a CSR with a wrong version field must be refused too
            raise CsrRefused(f"CSR does not parse: {e}") from None
        except Exception as e:  # noqa: BLE001 - whatever a station sends, it is one refusal
            raise CsrRefused(f"CSR does not parse: {type(e).__name__}: {e}") from None
        if not signature_valid:
            raise CsrRefused("CSR signature is not valid")
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(csr.subject)
                .issuer_name(self.cert.subject).public_key(csr.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + self.validity)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        return (cert.public_bytes(serialization.Encoding.PEM)
                + self.cert.public_bytes(serialization.Encoding.PEM)).decode()
