"""ocpp-cs: an OCPP central system whose rules all live in PostgreSQL.

The flow runs one way; each folder is one box of it:

    transport/   WebSocket endpoint: handshake, subprotocol, station auth, frames in and out
    protocol/    OCPP-J framing: CALL / CALLRESULT / CALLERROR, pure functions without I/O
    validation/  the official OCA JSON schemas, requests in and replies out
    database/    the one place that talks to PostgreSQL: one SQL call per station message
    messagelog/  every frame, written to PostgreSQL in batches off the reply path
    embedded/    a private PostgreSQL cluster when no database is configured
"""
__version__ = "0.1.0"
