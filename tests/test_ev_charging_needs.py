"""ISO 15118 smart charging end to end (docs/iso15118-smart-charging.md) with an independent 2.0.1
station (the `ocpp` package's v201 ChargePoint): NotifyEVChargingNeeds during a transaction is
answered Accepted and a SetChargingProfile follows whose schedule respects the EV's needs and the
limits (with a tariff assigned through ocpp.set_tariff / ocpp.assign_tariff: in its cheap period
first); a NotifyEVChargingSchedule over those limits is Rejected and renegotiated with a new profile."""
from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result

from conftest import wait_for
from test_station_flow import now


class Station(ChargePoint):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.profiles: list[dict[str, Any]] = []

    @on("SetChargingProfile")
    async def on_profile(self, evse_id, charging_profile, **kw):
        self.profiles.append({"evse_id": evse_id, **charging_profile})
        return call_result.SetChargingProfile(status="Accepted")


@contextlib.asynccontextmanager
async def station(url: str, identity: str):
    async with websockets.connect(f"{url}/{identity}", subprotocols=["ocpp2.0.1"]) as ws:
        cp = Station(identity, ws)
        task = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(call.BootNotification(
                charging_station={"model": "M-15118", "vendorName": "Acme"}, reason="PowerUp"))
            assert boot.status == "Accepted"
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def started(cp: Station, ref: str, evse: int = 1) -> None:
    await cp.call(call.TransactionEvent(
        event_type="Started", timestamp=now(), trigger_reason="CablePluggedIn", seq_no=0,
        transaction_info={"transactionId": ref, "chargingState": "EVConnected"},
        evse={"id": evse, "connectorId": 1}))


def needs(max_current: int, departure_hours: float | None = 2) -> dict[str, Any]:
    n: dict[str, Any] = {"requestedEnergyTransfer": "AC_three_phase", "acChargingParameters": {
        "energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": max_current, "evMaxVoltage": 400}}
    if departure_hours is not None:
        n["departureTime"] = (datetime.now(timezone.utc) + timedelta(hours=departure_hours)) \
            .isoformat().replace("+00:00", "Z")
    return n


def schedule_of(profile: dict[str, Any]) -> dict[str, Any]:
    return profile["charging_schedule"][0]


async def test_needs_get_a_schedule_within_needs_and_limits_and_over_it_is_renegotiated(server, db):
    async with station(server.url, "EVN-1") as cp:
        # no transaction on EVSE 1 yet: no schedule will come
        answer = await cp.call(call.NotifyEVChargingNeeds(charging_needs=needs(16), evse_id=1))
        assert answer.status == "Rejected"

        await started(cp, "EVN-TX")
        answer = await cp.call(call.NotifyEVChargingNeeds(charging_needs=needs(16), evse_id=1,
                                                          max_schedule_tuples=3))
        assert answer.status == "Accepted"
        await wait_for(lambda: _count(cp, 1))
        profile = cp.profiles[0]
        assert profile["evse_id"] == 1
        assert (profile["charging_profile_purpose"], profile["transaction_id"]) == ("TxProfile", "EVN-TX")
        schedule = schedule_of(profile)
        assert schedule["charging_rate_unit"] == "A"
        periods = schedule["charging_schedule_period"]
        assert 1 <= len(periods) <= 3 and periods[0]["start_period"] == 0
        assert all(0 <= p["limit"] <= 16 for p in periods)          # the EV's maximum
        assert max(p["limit"] for p in periods) == 16                # under the EVSE's 32 A
        assert 0 < schedule["duration"] <= 2 * 3600                  # up to the departure

        # the EV's schedule within the limits: Accepted, nothing new
        time_base = schedule["start_schedule"]
        answer = await cp.call(call.NotifyEVChargingSchedule(time_base=time_base, evse_id=1, charging_schedule={
            "id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 12}]}))
        assert answer.status == "Accepted"
        # over them: Rejected, and a new SetChargingProfile (renegotiation)
        answer = await cp.call(call.NotifyEVChargingSchedule(time_base=time_base, evse_id=1, charging_schedule={
            "id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 16}, {"startPeriod": 900, "limit": 24}]}))
        assert answer.status == "Rejected"
        await wait_for(lambda: _count(cp, 2))
        assert cp.profiles[1]["transaction_id"] == "EVN-TX"
        rows = await db.sql("select within_limits, renegotiation_command is not null "
                            "from cs.ev_charging_schedule order by id")
        assert rows.splitlines() == ["t|f", "f|t"]


async def test_needs_in_a_site_respect_the_share_and_the_ev_caps_its_share(server, db):
    async with station(server.url, "EVN-S1") as a, station(server.url, "EVN-S2") as b:
        site = json.loads(await db.sql("select ocpp.set_site('EV site', 24)"))["id"]
        for identity in ("EVN-S1", "EVN-S2"):
            await db.sql(f"select ocpp.add_station_to_site({site}, '{identity}')")
        await started(a, "EVN-A")
        await started(b, "EVN-B")
        await wait_for(lambda: _limits(a, b, [12.0], [12.0]))
        # A's EV takes at most 8 A: its schedule stays under it, B gets the rest of the site
        answer = await a.call(call.NotifyEVChargingNeeds(charging_needs=needs(8, None), evse_id=1))
        assert answer.status == "Accepted"
        await wait_for(lambda: _limits(a, b, [8.0], [16.0]))
        assert "duration" not in schedule_of(a.profiles[-1])        # no departure time: open-ended


async def test_needs_with_a_tariff_charge_in_the_cheap_period_first(server, db):
    # a tariff cheap from 2 h to 5 h from now (UTC, to the minute), dear otherwise, at this station
    start, end = (datetime.now(timezone.utc) + timedelta(hours=h) for h in (2, 5))
    await db.sql("select ocpp.set_tariff('CHEAP-SOON', 'EUR', 0.40, periods => '" + json.dumps(
        [{"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"), "energyPrice": 0.10}]) + "')")
    async with station(server.url, "EVN-T") as cp:
        await db.sql("select ocpp.assign_tariff('CHEAP-SOON', 'EVN-T')")
        await started(cp, "EVN-T-TX")
        # 2 h at the EV's 16 A (× 230 V × 3 phases), departure in 10 h
        n = needs(16, departure_hours=10)
        n["acChargingParameters"]["energyAmount"] = 22080
        answer = await cp.call(call.NotifyEVChargingNeeds(charging_needs=n, evse_id=1, max_schedule_tuples=3))
        assert answer.status == "Accepted"
        await wait_for(lambda: _count(cp, 1))
        schedule = schedule_of(cp.profiles[0])
        periods = schedule["charging_schedule_period"]
        assert len(periods) <= 3                                      # maxScheduleTuples
        assert [float(p["limit"]) for p in periods] == [0, 16, 0]     # nothing until the cheap period
        assert 7080 <= periods[1]["start_period"] <= 7200             # it starts 2 h from now (minute)
        charged_s = periods[2]["start_period"] - periods[1]["start_period"]
        assert charged_s * 16 * 690 / 3600 >= 22080                  # the energy by the departure
        assert periods[2]["start_period"] <= 5 * 3600                 # within the cheap period
        assert 0 < schedule["duration"] <= 10 * 3600


async def _count(cp: Station, n: int) -> bool:
    return len(cp.profiles) >= n


async def _limits(a: Station, b: Station, want_a: list[float], want_b: list[float]) -> bool:
    def last(cp: Station) -> list[float] | None:
        if not cp.profiles:
            return None
        return [float(p["limit"]) for p in schedule_of(cp.profiles[-1])["charging_schedule_period"]]
    return last(a) == want_a and last(b) == want_b
