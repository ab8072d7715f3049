"""An OCPP 1.6 station over WebSocket that behaves like a real one.

One object per station, a few KB: its connectors, configuration changes, local list, cache and
profiles. While connected it runs two tasks: the reader (answers the central system's CALLs and
matches the answers to its own) and the life loop (boot, status, heartbeats, meter values, sessions
that were asked for, reservations that expire). CALLs of its own go one at a time, as OCPP-J asks.
Whatever the central system asks is answered at once; what follows from it (Authorize,
StartTransaction, firmware status, a reboot) runs after the answer is sent.
"""
from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import aiohttp
import orjson

from ocpp_cs.protocol import Call, CallError, CallResult, FramingError, decode, encode_call, encode_call_error
from ocpp_cs.validation import ValidationError, schemas_for
from .config import ConnectorConfig, StationConfig
from .stats import Stats

log = logging.getLogger("ocpp_emulator")

SUBPROTOCOL = "ocpp1.6"

# Standard 1.6 keys a station reports besides those of its file: (value, readonly).
DEFAULT_KEYS: dict[str, tuple[str, bool]] = {
    "AllowOfflineTxForUnknownId": ("false", False),
    "AuthorizationCacheEnabled": ("true", False),
    "AuthorizeRemoteTxRequests": ("true", False),
    "ClockAlignedDataInterval": ("0", False),
    "ConnectionTimeOut": ("60", False),
    "ConnectorPhaseRotation": ("0.RST", False),
    "GetConfigurationMaxKeys": ("100", True),
    "HeartbeatInterval": ("300", False),
    "LocalAuthorizeOffline": ("true", False),
    "LocalPreAuthorize": ("false", False),
    "MeterValuesAlignedData": ("Energy.Active.Import.Register", False),
    "MeterValuesSampledData": (
        "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC", False),
    "MeterValueSampleInterval": ("60", False),
    "ResetRetries": ("1", False),
    "StopTransactionOnEVSideDisconnect": ("true", False),
    "StopTransactionOnInvalidId": ("true", False),
    "StopTxnAlignedData": ("", False),
    "StopTxnSampledData": ("Energy.Active.Import.Register", False),
    "SupportedFeatureProfiles": (
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
        True),
    "TransactionMessageAttempts": ("3", False),
    "TransactionMessageRetryInterval": ("60", False),
    "UnlockConnectorOnEVSideDisconnect": ("true", False),
    "WebSocketPingInterval": ("0", False),
    "LocalAuthListEnabled": ("true", False),
    "LocalAuthListMaxLength": ("1000", True),
    "SendLocalListMaxLength": ("100", True),
    "ReserveConnectorZeroSupported": ("false", True),
    "ChargeProfileMaxStackLevel": ("10", True),
    "ChargingScheduleAllowedChargingRateUnit": ("Current,Power", True),
    "ChargingScheduleMaxPeriods": ("24", True),
    "MaxChargingProfilesInstalled": ("10", True),
    "SecurityProfile": ("0", False),
}
INTEGER_KEYS = {"ClockAlignedDataInterval", "ConnectionTimeOut", "HeartbeatInterval",
                "MeterValueSampleInterval", "ResetRetries", "TransactionMessageAttempts",
                "TransactionMessageRetryInterval", "WebSocketPingInterval", "SecurityProfile",
                "PowerConsumptionTimeout"}
BOOLEAN_KEYS = {"AllowOfflineTxForUnknownId", "AuthorizationCacheEnabled",
                "AuthorizeRemoteTxRequests", "LocalAuthorizeOffline", "LocalPreAuthorize",
                "StopTransactionOnEVSideDisconnect", "StopTransactionOnInvalidId",
                "UnlockConnectorOnEVSideDisconnect", "LocalAuthListEnabled"}
# Changing these takes effect only after a reboot (they decide how and where the station connects).
REBOOT_KEYS = {"CentralSystemURL", "ChargeBoxIdentity", "SecurityProfile", "AuthorizationKey"}
# Never shown by GetConfiguration (OCPP 1.6 security whitepaper: AuthorizationKey is write-only).
HIDDEN_KEYS = {"AuthorizationKey"}

BATTERY_WH = 60000.0


def now_iso(at: float | None = None) -> str:
    dt = datetime.fromtimestamp(time.time() if at is None else at, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class CallErrorReceived(Exception):
    def __init__(self, action: str, error: CallError):
        super().__init__(f"{action}: {error.code} {error.description}")
        self.error = error


@dataclass
class StationOptions:
    call_timeout: float = 30.0
    backoff_min: float = 1.0        # first reconnect delay, seconds; doubles up to backoff_max
    backoff_max: float = 60.0
    reboot_delay: float = 1.0       # a reset or firmware install: seconds "off"
    step_delay: float = 2.0         # between the steps of firmware and diagnostics sequences
    unplug_delay: float = 3.0       # the driver unplugs this long after a stop (Finishing → Available)
    validate: bool = True           # check outgoing payloads against the 1.6 schemas
    heartbeat: float | None = None  # override of the central system's interval
    meter_interval: tuple[float, float] | None = None   # override of MeterValueSampleInterval
    # Load mode: sessions start on their own, idle gap and session length drawn from these ranges.
    autonomous: bool = False
    session_gap: tuple[float, float] = (60.0, 600.0)
    session_length: tuple[float, float] = (300.0, 1800.0)


@dataclass(slots=True)
class Reservation:
    id: int
    id_tag: str
    parent: str | None
    expiry: float  # wall clock


@dataclass(slots=True)
class Connector:
    config: ConnectorConfig
    status: str = "Available"
    energy: float = 0.0             # Wh register
    power: float = 0.0              # W now
    soc: float = 40.0
    plugged: bool = False
    operative: bool = True
    scheduled: str | None = None    # ChangeAvailability waiting for the transaction to end
    transaction_id: int | None = None
    id_tag: str | None = None
    started: float = 0.0            # wall clock
    last: float = 0.0               # monotonic time of the last energy update
    next_meter: float = 0.0
    session_end: float | None = None
    next_session: float | None = None
    unplug_at: float | None = None
    reservation: Reservation | None = None
    profiles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.config.id


Answer = tuple[dict[str, Any], Callable[[], Awaitable[None]] | None]


class Station16:
    def __init__(self, config: StationConfig, session: aiohttp.ClientSession, *,
                 url: str | None = None, stats: Stats | None = None,
                 options: StationOptions | None = None):
        self.config = config
        self.identity = config.identity
        self.session = session
        self.base_url = url or config.url
        self.stats = stats or Stats()
        self.options = options or StationOptions()
        self.connectors = {c.id: Connector(c, energy=float(c.meter_value),
                                           soc=random.uniform(20, 60))
                           for c in config.connectors}
        self.station_profiles: list[dict[str, Any]] = []   # connector 0
        self.changed: dict[str, str] = {}                  # configuration changes
        self.after_reboot: dict[str, str] = {}             # RebootRequired changes
        self.local_list: dict[str, dict[str, Any]] = {}
        self.local_list_version = 0
        self.cache: dict[str, dict[str, Any]] = {}
        self.certificates: list[dict[str, Any]] = []
        self.registration = ""           # last BootNotification status
        self.heartbeat = 300.0
        self.firmware_status = "Idle"
        self.diagnostics_status = "Idle"
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.booted = asyncio.Event()
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self._pending: tuple[str, asyncio.Future] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._restart: str | None = None   # "reboot" or "drop": why we closed the socket ourselves
        self._tasks: set[asyncio.Task] = set()
        self._after_boot: list[tuple[str, dict[str, Any]]] = []
        self._schemas = schemas_for("1.6")
        self._attempt = 0

    # ---------------------------------------------------------------- configuration keys
    def key(self, name: str, default: str | None = None) -> str | None:
        if name in self.changed:
            return self.changed[name]
        k = self.config.keys.get(name)
        if k is not None and k.value is not None:
            return k.value
        d = DEFAULT_KEYS.get(name)
        return d[0] if d else default

    def flag(self, name: str) -> bool:
        return (self.key(name) or "").lower() == "true"

    def all_keys(self) -> dict[str, tuple[str | None, bool]]:
        keys: dict[str, tuple[str | None, bool]] = {k: v for k, v in DEFAULT_KEYS.items()}
        keys["NumberOfConnectors"] = (str(len(self.connectors)), True)
        for k in self.config.keys.values():
            keys[k.key] = (k.value, k.readonly)
        for k, v in self.changed.items():
            keys[k] = (v, keys[k][1])
        return keys

    @property
    def meter_interval(self) -> float:
        if self.options.meter_interval:
            return random.uniform(*self.options.meter_interval)
        return float(self.key("MeterValueSampleInterval") or 60) or 60.0

    @property
    def url(self) -> str:
        base = self.changed.get("CentralSystemURL") if "CentralSystemURL" in self.changed \
            else self.base_url
        return self.config.station_url(base)

    # ---------------------------------------------------------------- life
    def start(self) -> asyncio.Task:
        task = asyncio.create_task(self.run(), name=f"station-{self.identity}")
        return task

    async def run(self) -> None:
        """Connect, boot and serve until stop(); reconnect with exponential backoff and jitter."""
        while not self._stopping:
            self._restart = None
            ws = await self._connect()
            if ws is None:
                await self._sleep(self._backoff())
                continue
            reason = await self._serve(ws)
            if self._stopping:
                break
            if self._restart == "drop":
                continue                       # a reconnect storm: straight back
            if self._restart == "reboot":
                await self._sleep(self.options.reboot_delay)
                continue
            if reason and "replaced" in reason:
                log.warning("%s: the central system replaced this connection by another with the "
                            "same identity (another emulator?); waiting %.0f s",
                            self.identity, self.options.backoff_max)
                await self._sleep(self.options.backoff_max)
                continue
            await self._sleep(self._backoff())

    def _backoff(self) -> float:
        delay = min(self.options.backoff_max, self.options.backoff_min * (2 ** self._attempt))
        self._attempt = min(self._attempt + 1, 30)
        return delay * random.uniform(0.5, 1.5)   # jitter: a fleet must not reconnect in step

    async def _sleep(self, seconds: float) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while not self._stopping:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), min(left, 1.0))
            except asyncio.TimeoutError:
                pass

    async def _connect(self) -> aiohttp.ClientWebSocketResponse | None:
        auth = None
        password = self.key("AuthorizationKey")
        if password:
            auth = aiohttp.BasicAuth(self.identity, password)
        try:
            ws = await self.session.ws_connect(
                self.url, protocols=(SUBPROTOCOL,), heartbeat=None, autoping=True, auth=auth,
                max_msg_size=1 << 20, timeout=aiohttp.ClientWSTimeout(ws_close=5.0))
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as e:
            self.stats.connect_failures += 1
            log.info("%s: cannot connect to %s: %s", self.identity, self.url, e)
            return None
        if ws.protocol not in (SUBPROTOCOL, None):
            self.stats.connect_failures += 1
            log.warning("%s: central system chose subprotocol %s", self.identity, ws.protocol)
            await ws.close()
            return None
        self.stats.connects += 1
        self.stats.connected += 1
        return ws

    async def _serve(self, ws: aiohttp.ClientWebSocketResponse) -> str | None:
        """One connection: until the socket closes. Returns the close reason the server gave."""
        self.ws = ws
        closed: dict[str, Any] = {}
        reader = asyncio.create_task(self._read(ws, closed))
        life = asyncio.create_task(self._life())
        try:
            await asyncio.wait({reader, life}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (reader, life):
                t.cancel()
            await asyncio.gather(reader, life, return_exceptions=True)
            if life.done() and not life.cancelled() and life.exception() is not None:
                log.error("%s: %r", self.identity, life.exception())
            self.ws = None
            if self._pending and not self._pending[1].done():
                self._pending[1].set_exception(ConnectionError("socket closed"))
            if not ws.closed:
                await ws.close()
            self.stats.connected -= 1
            self.stats.disconnects += 1
            if self.booted.is_set():
                self.stats.booted -= 1
                self.booted.clear()
        return closed.get("reason")

    async def stop(self) -> None:
        """Stop for good: close the socket with 1001 (going away)."""
        self._stopping = True
        self._wake.set()
        for t in list(self._tasks):
            t.cancel()
        ws = self.ws
        if ws is not None and not ws.closed:
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"station going down")

    async def drop(self) -> None:
        """Lose the connection now and reconnect at once (a reconnect storm)."""
        self._restart = "drop"
        ws = self.ws
        if ws is not None and not ws.closed:
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"connection lost")

    async def reboot(self) -> None:
        self._restart = "reboot"
        for k, v in self.after_reboot.items():
            self.changed[k] = v
        self.after_reboot.clear()
        ws = self.ws
        if ws is not None and not ws.closed:
            await ws.close(code=aiohttp.WSCloseCode.SERVICE_RESTART, message=b"rebooting")

    def spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            e = task.exception()
            if not isinstance(e, (ConnectionError, CallErrorReceived, asyncio.TimeoutError)):
                log.error("%s: %r", self.identity, e, exc_info=e)

    # ---------------------------------------------------------------- the wire
    async def _read(self, ws: aiohttp.ClientWebSocketResponse, closed: dict[str, Any]) -> None:
        while True:
            msg = await ws.receive()
            if msg.type == aiohttp.WSMsgType.TEXT:
                await self._frame(ws, msg.data)
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                              aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                closed["code"] = ws.close_code
                closed["reason"] = msg.extra if isinstance(msg.extra, str) else None
                return

    async def _frame(self, ws: aiohttp.ClientWebSocketResponse, text: str) -> None:
        try:
            message = decode(text)
        except FramingError as e:
            if e.unique_id:
                await ws.send_str(encode_call_error(e.unique_id, e.code, e.description))
            return
        if isinstance(message, (CallResult, CallError)):
            if self._pending and self._pending[0] == message.unique_id \
                    and not self._pending[1].done():
                self._pending[1].set_result(message)
            return
        answer, follow = self.answer(message)
        if self.options.validate and not isinstance(answer, CallError):
            try:
                self._schemas.check_response(message.action, answer)
            except ValidationError as e:
                self.stats.error(self.identity, f"our answer to {message.action} breaks the "
                                                f"schema: {e.code} {e.description}")
                answer, follow = CallError(message.unique_id, "InternalError", e.description), None
        if isinstance(answer, CallError):
            await ws.send_str(encode_call_error(message.unique_id, answer.code,
                                                answer.description, answer.details))
        else:
            await ws.send_str(f"[3,{orjson.dumps(message.unique_id).decode()},"
                              f"{orjson.dumps(answer).decode()}]")
        self.stats.answered += 1
        if follow is not None:
            self.spawn(follow())

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one CALL and wait for its answer; one at a time."""
        if self.options.validate:
            try:
                self._schemas.check_request(action, payload)
            except ValidationError as e:
                self.stats.error(self.identity, f"{action} would break the schema: "
                                                f"{e.code} {e.description}")
                raise
        async with self._lock:
            ws = self.ws
            if ws is None or ws.closed:
                raise ConnectionError(f"{self.identity} is not connected")
            uid = str(next(self._ids))
            future = asyncio.get_running_loop().create_future()
            self._pending = (uid, future)
            try:
                await ws.send_str(encode_call(uid, action, payload))
                self.stats.calls += 1
                answer = await asyncio.wait_for(future, self.options.call_timeout)
            except asyncio.TimeoutError:
                self.stats.error(self.identity, f"{action}: no answer within "
                                                f"{self.options.call_timeout:g} s")
                raise
            finally:
                self._pending = None
        if isinstance(answer, CallError):
            self.stats.error(self.identity, f"{action}: {answer.code} {answer.description}")
            raise CallErrorReceived(action, answer)
        if self.options.validate:
            try:
                self._schemas.check_response(action, answer.payload)
            except ValidationError as e:
                self.stats.error(self.identity, f"{action} answer: {e.code} {e.description}")
                raise
        return answer.payload

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
                self.changed["HeartbeatInterval"] = str(answer["interval"])
            elif self.options.heartbeat:
                self.heartbeat = self.options.heartbeat
        return answer

    async def _life(self) -> None:
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
        self._attempt = 0
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
        voltage = 400.0 if c.config.voltage == "DC" else 230.0
        phases = 1 if c.config.voltage == "DC" else c.config.phases

        def best(profiles: list[dict[str, Any]], purpose: str) -> float | None:
            found = [p for p in profiles if p["chargingProfilePurpose"] == purpose
                     and (purpose != "TxProfile" or p.get("transactionId") in (None, c.transaction_id))]
            for p in sorted(found, key=lambda p: -p["stackLevel"]):
                value = _profile_limit(p, wall, c.started or wall, voltage, phases)
                if value is not None:
                    return value
            return None

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
        now = asyncio.get_running_loop().time()
        if c.transaction_id is not None and c.power > 0:
            wh = c.power * max(0.0, now - c.last) / 3600.0
            c.energy += wh
            c.soc = min(100.0, c.soc + 100.0 * wh / BATTERY_WH)
        c.last = now
        if c.transaction_id is None:
            c.power = 0.0
            return
        target = self._limit(c)
        if c.config.voltage == "DC" and c.soc > 80:   # the battery takes less when nearly full
            target *= max(0.05, (100 - c.soc) / 20)
        if c.soc >= 100:
            target = 0.0
        c.power = round(target * random.uniform(0.97, 1.0), 1)

    def sampled_values(self, c: Connector, context: str) -> list[dict[str, Any]]:
        self._advance(c)
        dc = c.config.voltage == "DC"
        voltage = (400.0 if dc else 230.0) * random.uniform(0.99, 1.01)
        phases = 1 if dc else c.config.phases
        values: list[dict[str, Any]] = []
        for measurand in (self.key("MeterValuesSampledData") or "").split(","):
            measurand = measurand.strip()
            if measurand == "Energy.Active.Import.Register":
                values.append({"value": f"{c.energy:.0f}", "context": context,
                               "measurand": measurand, "location": "Outlet", "unit": "Wh"})
            elif measurand == "Power.Active.Import":
                values.append({"value": f"{c.power:.1f}", "context": context,
                               "measurand": measurand, "location": "Outlet", "unit": "W"})
            elif measurand == "Current.Import":
                values.append({"value": f"{c.power / voltage / phases:.1f}", "context": context,
                               "measurand": measurand, "location": "Outlet", "unit": "A"})
            elif measurand == "Voltage":
                values.append({"value": f"{voltage:.1f}", "context": context,
                               "measurand": measurand, "location": "Outlet", "unit": "V"})
            elif measurand == "SoC" and dc:   # only a DC charger talks to the battery
                values.append({"value": f"{c.soc:.0f}", "context": context,
                               "measurand": measurand, "location": "EV", "unit": "Percent"})
        return values

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
        keys = self.all_keys()
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
        keys = self.all_keys()
        if name not in keys:
            return {"status": "NotSupported"}, None
        if keys[name][1]:
            return {"status": "Rejected"}, None
        if name in INTEGER_KEYS and not (value.isdigit()):
            return {"status": "Rejected"}, None
        if name in BOOLEAN_KEYS and value.lower() not in ("true", "false"):
            return {"status": "Rejected"}, None
        if name in REBOOT_KEYS:
            self.after_reboot[name] = value
            return {"status": "RebootRequired"}, None
        self.changed[name] = value.lower() if name in BOOLEAN_KEYS else value
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
            voltage = 400.0 if c.config.voltage == "DC" else 230.0
            limit = limit / voltage / (1 if c.config.voltage == "DC" else c.config.phases)
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
                await self.call("SignCertificate", {"csr": _fake_csr(self.identity)})
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
        digest = hashlib.sha256(p["certificate"].encode()).hexdigest()
        self.certificates.append({"type": p["certificateType"], "hash": {
            "hashAlgorithm": "SHA256", "issuerNameHash": digest[:64],
            "issuerKeyHash": digest[::-1][:64], "serialNumber": digest[:16]}})
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


def _profile_limit(p: dict[str, Any], wall: float, tx_start: float, voltage: float,
                   phases: int) -> float | None:
    """The limit in W a charging profile sets at wall-clock time `wall`, or None outside it."""
    valid_from, valid_to = parse_time(p.get("validFrom")), parse_time(p.get("validTo"))
    if (valid_from and wall < valid_from) or (valid_to and wall > valid_to):
        return None
    schedule = p["chargingSchedule"]
    kind = p["chargingProfileKind"]
    start = tx_start if kind == "Relative" else (parse_time(schedule.get("startSchedule"))
                                                 or tx_start)
    elapsed = wall - start
    if kind == "Recurring":
        elapsed %= 604800 if p.get("recurrencyKind") == "Weekly" else 86400
    if elapsed < 0 or (schedule.get("duration") and elapsed > schedule["duration"]):
        return None
    limit, n = None, phases
    for period in sorted(schedule["chargingSchedulePeriod"], key=lambda x: x["startPeriod"]):
        if period["startPeriod"] <= elapsed:
            limit, n = period["limit"], period.get("numberPhases", phases)
    if limit is None:
        return None
    return float(limit) if schedule["chargingRateUnit"] == "W" else float(limit) * voltage * n


def _fake_csr(identity: str) -> str:
    body = hashlib.sha256(identity.encode()).hexdigest()
    return f"-----BEGIN CERTIFICATE REQUEST-----\n{body}\n-----END CERTIFICATE REQUEST-----"
