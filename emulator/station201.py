"""An OCPP 2.0.1 station over WebSocket that behaves like a real one.

The station of a `conf/cp/<name>/configuration.json` with `"OcppVersion": "2.0.1"`: EVSEs with one
or more connectors; a device model built from the file (components and variables with their
mutability and characteristics, reported by NotifyReport, read and written by Get/SetVariables,
watched by monitors); transactions as TransactionEvent Started, Updated and Ended with sequence
numbers, trigger reasons and meter values.

This is the station's behaviour: what it keeps and what it does. connection.py keeps it
connected (the WebSocket transport, connect with backoff and jitter, call matching, one CALL at a
time, reboot and drop) and calls `live()` while connected and `answer()` for every CALL of the
CSMS; the device model is device_model.py, the EVSEs' state state201.py, the electrical model
energy.py, all shared with nothing of the 1.6 station but those small modules. Like the 1.6
station it answers every CALL at once and runs what follows (Authorize, transaction events, status
sequences, a reboot) after the answer is sent.

A transaction starts when the cable is plugged in or an id token is authorized, whichever comes
first, and ends when either goes (TxStartPoint and TxStopPoint "EVConnected,Authorized"):

    plug in        StatusNotification Occupied, TransactionEvent Started (CablePluggedIn)
    id token       Authorize, TransactionEvent Updated (Authorized), charging
    charging       TransactionEvent Updated (MeterValuePeriodic) every TxUpdatedInterval
    token again    TransactionEvent Ended (StopAuthorized, Local)
    unplug         StatusNotification Available

Transaction events that cannot be sent (not connected, not booted) wait in a bounded queue and go
out with `offline: true` after the next boot, as OCPP 2.0.1 asks.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
import uuid
from typing import Any, Awaitable, Callable

import aiohttp
import orjson

from ocpp_cs.protocol import Call, CallError, actions, error_name
from ocpp_cs.validation import ValidationError, schemas_for
from .certificates import fake_csr, hash_data
from .clock import now_iso, parse_time
from .config import StationConfig
from .connection import CallErrorReceived, Connection
from .device_model import RO, RW, WO, CONTROLLERS, DeviceModel, Monitor, Variable, apply_file_keys
from .energy import accumulate, drawn, stacked_limit
from .meter import readings, whole
from .options import StationOptions
from .state201 import Connector201, Evse, Reservation201, Transaction
from .stats import Stats
from .transport.base import Transport
from .transport.websocket import WebSocketTransport

log = logging.getLogger("ocpp_emulator")

VERSION = "2.0.1"

_SCHEMAS = schemas_for(VERSION)
# What a CSMS may ask of a station (DataTransfer included): the one table's.
CSMS_ACTIONS = actions.sent_by(VERSION, actions.CENTRAL_SYSTEM)

MAX_QUEUED_EVENTS = 1000          # transaction events kept while offline; the oldest go first
# How a transaction ends: the trigger reason that goes with each stopped reason.
STOP_TRIGGERS = {"Local": "StopAuthorized", "Remote": "RemoteStop",
                 "EVDisconnected": "EVCommunicationLost", "ImmediateReset": "ResetCommand",
                 "DeAuthorized": "Deauthorized", "Reboot": "ResetCommand",
                 "EnergyLimitReached": "EnergyLimitReached", "TimeLimitReached": "TimeLimitReached",
                 "Timeout": "EVConnectTimeout"}
# 1.6 stop reasons scenario code may pass, in 2.0.1 words.
STOP_REASONS_16 = {"HardReset": "ImmediateReset", "SoftReset": "ImmediateReset",
                   "UnlockCommand": "Other", "Other": "Other"}


class Refusal(Exception):
    """A request answered with a CALLERROR rather than a response (too many items, and so on)."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


Answer = tuple[dict[str, Any], Callable[[], Awaitable[None]] | None]


def _token(value: str | dict[str, Any]) -> dict[str, Any]:
    """An idToken from a scenario's plain id tag (an RFID card) or as the CSMS sent it."""
    return value if isinstance(value, dict) else {"idToken": value, "type": "ISO14443"}


def _token_key(token: dict[str, Any]) -> tuple[str, str]:
    return token["idToken"], token["type"]


def _pages(items: list[Any], size: int) -> list[list[Any]]:
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


# ==================================================================================== the station
class Station201:
    def __init__(self, config: StationConfig, session: aiohttp.ClientSession, *,
                 url: str | None = None, stats: Stats | None = None,
                 options: StationOptions | None = None, transport: Transport | None = None):
        self.config = config
        self.identity = config.identity
        self.base_url = url or config.url
        self.stats = stats or Stats()
        self.options = options or StationOptions()
        self.registration = ""           # last BootNotification status
        self.heartbeat = 300.0
        self.booted = asyncio.Event()
        self._wake = asyncio.Event()
        self._after_boot: list[tuple[str, dict[str, Any]]] = []
        self._schemas = _SCHEMAS
        # A 2.0.1 station offers only "ocpp2.0.1": a central system that refuses it skips it.
        self.connection = Connection(
            self, transport or WebSocketTransport(session, identity=self.identity,
                                                  version=VERSION, station_url=config.station_url,
                                                  stats=self.stats, strict=True),
            version=VERSION, schemas=_SCHEMAS, stats=self.stats, options=self.options)
        electrical = {c.id: c for c in config.connectors}
        self.evses: dict[int, Evse] = {
            e.id: Evse(e, electrical[e.id], {cid: Connector201(cid, kind)
                                              for cid, kind in e.connectors or [(1, "cType2")]},
                       soc=random.uniform(20, 60))
            for e in config.evses}
        # Scenarios and load mode address a session by station.connectors[n]: here EVSE n.
        self.connectors = self.evses  # type: ignore[assignment]
        self.station_profiles: list[dict[str, Any]] = []     # evseId 0
        self.local_list: dict[tuple[str, str], dict[str, Any]] = {}
        self.local_list_version = 0
        self.cache: dict[tuple[str, str], dict[str, Any]] = {}
        self.certificates: list[dict[str, Any]] = []         # certificateType, certificateHashData
        self.network_profiles: dict[int, dict[str, Any]] = {}
        self.display_messages: dict[int, dict[str, Any]] = {}
        self.monitors: dict[int, Monitor] = {}
        self.monitoring_level = 9
        self.monitoring_base = "All"
        self.published: dict[str, str] = {}                  # checksum → location
        self.firmware_status = "Idle"
        self.firmware_request: int | None = None
        self.log_status = "Idle"
        self.log_request: int | None = None
        self.publish_status = "Idle"
        self.costs: dict[str, float] = {}                    # transactionId → total cost
        self._queue: list[dict[str, Any]] = []               # transaction events while offline
        self._pending_values: dict[tuple, str] = {}          # RebootRequired variables
        self._boot_reason = "PowerUp"
        self._reset_when_idle = False                        # an OnIdle reset of the station
        self._monitor_ids = itertools.count(1)
        self._event_ids = itertools.count(1)
        self._busy: set[str] = set()                         # "firmware", "log", "publish"
        self.model = self._build_model()

    # ---------------------------------------------------------------- the device model
    def _build_model(self) -> DeviceModel:
        m = DeviceModel()
        cfg = self.config
        for component, name, value, mutability, data_type, extra in CONTROLLERS:
            m.add(Variable(component, name, value, mutability, data_type, **extra))
        m.add(Variable("SecurityCtrlr", "Identity", self.identity, RO))
        m.add(Variable("SecurityCtrlr", "OrganizationName", cfg.vendor, RW))
        m.add(Variable("SecurityCtrlr", "CertificateEntries", None, RO, "integer",
                       read=lambda: str(len(self.certificates))))
        m.add(Variable("LocalAuthListCtrlr", "Entries", None, RO, "integer",
                       read=lambda: str(len(self.local_list))))
        m.add(Variable("AuthCacheCtrlr", "Storage", None, RO, "integer", unit="B",
                       read=lambda: str(len(orjson.dumps([list(self.cache.values())])))))
        m.add(Variable("SmartChargingCtrlr", "Entries", None, RO, "integer",
                       instance="ChargingProfiles", read=lambda: str(self._profile_count())))
        m.add(Variable("MonitoringCtrlr", "ActiveMonitoringBase", None, RO, "OptionList",
                       values_list="All,FactoryDefault,HardWiredOnly",
                       read=lambda: self.monitoring_base))
        m.add(Variable("MonitoringCtrlr", "ActiveMonitoringLevel", None, RO, "integer",
                       read=lambda: str(self.monitoring_level)))
        m.add(Variable("ClockCtrlr", "DateTime", None, RO, "dateTime", read=now_iso))
        statuses = "Available,Occupied,Reserved,Unavailable,Faulted"
        m.add(Variable("ChargingStation", "AvailabilityState", None, RO, "OptionList",
                       values_list=statuses, read=self._station_state))
        m.add(Variable("ChargingStation", "Available", None, RO, "boolean", read=lambda: "true"
                       if any(e.operative for e in self.evses.values()) else "false"))
        m.add(Variable("ChargingStation", "Problem", "false", RO, "boolean"))
        m.add(Variable("ChargingStation", "Model", cfg.model, RO))
        m.add(Variable("ChargingStation", "VendorName", cfg.vendor, RO))
        if cfg.serial:
            m.add(Variable("ChargingStation", "SerialNumber", cfg.serial[:25], RO))
        if cfg.firmware:
            m.add(Variable("ChargingStation", "FirmwareVersion", cfg.firmware[:50], RO))
        m.add(Variable("ChargingStation", "SupplyPhases", "3", RO, "integer"))
        for evse in self.evses.values():
            e = evse.id
            m.add(Variable("EVSE", "AvailabilityState", None, RO, "OptionList", evse=e,
                           values_list=statuses, read=lambda x=evse: self._evse_state(x)))
            m.add(Variable("EVSE", "Available", None, RO, "boolean", evse=e,
                           read=lambda x=evse: "true" if x.operative else "false"))
            m.add(Variable("EVSE", "Problem", "false", RO, "boolean", evse=e))
            m.add(Variable("EVSE", "Power", None, RO, "decimal", evse=e, unit="W", min_limit=0,
                           max_limit=evse.electrical.max_power,
                           read=lambda x=evse: f"{x.power:.1f}"))
            m.add(Variable("EVSE", "SupplyPhases", str(evse.phases if not evse.dc else 0), RO,
                           "integer", evse=e))
            m.add(Variable("EVSE", "AllowReset", "true", RO, "boolean", evse=e))
            for c in evse.connectors.values():
                m.add(Variable("Connector", "AvailabilityState", None, RO, "OptionList", evse=e,
                               connector=c.id, values_list=statuses,
                               read=lambda x=evse, y=c: self._connector_status(x, y)))
                m.add(Variable("Connector", "Available", None, RO, "boolean", evse=e,
                               connector=c.id, read=lambda x=evse, y=c: "true"
                               if x.operative and y.operative else "false"))
                m.add(Variable("Connector", "ConnectorType", c.type, RO, evse=e, connector=c.id))
                m.add(Variable("Connector", "SupplyPhases", str(evse.phases if not evse.dc else 0),
                               RO, "integer", evse=e, connector=c.id))
        apply_file_keys(m, cfg)
        return m

    def var(self, component: str, name: str, instance: str | None = None) -> str:
        v = self.model.get(component, name, instance=instance)
        return (v.actual or "") if v is not None else ""

    def flag(self, component: str, name: str = "Enabled") -> bool:
        return self.var(component, name).lower() == "true"

    def number(self, component: str, name: str, default: float = 0.0,
               instance: str | None = None) -> float:
        try:
            return float(self.var(component, name, instance))
        except ValueError:
            return default

    @property
    def meter_interval(self) -> float:
        if self.options.meter_interval:
            return random.uniform(*self.options.meter_interval)
        return self.number("SampledDataCtrlr", "TxUpdatedInterval", 60) or 60.0

    # ---------------------------------------------------------------- for the connection
    def central_system(self) -> str:
        """The CSMS URL: the first configured network profile of NetworkConfigurationPriority."""
        base = self.base_url
        for slot in self.var("OCPPCommCtrlr", "NetworkConfigurationPriority").split(","):
            profile = self.network_profiles.get(int(slot)) if slot.strip().isdigit() else None
            if profile is not None:
                base = profile["ocppCsmsUrl"]
                break
        return base

    @property
    def url(self) -> str:
        return self.config.station_url(self.central_system())

    def password(self) -> str | None:
        return self.var("SecurityCtrlr", "BasicAuthPassword") or None   # AuthorizationKey in a file

    def lost(self) -> None:
        if self.booted.is_set():
            self.stats.booted -= 1
            self.booted.clear()

    def start(self) -> asyncio.Task:
        return self.connection.start()

    async def run(self) -> None:
        await self.connection.run()

    async def stop(self) -> None:
        """Stop for good: close the socket with 1001 (going away)."""
        self._wake.set()
        await self.connection.stop()

    async def drop(self) -> None:
        """Lose the connection now and reconnect at once (a reconnect storm)."""
        await self.connection.drop()

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.connection.call(action, payload)

    def spawn(self, coro: Awaitable[None]) -> None:
        self.connection.spawn(coro)

    @property
    def skipped(self) -> asyncio.Event:
        """Set when the central system refuses OCPP 2.0.1."""
        return self.connection.refused

    def _profile_count(self) -> int:
        return len(self.station_profiles) + sum(len(e.profiles) for e in self.evses.values())

    # ---------------------------------------------------------------- statuses
    def _connector_status(self, evse: Evse, c: Connector201) -> str:
        if evse.plugged == c.id:
            return "Occupied"
        if not evse.operative or not c.operative:
            return "Unavailable"
        if evse.plugged is not None:
            return "Unavailable"     # one EV at a time: the EVSE's other connectors are blocked
        if evse.reservation is not None:
            return "Reserved"
        return "Available"

    def _evse_state(self, evse: Evse) -> str:
        states = {self._connector_status(evse, c) for c in evse.connectors.values()}
        for state in ("Occupied", "Reserved", "Available"):
            if state in states:
                return state
        return "Unavailable"

    def _station_state(self) -> str:
        states = {self._evse_state(e) for e in self.evses.values()}
        return "Available" if states - {"Unavailable"} else "Unavailable"

    async def status(self, evse: Evse, c: Connector201,
                     force: bool = False) -> None:
        new = self._connector_status(evse, c)
        if new == c.status and not force:
            return
        if not self.booted.is_set():
            return                  # every connector's status goes out after the next boot
        c.status = new
        self._wake.set()            # monitors of AvailabilityState
        try:
            await self.call("StatusNotification", {"timestamp": now_iso(), "connectorStatus": new,
                                                   "evseId": evse.id, "connectorId": c.id})
        except ConnectionError:
            c.status = ""

    async def sync(self, evse: Evse) -> None:
        for c in evse.connectors.values():
            await self.status(evse, c)

    async def ready(self) -> None:
        """Until booted, or skipped because the central system does not speak 2.0.1."""
        waits = {asyncio.ensure_future(self.booted.wait()),
                 asyncio.ensure_future(self.skipped.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    async def reboot(self, reason: str = "RemoteReset") -> None:
        self._boot_reason = reason
        for key, value in self._pending_values.items():
            self.model.variables[key].value = value
        self._pending_values.clear()
        for evse in self.evses.values():
            evse.plugged = None
            evse.unplug_at = None
        await self.connection.reboot()

    # ---------------------------------------------------------------- the life loop
    def _boot_payload(self) -> dict[str, Any]:
        station: dict[str, Any] = {"model": self.config.model, "vendorName": self.config.vendor}
        if self.config.serial:
            station["serialNumber"] = self.config.serial[:25]
        if self.config.firmware:
            station["firmwareVersion"] = self.config.firmware[:50]
        modem = {k: v[:20] for k, v in (("iccid", self.config.value("Iccid")),
                                         ("imsi", self.config.value("Imsi"))) if v}
        if modem:
            station["modem"] = modem
        return {"chargingStation": station, "reason": self._boot_reason}

    async def boot(self) -> dict[str, Any]:
        answer = await self.call("BootNotification", self._boot_payload())
        self.registration = answer["status"]
        if answer["status"] == "Accepted":
            if self.options.heartbeat:
                self.heartbeat = self.options.heartbeat
            elif answer["interval"] > 0:
                self.heartbeat = float(answer["interval"])
                self.model.get("OCPPCommCtrlr", "HeartbeatInterval").value = \
                    str(answer["interval"])  # type: ignore[union-attr]
            else:
                self.heartbeat = self.number("OCPPCommCtrlr", "HeartbeatInterval", 300) or 300
        return answer

    async def live(self) -> None:
        """While connected: boot, then heartbeats, meter values, sessions, expiries, monitors."""
        loop = asyncio.get_running_loop()
        while True:   # again and again while Pending or Rejected, at the interval the answer gives
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
            self._boot_reason = "Triggered" if self._wake.is_set() else self._boot_reason
        self._boot_reason = "PowerUp"
        self.connection.reset_backoff()
        self.stats.boots += 1
        self.stats.booted += 1
        self.booted.set()
        log.info("%s: booted (OCPP 2.0.1, heartbeat every %g s)", self.identity, self.heartbeat)
        now = loop.time()
        for evse in self.evses.values():
            evse.last = now
            for c in evse.connectors.values():
                await self.status(evse, c, force=True)
            if evse.tx is not None:
                evse.next_meter = now + self.meter_interval
            if self.options.autonomous and evse.next_session is None:
                evse.next_session = now + random.uniform(*self.options.session_gap)
        while self._queue:
            await self.call("TransactionEvent", self._queue[0])
            self._queue.pop(0)
        while self._after_boot:
            action, payload = self._after_boot.pop(0)
            await self.call(action, payload)
        last_heartbeat = now
        next_aligned = self._next_aligned()
        while True:
            now = loop.time()
            next_heartbeat = last_heartbeat + self.heartbeat   # SetVariables may change it
            if now >= next_heartbeat:
                await self.call("Heartbeat", {})
                last_heartbeat = now
                next_heartbeat = now + self.heartbeat
            if next_aligned is not None and time.time() >= next_aligned:
                await self._aligned_meter_values()
            next_aligned = self._next_aligned()
            wall = time.time()
            due = next_heartbeat
            if next_aligned is not None:
                due = min(due, now + next_aligned - wall)
            for evse in self.evses.values():
                r = evse.reservation
                if r is not None and wall >= r.expiry:
                    evse.reservation = None
                    await self.call("ReservationStatusUpdate", {
                        "reservationId": r.id, "reservationUpdateStatus": "Expired"})
                    await self.sync(evse)
                if evse.tx is not None and now >= evse.next_meter:
                    await self._refresh(evse)
                    await self.tx_event(evse, "Updated", "MeterValuePeriodic",
                                        meter="Sample.Periodic")
                    evse.next_meter = now + self.meter_interval
                if evse.session_end is not None and now >= evse.session_end:
                    evse.session_end = None
                    if evse.tx is not None:
                        await self.stop_transaction(evse, "Local", evse.tx.id_token)
                    evse.unplug_at = now + self.options.unplug_delay
                if evse.unplug_at is not None and now >= evse.unplug_at:
                    evse.unplug_at = None
                    await self.unplug(evse.id)
                if evse.next_session is not None and now >= evse.next_session:
                    evse.next_session = None
                    await self._autonomous_session(evse)
                for t in (evse.next_meter if evse.tx is not None else None, evse.session_end,
                          evse.unplug_at, evse.next_session,
                          now + evse.reservation.expiry - wall if evse.reservation else None):
                    if t is not None:
                        due = min(due, t)
            if self._reset_when_idle or any(e.reset_when_idle for e in self.evses.values()):
                await self._reset_idle()
            await self._check_monitors()
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.0, due - loop.time()))
            except asyncio.TimeoutError:
                pass

    def _next_aligned(self) -> float | None:
        interval = self.number("AlignedDataCtrlr", "Interval", 0)
        if interval <= 0 or not self.flag("AlignedDataCtrlr"):
            return None
        return (time.time() // interval + 1) * interval

    async def _aligned_meter_values(self) -> None:
        measurands = self.var("AlignedDataCtrlr", "Measurands")
        for evse in self.evses.values():
            self._advance(evse)
            await self.call("MeterValues", {"evseId": evse.id, "meterValue": [{
                "timestamp": now_iso(),
                "sampledValue": self.sampled_values(evse, "Sample.Clock", measurands)}]})

    async def _autonomous_session(self, evse: Evse) -> None:
        loop = asyncio.get_running_loop()
        if evse.tx is None and evse.operative and evse.reservation is None:
            await self.plug_in(evse.id)
            if await self.start_transaction(evse.id, f"{self.identity}-{evse.id}"[-36:]):
                evse.session_end = loop.time() + random.uniform(*self.options.session_length)
                return
            await self.unplug(evse.id)
        evse.next_session = loop.time() + random.uniform(*self.options.session_gap)

    # ---------------------------------------------------------------- energy
    def _limit(self, evse: Evse, wall: float | None = None) -> float:
        """The power the EVSE may draw at `wall` (now), in W: its maximum, capped by profiles."""
        wall = time.time() if wall is None else wall
        limit = evse.electrical.max_power
        started = evse.tx.started if evse.tx is not None else wall

        def best(profiles: list[dict[str, Any]], purpose: str) -> float | None:
            # A 2.0.1 profile is a 1.6 one with a list of schedules; the first one applies.
            return stacked_limit(profiles, purpose, evse.transaction_id, wall, started,
                                 evse.voltage, evse.phases,
                                 lambda p: {**p, "chargingSchedule": p["chargingSchedule"][0]})

        tx = best(evse.profiles, "TxProfile") if evse.tx is not None else None
        if tx is None:
            tx = best(evse.profiles, "TxDefaultProfile")
        if tx is None:
            tx = best(self.station_profiles, "TxDefaultProfile")
        if tx is not None:
            limit = min(limit, tx)
        station = best(self.station_profiles, "ChargingStationMaxProfile")
        if station is not None:
            charging = sum(1 for e in self.evses.values() if e.tx is not None and e.tx.authorized)
            limit = min(limit, station / max(1, charging))
        return max(0.0, limit)

    def _advance(self, evse: Evse) -> None:
        tx = evse.tx
        accumulate(evse, asyncio.get_running_loop().time(), tx is not None)
        if tx is None or not tx.authorized or evse.plugged is None:
            evse.power = 0.0
            return
        evse.power = drawn(self._limit(evse), evse.soc, evse.dc)

    def _charging_state(self, evse: Evse) -> str:
        tx = evse.tx
        if evse.plugged is None:
            return "Idle"
        if tx is None or not tx.authorized:
            return "EVConnected"
        if evse.soc >= 100:
            return "SuspendedEV"
        if self._limit(evse) <= 0:
            return "SuspendedEVSE"
        return "Charging"

    def _set_state(self, evse: Evse) -> bool:
        """Bring the transaction's charging state up to date; True when it changed."""
        tx = evse.tx
        if tx is None:
            return False
        now = asyncio.get_running_loop().time()
        if tx.charging_since is not None:
            tx.charging_seconds += now - tx.charging_since
            tx.charging_since = None
        state = self._charging_state(evse)
        if state == "Charging":
            tx.charging_since = now
        changed = state != tx.charging_state
        tx.charging_state = state
        return changed

    async def _refresh(self, evse: Evse) -> None:
        self._advance(evse)
        if self._set_state(evse):
            await self.tx_event(evse, "Updated", "ChargingStateChanged")

    def sampled_values(self, evse: Evse, context: str,
                       measurands: str | None = None) -> list[dict[str, Any]]:
        if measurands is None:
            measurands = self.var("SampledDataCtrlr", "TxUpdatedMeasurands")
        return [{"value": round(round(r.value) if whole(r) else r.value, 1), "context": context,
                 "measurand": r.measurand, "location": r.location,
                 "unitOfMeasure": {"unit": r.unit}}
                for r in readings(evse, measurands, lambda: self._limit(evse))]

    # ---------------------------------------------------------------- transactions
    async def tx_event(self, evse: Evse, event_type: str, trigger: str, *,
                       meter: str | None = None, id_token: bool = False,
                       stopped_reason: str | None = None) -> dict[str, Any]:
        """One TransactionEvent of the EVSE's transaction; queued while the station is offline.
        For Ended the transaction must still be evse.tx (the caller clears it after)."""
        tx = evse.tx
        assert tx is not None
        self._set_state(evse)
        info: dict[str, Any] = {"transactionId": tx.id, "chargingState": tx.charging_state,
                                "timeSpentCharging": int(tx.charging_seconds)}
        if stopped_reason is not None:
            info["stoppedReason"] = stopped_reason
        seq = next(tx.seq)
        if tx.remote_start_id is not None and (trigger == "RemoteStart" or seq == 0):
            info["remoteStartId"] = tx.remote_start_id
        payload: dict[str, Any] = {"eventType": event_type, "timestamp": now_iso(),
                                   "triggerReason": trigger, "seqNo": seq,
                                   "transactionInfo": info, "evse": {"id": evse.id}}
        if evse.plugged is not None or tx.connector is not None:
            payload["evse"]["connectorId"] = evse.plugged or tx.connector
        if id_token and tx.id_token is not None:
            payload["idToken"] = tx.id_token
        if event_type == "Started" and tx.reservation_id is not None:
            payload["reservationId"] = tx.reservation_id
        if meter is not None:
            measurands = {"Transaction.Begin": "TxStartedMeasurands",
                          "Transaction.End": "TxEndedMeasurands"}.get(meter, "TxUpdatedMeasurands")
            values = self.sampled_values(evse, meter, self.var("SampledDataCtrlr", measurands))
            if values:
                payload["meterValue"] = [{"timestamp": now_iso(), "sampledValue": values}]
        if not self.booted.is_set():
            self._enqueue(payload)
            return {}
        try:
            answer = await self.call("TransactionEvent", payload)
        except (ConnectionError, asyncio.TimeoutError):
            self._enqueue(payload)
            return {}
        info_answer = answer.get("idTokenInfo")
        if info_answer is not None and tx.id_token is not None:
            self._remember(tx.id_token, info_answer)
            if info_answer["status"] != "Accepted" and tx.authorized and event_type != "Ended" \
                    and self.flag("TxCtrlr", "StopTxOnInvalidId"):
                self.spawn(self.stop_transaction(evse, "DeAuthorized"))
        if "totalCost" in answer:
            self.costs[tx.id] = answer["totalCost"]
        return answer

    def _enqueue(self, payload: dict[str, Any]) -> None:
        if len(self._queue) >= MAX_QUEUED_EVENTS:
            self._queue.pop(0)
        self._queue.append({**payload, "offline": True})

    def _new_transaction(self, evse: Evse) -> Transaction:
        self._advance(evse)
        tx = Transaction(str(uuid.uuid4()), started=time.time())
        evse.tx = tx
        self.stats.sessions += 1
        return tx

    def _local_info(self, token: dict[str, Any]) -> dict[str, Any] | None:
        key = _token_key(token)
        info = None
        if self.flag("LocalAuthListCtrlr") and key in self.local_list:
            info = self.local_list[key]
        elif self.flag("AuthCacheCtrlr") and key in self.cache:
            info = self.cache[key]
            expiry = parse_time(info.get("cacheExpiryDateTime"))
            if expiry is not None and expiry < time.time():
                del self.cache[key]
                return None
        return info

    def _remember(self, token: dict[str, Any], info: dict[str, Any]) -> None:
        key = _token_key(token)
        if self.flag("AuthCacheCtrlr") and key not in self.local_list:
            if "cacheExpiryDateTime" not in info:
                lifetime = self.number("AuthCacheCtrlr", "LifeTime", 86400)
                info = {**info, "cacheExpiryDateTime": now_iso(time.time() + lifetime)}
            self.cache[key] = info

    async def authorize(self, token: str | dict[str, Any],
                        evse_id: int | None = None) -> dict[str, Any]:
        token = _token(token)
        if not self.flag("AuthCtrlr"):
            return {"status": "Accepted"}
        local = self._local_info(token)
        if local is not None and local.get("status") == "Accepted" and \
                self.flag("AuthCtrlr", "LocalPreAuthorize"):
            return local
        if not self.booted.is_set():   # offline
            if local is not None and self.flag("AuthCtrlr", "LocalAuthorizeOffline"):
                return local
            if self.flag("AuthCtrlr", "OfflineTxForUnknownIdEnabled"):
                return {"status": "Accepted"}
            return {"status": "Unknown"}
        answer = await self.call("Authorize", {"idToken": token})
        info = answer["idTokenInfo"]
        self._remember(token, info)
        if info["status"] == "Accepted" and evse_id is not None and info.get("evseId") and \
                evse_id not in info["evseId"]:
            return {**info, "status": "NotAllowedTypeEVSE"}
        return info

    async def plug_in(self, evse_id: int,
                      connector_id: int | None = None) -> None:
        """The driver plugs the EV in: Occupied, and a transaction starts (or goes on)."""
        evse = self.evses[evse_id]
        evse.unplug_at = None
        if evse.plugged is not None or not evse.operative:
            return
        evse.plugged = connector_id or next(iter(evse.connectors))
        if evse.tx is not None:
            evse.tx.connector = evse.plugged
        await self.sync(evse)
        if evse.tx is None:
            self._new_transaction(evse).connector = evse.plugged
            await self.tx_event(evse, "Started", "CablePluggedIn", meter="Transaction.Begin")
        else:
            self._advance(evse)
            await self.tx_event(evse, "Updated", "CablePluggedIn")
            self._advance(evse)
            evse.next_meter = asyncio.get_running_loop().time() + self.meter_interval
            self._wake.set()

    async def unplug(self, evse_id: int) -> None:
        """The driver unplugs: a transaction still going ends (EVDisconnected); Available."""
        evse = self.evses[evse_id]
        evse.unplug_at = None
        if evse.plugged is None:
            return
        self._advance(evse)
        evse.plugged = None
        if evse.tx is not None:     # TxStopPoint EVConnected: the transaction ends with the cable
            await self.stop_transaction(evse, "EVDisconnected")
        await self.sync(evse)

    async def start_transaction(self, evse_id: int,
                                id_token: str | dict[str, Any], *, remote: bool = False,
                                remote_start_id: int | None = None,
                                group: dict[str, Any] | None = None) -> bool:
        """Present an id token at an EVSE (or a remote start): Authorize when asked for, then the
        transaction is authorized and the EV charges. True when authorized."""
        evse = self.evses[evse_id]
        token = _token(id_token)
        if (evse.tx is not None and evse.tx.authorized) or not evse.operative:
            return False
        r = evse.reservation
        matches = r is not None and (_token_key(r.id_token) == _token_key(token) or (
            r.group is not None and group is not None and
            _token_key(r.group) == _token_key(group)))
        if r is not None and not matches and r.group is None:
            return False        # reserved for another driver
        if not remote or self.flag("AuthCtrlr", "AuthorizeRemoteStart"):
            info = await self.authorize(token, evse.id)
            if info["status"] != "Accepted":
                log.info("%s: id token %s %s", self.identity, token["idToken"], info["status"])
                return False
            group = info.get("groupIdToken") or group
            matches = r is not None and (matches or (
                r.group is not None and group is not None and
                _token_key(r.group) == _token_key(group)))
        if r is not None and not matches:
            return False        # reserved for another group
        trigger = "RemoteStart" if remote else "Authorized"
        started = evse.tx is None
        tx = evse.tx or self._new_transaction(evse)
        tx.authorized = True
        tx.id_token = token
        tx.remote_start_id = remote_start_id
        if matches:
            tx.reservation_id = r.id  # type: ignore[union-attr]
            evse.reservation = None
        self._advance(evse)
        if started:
            await self.tx_event(evse, "Started", trigger, meter="Transaction.Begin", id_token=True)
        else:
            await self.tx_event(evse, "Updated", trigger, id_token=True)
        await self.sync(evse)
        self._advance(evse)
        evse.next_meter = asyncio.get_running_loop().time() + self.meter_interval
        self._wake.set()
        return True

    async def stop_transaction(self, evse: Evse,
                               reason: str = "Local",
                               id_token: str | dict[str, Any] | None = None) -> None:
        """End the EVSE's transaction (stoppedReason `reason`, 2.0.1 words or 1.6 ones)."""
        if evse.tx is None:
            return
        reason = STOP_REASONS_16.get(reason, reason)
        trigger = STOP_TRIGGERS.get(reason, "AbnormalCondition")
        if id_token is not None:
            evse.tx.id_token = _token(id_token)
        self._advance(evse)
        evse.tx.authorized = False
        await self.tx_event(evse, "Ended", trigger, meter="Transaction.End",
                            id_token=id_token is not None, stopped_reason=reason)
        evse.tx = None
        evse.power = 0.0
        evse.profiles = [p for p in evse.profiles if p["chargingProfilePurpose"] != "TxProfile"]
        self.stats.sessions_done += 1
        if evse.scheduled is not None:
            status, connector = evse.scheduled
            if connector is None:
                evse.operative = status == "Operative"
            else:
                evse.connectors[connector].operative = status == "Operative"
            evse.scheduled = None
        await self.sync(evse)
        self._wake.set()   # a reset waiting for idle

    # ---------------------------------------------------------------- the CSMS asks
    def answer(self, call: Call) -> tuple[dict[str, Any] | CallError,
                                          Callable[[], Awaitable[None]] | None]:
        handler = getattr(self, "on_" + call.action, None) if call.action in CSMS_ACTIONS \
            else None
        if handler is None:
            return CallError(call.unique_id, "NotImplemented",
                             f"{call.action} is not supported by this station"), None
        try:
            self._schemas.check_request(call.action, call.payload)
            return handler(call.payload)
        except ValidationError as e:
            return CallError(call.unique_id, error_name(e.code, VERSION), e.description,
                             e.details), None
        except Refusal as e:
            return CallError(call.unique_id, error_name(e.code, VERSION), e.description), None

    def _evse(self, evse_id: int | None) -> Evse | None:
        return self.evses.get(evse_id) if evse_id is not None else None

    def _too_many(self, items: list[Any], component: str, instance: str) -> None:
        limit = int(self.number(component, "ItemsPerMessage", 50, instance))
        if len(items) > limit:
            raise Refusal("OccurenceConstraintViolation",
                          f"{len(items)} items; {component}.ItemsPerMessage[{instance}] is {limit}")

    # -------------------------------------------------- transactions
    def on_RequestStartTransaction(self, p: dict[str, Any]) -> Answer:
        token, group = p["idToken"], p.get("groupIdToken")
        if "evseId" in p:
            evse = self._evse(p["evseId"])
            candidates = [evse] if evse is not None else []
        else:   # no EVSE named: the one with an EV waiting, else a free one
            candidates = sorted(self.evses.values(), key=lambda e: (e.plugged is None, e.id))
        evse = next((e for e in candidates if e.operative and not (e.tx and e.tx.authorized)
                     and (e.reservation is None or _token_key(e.reservation.id_token)
                          == _token_key(token))), None)
        if evse is None:
            return {"status": "Rejected"}, None
        profile = p.get("chargingProfile")
        if profile is not None:
            if profile["chargingProfilePurpose"] != "TxProfile" or "transactionId" in profile:
                return {"status": "Rejected"}, None
            evse.profiles = [x for x in evse.profiles if x["id"] != profile["id"]] + [profile]
        answer: dict[str, Any] = {"status": "Accepted"}
        if evse.tx is not None:
            answer["transactionId"] = evse.tx.id
        target = evse

        async def start() -> None:
            if await self.start_transaction(target.id, token, remote=True,
                                            remote_start_id=p["remoteStartId"], group=group):
                if target.plugged is None:      # the driver plugs in
                    await self.plug_in(target.id)
            elif target.tx is None:
                target.profiles = [x for x in target.profiles
                                   if x["chargingProfilePurpose"] != "TxProfile"]
        return answer, start

    def on_RequestStopTransaction(self, p: dict[str, Any]) -> Answer:
        evse = next((e for e in self.evses.values() if e.transaction_id == p["transactionId"]),
                    None)
        if evse is None:
            return {"status": "Rejected"}, None

        async def stop() -> None:
            await self.stop_transaction(evse, "Remote")
            if evse.plugged is not None:
                evse.unplug_at = asyncio.get_running_loop().time() + self.options.unplug_delay
                self._wake.set()
        return {"status": "Accepted"}, stop

    def on_GetTransactionStatus(self, p: dict[str, Any]) -> Answer:
        answer: dict[str, Any] = {"messagesInQueue": bool(self._queue)}
        if "transactionId" in p:
            tid = p["transactionId"]
            answer["ongoingIndicator"] = any(e.transaction_id == tid for e in self.evses.values())
            answer["messagesInQueue"] = any(q["transactionInfo"]["transactionId"] == tid
                                            for q in self._queue)
        return answer, None

    def on_CostUpdated(self, p: dict[str, Any]) -> Answer:
        self.costs[p["transactionId"]] = p["totalCost"]
        return {}, None

    # -------------------------------------------------- reset and availability
    def on_Reset(self, p: dict[str, Any]) -> Answer:
        evse = None
        if "evseId" in p:
            evse = self._evse(p["evseId"])
            if evse is None:
                return {"status": "Rejected"}, None
        targets = [evse] if evse is not None else list(self.evses.values())
        if p["type"] == "OnIdle" and any(e.tx is not None for e in targets):
            if evse is not None:
                evse.reset_when_idle = True
            else:
                self._reset_when_idle = True
            self._wake.set()
            return {"status": "Scheduled"}, None

        async def reset() -> None:
            for e in targets:
                if e.tx is not None:
                    try:
                        await self.stop_transaction(e, "ImmediateReset")
                    except (ConnectionError, CallErrorReceived, asyncio.TimeoutError):
                        pass
            if evse is not None:
                await self._reset_evse(evse)
            else:
                log.info("%s: %s reset", self.identity, p["type"])
                await self.reboot("RemoteReset")
        return {"status": "Accepted"}, reset

    async def _reset_evse(self, evse: Evse) -> None:
        """One EVSE restarts: the EV is let go, the rest of the station goes on."""
        evse.reset_when_idle = False
        evse.plugged = None
        evse.unplug_at = None
        for c in evse.connectors.values():
            await self.status(evse, c, force=True)

    async def _reset_idle(self) -> None:
        """Resets that were Scheduled (OnIdle) once their transactions are over."""
        if self._reset_when_idle and not any(e.tx is not None for e in self.evses.values()):
            self._reset_when_idle = False
            log.info("%s: OnIdle reset now that every transaction ended", self.identity)
            await self.reboot("RemoteReset")
            return
        for e in self.evses.values():
            if e.reset_when_idle and e.tx is None:
                await self._reset_evse(e)

    def on_ChangeAvailability(self, p: dict[str, Any]) -> Answer:
        status = p["operationalStatus"]
        operative = status == "Operative"
        where = p.get("evse")
        connector: Connector201 | None = None
        if where is None:
            targets = list(self.evses.values())
        else:
            evse = self._evse(where["id"])
            if evse is None:
                return {"status": "Rejected"}, None
            if "connectorId" in where:
                connector = evse.connectors.get(where["connectorId"])
                if connector is None:
                    return {"status": "Rejected"}, None
            targets = [evse]
        scheduled = False
        for evse in targets:
            in_use = evse.tx is not None and (connector is None or evse.plugged == connector.id
                                              or evse.tx.connector == connector.id)
            if in_use and not operative:
                # Taken out of service when the transaction ends, not under the driver's feet.
                evse.scheduled = (status, connector.id if connector is not None else None)
                scheduled = True
            elif connector is not None:
                connector.operative = operative
            else:
                evse.operative = operative
                evse.scheduled = None
                if where is None:     # the whole station: every connector too
                    for c in evse.connectors.values():
                        c.operative = operative

        async def notify() -> None:
            for evse in targets:
                await self.sync(evse)
        return {"status": "Scheduled" if scheduled else "Accepted"}, notify

    def on_UnlockConnector(self, p: dict[str, Any]) -> Answer:
        evse = self._evse(p["evseId"])
        if evse is None or p["connectorId"] not in evse.connectors:
            return {"status": "UnknownConnector"}, None
        if evse.tx is not None and evse.tx.authorized and evse.plugged == p["connectorId"]:
            return {"status": "OngoingAuthorizedTransaction"}, None

        async def unlock() -> None:
            if evse.plugged == p["connectorId"]:
                await self.unplug(evse.id)
        return {"status": "Unlocked"}, unlock

    # -------------------------------------------------- device model
    def on_GetVariables(self, p: dict[str, Any]) -> Answer:
        self._too_many(p["getVariableData"], "DeviceDataCtrlr", "GetVariables")
        results = []
        for item in p["getVariableData"]:
            kind = item.get("attributeType", "Actual")
            result: dict[str, Any] = {"attributeType": kind, "component": item["component"],
                                      "variable": item["variable"]}
            var = self.model.find(item["component"], item["variable"])
            if isinstance(var, str):
                result["attributeStatus"] = var
            elif kind != "Actual":
                result["attributeStatus"] = "NotSupportedAttributeType"
            elif var.mutability == WO:
                result["attributeStatus"] = "Rejected"
                result["attributeStatusInfo"] = {"reasonCode": "WriteOnly"}
            else:
                result["attributeStatus"] = "Accepted"
                result["attributeValue"] = (var.actual or "")[:2500]
            results.append(result)
        return {"getVariableResult": results}, None

    def on_SetVariables(self, p: dict[str, Any]) -> Answer:
        self._too_many(p["setVariableData"], "DeviceDataCtrlr", "SetVariables")
        results = []
        applied: list[Variable] = []
        for item in p["setVariableData"]:
            kind = item.get("attributeType", "Actual")
            result: dict[str, Any] = {"attributeType": kind, "component": item["component"],
                                      "variable": item["variable"]}
            var = self.model.find(item["component"], item["variable"])
            value = item["attributeValue"]
            if isinstance(var, str):
                result["attributeStatus"] = var
            elif kind != "Actual":
                result["attributeStatus"] = "NotSupportedAttributeType"
            elif var.mutability == RO:
                result["attributeStatus"] = "Rejected"
                result["attributeStatusInfo"] = {"reasonCode": "ReadOnly"}
            elif (why := var.invalid(value)) is not None:
                result["attributeStatus"] = "Rejected"
                result["attributeStatusInfo"] = {"reasonCode": "InvalidValue",
                                                 "additionalInfo": why[:512]}
            elif var.reboot:
                self._pending_values[var.key] = value
                result["attributeStatus"] = "RebootRequired"
            else:
                var.value = value.lower() if var.data_type == "boolean" else value
                applied.append(var)
                result["attributeStatus"] = "Accepted"
            results.append(result)
        for var in applied:
            if (var.component, var.name) == ("OCPPCommCtrlr", "HeartbeatInterval"):
                if int(var.value or 0) > 0 and not self.options.heartbeat:
                    self.heartbeat = float(var.value or 0)
            elif (var.component, var.name) == ("AuthCacheCtrlr", "Enabled") and \
                    var.value == "false":
                self.cache.clear()
        if applied:
            self._wake.set()   # new intervals; monitors of the changed variables
        return {"setVariableResult": results}, None

    def _report(self, variables: list[Variable], request_id: int) -> Callable[[], Awaitable[None]]:
        size = int(self.number("DeviceDataCtrlr", "ItemsPerMessage", 50, "GetReport"))

        async def send() -> None:
            pages = _pages(variables, size)
            for seq, page in enumerate(pages):
                payload: dict[str, Any] = {"requestId": request_id, "generatedAt": now_iso(),
                                           "seqNo": seq, "tbc": seq < len(pages) - 1}
                if page:
                    payload["reportData"] = [v.report() for v in page]
                await self.call("NotifyReport", payload)
        return send

    def on_GetBaseReport(self, p: dict[str, Any]) -> Answer:
        base = p["reportBase"]
        if base == "ConfigurationInventory":
            variables = [v for v in self.model if v.mutability != RO]
        elif base == "SummaryInventory":
            variables = [v for v in self.model if v.name in ("AvailabilityState", "Available",
                                                              "Problem")]
        else:
            variables = list(self.model)
        return {"status": "Accepted"}, self._report(variables, p["requestId"])

    def on_GetReport(self, p: dict[str, Any]) -> Answer:
        wanted = p.get("componentVariable")
        if wanted:
            self._too_many(wanted, "DeviceDataCtrlr", "GetReport")
            seen: dict[tuple, Variable] = {}
            for cv in wanted:
                for v in self.model.select(cv["component"], cv.get("variable")):
                    seen[v.key] = v
            variables = list(seen.values())
        else:
            variables = list(self.model)
        criteria = p.get("componentCriteria")
        if criteria:
            def meets(component: tuple) -> bool:
                for criterion in criteria:
                    v = next((x for x in self.model if x.component_key == component
                              and x.name == criterion and x.instance is None), None)
                    if v is not None and (v.actual or "").lower() == "true":
                        return True
                return False
            variables = [v for v in variables if meets(v.component_key)]
        if not variables:
            return {"status": "EmptyResultSet"}, None
        return {"status": "Accepted"}, self._report(variables, p["requestId"])

    # -------------------------------------------------- monitoring
    def on_SetVariableMonitoring(self, p: dict[str, Any]) -> Answer:
        self._too_many(p["setMonitoringData"], "MonitoringCtrlr", "SetVariableMonitoring")
        results = []
        for item in p["setMonitoringData"]:
            result: dict[str, Any] = {"type": item["type"], "severity": item["severity"],
                                      "component": item["component"],
                                      "variable": item["variable"]}
            var = self.model.find(item["component"], item["variable"])
            if isinstance(var, str):
                result["status"] = var
            elif var.mutability == WO or item["type"] not in ("UpperThreshold", "LowerThreshold",
                                                                "Delta") or (
                    item["type"] != "Delta" and not var.numeric):
                result["status"] = "UnsupportedMonitorType"
            elif "id" in item and item["id"] not in self.monitors:
                result["status"] = "Rejected"
                result["statusInfo"] = {"reasonCode": "UnknownMonitorId"}
            elif any(m.var is var and m.type == item["type"] and m.severity == item["severity"]
                     and m.id != item.get("id") for m in self.monitors.values()):
                result["status"] = "Duplicate"
            elif item["type"] == "Delta" and item["value"] < 0:
                result["status"] = "Rejected"
            else:
                mid = item.get("id") or next(self._monitor_ids)
                self.monitors[mid] = Monitor(mid, var, item["type"], float(item["value"]),
                                             item["severity"], item.get("transaction", False),
                                             last=var.actual)
                result["status"] = "Accepted"
                result["id"] = mid
            results.append(result)
        return {"setMonitoringResult": results}, None

    def on_ClearVariableMonitoring(self, p: dict[str, Any]) -> Answer:
        self._too_many(p["id"], "MonitoringCtrlr", "ClearVariableMonitoring")
        results = []
        for mid in p["id"]:
            found = self.monitors.pop(mid, None)
            results.append({"status": "Accepted" if found else "NotFound", "id": mid})
        return {"clearMonitoringResult": results}, None

    def on_SetMonitoringBase(self, p: dict[str, Any]) -> Answer:
        self.monitoring_base = p["monitoringBase"]
        if self.monitoring_base != "All":     # the custom monitors go; none are preconfigured
            self.monitors.clear()
        return {"status": "Accepted"}, None

    def on_SetMonitoringLevel(self, p: dict[str, Any]) -> Answer:
        if not 0 <= p["severity"] <= 9:
            return {"status": "Rejected"}, None
        self.monitoring_level = p["severity"]
        return {"status": "Accepted"}, None

    def on_GetMonitoringReport(self, p: dict[str, Any]) -> Answer:
        monitors = list(self.monitors.values())
        if p.get("componentVariable"):
            chosen = {v.key for cv in p["componentVariable"]
                      for v in self.model.select(cv["component"], cv.get("variable"))}
            monitors = [m for m in monitors if m.var.key in chosen]
        criteria = p.get("monitoringCriteria")
        if criteria:
            kinds = {"ThresholdMonitoring": ("UpperThreshold", "LowerThreshold"),
                     "DeltaMonitoring": ("Delta",),
                     "PeriodicMonitoring": ("Periodic", "PeriodicClockAligned")}
            allowed = {t for c in criteria for t in kinds[c]}
            monitors = [m for m in monitors if m.type in allowed]
        if not monitors:
            return {"status": "EmptyResultSet"}, None
        by_var: dict[tuple, list[Monitor]] = {}
        for m in monitors:
            by_var.setdefault(m.var.key, []).append(m)
        entries = [{"component": ms[0].var.component_json(), "variable": ms[0].var.variable_json(),
                    "variableMonitoring": [{"id": m.id, "transaction": m.transaction,
                                            "value": m.value, "type": m.type,
                                            "severity": m.severity} for m in ms]}
                   for ms in by_var.values()]

        async def send() -> None:
            pages = _pages(entries, 20)
            for seq, page in enumerate(pages):
                await self.call("NotifyMonitoringReport", {
                    "requestId": p["requestId"], "seqNo": seq, "generatedAt": now_iso(),
                    "tbc": seq < len(pages) - 1, "monitor": page})
        return {"status": "Accepted"}, send

    async def _check_monitors(self) -> None:
        """NotifyEvent for every monitor whose variable crossed its threshold or moved by delta."""
        events = []
        for m in list(self.monitors.values()):
            if m.severity > self.monitoring_level:
                continue
            seen = m.check()
            if seen is None:
                continue
            value, trigger, cleared = seen
            event: dict[str, Any] = {"eventId": next(self._event_ids), "timestamp": now_iso(),
                                     "trigger": trigger, "actualValue": value[:2500],
                                     "component": m.var.component_json(),
                                     "variable": m.var.variable_json(),
                                     "eventNotificationType": "CustomMonitor",
                                     "variableMonitoringId": m.id}
            if cleared:
                event["cleared"] = True
            events.append(event)
        if events and self.booted.is_set():
            await self.call("NotifyEvent", {"generatedAt": now_iso(), "seqNo": 0,
                                            "eventData": events})

    # -------------------------------------------------- network and triggers
    def on_SetNetworkProfile(self, p: dict[str, Any]) -> Answer:
        data = p["connectionData"]
        current = int(self.number("SecurityCtrlr", "SecurityProfile", 1))
        if p["configurationSlot"] not in range(0, 4) or data["ocppVersion"] != "OCPP20" or \
                data["ocppTransport"] != "JSON" or data["securityProfile"] < current:
            return {"status": "Rejected"}, None
        self.network_profiles[p["configurationSlot"]] = data
        return {"status": "Accepted"}, None

    def on_TriggerMessage(self, p: dict[str, Any]) -> Answer:
        where = p.get("evse")
        evse = self._evse(where["id"]) if where else None
        if where is not None and (evse is None or (
                "connectorId" in where and where["connectorId"] not in evse.connectors)):
            return {"status": "Rejected"}, None
        evses = [evse] if evse is not None else list(self.evses.values())
        requested = p["requestedMessage"]
        follow: Callable[[], Awaitable[None]]
        if requested == "BootNotification":
            if self.registration == "Accepted":
                return {"status": "Rejected"}, None

            async def follow() -> None:
                self._wake.set()          # the boot loop sends it now
        elif requested == "Heartbeat":
            async def follow() -> None:
                await self.call("Heartbeat", {})
        elif requested == "StatusNotification":
            async def follow() -> None:
                for e in evses:
                    for c in e.connectors.values():
                        if where is None or where.get("connectorId") in (None, c.id):
                            await self.status(e, c, force=True)
        elif requested == "MeterValues":
            async def follow() -> None:
                for e in evses:
                    self._advance(e)
                    await self.call("MeterValues", {"evseId": e.id, "meterValue": [{
                        "timestamp": now_iso(), "sampledValue": self.sampled_values(
                            e, "Trigger", self.var("AlignedDataCtrlr", "Measurands"))}]})
        elif requested == "TransactionEvent":
            running = [e for e in evses if e.tx is not None]
            if not running:
                return {"status": "Rejected"}, None

            async def follow() -> None:
                for e in running:
                    if e.tx is not None:
                        self._advance(e)
                        await self.tx_event(e, "Updated", "Trigger", meter="Trigger")
        elif requested == "LogStatusNotification":
            async def follow() -> None:
                payload: dict[str, Any] = {"status": self.log_status}
                if self.log_request is not None and self.log_status != "Idle":
                    payload["requestId"] = self.log_request
                await self.call("LogStatusNotification", payload)
        elif requested == "FirmwareStatusNotification":
            async def follow() -> None:
                payload: dict[str, Any] = {"status": self.firmware_status}
                if self.firmware_request is not None and self.firmware_status != "Idle":
                    payload["requestId"] = self.firmware_request
                await self.call("FirmwareStatusNotification", payload)
        elif requested == "PublishFirmwareStatusNotification":
            async def follow() -> None:
                await self.call("PublishFirmwareStatusNotification",
                                {"status": self.publish_status})
        elif requested in ("SignChargingStationCertificate", "SignV2GCertificate",
                           "SignCombinedCertificate"):
            kinds = {"SignChargingStationCertificate": ["ChargingStationCertificate"],
                     "SignV2GCertificate": ["V2GCertificate"],
                     "SignCombinedCertificate": ["ChargingStationCertificate", "V2GCertificate"]}

            async def follow() -> None:
                for kind in kinds[requested]:
                    await self.call("SignCertificate", {"csr": fake_csr(self.identity),
                                                        "certificateType": kind})
        else:
            return {"status": "NotImplemented"}, None
        return {"status": "Accepted"}, follow

    # -------------------------------------------------- authorization
    def on_ClearCache(self, p: dict[str, Any]) -> Answer:
        if not self.flag("AuthCacheCtrlr"):
            return {"status": "Rejected"}, None
        self.cache.clear()
        return {"status": "Accepted"}, None

    def on_SendLocalList(self, p: dict[str, Any]) -> Answer:
        if not self.flag("LocalAuthListCtrlr"):
            return {"status": "Failed"}, None
        entries = p.get("localAuthorizationList") or []
        if len(entries) > int(self.number("LocalAuthListCtrlr", "ItemsPerMessage", 100)):
            return {"status": "Failed"}, None
        if p["updateType"] == "Full":
            self.local_list = {_token_key(e["idToken"]): e["idTokenInfo"] for e in entries
                               if "idTokenInfo" in e}
        else:
            if p["versionNumber"] <= self.local_list_version:
                return {"status": "VersionMismatch"}, None
            for e in entries:
                if "idTokenInfo" in e:
                    self.local_list[_token_key(e["idToken"])] = e["idTokenInfo"]
                else:
                    self.local_list.pop(_token_key(e["idToken"]), None)
        self.local_list_version = p["versionNumber"]
        for key in self.local_list:     # the local list wins over the cache
            self.cache.pop(key, None)
        return {"status": "Accepted"}, None

    def on_GetLocalListVersion(self, p: dict[str, Any]) -> Answer:
        if not self.flag("LocalAuthListCtrlr") or not self.local_list:
            return {"versionNumber": 0}, None
        return {"versionNumber": self.local_list_version}, None

    # -------------------------------------------------- reservations
    def on_ReserveNow(self, p: dict[str, Any]) -> Answer:
        if not self.flag("ReservationCtrlr"):
            return {"status": "Rejected"}, None
        kind = p.get("connectorType")

        def fits(e: Evse) -> bool:
            return kind is None or any(c.type == kind for c in e.connectors.values())
        for e in self.evses.values():     # the same id replaces its reservation
            if e.reservation is not None and e.reservation.id == p["id"]:
                e.reservation = None
        if "evseId" in p:
            evse = self._evse(p["evseId"])
            if evse is None or not fits(evse):
                return {"status": "Rejected"}, None
        else:
            if not self.flag("ReservationCtrlr", "NonEvseSpecific"):
                return {"status": "Rejected"}, None
            free = [e for e in self.evses.values() if fits(e) and e.operative and e.tx is None
                    and e.plugged is None and e.reservation is None]
            if not free:
                return {"status": "Occupied"}, None
            evse = free[0]
        if not evse.operative:
            return {"status": "Unavailable"}, None
        if evse.tx is not None or evse.plugged is not None or evse.reservation is not None:
            return {"status": "Occupied"}, None
        evse.reservation = Reservation201(p["id"], p["idToken"], p.get("groupIdToken"),
                                          parse_time(p["expiryDateTime"]) or time.time(), kind)
        target = evse

        async def reserved() -> None:
            await self.sync(target)
            self._wake.set()   # the life loop watches the expiry
        return {"status": "Accepted"}, reserved

    def on_CancelReservation(self, p: dict[str, Any]) -> Answer:
        evse = next((e for e in self.evses.values()
                     if e.reservation is not None and e.reservation.id == p["reservationId"]), None)
        if evse is None:
            return {"status": "Rejected"}, None
        evse.reservation = None

        async def cancelled() -> None:
            await self.sync(evse)
        return {"status": "Accepted"}, cancelled

    # -------------------------------------------------- smart charging
    def on_SetChargingProfile(self, p: dict[str, Any]) -> Answer:
        eid, profile = p["evseId"], p["chargingProfile"]
        purpose = profile["chargingProfilePurpose"]
        evse = self._evse(eid)

        def rejected(reason: str) -> Answer:
            return {"status": "Rejected", "statusInfo": {"reasonCode": reason}}, None
        if eid != 0 and evse is None:
            return rejected("UnknownEvse")
        if purpose == "ChargingStationExternalConstraints":
            return rejected("NotAllowedPurpose")
        if purpose == "ChargingStationMaxProfile" and eid != 0:
            return rejected("MaxProfileOnEvse")
        if purpose == "TxProfile":
            if evse is None or evse.tx is None or profile.get("transactionId") not in (
                    None, evse.transaction_id):
                return rejected("NoTransaction")
        if profile["stackLevel"] > self.number("SmartChargingCtrlr", "ProfileStackLevel", 10):
            return rejected("StackLevelTooHigh")
        schedules = profile["chargingSchedule"]
        if any(s["chargingRateUnit"] not in self.var("SmartChargingCtrlr", "RateUnit").split(",")
               or len(s["chargingSchedulePeriod"]) > self.number(
                   "SmartChargingCtrlr", "PeriodsPerSchedule", 24) for s in schedules):
            return rejected("UnsupportedSchedule")
        target = self.station_profiles if eid == 0 else evse.profiles  # type: ignore[union-attr]
        for profiles in [self.station_profiles, *(e.profiles for e in self.evses.values())]:
            profiles[:] = [x for x in profiles if x["id"] != profile["id"]]
        target[:] = [x for x in target if not (x["stackLevel"] == profile["stackLevel"]
                                               and x["chargingProfilePurpose"] == purpose)]
        target.append(profile)
        return {"status": "Accepted"}, self._rate_changed

    async def _rate_changed(self) -> None:
        """After a profile came or went: charging EVs get their new power, and say so."""
        for evse in self.evses.values():
            if evse.tx is not None and evse.tx.authorized:
                before = evse.power
                self._advance(evse)
                if self._set_state(evse):
                    await self.tx_event(evse, "Updated", "ChargingStateChanged",
                                        meter="Sample.Periodic")
                elif abs(evse.power - before) > max(1.0, 0.05 * before):
                    await self.tx_event(evse, "Updated", "ChargingRateChanged",
                                        meter="Sample.Periodic")

    def on_ClearChargingProfile(self, p: dict[str, Any]) -> Answer:
        criteria = p.get("chargingProfileCriteria") or {}

        def keep(x: dict[str, Any], eid: int) -> bool:
            if "chargingProfileId" in p:
                return x["id"] != p["chargingProfileId"]
            if "evseId" in criteria and criteria["evseId"] != eid:
                return True
            if "chargingProfilePurpose" in criteria and x["chargingProfilePurpose"] != \
                    criteria["chargingProfilePurpose"]:
                return True
            if "stackLevel" in criteria and x["stackLevel"] != criteria["stackLevel"]:
                return True
            return False
        removed = 0
        for eid, profiles in [(0, self.station_profiles),
                              *((e.id, e.profiles) for e in self.evses.values())]:
            before = len(profiles)
            profiles[:] = [x for x in profiles if keep(x, eid)]
            removed += before - len(profiles)
        return {"status": "Accepted" if removed else "Unknown"}, \
            self._rate_changed if removed else None

    def on_GetChargingProfiles(self, p: dict[str, Any]) -> Answer:
        criteria = p["chargingProfile"]
        sources = criteria.get("chargingLimitSource")

        def wanted(x: dict[str, Any]) -> bool:
            if sources is not None and "CSO" not in sources:
                return False     # every profile here came from the CSMS
            if "chargingProfilePurpose" in criteria and x["chargingProfilePurpose"] != \
                    criteria["chargingProfilePurpose"]:
                return False
            if "stackLevel" in criteria and x["stackLevel"] != criteria["stackLevel"]:
                return False
            return "chargingProfileId" not in criteria or x["id"] in criteria["chargingProfileId"]
        found: list[tuple[int, list[dict[str, Any]]]] = []
        for eid, profiles in [(0, self.station_profiles),
                              *((e.id, e.profiles) for e in self.evses.values())]:
            if "evseId" in p and p["evseId"] != eid:
                continue
            chosen = [x for x in profiles if wanted(x)]
            if chosen:
                found.append((eid, chosen))
        if not found:
            return {"status": "NoProfiles"}, None

        async def report() -> None:
            for i, (eid, profiles) in enumerate(found):
                await self.call("ReportChargingProfiles", {
                    "requestId": p["requestId"], "chargingLimitSource": "CSO", "evseId": eid,
                    "chargingProfile": profiles, "tbc": i < len(found) - 1})
        return {"status": "Accepted"}, report

    def on_GetCompositeSchedule(self, p: dict[str, Any]) -> Answer:
        eid = p["evseId"]
        if eid != 0 and eid not in self.evses:
            return {"status": "Rejected", "statusInfo": {"reasonCode": "UnknownEvse"}}, None
        unit = p.get("chargingRateUnit", "W")
        evses = list(self.evses.values()) if eid == 0 else [self.evses[eid]]
        start = time.time()
        # Where a limit may change: the start, and every period boundary of every profile.
        moments = {0.0}
        for x in [*self.station_profiles, *(pr for e in evses for pr in e.profiles)]:
            schedule = x["chargingSchedule"][0]
            begin = parse_time(schedule.get("startSchedule")) or start
            for period in schedule["chargingSchedulePeriod"]:
                t = begin + period["startPeriod"] - start
                if 0 < t < p["duration"]:
                    moments.add(float(int(t)))
            end = begin + schedule["duration"] - start if schedule.get("duration") else None
            if end is not None and 0 < end < p["duration"]:
                moments.add(float(int(end)))
        periods: list[dict[str, Any]] = []
        for t in sorted(moments):
            watts = sum(self._limit(e, start + t) for e in evses)
            if unit == "A":
                e0 = evses[0]
                limit = watts / e0.voltage / e0.phases
            else:
                limit = watts
            limit = round(limit, 1)
            if not periods or periods[-1]["limit"] != limit:
                period: dict[str, Any] = {"startPeriod": int(t), "limit": limit}
                if unit == "A" and not evses[0].dc:
                    period["numberPhases"] = evses[0].phases
                periods.append(period)
        return {"status": "Accepted", "schedule": {
            "evseId": eid, "duration": p["duration"], "scheduleStart": now_iso(start),
            "chargingRateUnit": unit, "chargingSchedulePeriod": periods}}, None

    # -------------------------------------------------- firmware and logs
    async def _steps(self, action: str, statuses: list[str],
                     extra: dict[str, Any], attr: str | None = None) -> None:
        for status in statuses:
            await asyncio.sleep(self.options.step_delay)
            if attr:
                setattr(self, attr, status)
            await self.call(action, {"status": status, **extra})

    def on_UpdateFirmware(self, p: dict[str, Any]) -> Answer:
        firmware = p["firmware"]
        certificate = firmware.get("signingCertificate")
        if certificate is not None and "BEGIN CERTIFICATE" not in certificate:
            return {"status": "InvalidCertificate"}, None
        status = "AcceptedCanceled" if "firmware" in self._busy else "Accepted"
        at = parse_time(firmware["retrieveDateTime"]) or time.time()
        install_at = parse_time(firmware.get("installDateTime"))
        failed = "fail" in firmware["location"].lower()
        rid = {"requestId": p["requestId"]}
        self.firmware_request = p["requestId"]

        async def update() -> None:
            self._busy.add("firmware")
            try:
                if at > time.time():
                    await self._steps("FirmwareStatusNotification", ["DownloadScheduled"], rid,
                                      "firmware_status")
                    await asyncio.sleep(max(0.0, at - time.time()))
                if failed:
                    await self._steps("FirmwareStatusNotification",
                                      ["Downloading", "DownloadFailed"], rid, "firmware_status")
                    self.firmware_status = "Idle"
                    return
                steps = ["Downloading", "Downloaded"]
                if firmware.get("signature"):
                    steps.append("SignatureVerified")
                await self._steps("FirmwareStatusNotification", steps, rid, "firmware_status")
                if install_at is not None and install_at > time.time():
                    await self._steps("FirmwareStatusNotification", ["InstallScheduled"], rid,
                                      "firmware_status")
                    await asyncio.sleep(max(0.0, install_at - time.time()))
                await self._wait_for_no_transaction()
                await self._steps("FirmwareStatusNotification", ["Installing", "InstallRebooting"],
                                  rid, "firmware_status")
                # Installed is reported by the new firmware, after the reboot.
                self.firmware_status = "Installed"
                self._after_boot.append(("FirmwareStatusNotification",
                                         {"status": "Installed", **rid}))
                await self.reboot("FirmwareUpdate")
            finally:
                self._busy.discard("firmware")
        return {"status": status}, update

    async def _wait_for_no_transaction(self) -> None:
        while any(e.tx is not None for e in self.evses.values()):
            await asyncio.sleep(1.0)

    def on_PublishFirmware(self, p: dict[str, Any]) -> Answer:
        failed = "fail" in p["location"].lower()
        rid = {"requestId": p["requestId"]}

        async def publish() -> None:
            self._busy.add("publish")
            try:
                if failed:
                    await self._steps("PublishFirmwareStatusNotification",
                                      ["Downloading", "DownloadFailed"], rid, "publish_status")
                    return
                await self._steps("PublishFirmwareStatusNotification",
                                  ["Downloading", "Downloaded", "ChecksumVerified"], rid,
                                  "publish_status")
                location = f"http://{self.identity.lower()}.local/firmware/{p['checksum']}"
                self.published[p["checksum"]] = location
                await self._steps("PublishFirmwareStatusNotification", ["Published"],
                                  {**rid, "location": [location]}, "publish_status")
            finally:
                self._busy.discard("publish")
        return {"status": "Accepted"}, publish

    def on_UnpublishFirmware(self, p: dict[str, Any]) -> Answer:
        if "publish" in self._busy:
            return {"status": "DownloadOngoing"}, None
        if self.published.pop(p["checksum"], None) is None:
            return {"status": "NoFirmware"}, None
        self.publish_status = "Idle"
        return {"status": "Unpublished"}, None

    def on_GetLog(self, p: dict[str, Any]) -> Answer:
        name = f"{p['logType'].lower()}-{self.identity}-{int(time.time())}.log"[-255:]
        failed = "fail" in p["log"]["remoteLocation"].lower()
        status = "AcceptedCanceled" if "log" in self._busy else "Accepted"
        self.log_request = p["requestId"]

        async def upload() -> None:
            self._busy.add("log")
            try:
                await self._steps("LogStatusNotification",
                                  ["Uploading", "UploadFailure" if failed else "Uploaded"],
                                  {"requestId": p["requestId"]}, "log_status")
            finally:
                self._busy.discard("log")
                self.log_status = "Idle"
        return {"status": status, "filename": name}, upload

    # -------------------------------------------------- certificates
    def on_InstallCertificate(self, p: dict[str, Any]) -> Answer:
        if "BEGIN CERTIFICATE" not in p["certificate"]:
            return {"status": "Rejected"}, None
        data = hash_data(p["certificate"], 20)
        self.certificates = [c for c in self.certificates if c["certificateHashData"] != data]
        self.certificates.append({"certificateType": p["certificateType"],
                                  "certificateHashData": data})
        return {"status": "Accepted"}, None

    def on_GetInstalledCertificateIds(self, p: dict[str, Any]) -> Answer:
        kinds = p.get("certificateType")
        found = [c for c in self.certificates if not kinds or c["certificateType"] in kinds]
        if not found:
            return {"status": "NotFound"}, None
        return {"status": "Accepted", "certificateHashDataChain": found}, None

    def on_DeleteCertificate(self, p: dict[str, Any]) -> Answer:
        wanted = p["certificateHashData"]
        same = ("issuerNameHash", "issuerKeyHash", "serialNumber")
        before = len(self.certificates)
        self.certificates = [c for c in self.certificates
                             if any(c["certificateHashData"][k] != wanted[k] for k in same)]
        return {"status": "Accepted" if len(self.certificates) < before else "NotFound"}, None

    def on_CertificateSigned(self, p: dict[str, Any]) -> Answer:
        if "BEGIN CERTIFICATE" not in p["certificateChain"]:
            return {"status": "Rejected"}, None
        kind = "V2GCertificateChain" if p.get("certificateType") == "V2GCertificate" else None
        if kind is not None:
            self.certificates.append({"certificateType": kind,
                                      "certificateHashData": hash_data(p["certificateChain"], 20)})
        return {"status": "Accepted"}, None

    # -------------------------------------------------- customers and displays
    def on_CustomerInformation(self, p: dict[str, Any]) -> Answer:
        token = p.get("idToken")
        if token is None and "customerIdentifier" not in p and "customerCertificate" not in p:
            return {"status": "Invalid"}, None
        lines = []
        if token is not None:
            key = _token_key(token)
            if key in self.local_list:
                lines.append(f"local list: {self.local_list[key]['status']}")
            if key in self.cache:
                lines.append(f"cache: {self.cache[key]['status']}")
                if p["clear"]:
                    del self.cache[key]
                    lines.append("cache entry cleared")
            running = [e.transaction_id for e in self.evses.values() if e.tx is not None
                       and e.tx.id_token is not None and _token_key(e.tx.id_token) == key]
            if running:
                lines.append("transactions: " + ", ".join(str(t) for t in running))
        elif "customerIdentifier" in p:
            lines.append(f"customer {p['customerIdentifier']}: no data")
        data = "; ".join(lines) if p["report"] and lines else "no data"

        async def notify() -> None:
            await self.call("NotifyCustomerInformation", {
                "data": data[:512], "seqNo": 0, "generatedAt": now_iso(),
                "requestId": p["requestId"], "tbc": False})
        return {"status": "Accepted"}, notify

    def on_SetDisplayMessage(self, p: dict[str, Any]) -> Answer:
        message = p["message"]
        if message["message"]["format"] not in self.var("DisplayMessageCtrlr",
                                                        "SupportedFormats").split(","):
            return {"status": "NotSupportedMessageFormat"}, None
        if message["priority"] not in self.var("DisplayMessageCtrlr",
                                               "SupportedPriorities").split(","):
            return {"status": "NotSupportedPriority"}, None
        if "transactionId" in message and not any(e.transaction_id == message["transactionId"]
                                                  for e in self.evses.values()):
            return {"status": "UnknownTransaction"}, None
        if message["id"] not in self.display_messages and len(self.display_messages) >= \
                self.number("DisplayMessageCtrlr", "DisplayMessages", 20):
            return {"status": "Rejected"}, None
        self.display_messages[message["id"]] = message
        return {"status": "Accepted"}, None

    def on_GetDisplayMessages(self, p: dict[str, Any]) -> Answer:
        found = [m for m in self.display_messages.values()
                 if (not p.get("id") or m["id"] in p["id"])
                 and ("priority" not in p or m["priority"] == p["priority"])
                 and ("state" not in p or m.get("state") == p["state"])]
        if not found:
            return {"status": "Unknown"}, None

        async def notify() -> None:
            pages = _pages(found, 20)
            for i, page in enumerate(pages):
                await self.call("NotifyDisplayMessages", {
                    "requestId": p["requestId"], "tbc": i < len(pages) - 1, "messageInfo": page})
        return {"status": "Accepted"}, notify

    def on_ClearDisplayMessage(self, p: dict[str, Any]) -> Answer:
        if self.display_messages.pop(p["id"], None) is None:
            return {"status": "Unknown"}, None
        return {"status": "Accepted"}, None

    def on_DataTransfer(self, p: dict[str, Any]) -> Answer:
        if p["vendorId"] != self.config.vendor:
            return {"status": "UnknownVendorId"}, None
        answer: dict[str, Any] = {"status": "Accepted"}
        if "data" in p:
            answer["data"] = p["data"]
        return answer, None
