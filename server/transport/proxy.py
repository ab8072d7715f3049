"""Behind a TLS-terminating proxy (nginx, HAProxy): the proxy, and only a proxy at a trusted address,
tells in request headers whether the station used TLS and which client certificate it verified."""
from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import logging
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from ..config import Config, ConfigError
from .tls import certificate_facts, station_ca_files

log = logging.getLogger("ocpp_cs.transport")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    def __init__(self, networks: list[Network] | None = None, station_cas: list[x509.Certificate]
                 | None = None, cert_header: str = "X-SSL-Client-Cert",
                 verify_header: str = "X-SSL-Client-Verify",
                 proto_header: str = "X-Forwarded-Proto"):
        self.networks = networks or []
        self.station_cas = station_cas or []
        self.cert_header = cert_header
        self.verify_header = verify_header
        self.proto_header = proto_header

    @classmethod
    def from_config(cls, config: Config) -> TrustedProxies:
        c = config.tls
        networks = []
        for entry in c.trusted_proxies:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ConfigError(f"tls: trusted_proxies: {entry!r} is not an IP address or "
                                  "network") from None
        cas: list[x509.Certificate] = []
        if networks:  # the CA files are only read when a proxy can forward certificates
            for path in station_ca_files(config):
                try:
                    with open(path, "rb") as f:
                        cas += x509.load_pem_x509_certificates(f.read())
                except (OSError, ValueError) as e:
                    raise ConfigError(f"tls: cannot read station CA {path}: {e}") from None
        return cls(networks, cas, c.proxy_cert_header, c.proxy_verify_header, c.proxy_proto_header)

    def trusts(self, remote: str | None) -> bool:
        if not remote or not self.networks:
            return False
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:  # a Unix socket peer, say
            return False
        return any(address in n for n in self.networks)

    def forwarded(self, request: web.Request) -> tuple[bool, dict[str, Any] | None] | None:
        """(tls, certificate) as a trusted proxy forwarded them; None when the request did not come
        through one (then the connection's own facts count)."""
        headers = request.headers
        sent = [h for h in (self.proto_header, self.cert_header, self.verify_header) if h in headers]
        if not self.trusts(request.remote):
            if sent:
                # Anyone can send these headers; believing them would hand out profile 3.
                log.info("%s: ignored %s from %s, not a trusted proxy", request.path,
                         ", ".join(sent), request.remote)
            return None
        if self.proto_header not in headers:
            return None  # a trusted proxy's own direct connection, say a health check
        tls = headers[self.proto_header].strip().lower() == "https"
        if not tls or headers.get(self.verify_header, "").strip() != "SUCCESS":
            return tls, None
        return tls, self._verified(headers.get(self.cert_header, ""), request.remote)

    def _verified(self, value: str, remote: str | None) -> dict[str, Any] | None:
        """The forwarded certificate's facts if one of our station CAs issued it and it is valid
        now: the proxy may trust more CAs than we do."""
        try:
            cert = forwarded_certificate(value)
        except ValueError as e:
            log.warning("proxy %s forwarded a client certificate that does not parse: %s", remote, e)
            return None
        now = dt.datetime.now(dt.timezone.utc)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            log.warning("proxy %s forwarded a client certificate outside its validity: %s", remote,
                        cert.subject.rfc4514_string())
            return None
        for ca in self.station_cas:
            if ca.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return certificate_facts(cert)
        log.warning("proxy %s forwarded a client certificate no station CA issued: %s", remote,
                    cert.subject.rfc4514_string())
        return None


def forwarded_certificate(value: str) -> x509.Certificate:
    """A certificate as proxies forward it: URL-encoded PEM (nginx's $ssl_client_escaped_cert), PEM,
    or base64 DER (HAProxy's %[ssl_c_der,base64]). Raises ValueError."""
    text = unquote(value).strip()
    if text.startswith("-----BEGIN"):
        return x509.load_pem_x509_certificate(text.encode())
    return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
