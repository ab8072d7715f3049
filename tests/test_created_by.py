"""Every command records who sent it (cs.command.created_by, the API's createdBy): the API token's name
for a command sent through the REST API or the web UI, the database role that logged in for psql and
other SQL clients (cs.command_creator, docs/commands.md)."""
from __future__ import annotations

import json

from test_api import Api, token
from test_commands import answering
from test_live import browser, sign_in


async def created_by(db, command_id: int) -> str:
    return json.loads(await db.sql(f"select ocpp.command({command_id})"))["createdBy"]


async def test_a_command_through_the_api_is_the_tokens(server, db):
    alice = token(db, "operator", "alice")
    token(db, "operator", "bob")  # another live token: the name is the caller's, not any
    async with answering(server.url, "WHO1"):
        status, body = await Api(server, alice).post("/api/v1/ChargePoint/WHO1/Reset", {"type": "Soft"})
        assert status == 200, body
        # the web UI: the same token in its sign-in cookie
        async with browser() as http:
            await sign_in(http, server, token(db, "operator", "carol"))
            async with http.post(f"http://127.0.0.1:{server.port}/api/v1/ChargePoint/WHO1/Reset",
                                 json={"type": "Hard"}) as r:
                assert r.status == 200, await r.text()
    rows = await db.sql("select c.payload->>'type', c.created_by from cs.command c "
                        "join cs.station s on s.id = c.station_id where s.identity = 'WHO1' order by c.id")
    assert rows.splitlines() == ["Soft|alice", "Hard|carol"]
    command_id = int(await db.sql("select max(id) from cs.command"))
    assert await created_by(db, command_id) == "carol"


async def test_a_command_from_sql_is_the_login_role(server, db):
    db.psql("select ocpp.parse('WHO2','u1','BootNotification',"
            "'{\"chargePointVendor\":\"V\",\"chargePointModel\":\"M\"}','', '1.6')")
    first = int(await db.sql("select ocpp.send('WHO2', 'Reset', '{\"type\": \"Soft\"}')"))
    assert await created_by(db, first) == "postgres"  # the tests' psql is the superuser
    # the server's own login, as any other SQL client of ocpp.* (it may only act as ocpp_frontend)
    second = int(await db.sql("select ocpp.send('WHO2', 'Reset', '{\"type\": \"Soft\"}')",
                              user="ocpp_server"))
    assert await created_by(db, second) == "ocpp_server"


async def test_a_name_cannot_be_claimed_without_its_token(server, db):
    db.psql("select ocpp.parse('WHO3','u1','BootNotification',"
            "'{\"chargePointVendor\":\"V\",\"chargePointModel\":\"M\"}','', '1.6')")
    alice = token(db, "operator", "alice")
    sent = db.psql("select set_config('ocpp.api_token', 'alice', false); "
                   "select ocpp.send('WHO3', 'Reset', '{\"type\": \"Soft\"}')").splitlines()[-1]
    assert await created_by(db, int(sent)) == "postgres"
    sent = db.psql(f"select set_config('ocpp.api_token', '{alice}', false); "
                   "select ocpp.send('WHO3', 'Reset', '{\"type\": \"Soft\"}')").splitlines()[-1]
    assert await created_by(db, int(sent)) == "alice"  # who holds the token is its holder
    db.psql("select ocpp.api_token_revoke('alice')")
    sent = db.psql(f"select set_config('ocpp.api_token', '{alice}', false); "
                   "select ocpp.send('WHO3', 'Reset', '{\"type\": \"Soft\"}')").splitlines()[-1]
    assert await created_by(db, int(sent)) == "postgres"  # a revoked token names nobody
