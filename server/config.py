"""Configuration: defaults < TOML file < OCPP_CS_<SECTION>_<KEY> environment < command-line flags.

Every key of conf/ocpp-cs.toml has an environment variable named after its section and key, so a
container can be configured without a file: `[database] url` is OCPP_CS_DATABASE_URL.
"""
from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "OCPP_CS_"


def default_data_dir() -> str:
    # Root's cluster runs as an unprivileged user, which must be able to reach the folder:
    # /var/lib is traversable by everyone, a home or a mktemp folder often is not.
    if os.geteuid() == 0:
        return "/var/lib/ocpp-cs"
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "ocpp-cs")


@dataclass
class ServerConfig:
    host: str = "0.0.0.0"
    port: int = 9220
    # Name of this front-end node in cs.connection; several nodes may share one database.
    node: str = ""
    # false: no plain ws:// / http:// listener on port; only [tls] port listens.
    plain: bool = True
    # Seconds a new connection gets to finish its TLS handshake and send a whole HTTP request
    # (headers) before it is closed; also how long an idle keep-alive HTTP connection stays open.
    handshake_timeout: float = 10.0


@dataclass
class TlsConfig:
    # wss:// (OCPP security profiles 2 and 3) on its own port, next to the plain one; 0 = off.
    port: int = 0
    host: str = ""  # "" = [server] host
    # PEM chain files and their keys, same order: one RSA and one ECDSA pair may be served at once
    # (OpenSSL keeps one certificate per key type and picks the one the client's suites allow).
    certificates: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    # CAs whose certificates a station may present (profile 3); with [certificates] signer =
    # "local-ca" the local CA is trusted too, so a station reconnects with what it had signed.
    station_ca: list[str] = field(default_factory=list)
    # A TLS-terminating proxy at one of these addresses (IPs or CIDRs) tells what it verified in
    # these request headers; from any other address the headers are ignored.
    trusted_proxies: list[str] = field(default_factory=list)
    proxy_cert_header: str = "X-SSL-Client-Cert"
    proxy_verify_header: str = "X-SSL-Client-Verify"
    proxy_proto_header: str = "X-Forwarded-Proto"


@dataclass
class DatabaseConfig:
    # Empty: run the embedded cluster in data_dir. The server's login: it should be no superuser
    # and own nothing, only be able to act as `role`.
    url: str = ""
    # The login that runs the migrations (owner of the schemas); empty = url. Only with url.
    owner_url: str = ""
    # serve refuses a url whose login is a superuser, or may become one, unless this is true.
    allow_superuser: bool = False
    data_dir: str = field(default_factory=default_data_dir)
    pool_min: int = 2
    pool_max: int = 10
    # Role the front end's connections act as; it may only EXECUTE the ocpp.* API.
    role: str = "ocpp_frontend"
    # Station messages in flight together share one statement and one commit; this many groups
    # run at once, each of at most parse_batch messages (a quiet server sends groups of one). Fewer
    # groups in flight make bigger groups and fewer commits: on the 2-core benchmark machine 2 beat
    # 3 by 1.19x and 1 by 1.35x (bench/throughput.py --baseline-env OCPP_CS_DATABASE_PARSE_WORKERS=N);
    # a database server with more cores may want more.
    parse_workers: int = 2
    parse_batch: int = 100
    migrate: bool = True


@dataclass
class OcppConfig:
    # Versions offered in Sec-WebSocket-Protocol, in order of preference.
    versions: list[str] = field(default_factory=lambda: ["2.1", "2.0.1", "1.6"])
    # Version used for a station that offers no subprotocol at all (many chargers omit it).
    default_version: str = "1.6"
    ping_interval: float = 60.0
    ping_timeout: float = 30.0
    # A frame above max_frame_size is answered with a CALLERROR and the socket stays open;
    # one above max_message_size closes the socket with 1009 (RFC 6455) without being read.
    max_frame_size: int = 65536
    max_message_size: int = 1048576
    # Seconds without any frame before the socket is closed; 0 disables it.
    idle_timeout: float = 0.0
    # A station that repeats the unique id of its previous CALL gets the previous reply again
    # instead of a second processing (retries after a lost reply).
    replay_repeated_call: bool = True
    # Seconds to wait for a station's answer to a command before it is recorded as timeout.
    call_timeout: float = 30.0
    # Seconds between scans for queued commands (NOTIFY wakes the dispatcher sooner).
    command_scan_interval: float = 2.0
    # Longest station identity (path segment, SOAP chargeBoxIdentity); OCPP's is 48 characters.
    # A longer one, or one with a control character, is refused with HTTP 400 (SOAP: a Fault).
    max_identity_length: int = 48
    # Some stations send every number as a double: 1.0 where the schema says integer is read as
    # 1 (and [2.0, ...] as a CALL). false: it gets TypeConstraintViolation.
    integral_floats: bool = True
    # A date-time without offset ("2026-01-01T10:00:00"): "utc" reads it as UTC (a Z is added
    # before validation and SQL; the message log keeps what came), "refuse" answers it with
    # PropertyConstraintViolation as the schemas' date-time format says.
    timestamps_without_offset: str = "utc"
    # JSON nesting a station frame may have (the frame's array is level 1); deeper frames get
    # FormationViolation (2.x FormatViolation). PostgreSQL refuses jsonb a few hundred levels deep.
    max_json_depth: int = 64
    # Station WebSockets at once (counted from the handshake, before ocpp.connect): over it a new
    # one gets HTTP 503. Per IP address: 0 = off; stations behind one NAT or proxy share one.
    max_connections: int = 20000
    max_connections_per_ip: int = 0
    # A station that does not read: a send waits at most send_timeout seconds once this socket's
    # write buffer holds write_buffer_size bytes, then the socket is closed (1008).
    send_timeout: float = 10.0
    write_buffer_size: int = 65536


@dataclass
class SoapConfig:
    # OCPP 1.5 and 1.6 over SOAP at /Ocpp. A body above max_body_size bytes gets HTTP 413 and a
    # Fault without being parsed; an envelope nested deeper than max_depth elements a Fault.
    enabled: bool = True
    max_body_size: int = 262144
    max_depth: int = 64


@dataclass
class MessageLogConfig:
    enabled: bool = True
    # A CALL answered with a CALLRESULT and its reply are written in the transaction that stores
    # the message (ocpp.parse_logged), before the answer: an acknowledged message is in the log even
    # after kill -9 of the node. false: through the buffer like every other row (flush_interval
    # of rows may be lost with the node).
    durable_calls: bool = True
    flush_interval: float = 0.2
    batch_size: int = 1000
    # Rows kept in memory while PostgreSQL is unreachable; beyond it the oldest are dropped and counted.
    max_buffer: int = 200000


@dataclass
class CertificatesConfig:
    # "local-ca": sign SignCertificate CSRs with a CA kept in ca_dir (made on first use; for
    # development). "none": leave them to your PKI, which calls ocpp.certificate_request_signed.
    signer: str = "local-ca"
    ca_dir: str = ""  # default: <database.data_dir>/ca
    validity_days: int = 365


@dataclass
class Iso15118Config:
    # The pki worker (server/pki/, docs/iso15118.md): prepares the OCSP responses GetCertificateStatus
    # answers with and asks the contract-certificate service; the URLs are SQL settings (iso15118.*).
    worker: bool = True
    # Who signs the OCSP responses of the local provider: "local-ca" (the [certificates] local CA, the
    # issuer of the certificates it answers for) or "none" (only remote responders are asked).
    ocsp_responder: str = "local-ca"
    # A delegated OCSP responder (certificate with id-kp-OCSPSigning, issued by the CA of the
    # certificates) signs instead of the local CA when both are set: PEM files.
    responder_cert: str = ""
    responder_key: str = ""
    # Seconds an HTTP request to an OCSP responder or the contract-certificate service may take.
    http_timeout: float = 10.0
    # Seconds between scans when no NOTIFY ocpp_pki came.
    scan_interval: float = 60.0


@dataclass
class EmulatorConfig:
    enabled: bool = True


@dataclass
class WebhookConfig:
    # Non-empty: station-initiated messages are POSTed here instead of going to ocpp.parse
    # (apostoldevel/ocpp-cs's webhook); connections, station auth and the message log stay in SQL.
    url: str = ""
    auth: str = "none"  # "none", "basic" (username, password) or "bearer" (token)
    username: str = ""
    password: str = ""
    token: str = ""
    # Seconds to wait for the webhook's answer; below a station's usual 30 s call timeout, so the
    # station gets an InternalError rather than no answer at all.
    timeout: float = 10.0


WEBHOOK_AUTHS = ("none", "basic", "bearer")
TIMESTAMPS_WITHOUT_OFFSET = ("utc", "refuse")
# apostoldevel/ocpp-cs's variable names, read too so its users can switch without changes;
# OCPP_CS_WEBHOOK_* win over them.
WEBHOOK_ENV = {"WEBHOOK_URL": "url", "WEBHOOK_AUTH": "auth", "WEBHOOK_USERNAME": "username",
               "WEBHOOK_PASSWORD": "password", "WEBHOOK_TOKEN": "token"}


@dataclass
class ApiConfig:
    # Bearer tokens (ocpp.api_token_create) for /api/v1; /api/v1/ping, /time, /openapi.json and /docs/
    # stay open. demo = true turns the check off for local use (logged loudly at start-up).
    auth: bool = True
    demo: bool = False
    # Seconds POST /api/v1/ChargePoint/{identity}/{operation} waits for the station's answer.
    command_timeout: float = 35.0
    # Bytes a request body may have (REST API, web UI; SOAP has [soap] max_body_size): a larger
    # Content-Length gets 413 without the body being read, a chunked body is cut at the limit.
    max_body_size: int = 1048576


@dataclass
class MetricsConfig:
    # GET /metrics on the main port: the node's Prometheus metrics (docs/metrics.md).
    enabled: bool = True
    # "" = no credentials, as Prometheus usually scrapes; else the scrape must send
    # Authorization: Bearer <token>.
    token: str = ""


@dataclass
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    tls: TlsConfig = field(default_factory=TlsConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    ocpp: OcppConfig = field(default_factory=OcppConfig)
    message_log: MessageLogConfig = field(default_factory=MessageLogConfig)
    soap: SoapConfig = field(default_factory=SoapConfig)
    certificates: CertificatesConfig = field(default_factory=CertificatesConfig)
    iso15118: Iso15118Config = field(default_factory=Iso15118Config)
    emulator: EmulatorConfig = field(default_factory=EmulatorConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)

    @property
    def node(self) -> str:
        return self.server.node or f"{socket.gethostname()}:{self.server.port}"

    @property
    def local_ca_dir(self) -> str:
        """The folder of the local CA ([certificates] signer = "local-ca")."""
        return self.certificates.ca_dir or os.path.join(self.database.data_dir, "ca")


class ConfigError(Exception):
    pass


def _coerce(value: Any, like: Any, name: str) -> Any:
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "yes", "on"):
            return True
        if str(value).lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if isinstance(like, list):
        if isinstance(value, list):
            return [str(v) for v in value]
        return [v.strip() for v in str(value).split(",") if v.strip()]
    try:
        return type(like)(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected {type(like).__name__}, got {value!r}") from None


def _apply(section: Any, values: Mapping[str, Any], where: str) -> None:
    known = {f.name for f in fields(section)}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}")
        setattr(section, key, _coerce(value, getattr(section, key), f"{where}.{key}"))


def load(path: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from the file at `path` (if any) and the environment."""
    config = Config()
    env = os.environ if env is None else env
    path = path or env.get(ENV_PREFIX + "CONFIG")
    if path:
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{path}: {e}") from None
        for name, values in data.items():
            section = getattr(config, name, None)
            if not is_dataclass(section) or not isinstance(values, dict):
                raise ConfigError(f"{path}: unknown section [{name}]")
            _apply(section, values, f"{path} [{name}]")
    for var, key in WEBHOOK_ENV.items():
        if var in env:
            _apply(config.webhook, {key: env[var]}, var)
    for f in fields(config):
        section = getattr(config, f.name)
        for g in fields(section):
            var = f"{ENV_PREFIX}{f.name}_{g.name}".upper()
            if var in env:
                _apply(section, {g.name: env[var]}, var)
    config.ocpp.timestamps_without_offset = config.ocpp.timestamps_without_offset.strip().lower()
    if config.ocpp.timestamps_without_offset not in TIMESTAMPS_WITHOUT_OFFSET:
        raise ConfigError("ocpp.timestamps_without_offset: expected one of "
                          f"{', '.join(TIMESTAMPS_WITHOUT_OFFSET)}, "
                          f"got {config.ocpp.timestamps_without_offset!r}")
    # apostoldevel/ocpp-cs spells it "Basic" / "Bearer"
    config.webhook.auth = config.webhook.auth.strip().lower() or "none"
    if config.webhook.auth not in WEBHOOK_AUTHS:
        raise ConfigError(f"webhook.auth: expected one of {', '.join(WEBHOOK_AUTHS)}, "
                          f"got {config.webhook.auth!r}")
    return config


def config_path_default() -> str | None:
    here = Path.cwd() / "conf" / "ocpp-cs.toml"
    return str(here) if here.is_file() else None
