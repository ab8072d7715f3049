"""A small PKI in a folder for the TLS tests, made with `cryptography`: a server CA with an RSA-2048 and
an ECDSA P-256 server certificate for 127.0.0.1 and localhost, a station CA with client
certificates, and self-signed client certificates."""
from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ocpp-cs tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: Key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _issue(subject: x509.Name, key: Key, issuer: tuple[x509.Name, Key] | None, *, ca: bool = False,
           usage: x509.ObjectIdentifier | None = None, hosts: bool = False,
           days: int = 30) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (subject, key)
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if hosts:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Pair:
    cert: Path  # PEM, leaf first then its CA
    key: Path


class Pki:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._server_ca = self._ca("ocpp-cs test server CA")
        self.server_ca = self._write("server-ca.pem", _pem(self._server_ca[2]))
        self.rsa = self._leaf("server-rsa", "127.0.0.1", rsa.generate_private_key(65537, 2048),
                              self._server_ca, ExtendedKeyUsageOID.SERVER_AUTH, hosts=True)
        self.ec = self._leaf("server-ec", "127.0.0.1", ec.generate_private_key(ec.SECP256R1()),
                             self._server_ca, ExtendedKeyUsageOID.SERVER_AUTH, hosts=True)
        self._station_ca = self._ca("ocpp-cs test station CA")
        self.station_ca = self._write("station-ca.pem", _pem(self._station_ca[2]))

    def _ca(self, cn: str) -> tuple[x509.Name, Key, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        return _name(cn), key, _issue(_name(cn), key, None, ca=True, days=365)

    def _write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def _leaf(self, name: str, cn: str, key: Key,
              ca: tuple[x509.Name, Key, x509.Certificate] | None,
              usage: x509.ObjectIdentifier, hosts: bool = False) -> Pair:
        cert = _issue(_name(cn), key, (ca[0], ca[1]) if ca else None, usage=usage, hosts=hosts)
        chain = _pem(cert) + (_pem(ca[2]) if ca else b"")
        return Pair(self._write(f"{name}.pem", chain), self._write(f"{name}.key", _key_pem(key)))

    def station(self, identity: str, *, self_signed: bool = False, name: str | None = None) -> Pair:
        """A client certificate with CN = identity, signed by the station CA or by itself."""
        return self._leaf(name or f"station-{identity}{'-self' if self_signed else ''}", identity,
                          ec.generate_private_key(ec.SECP256R1()),
                          None if self_signed else self._station_ca, ExtendedKeyUsageOID.CLIENT_AUTH)

    def lone_key(self, name: str = "lone") -> Path:
        """A key that belongs to no certificate here."""
        return self._write(f"{name}.key", _key_pem(ec.generate_private_key(ec.SECP256R1())))
