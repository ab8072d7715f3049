"""Station management and settings over the REST API (docs/rest-api.md "Stations: manage",
"Settings"): a Pending station accepted and then Accepted at its next boot, the password (stored as a
hash, never shown back), security profile, account, heartbeat interval, removal, the settings list and
a change, each refusal exact, and a read token refused every change; against a real server and
database."""
from __future__ import annotations

import json

from ocpp.v16 import call

from test_api import Api, token
from test_station_flow import station

BOOT = dict(charge_point_vendor="Acme", charge_point_model="M")


async def test_a_pending_station_is_accepted_and_its_next_boot_is_accepted(server, db):
    api = Api(server, token(db))
    await db.sql("select ocpp.add_station('MG-1', 'Pending')")
    async with station(server.url, "MG-1") as cp:
        assert (await cp.call(call.BootNotification(**BOOT))).status == "Pending"
        status, body, _ = await api.request("PUT", "/api/v1/stations/MG-1/registration", json={"status": "Accepted"})
        assert status == 200 and body["identity"] == "MG-1" and body["registration"] == "Accepted"
        assert (await cp.call(call.BootNotification(**BOOT))).status == "Accepted"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-1/registration", json={"status": "Maybe"})
    assert status == 400 and body["error"]["description"] == "invalid registration"
    assert body["error"]["details"]["detail"] == "registration Maybe is not Accepted, Pending or Rejected"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-1/registration", json={})
    assert status == 400 and body["error"]["field"] == "status"
    status, body, _ = await api.request("PUT", "/api/v1/stations/NOBODY/registration", json={"status": "Accepted"})
    assert status == 404 and body["error"]["description"] == "unknown station"


async def test_password_security_profile_account_and_heartbeat_interval(server, db):
    api = Api(server, token(db))
    await db.sql("select ocpp.add_station('MG-2')")
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/password", json={"password": "s3cret-pass"})
    assert status == 204 and body == b""
    stored = await db.sql("select password_hash from cs.station where identity = 'MG-2'")
    assert stored.startswith("bcrypt-sha256$") and "s3cret-pass" not in stored
    status, station_json = await api.get("/api/v1/stations/MG-2")
    assert status == 200 and "s3cret-pass" not in json.dumps(station_json)
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/password", json={"password": ""})
    assert status == 400 and body["error"]["description"] == "invalid password"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/password", json={})
    assert status == 400 and body["error"]["field"] == "password"
    status, _, _ = await api.request("PUT", "/api/v1/stations/MG-2/password", json={"password": None})
    assert status == 204
    assert await db.sql("select password_hash is null from cs.station where identity = 'MG-2'") == "t"

    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/security-profile", json={"profile": 2})
    assert status == 200 and body["minimumSecurityProfile"] == 2
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/security-profile", json={"profile": 4})
    assert status == 400 and body["error"]["description"] == "invalid security profile"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/security-profile", json={"profile": "2"})
    assert status == 400 and body["error"]["field"] == "profile"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/security-profile", json={"profile": None})
    assert status == 200 and body["minimumSecurityProfile"] == 0   # the setting station.security_profile

    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/account", json={"account": "fleet-a"})
    assert status == 200 and body["account"] == "fleet-a"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/account", json={"account": None})
    assert status == 200 and body["account"] is None

    status, _, _ = await api.request("PUT", "/api/v1/stations/MG-2/heartbeat-interval", json={"seconds": 120})
    assert status == 200
    assert await db.sql("select heartbeat_interval from cs.station where identity = 'MG-2'") == "120"
    async with station(server.url, "MG-2") as cp:
        assert (await cp.call(call.BootNotification(**BOOT))).interval == 120
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/heartbeat-interval", json={"seconds": 0})
    assert status == 400 and body["error"]["description"] == "invalid heartbeat interval"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/heartbeat-interval", json={"seconds": 3e9})
    assert status == 400 and body["error"]["field"] == "seconds"
    status, body, _ = await api.request("PUT", "/api/v1/stations/MG-2/heartbeat-interval",
                                        json={"seconds": 2**40})
    assert status == 400   # out of range for SQL's integer: PostgreSQL's own refusal
    status, _, _ = await api.request("PUT", "/api/v1/stations/MG-2/heartbeat-interval", json={"seconds": None})
    assert status == 200
    assert await db.sql("select heartbeat_interval is null from cs.station where identity = 'MG-2'") == "t"
    for path, body in (("password", {"password": "x"}), ("security-profile", {"profile": 1}),
                       ("account", {"account": "a"}), ("heartbeat-interval", {"seconds": 60})):
        status, answer, _ = await api.request("PUT", f"/api/v1/stations/NOBODY/{path}", json=body)
        assert status == 404 and answer["error"]["description"] == "unknown station", path


async def test_delete_a_station_with_its_rows(server, db):
    api = Api(server, token(db))
    async with station(server.url, "MG-3") as cp:
        await cp.call(call.BootNotification(**BOOT))
    await db.sql("select ocpp.declare_evse('MG-3', 1, 1)")
    status, _, _ = await api.request("DELETE", "/api/v1/stations/MG-3")
    assert status == 204
    status, body = await api.get("/api/v1/stations/MG-3")
    assert status == 404
    assert await db.sql("select count(*) from cs.connector c where not exists "
                        "(select from cs.station s where s.id = c.station_id)") == "0"
    assert int(await db.sql("select count(*) from cs.message_log where identity = 'MG-3'")) >= 1
    status, body, _ = await api.request("DELETE", "/api/v1/stations/MG-3")
    assert status == 404 and body["error"]["description"] == "unknown station"


async def test_settings_list_and_change(server, db):
    api = Api(server, token(db))
    status, rows = await api.get("/api/v1/settings")
    assert status == 200
    by_key = {r["key"]: r for r in rows}
    assert by_key["boot.unknown_station"]["value"] == "Accepted"
    assert by_key["boot.unknown_station"]["description"].startswith("registration given to a station")
    assert len(rows) == int(await db.sql("select count(*) from cs.setting"))

    status, row, _ = await api.request("PUT", "/api/v1/settings/boot.retry_interval", json={"value": 45})
    assert status == 200 and row["key"] == "boot.retry_interval" and row["value"] == 45
    assert await db.sql("select value from cs.setting where key = 'boot.retry_interval'") == "45"
    status, body, _ = await api.request("PUT", "/api/v1/settings/boot.unknown_station", json={"value": "Maybe"})
    assert status == 400 and body["error"]["description"] == "invalid setting value"
    assert body["error"]["details"]["detail"] == 'boot.unknown_station does not accept "Maybe"'
    status, body, _ = await api.request("PUT", "/api/v1/settings/no.such", json={"value": 1})
    assert status == 404 and body["error"]["description"] == "unknown setting"
    status, body, _ = await api.request("PUT", "/api/v1/settings/boot.retry_interval", json={})
    assert status == 400 and body["error"]["field"] == "value"


async def test_a_read_token_reads_settings_but_changes_nothing(server, db):
    await db.sql("select ocpp.add_station('MG-4', 'Pending')")
    reader = Api(server, token(db, "read", "reader"))
    status, rows = await reader.get("/api/v1/settings")
    assert status == 200 and rows
    for method, path, body in (("PUT", "/api/v1/stations/MG-4/registration", {"status": "Accepted"}),
                               ("PUT", "/api/v1/stations/MG-4/password", {"password": "p"}),
                               ("PUT", "/api/v1/stations/MG-4/security-profile", {"profile": 1}),
                               ("PUT", "/api/v1/stations/MG-4/account", {"account": "a"}),
                               ("PUT", "/api/v1/stations/MG-4/heartbeat-interval", {"seconds": 60}),
                               ("DELETE", "/api/v1/stations/MG-4", None),
                               ("PUT", "/api/v1/settings/boot.retry_interval", {"value": 30})):
        status, _, _ = await reader.request(method, path, json=body)
        assert status == 403, path
    assert await db.sql("select registration_status from cs.station where identity = 'MG-4'") == "Pending"
    assert await db.sql("select value from cs.setting where key = 'boot.retry_interval'") == "60"
