"""Signing the CSRs stations send with SignCertificate: a local CA for development (or none, when
your own PKI calls ocpp.certificate_request_signed)."""
from .local_ca import LocalCA
from .signer import Signer

__all__ = ["LocalCA", "Signer"]
