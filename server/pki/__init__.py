"""ISO 15118 certificate services' crypto and HTTP, which the database cannot do (docs/iso15118.md):
a local OCSP responder, the fetch of OCSP responses from remote responders, and the forward of
Get15118EVCertificate requests to a contract-certificate service. It prepares answers in SQL; the
station is always answered by ocpp.parse, from what is stored."""
from .remote import RemoteError
from .responder import LocalResponder
from .worker import PkiWorker

__all__ = ["LocalResponder", "PkiWorker", "RemoteError"]
