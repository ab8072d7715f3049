"""An OCPP 1.6 station that behaves like a real one: its behaviour, whatever carries it.

One object per station, a few KB: its connectors (state16.py), configuration keys (keys16.py),
local list, cache and profiles. connection.py keeps it connected over a transport (WebSocket, or
SOAP for soap_station.py's 1.5/1.6 stations), matches the answers to its CALLs, and while connected
runs `live()`: boot, status, heartbeats, meter values, sessions that were asked for, reservations
that expire. CALLs of its own go one at a time, as OCPP-J asks. Whatever the central system asks is
answered at once by `answer()`; what follows from it (Authorize, StartTransaction, firmware status,
a reboot) runs after the answer is sent.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any, Awaitable, Callable

import aiohttp

from ocpp_cs.protocol import Call, CallError
from ocpp_cs.validation import ValidationError, schemas_for
from .certificates import fake_csr, hash_data
from .clock import now_iso, parse_time
from .config import StationConfig
from .connection import CallErrorReceived, Connection
from .energy import accumulate, drawn, stacked_limit
from .keys16 import HIDDEN_KEYS, Keys16
from .meter import MEASURANDS_16, readings, whole
from .options import StationOptions
from .state16 import Connector, Reservation
from .stats import Stats
from .transport.base import Transport
from .transport.websocket import WebSocketTransport

log = logging.getLogger("ocpp_emulator")

VERSION = "1.6"
_SCHEMAS = schemas_for(VERSION)


Answer = tuple[dict[str, Any], Callable[[], Awaitable[None]] | None]


class Station16:
    def __init__(self, config: StationConfig, session: aiohttp.ClientSession, *,
                 url: str | None = None, stats: Stats | None = None,
                 options: StationOptions | None = None, transport: Transport | None = None):
        self.config = config
        self.identity = config.identity
        self.base_url = url or config.url
        self.stats = stats or Stats()
        self.options = options or StationOptions()
        self.connectors = {c.id: Connector(c, energy=float(c.meter_value),
                                           soc=random.uniform(20, 60))
                           for c in config.connectors}
        self.station_profiles: list[dict[str, Any]] = []   # connector 0
        self.keys = Keys16(config, len(self.connectors))
        self.local_list: dict[str, dict[str, Any]] = {}
        self.local_list_version = 0
        self.cache: dict[str, dict[str, Any]] = {}
        self.certificates: list[dict[str, Any]] = []
        self.registration = ""           # last BootNotification status
        self.heartbeat = 300.0
        self.firmware_status = "Idle"
        self.diagnostics_status = "Idle"
        self.booted = asyncio.Event()
        self._wake = asyncio.Event()
        self._after_boot: list[tuple[str, dict[str, Any]]] = []
        self._schemas = _SCHEMAS
        self.connection = Connection(
            self, transport or WebSocketTransport(session, identity=self.identity,
                                                  version=VERSION, station_url=config.station_url,
                                                  stats=self.stats),
            version=VERSION, schemas=_SCHEMAS, stats=self.stats, options=self.options)

    # ---------------------------------------------------------------- configuration keys
    def key(self, name: str, default: str | None = None) -> str | None:
        return self.keys.get(name, default)

    def flag(self, name: str) -> bool:
        return self.keys.flag(name)

    @property
    def meter_interval(self) -> float:
        if self.options.meter_interval:
            return random.uniform(*self.options.meter_interval)
        return float(self.key("MeterValueSampleInterval") or 60) or 60.0

    # ---------------------------------------------------------------- for the connection
    def central_system(self) -> str:
        """The central system's URL: CentralSystemURL once changed (and rebooted), else ours."""
        return self.keys.changed.get("CentralSystemURL", self.base_url)

    @property
    def url(self) -> str:
        return self.config.station_url(self.central_system())

    def password(self) -> str | None:
        return self.key("AuthorizationKey") or None

    async def ready(self) -> None:
        """Until booted (a 1.6 station is never refused: it retries until stopped)."""
        await self.booted.wait()

    def lost(self) -> None:
        if self.booted.is_set():
            self.stats.booted -= 1
            self.booted.clear()

    # ---------------------------------------------------------------- life
    def start(self) -> asyncio.Task:
        return self.connection.start()

    async def run(self) -> None:
        """Connect, boot and serve until stop(); reconnect with exponential backoff and jitter."""
        await self.connection.run()

    async def stop(self) -> None:
        """Stop for good (a WebSocket closes with 1001, going away)."""
        self._wake.set()
        await self.connection.stop()

    async def drop(self) -> None:
        """Lose the connection now and reconnect at once (a reconnect storm)."""
        await self.connection.drop()

    async def reboot(self) -> None:
        self.keys.reboot()
        await self.connection.reboot()

    def spawn(self, coro: Awaitable[None]) -> None:
        self.connection.spawn(coro)

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one CALL and wait for its answer; one at a time."""
        return await self.connection.call(action, payload)

    # ---------------------------------------------------------------- the life loop
    def _boot_payload(self) -> dict[str, Any]:
        p: dict[str, Any] = {"chargePointVendor": self.config.vendor,
                             "chargePointModel": self.config.model}
        for name, value, size in (("chargePointSerialNumber", self.config.serial, 25),
                                  ("firmwareVersion", self.config.firmware, 50),
                                  ("meterSerialNumber", self.config.meter_serial, 25),
                                  ("meterType", self.key("MeterType"), 25),
                                  ("iccid", self.key("Iccid"), 20),
                                  ("imsi", self.key("Imsi"), 20)):
            if value:
                p[name] = value[:size]
        return p

    async def boot(self) -> dict[str, Any]:
        answer = await self.call("BootNotification", self._boot_payload())
        self.registration = answer["status"]
        if answer["status"] == "Accepted":
            if answer["interval"] > 0 and not self.options.heartbeat:
                self.heartbeat = float(answer["interval"])
                self.keys.changed["HeartbeatInterval"] = str(answer["interval"])
            elif self.options.heartbeat:
                self.heartbeat = self.options.heartbeat
        return answer

    async def live(self) -> None:
        """While connected: boot, then status, heartbeats, meter values, sessions, expiries."""
        loop = asyncio.get_running_loop()
        # Boot, again and again while Pending or Rejected, at the interval the answer gives.
        while True:
            answer = await self.boot()
            if answer["status"] == "Accepted":
                break
            wait = answer["interval"] or 60
            log.info("%s: boot %s, next try in %s s", self.identity, answer["status"], wait)
            self._wake.clear()
            try:   # TriggerMessage(BootNotification) wakes a Pending station early
                await asyncio.wait_for(self._wake.wait(), wait)
            except asyncio.TimeoutError:
                pass
        self.connection.reset_backoff()
        self.stats.boots += 1
        self.stats.booted += 1
        self.booted.set()
        log.info("%s: booted (heartbeat every %g s)", self.identity, self.heartbeat)
        await self.status(0, "Available" if any(c.operative for c in self.connectors.values())
                          else "Unavailable")
        now = loop.time()
        for c in self.connectors.values():
            c.last = now
            await self.status(c.id, self._resting_status(c))
            if c.transaction_id is not None:
                c.next_meter = now + self.meter_interval
            if self.options.autonomous and c.next_session is None:
                c.next_session = now + random.uniform(*self.options.session_gap)
        while self._after_boot:
            action, payload = self._after_boot.pop(0)
            await self.call(action, payload)
        next_heartbeat = now + self.heartbeat
        while True:
            now = loop.time()
            if now >= next_heartbeat:
                await self.call("Heartbeat", {})
                next_heartbeat = now + self.heartbeat
            wall = time.time()
            due = next_heartbeat
            for c in self.connectors.values():
                if c.reservation and wall >= c.reservation.expiry:
                    c.reservation = None
                    await self.status(c.id, self._resting_status(c))
                if c.transaction_id is not None and now >= c.next_meter:
                    await self.meter_values(c, "Sample.Periodic")
                    c.next_meter = now + self.meter_interval
                if c.session_end is not None and now >= c.session_end:
                    c.session_end = None
                    if c.transaction_id is not None:
                        await self.stop_transaction(c, "EVDisconnected")
                    await self.unplug(c.id)
                if c.unplug_at is not None and now >= c.unplug_at:
                    c.unplug_at = None
                    await self.unplug(c.id)
                if c.next_session is not None and now >= c.next_session:
                    c.next_session = None
                    await self._autonomous_session(c)
                for t in (c.next_meter if c.transaction_id is not None else None, c.session_end,
                          c.unplug_at, c.next_session,
                          loop.time() + c.reservation.expiry - wall if c.reservation else None):
                    if t is not None:
                        due = min(due, t)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.0, due - loop.time()))
            except asyncio.TimeoutError:
                pass

    async def _autonomous_session(self, c: Connector) -> None:
        loop = asyncio.get_running_loop()
        if c.transaction_id is None and c.operative and c.reservation is None:
            tag = f"{self.identity}-{c.id}"[-20:]
            await self.plug_in(c.id)
            if await self.start_transaction(c.id, tag):
                c.session_end = loop.time() + random.uniform(*self.options.session_length)
                return
            await self.unplug(c.id)
        c.next_session = loop.time() + random.uniform(*self.options.session_gap)

    def _resting_status(self, c: Connector) -> str:
        if c.transaction_id is not None:
            return "Charging"
        if not c.operative:
            return "Unavailable"
        if c.reservation is not None:
            return "Reserved"
        return "Preparing" if c.plugged else "Available"

    async def status(self, connector_id: int, status: str, error_code: str = "NoError") -> None:
        c = self.connectors.get(connector_id)
        if c is not None:
            c.status = status
        await self.call("StatusNotification", {"connectorId": connector_id,
                                               "errorCode": error_code, "status": status,
                                               "timestamp": now_iso()})

    # ---------------------------------------------------------------- energy
    def _limit(self, c: Connector) -> float:
        """The power the connector may draw now, in W: its maximum, capped by charging profiles."""
        wall = time.time()
        limit = c.config.max_power

        def best(profiles: list[dict[str, Any]], purpose: str) -> float | None:
            return stacked_limit(profiles, purpose, c.transaction_id, wall, c.started or wall,
                                 c.voltage, c.phases)

        tx = best(c.profiles, "TxProfile") if c.transaction_id is not None else None
        if tx is None:
            tx = best(c.profiles, "TxDefaultProfile")
        if tx is None:
            tx = best(self.station_profiles, "TxDefaultProfile")
        if tx is not None:
            limit = min(limit, tx)
        station = best(self.station_profiles, "ChargePointMaxProfile")
        if station is not None:
            charging = sum(1 for x in self.connectors.values() if x.transaction_id is not None)
            limit = min(limit, station / max(1, charging))
        return max(0.0, limit)

    def _advance(self, c: Connector) -> None:
        accumulate(c, asyncio.get_running_loop().time(), c.transaction_id is not None)
        if c.transaction_id is None:
            c.power = 0.0
            return
        c.power = drawn(self._limit(c), c.soc, c.dc)

    def sampled_values(self, c: Connector, context: str) -> list[dict[str, Any]]:
        self._advance(c)
        return [{"value": f"{r.value:.0f}" if whole(r) else f"{r.value:.1f}", "context": context,
                 "measurand": r.measurand, "location": r.location, "unit": r.unit}
                for r in readings(c, self.key("MeterValuesSampledData") or "",
                                  lambda: self._limit(c), MEASURANDS_16)]

    async def meter_values(self, c: Connector, context: str = "Sample.Periodic") -> None:
        payload: dict[str, Any] = {"connectorId": c.id, "meterValue": [
            {"timestamp": now_iso(), "sampledValue": self.sampled_values(c, context)}]}
        if c.transaction_id is not None:
            payload["transactionId"] = c.transaction_id
        await self.call("MeterValues", payload)

    # ---------------------------------------------------------------- sessions
    def _local_info(self, id_tag: str) -> dict[str, Any] | None:
        info = None
        if self.flag("LocalAuthListEnabled") and id_tag in self.local_list:
            info = self.local_list[id_tag]
        elif self.flag("AuthorizationCacheEnabled") and id_tag in self.cache:
            info = self.cache[id_tag]
        if info is None:
            return None
        expiry = parse_time(info.get("expiryDate"))
        if expiry is not None and expiry < time.time():
            return {**info, "status": "Expired"}
        return info

    def _remember(self, id_tag: str, info: dict[str, Any]) -> None:
        if self.flag("AuthorizationCacheEnabled") and id_tag not in self.local_list:
            self.cache[id_tag] = info

    async def authorize(self, id_tag: str) -> dict[str, Any]:
        info = self._local_info(id_tag) if self.flag("LocalPreAuthorize") else None
        if info is not None and info.get("status") == "Accepted":
            return info
        answer = await self.call("Authorize", {"idTag": id_tag})
        self._remember(id_tag, answer["idTagInfo"])
        return answer["idTagInfo"]

    async def plug_in(self, connector_id: int) -> None:
        c = self.connectors[connector_id]
        c.plugged = True
        c.unplug_at = None
        if c.transaction_id is None and c.status in ("Available", "Finishing") and c.operative:
            await self.status(c.id, "Preparing")

    async def unplug(self, connector_id: int) -> None:
        c = self.connectors[connector_id]
        c.plugged = False
        c.unplug_at = None
        if c.transaction_id is not None and self.flag("StopTransactionOnEVSideDisconnect"):
            await self.stop_transaction(c, "EVDisconnected")
        resting = self._resting_status(c)
        if c.status != resting:
            await self.status(c.id, resting)

    async def start_transaction(self, connector_id: int, id_tag: str, *,
                                remote: bool = False) -> bool:
        """Present an id tag on a connector: Authorize (unless remote and not required),
        Preparing, StartTransaction, Charging. True when charging."""
        c = self.connectors[connector_id]
        if c.transaction_id is not None or not c.operative:
            return False
        c.plugged = True
        if c.status != "Preparing":
            await self.status(c.id, "Preparing")
        if not remote or self.flag("AuthorizeRemoteTxRequests"):
            info = await self.authorize(id_tag)
            if info["status"] != "Accepted":
                log.info("%s: id tag %s %s", self.identity, id_tag, info["status"])
                return False
        r = c.reservation
        reservation = r if r is not None and (r.id_tag == id_tag or r.parent == id_tag) else None
        self._advance(c)
        payload: dict[str, Any] = {"connectorId": c.id, "idTag": id_tag,
                                   "meterStart": int(c.energy), "timestamp": now_iso()}
        if reservation is not None:
            payload["reservationId"] = reservation.id
        answer = await self.call("StartTransaction", payload)
        self.stats.sessions += 1
        c.transaction_id = answer["transactionId"]
        c.id_tag = id_tag
        c.started = time.time()
        c.reservation = None if reservation is not None else c.reservation
        self._remember(id_tag, answer["idTagInfo"])
        loop = asyncio.get_running_loop()
        c.last = loop.time()
        if answer["idTagInfo"]["status"] != "Accepted" and self.flag("StopTransactionOnInvalidId"):
            await self.stop_transaction(c, "DeAuthorized")
            return False
        self._advance(c)
        await self.status(c.id, "Charging")
        c.next_meter = loop.time() + self.meter_interval
        self._wake.set()
        return True

    async def stop_transaction(self, c: Connector, reason: str = "Local",
                               id_tag: str | None = None) -> None:
        if c.transaction_id is None:
            return
        self._advance(c)
        tx = c.transaction_id
        payload: dict[str, Any] = {
            "transactionId": tx, "meterStop": int(c.energy), "timestamp": now_iso(),
            "reason": reason,
            "transactionData": [{"timestamp": now_iso(), "sampledValue": [
                {"value": f"{c.energy:.0f}", "context": "Transaction.End",
                 "measurand": "Energy.Active.Import.Register", "location": "Outlet",
                 "unit": "Wh"}]}]}
        if id_tag:
            payload["idTag"] = id_tag
        c.transaction_id = None
        c.power = 0.0
        c.id_tag = None
        c.profiles = [p for p in c.profiles if p["chargingProfilePurpose"] != "TxProfile"]
        await self.call("StopTransaction", payload)
        self.stats.sessions_done += 1
        if c.scheduled is not None:
            c.operative = c.scheduled == "Operative"
            c.scheduled = None
        await self.status(c.id, "Finishing" if c.plugged and c.operative
                          else self._resting_status(c))

    # ---------------------------------------------------------------- the central system asks
    def answer(self, call: Call) -> tuple[dict[str, Any] | CallError, Callable[[], Awaitable[None]] | None]:
        handler = getattr(self, "on_" + call.action, None)
        if handler is None:
            return CallError(call.unique_id, "NotImplemented",
                             f"{call.action} is not supported by this station"), None
        try:
            self._schemas.check_request(call.action, call.payload)
        except ValidationError as e:
            return CallError(call.unique_id, e.code, e.description, e.details), None
        return handler(call.payload)

    def _connector(self, payload: dict[str, Any]) -> Connector | None:
        return self.connectors.get(payload.get("connectorId", -1))

    def on_RemoteStartTransaction(self, p: dict[str, Any]) -> Answer:
        cid = p.get("connectorId")
        if cid is None:
            free = [c for c in self.connectors.values() if c.transaction_id is None
                    and c.operative and c.reservation is None]
            c = free[0] if free else None
        else:
            c = self.connectors.get(cid)
            if c is not None and (c.transaction_id is not None or not c.operative or (
                    c.reservation is not None and c.reservation.id_tag != p["idTag"])):
                c = None
        if c is None:
            return {"status": "Rejected"}, None
        profile = p.get("chargingProfile")
        if profile is not None:
            if profile.get("chargingProfilePurpose") != "TxProfile":
                return {"status": "Rejected"}, None
            c.profiles = [x for x in c.profiles if x["chargingProfileId"]
                          != profile["chargingProfileId"]] + [profile]
        connector = c

        async def start() -> None:
            if not await self.start_transaction(connector.id, p["idTag"], remote=True):
                await self.unplug(connector.id)
        return {"status": "Accepted"}, start

    def on_RemoteStopTransaction(self, p: dict[str, Any]) -> Answer:
        c = next((c for c in self.connectors.values()
                  if c.transaction_id == p["transactionId"]), None)
        if c is None:
            return {"status": "Rejected"}, None

        async def stop() -> None:
            await self.stop_transaction(c, "Remote")
            c.unplug_at = asyncio.get_running_loop().time() + self.options.unplug_delay
            self._wake.set()
        return {"status": "Accepted"}, stop

    def on_Reset(self, p: dict[str, Any]) -> Answer:
        reason = "HardReset" if p["type"] == "Hard" else "SoftReset"

        async def reset() -> None:
            for c in self.connectors.values():
                if c.transaction_id is not None:
                    try:
                        await self.stop_transaction(c, reason)
                    except (ConnectionError, CallErrorReceived, asyncio.TimeoutError):
                        pass
                c.plugged = False
            log.info("%s: %s reset", self.identity, p["type"])
            await self.reboot()
        return {"status": "Accepted"}, reset

    def on_ChangeAvailability(self, p: dict[str, Any]) -> Answer:
        operative = p["type"] == "Operative"
        cid = p["connectorId"]
        if cid != 0 and cid not in self.connectors:
            return {"status": "Rejected"}, None
        targets = list(self.connectors.values()) if cid == 0 else [self.connectors[cid]]
        scheduled = False
        changed: list[Connector] = []
        for c in targets:
            if c.transaction_id is not None and not operative:
                c.scheduled = p["type"]
                scheduled = True
            elif c.operative != operative:
                c.operative = operative
                c.scheduled = None
                changed.append(c)

        async def notify() -> None:
            if cid == 0 and not scheduled:
                await self.status(0, "Available" if operative else "Unavailable")
            for c in changed:
                await self.status(c.id, self._resting_status(c))
        return {"status": "Scheduled" if scheduled else "Accepted"}, notify if (
            changed or cid == 0) else None

    def on_GetConfiguration(self, p: dict[str, Any]) -> Answer:
        keys = self.keys.all()
        wanted = p.get("key")
        names = wanted if wanted else list(keys)
        known, unknown = [], []
        for name in names:
            if name in keys:
                value, readonly = keys[name]
                entry: dict[str, Any] = {"key": name, "readonly": readonly}
                if value is not None and name not in HIDDEN_KEYS:
                    entry["value"] = value[:500]
                known.append(entry)
            else:
                unknown.append(name)
        answer: dict[str, Any] = {"configurationKey": known}
        if unknown:
            answer["unknownKey"] = unknown
        return answer, None

    def on_ChangeConfiguration(self, p: dict[str, Any]) -> Answer:
        name, value = p["key"], p["value"]
        status = self.keys.change(name, value)
        if status != "Accepted":
            return {"status": status}, None
        if name == "HeartbeatInterval" and int(value) > 0:
            self.heartbeat = float(value)
            self._wake.set()
        if name == "AuthorizationCacheEnabled" and value.lower() == "false":
            self.cache.clear()
        return {"status": "Accepted"}, None

    def on_ClearCache(self, p: dict[str, Any]) -> Answer:
        self.cache.clear()
        return {"status": "Accepted"}, None

    def on_ReserveNow(self, p: dict[str, Any]) -> Answer:
        cid = p["connectorId"]
        if cid == 0:
            if not self.flag("ReserveConnectorZeroSupported"):
                return {"status": "Rejected"}, None
            free = [c for c in self.connectors.values() if c.transaction_id is None
                    and c.reservation is None and c.operative]
            if not free:
                return {"status": "Occupied"}, None
            c = free[0]
        else:
            c = self.connectors.get(cid)
            if c is None:
                return {"status": "Rejected"}, None
        for other in self.connectors.values():    # the same id replaces its reservation
            if other.reservation and other.reservation.id == p["reservationId"] and other is not c:
                other.reservation = None
        if c.status == "Faulted":
            return {"status": "Faulted"}, None
        if not c.operative:
            return {"status": "Unavailable"}, None
        if c.transaction_id is not None or c.plugged or (
                c.reservation is not None and c.reservation.id != p["reservationId"]):
            return {"status": "Occupied"}, None
        expiry = parse_time(p["expiryDate"]) or time.time()
        c.reservation = Reservation(p["reservationId"], p["idTag"], p.get("parentIdTag"), expiry)

        async def reserved() -> None:
            await self.status(c.id, "Reserved")
            self._wake.set()   # the life loop watches the expiry
        return {"status": "Accepted"}, reserved

    def on_CancelReservation(self, p: dict[str, Any]) -> Answer:
        c = next((c for c in self.connectors.values()
                  if c.reservation and c.reservation.id == p["reservationId"]), None)
        if c is None:
            return {"status": "Rejected"}, None
        c.reservation = None

        async def cancelled() -> None:
            await self.status(c.id, self._resting_status(c))
        return {"status": "Accepted"}, cancelled

    def on_SendLocalList(self, p: dict[str, Any]) -> Answer:
        if not self.flag("LocalAuthListEnabled"):
            return {"status": "NotSupported"}, None
        entries = p.get("localAuthorizationList") or []
        if len(entries) > int(self.key("SendLocalListMaxLength") or 100):
            return {"status": "Failed"}, None
        if p["updateType"] == "Full":
            self.local_list = {e["idTag"]: e["idTagInfo"] for e in entries if "idTagInfo" in e}
        else:
            if p["listVersion"] <= self.local_list_version:
                return {"status": "VersionMismatch"}, None
            for e in entries:
                if "idTagInfo" in e:
                    self.local_list[e["idTag"]] = e["idTagInfo"]
                else:
                    self.local_list.pop(e["idTag"], None)
        self.local_list_version = p["listVersion"]
        return {"status": "Accepted"}, None

    def on_GetLocalListVersion(self, p: dict[str, Any]) -> Answer:
        if not self.flag("LocalAuthListEnabled"):
            return {"listVersion": -1}, None
        return {"listVersion": self.local_list_version if self.local_list else 0}, None

    def on_SetChargingProfile(self, p: dict[str, Any]) -> Answer:
        cid, profile = p["connectorId"], p["csChargingProfiles"]
        purpose = profile["chargingProfilePurpose"]
        if cid != 0 and cid not in self.connectors:
            return {"status": "Rejected"}, None
        if purpose == "ChargePointMaxProfile" and cid != 0:
            return {"status": "Rejected"}, None
        if purpose == "TxProfile":
            c = self.connectors.get(cid)
            if c is None or c.transaction_id is None or profile.get("transactionId") not in (
                    None, c.transaction_id):
                return {"status": "Rejected"}, None
        if profile["stackLevel"] > int(self.key("ChargeProfileMaxStackLevel") or 10):
            return {"status": "Rejected"}, None
        unit = profile["chargingSchedule"]["chargingRateUnit"]
        if ("Current" if unit == "A" else "Power") not in (
                self.key("ChargingScheduleAllowedChargingRateUnit") or ""):
            return {"status": "Rejected"}, None
        target = self.station_profiles if cid == 0 else self.connectors[cid].profiles
        target[:] = [x for x in target if x["chargingProfileId"] != profile["chargingProfileId"]
                     and not (x["stackLevel"] == profile["stackLevel"]
                              and x["chargingProfilePurpose"] == purpose)] + [profile]
        return {"status": "Accepted"}, self._recompute

    async def _recompute(self) -> None:
        for c in self.connectors.values():
            self._advance(c)

    def on_ClearChargingProfile(self, p: dict[str, Any]) -> Answer:
        removed = 0

        def keep(x: dict[str, Any], cid: int) -> bool:
            if "id" in p:
                return x["chargingProfileId"] != p["id"]
            if "connectorId" in p and p["connectorId"] != cid:
                return True
            if "chargingProfilePurpose" in p and x["chargingProfilePurpose"] != \
                    p["chargingProfilePurpose"]:
                return True
            if "stackLevel" in p and x["stackLevel"] != p["stackLevel"]:
                return True
            return False
        lists = [(0, self.station_profiles)] + [(c.id, c.profiles) for c in self.connectors.values()]
        for cid, profiles in lists:
            before = len(profiles)
            profiles[:] = [x for x in profiles if keep(x, cid)]
            removed += before - len(profiles)
        return {"status": "Accepted" if removed else "Unknown"}, self._recompute if removed else None

    def on_GetCompositeSchedule(self, p: dict[str, Any]) -> Answer:
        cid = p["connectorId"]
        if cid != 0 and cid not in self.connectors:
            return {"status": "Rejected"}, None
        c = self.connectors.get(cid) or next(iter(self.connectors.values()))
        unit = p.get("chargingRateUnit", "W")
        limit = self._limit(c)
        if unit == "A":
            limit = limit / c.voltage / c.phases
        start = now_iso()
        return {"status": "Accepted", "connectorId": cid, "scheduleStart": start,
                "chargingSchedule": {"duration": p["duration"], "startSchedule": start,
                                     "chargingRateUnit": unit,
                                     "chargingSchedulePeriod": [
                                         {"startPeriod": 0, "limit": round(limit, 1)}]}}, None

    def _trigger(self, requested: str, connector_id: int | None) -> Callable[[], Awaitable[None]] | None:
        if requested == "BootNotification":
            async def f() -> None:
                if self.registration != "Accepted":
                    self._wake.set()          # the boot loop sends it now
                else:
                    await self.boot()
        elif requested == "Heartbeat":
            async def f() -> None:
                await self.call("Heartbeat", {})
        elif requested == "StatusNotification":
            async def f() -> None:
                ids = [connector_id] if connector_id is not None else [0, *self.connectors]
                for i in ids:
                    c = self.connectors.get(i)
                    await self.status(i, c.status if c else "Available")
        elif requested == "MeterValues":
            async def f() -> None:
                ids = [connector_id] if connector_id else list(self.connectors)
                for i in ids:
                    await self.meter_values(self.connectors[i], "Trigger")
        elif requested == "DiagnosticsStatusNotification":
            async def f() -> None:
                await self.call("DiagnosticsStatusNotification",
                                {"status": self.diagnostics_status})
        elif requested == "FirmwareStatusNotification":
            async def f() -> None:
                await self.call("FirmwareStatusNotification", {"status": self.firmware_status})
        elif requested == "LogStatusNotification":
            async def f() -> None:
                await self.call("LogStatusNotification", {"status": "Idle"})
        elif requested == "SignChargePointCertificate":
            async def f() -> None:
                await self.call("SignCertificate", {"csr": fake_csr(self.identity)})
        else:
            return None
        return f

    def on_TriggerMessage(self, p: dict[str, Any]) -> Answer:
        cid = p.get("connectorId")
        if cid is not None and cid != 0 and cid not in self.connectors:
            return {"status": "Rejected"}, None
        follow = self._trigger(p["requestedMessage"], cid)
        return ({"status": "Accepted"}, follow) if follow else ({"status": "NotImplemented"}, None)

    def on_ExtendedTriggerMessage(self, p: dict[str, Any]) -> Answer:
        cid = p.get("connectorId")
        if cid is not None and cid != 0 and cid not in self.connectors:
            return {"status": "Rejected"}, None
        requested = p["requestedMessage"]
        if requested == "FirmwareStatusNotification":
            async def follow() -> None:
                await self.call("SignedFirmwareStatusNotification",
                                {"status": self.firmware_status})
        else:
            follow = self._trigger(requested, cid)   # type: ignore[assignment]
        return ({"status": "Accepted"}, follow) if follow else ({"status": "NotImplemented"}, None)

    def on_UnlockConnector(self, p: dict[str, Any]) -> Answer:
        c = self._connector(p)
        if c is None:
            return {"status": "NotSupported"}, None

        async def unlock() -> None:
            if c.transaction_id is not None:
                await self.stop_transaction(c, "UnlockCommand")
            await self.unplug(c.id)
        return {"status": "Unlocked"}, unlock

    def on_DataTransfer(self, p: dict[str, Any]) -> Answer:
        if p["vendorId"] != self.config.vendor:
            return {"status": "UnknownVendorId"}, None
        answer: dict[str, Any] = {"status": "Accepted"}
        if "data" in p:
            answer["data"] = p["data"]
        return answer, None

    # ---------------------------------------------------------------- files and firmware
    async def _steps(self, action: str, statuses: list[str], extra: dict[str, Any],
                     attr: str | None = None) -> None:
        for status in statuses:
            await asyncio.sleep(self.options.step_delay)
            if attr:
                setattr(self, attr, status)
            await self.call(action, {"status": status, **extra})

    def on_GetDiagnostics(self, p: dict[str, Any]) -> Answer:
        name = f"diagnostics-{self.identity}-{int(time.time())}.log"[-255:]
        failed = "fail" in p["location"].lower()

        async def upload() -> None:
            await self._steps("DiagnosticsStatusNotification",
                              ["Uploading", "UploadFailed" if failed else "Uploaded"], {},
                              "diagnostics_status")
            self.diagnostics_status = "Idle"
        return {"fileName": name}, upload

    def on_UpdateFirmware(self, p: dict[str, Any]) -> Answer:
        at = parse_time(p["retrieveDate"]) or time.time()
        failed = "fail" in p["location"].lower()

        async def update() -> None:
            await asyncio.sleep(max(0.0, at - time.time()))
            if failed:
                await self._steps("FirmwareStatusNotification", ["Downloading", "DownloadFailed"],
                                  {}, "firmware_status")
                self.firmware_status = "Idle"
                return
            await self._steps("FirmwareStatusNotification",
                              ["Downloading", "Downloaded", "Installing"], {}, "firmware_status")
            await self._wait_for_no_transaction()
            # Installed is reported by the new firmware, after the reboot.
            self.firmware_status = "Installed"
            self._after_boot.append(("FirmwareStatusNotification", {"status": "Installed"}))
            await self.reboot()
        return {}, update

    def on_SignedUpdateFirmware(self, p: dict[str, Any]) -> Answer:
        firmware = p["firmware"]
        if not firmware["signingCertificate"].strip():
            return {"status": "InvalidCertificate"}, None
        at = parse_time(firmware["retrieveDateTime"]) or time.time()
        failed = "fail" in firmware["location"].lower()
        rid = {"requestId": p["requestId"]}

        async def update() -> None:
            await asyncio.sleep(max(0.0, at - time.time()))
            if failed:
                await self._steps("SignedFirmwareStatusNotification",
                                  ["Downloading", "DownloadFailed"], rid, "firmware_status")
                self.firmware_status = "Idle"
                return
            await self._steps("SignedFirmwareStatusNotification",
                              ["Downloading", "Downloaded", "SignatureVerified", "Installing"],
                              rid, "firmware_status")
            await self._wait_for_no_transaction()
            await self._steps("SignedFirmwareStatusNotification", ["InstallRebooting"], rid,
                              "firmware_status")
            self.firmware_status = "Installed"
            self._after_boot.append(("SignedFirmwareStatusNotification",
                                     {"status": "Installed", **rid}))
            await self.reboot()
        return {"status": "Accepted"}, update

    async def _wait_for_no_transaction(self) -> None:
        while any(c.transaction_id is not None for c in self.connectors.values()):
            await asyncio.sleep(1.0)

    def on_GetLog(self, p: dict[str, Any]) -> Answer:
        name = f"{p['logType'].lower()}-{self.identity}-{int(time.time())}.log"[-255:]
        failed = "fail" in p["log"]["remoteLocation"].lower()

        async def upload() -> None:
            await self._steps("LogStatusNotification",
                              ["Uploading", "UploadFailure" if failed else "Uploaded"],
                              {"requestId": p["requestId"]})
        return {"status": "Accepted", "filename": name}, upload

    # ---------------------------------------------------------------- certificates
    def on_InstallCertificate(self, p: dict[str, Any]) -> Answer:
        if "BEGIN CERTIFICATE" not in p["certificate"]:
            return {"status": "Rejected"}, None
        self.certificates.append({"type": p["certificateType"],
                                  "hash": hash_data(p["certificate"], 16)})
        return {"status": "Accepted"}, None

    def on_GetInstalledCertificateIds(self, p: dict[str, Any]) -> Answer:
        found = [c["hash"] for c in self.certificates if c["type"] == p["certificateType"]]
        if not found:
            return {"status": "NotFound"}, None
        return {"status": "Accepted", "certificateHashData": found}, None

    def on_DeleteCertificate(self, p: dict[str, Any]) -> Answer:
        wanted = p["certificateHashData"]
        before = len(self.certificates)
        self.certificates = [c for c in self.certificates
                             if c["hash"]["serialNumber"] != wanted["serialNumber"]
                             or c["hash"]["issuerNameHash"] != wanted["issuerNameHash"]]
        return {"status": "Accepted" if len(self.certificates) < before else "NotFound"}, None

    def on_CertificateSigned(self, p: dict[str, Any]) -> Answer:
        ok = "BEGIN CERTIFICATE" in p["certificateChain"]
        return {"status": "Accepted" if ok else "Rejected"}, None

