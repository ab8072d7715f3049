"""ocpp-cs: an OCPP central system whose rules all live in PostgreSQL.

The flow runs one way; each folder is one box of it, and imports only the boxes before it
(tests/test_architecture.py checks every import):

    protocol/    OCPP without I/O: framing, the call/answer session (server and emulator alike), which
                 side sends which action, the one error table, the SOAP envelope codec
    validation/  the official OCA JSON schemas, requests in and replies out
    database/    the one place that talks to PostgreSQL (the only importer of asyncpg): one connect(),
                 one SQL call per station message, the node's one LISTEN connection, every query file
    transport/   WebSocket and SOAP endpoints: handshake, subprotocol, station auth, TLS, frames in and out
    messagelog/  every frame, written to PostgreSQL in batches off the reply path
    dispatcher/  commands queued in SQL, woken by NOTIFY (a scan behind it), sent to the stations
    signer/      the development CA that signs the CSRs stations send
    pki/         ISO 15118 certificate services: local OCSP responder, OCSP and contract-service HTTP
    webhook/     webhook mode: station messages POSTed to your URL instead of ocpp.parse
    api/         the REST API, an aiohttp sub-app at /api/v1, and its OpenAPI spec
    webui/       the web UI, a sub-app at /ui, and its live feed of NOTIFYs
    metrics/     the node's Prometheus metrics at /metrics, fed by the boxes above
    keys.py      the typed AppKeys each box gets its needs through (a leaf: nobody imports app.py)
    app.py       the one place that wires the boxes together
    listeners.py, cli.py   the sockets `serve` listens on; the `ocpp-cs` command, the top
    embedded/    a private PostgreSQL cluster when no database is configured
    sqlfiles.py  where db/ (schema, functions, migrations) is read from, in a checkout or a wheel

The charge point emulator is not part of the server: it lives in emulator/ (package ocpp_emulator)
and shares only protocol/ and validation/ with it.
"""
__version__ = "0.1.0"
