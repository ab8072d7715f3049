"""ocpp-cs: an OCPP central system whose rules all live in PostgreSQL.

The flow runs one way; each folder is one box of it:

    transport/   WebSocket endpoint: handshake, subprotocol, station auth, frames in and out
    protocol/    OCPP-J framing: CALL / CALLRESULT / CALLERROR, pure functions without I/O
    validation/  the official OCA JSON schemas, requests in and replies out
    database/    the one place that talks to PostgreSQL (the only importer of asyncpg): one connect(),
                 one SQL call per station message, the node's one LISTEN connection, every query file
    messagelog/  every frame, written to PostgreSQL in batches off the reply path
    dispatcher/  commands queued in SQL, woken by NOTIFY (a scan behind it), sent to the stations
    signer/      the development CA that signs the CSRs stations send
    api/         the REST API, an aiohttp sub-app at /api/v1, and its OpenAPI spec
    webui/       the web UI, a sub-app at /ui, and its live feed of NOTIFYs
    webhook/     webhook mode: station messages POSTed to your URL instead of ocpp.parse
    embedded/    a private PostgreSQL cluster when no database is configured
    keys.py      the typed AppKeys each box gets its needs through (a leaf: nobody imports app.py)
    app.py       the one place that wires the boxes together
"""
__version__ = "0.1.0"
