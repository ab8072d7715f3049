"""Site load balancing end to end (docs/site-load-balancing.md): stations of one site start and stop
transactions, ocpp-cs divides the site's limit among them and sends each a TxProfile. Independent
stations (the `ocpp` package's v16 ChargePoint) record every limit they receive: the sum of the
limits the stations hold never exceeds the site's, and a stop gives its share to the others. The
emulator's stations apply the profiles: what they charge with stays within the site's limit."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint
from ocpp.v16 import call, call_result

from conftest import wait_for
from ocpp_emulator import Emulator, StationOptions, load_stations
from test_emulator import FAST, station_file
from test_station_flow import now, station

SITE_LIMIT = 32.0


class Held:
    """The limits every station holds now (the last TxProfile per station and connector), and the
    highest sum they ever reached."""

    def __init__(self) -> None:
        self.limits: dict[tuple[str, int], float] = {}
        self.profiles: list[tuple[str, int, dict[str, Any]]] = []
        self.highest = 0.0

    def receive(self, identity: str, connector_id: int, profile: dict[str, Any]) -> None:
        self.profiles.append((identity, connector_id, profile))
        self.limits[(identity, connector_id)] = float(profile["charging_schedule"][
            "charging_schedule_period"][0]["limit"])
        self.highest = max(self.highest, sum(self.limits.values()))

    def stopped(self, identity: str, connector_id: int) -> None:
        self.limits.pop((identity, connector_id), None)   # a TxProfile ends with its transaction


def station_class(held: Held) -> type:
    class Station(ChargePoint):
        @on("SetChargingProfile")
        async def on_profile(self, connector_id, cs_charging_profiles, **kw):
            held.receive(self.id, connector_id, cs_charging_profiles)
            return call_result.SetChargingProfile(status="Accepted")
    return Station


async def boot(cp) -> None:
    result = await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="Site-1"))
    assert result.status == "Accepted"


async def start(cp, connector_id: int = 1) -> int:
    result = await cp.call(call.StartTransaction(connector_id=connector_id, id_tag=f"TAG-{cp.id}",
                                                 meter_start=0, timestamp=now()))
    return result.transaction_id


async def allocations(db, site: int) -> dict[str, float]:
    load = json.loads(await db.sql(f"select ocpp.site_load({site})"))
    return {a["identity"]: a["limitA"] for a in load["allocations"]}


async def test_limits_never_exceed_the_site_and_follow_starts_and_stops(server, db):
    held = Held()
    cls = station_class(held)
    async with station(server.url, "SITE-A", cls=cls) as a, \
            station(server.url, "SITE-B", cls=cls) as b, \
            station(server.url, "SITE-C", cls=cls) as c:
        for cp in (a, b, c):
            await boot(cp)
        site = json.loads(await db.sql(f"select ocpp.set_site('Depot', {SITE_LIMIT})"))["id"]
        for identity in ("SITE-A", "SITE-B", "SITE-C"):
            await db.sql(f"select ocpp.add_station_to_site({site}, '{identity}')")

        async def holding(expected: dict[str, float]):
            now_held = {k[0]: v for k, v in held.limits.items()}
            return now_held == expected and await allocations(db, site) == expected

        tx_a = await start(a)
        await wait_for(lambda: holding({"SITE-A": 32.0}))
        assert held.profiles[-1][2]["transaction_id"] == tx_a
        assert held.profiles[-1][2]["charging_profile_purpose"] == "TxProfile"

        tx_b = await start(b)
        await wait_for(lambda: holding({"SITE-A": 16.0, "SITE-B": 16.0}))
        await start(c)
        await wait_for(lambda: holding({"SITE-A": 10.6, "SITE-B": 10.6, "SITE-C": 10.6}))
        assert {(i, p["transaction_id"]) for i, _, p in held.profiles if i == "SITE-B"} == {("SITE-B", tx_b)}

        # a stop: the other two share the site again
        held.stopped("SITE-A", 1)   # the station ends the transaction (and its TxProfile), then says so
        await a.call(call.StopTransaction(meter_stop=1000, timestamp=now(), transaction_id=tx_a))
        await wait_for(lambda: holding({"SITE-B": 16.0, "SITE-C": 16.0}))

        # a lower limit: the stations go down
        await db.sql(f"select ocpp.set_site('Depot', 20, id => {site})")
        await wait_for(lambda: holding({"SITE-B": 10.0, "SITE-C": 10.0}))

    assert held.highest <= SITE_LIMIT, held.profiles
    assert len(held.profiles) >= 8


async def test_meter_values_give_an_under_used_share_to_the_others(server, db):
    held = Held()
    cls = station_class(held)
    async with station(server.url, "SITE-U1", cls=cls) as u1, station(server.url, "SITE-U2", cls=cls) as u2:
        for cp in (u1, u2):
            await boot(cp)
        site = json.loads(await db.sql("select ocpp.set_site('Yard', 32)"))["id"]
        for identity in ("SITE-U1", "SITE-U2"):
            await db.sql(f"select ocpp.add_station_to_site({site}, '{identity}', min_current => 6)")
        tx1 = await start(u1)
        await start(u2)
        await wait_for(lambda: _equal(held, {"SITE-U1": 16.0, "SITE-U2": 16.0}))
        # U1's EV takes 4 A of its 16: it keeps 4 + site.underuse_headroom, U2 gets the rest
        await u1.call(call.MeterValues(connector_id=1, transaction_id=tx1, meter_value=[{
            "timestamp": now(), "sampledValue": [
                {"value": "4", "measurand": "Current.Import", "unit": "A", "phase": "L1"}]}]))
        await wait_for(lambda: _equal(held, {"SITE-U1": 6.0, "SITE-U2": 26.0}))
        # it takes what it has again: released, equal shares
        await u1.call(call.MeterValues(connector_id=1, transaction_id=tx1, meter_value=[{
            "timestamp": now(), "sampledValue": [
                {"value": "6", "measurand": "Current.Import", "unit": "A", "phase": "L1"}]}]))
        await wait_for(lambda: _equal(held, {"SITE-U1": 16.0, "SITE-U2": 16.0}))
    assert held.highest <= 32.0, held.profiles


async def _equal(held: Held, expected: dict[str, float]) -> bool:
    return {k[0]: v for k, v in held.limits.items()} == expected


async def test_emulated_stations_charge_within_the_site_limit(server, db, tmp_path: Path):
    for name in ("SITE-E1", "SITE-E2"):
        station_file(tmp_path, name, [{"id": 1, "voltage": "AC", "interface": "Type2", "meterValue": 0}])
    emu = Emulator(load_stations(tmp_path), url=server.url + "/", options=StationOptions(**FAST))
    await emu.start()
    try:
        await emu.wait_booted(10)
        site = json.loads(await db.sql("select ocpp.set_site('Emulated', 13800, 'W')"))["id"]  # 20 A
        for name in ("SITE-E1", "SITE-E2"):
            await db.sql(f"select ocpp.add_station_to_site({site}, '{name}')")
            await db.sql(f"select ocpp.send('{name}', 'RemoteStartTransaction', "
                         f"'{{\"idTag\": \"T-{name}\", \"connectorId\": 1}}')")

        def offered(name: str) -> float:
            s = emu.station(name)
            return s._limit(s.connectors[1])

        async def applied():
            load = json.loads(await db.sql(f"select ocpp.site_load({site})"))
            answered = await db.sql("select count(*) from cs.command where action = 'SetChargingProfile' "
                                    "and status = 'answered' and response->>'status' = 'Accepted'")
            return (len(load["allocations"]) == 2 and int(answered) >= 2
                    and all(offered(n) <= 6900 for n in ("SITE-E1", "SITE-E2")))
        await wait_for(applied, 20)
        assert offered("SITE-E1") + offered("SITE-E2") <= 13800

        # a stop: the other EVSE gets the whole site
        tx = await db.sql("select t.id from cs.transaction t join cs.station s on s.id = t.station_id "
                          "where s.identity = 'SITE-E1' and t.stopped_at is null")
        await db.sql(f"select ocpp.send('SITE-E1', 'RemoteStopTransaction', '{{\"transactionId\": {tx}}}')")

        async def whole():
            return 6900 < offered("SITE-E2") <= 13800
        await wait_for(whole, 20)
    finally:
        await emu.stop()
    assert emu.stats.errors == 0, emu.stats.last_errors
