"""The sites of the REST API (docs/site-load-balancing.md, docs/rest-api.md): create, change, list,
members, the load of a site, and the exact refusals (400 with the field, 404, 403 for a read-only
token), over HTTP against a real server and database."""
from __future__ import annotations

import json

from test_api import Api, token
from test_station_flow import now, station
from ocpp.v16 import call

from conftest import wait_for


async def test_sites_from_creation_to_load_and_removal(server, db):
    api = Api(server, token(db))
    status, site = await api.post("/api/v1/sites", {"name": "Depot", "limit": 22080, "limitUnit": "W"})
    assert status == 201
    assert (site["name"], site["limit"], site["limitUnit"], site["limitA"], site["stations"]) == \
        ("Depot", 22080, "W", 32.0, [])
    sid = site["id"]
    status, changed, _ = await api.request("PUT", f"/api/v1/sites/{sid}",
                                           json={"name": "Depot", "limit": 20, "phases": 1})
    assert status == 200 and (changed["limitUnit"], changed["limitA"], changed["phases"]) == ("A", 20, 1)

    async with station(server.url, "API-S1") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="M"))
        status, member, _ = await api.request("PUT", f"/api/v1/sites/{sid}/stations/API-S1",
                                              json={"priority": 2, "minCurrent": 8})
        assert status == 200
        assert member["stations"] == [{"identity": "API-S1", "priority": 2, "minCurrent": 8, "maxCurrent": None}]
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="API-TAG", meter_start=0,
                                                    timestamp=now()))

        async def loaded():
            status, load = await api.get(f"/api/v1/sites/{sid}/load")
            return load if status == 200 and load["allocations"] else None
        load = await wait_for(loaded)
        assert load["limitA"] == 20 and load["allocatedA"] == 20
        assert [(a["identity"], a["evseId"], a["transactionId"], a["limitA"]) for a in load["allocations"]] == \
            [("API-S1", 1, start.transaction_id, 20)]
        status, listed = await api.get("/api/v1/sites")
        assert status == 200 and [s["name"] for s in listed] == ["Depot"]

        status, _, _ = await api.request("DELETE", f"/api/v1/sites/{sid}/stations/API-S1")
        assert status == 204
        status, load = await api.get(f"/api/v1/sites/{sid}/load")
        assert load["stations"] == [] and load["allocations"] == []

    status, _, _ = await api.request("DELETE", f"/api/v1/sites/{sid}")
    assert status == 204
    status, body = await api.get(f"/api/v1/sites/{sid}/load")
    assert status == 404 and body["error"]["description"] == "unknown site"


async def test_bad_site_requests_get_exact_refusals(server, db):
    api = Api(server, token(db))
    status, body = await api.post("/api/v1/sites", {"name": "X"})
    assert status == 400 and body["error"]["field"] == "limit"
    status, body = await api.post("/api/v1/sites", {"name": "X", "limit": "32"})
    assert status == 400 and body["error"]["field"] == "limit"
    status, body = await api.post("/api/v1/sites", {"name": "X", "limit": 32, "limitUnit": "kW"})
    assert status == 400 and body["error"]["description"] == "invalid limit_unit"
    status, body = await api.post("/api/v1/sites", {"name": "X", "limit": -1})
    assert status == 400 and body["error"]["description"] == "invalid limit_value"
    status, body, _ = await api.request("PUT", "/api/v1/sites/999", json={"name": "X", "limit": 3})
    assert status == 404 and body["error"]["description"] == "unknown site"
    status, site = await api.post("/api/v1/sites", {"name": "Y", "limit": 32})
    status, body, _ = await api.request("PUT", f"/api/v1/sites/{site['id']}/stations/NOBODY", json={})
    assert status == 404 and body["error"]["description"] == "unknown station"
    status, body, _ = await api.request("DELETE", f"/api/v1/sites/{site['id']}/stations/NOBODY")
    assert status == 404
    reader = Api(server, token(db, "read", "reader"))
    status, _ = await reader.post("/api/v1/sites", {"name": "Z", "limit": 32})
    assert status == 403
    status, sites = await reader.get("/api/v1/sites")
    assert status == 200 and json.dumps(sites)
