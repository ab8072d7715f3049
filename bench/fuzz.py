"""A bounded, seeded fuzz of the station front end: valid and mutated OCPP-J frames over real sockets.

    python3 bench/fuzz.py [--frames 100000] [--seed 1] [--stations 12] [--bystanders 4]

Spawns `ocpp-cs serve --no-emulator` from this tree (its own embedded PostgreSQL in a temp data dir,
the server's log captured to a file), then drives stations of 1.6 and 2.0.1:
  fuzzers    each sends a frame — a valid CALL, or a mutated one (wrong types, huge numbers, NUL,
             deep nesting, bad JSON, wrong message types, unknown actions, oversized, stray
             answers) — followed by a Heartbeat probe, and reads replies up to the probe's: the
             server answers in order, so whatever the frame got (or did not) is known then;
  bystanders send only valid CALLs and must get a CALLRESULT for every one.
Then prints frames sent, answers by kind, tracebacks and ERROR lines of the server's log (must be
0), reconnects (must be 0), and message-log IN rows expected vs found per station (every frame sent
must have one). The same generator runs for ~2,000 frames in tests/test_fuzz.py.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parents[1]
STAMP = "2026-01-01T10:00:00Z"


# ------------------------------------------------------------------------------ valid CALLs
def valid_call(rng: random.Random, version: str) -> tuple[str, dict[str, Any]]:
    """A valid station CALL (action, payload) of version."""
    k = rng.randrange(6)
    if version == "1.6":
        if k == 0:
            return "Heartbeat", {}
        if k == 1:
            return "StatusNotification", {"connectorId": rng.randrange(0, 3), "errorCode": "NoError",
                                          "status": rng.choice(["Available", "Preparing",
                                                                "Charging", "Finishing"]),
                                          "timestamp": STAMP}
        if k == 2:
            return "MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": STAMP,
                                   "sampledValue": [{"value": str(rng.randrange(10**6)),
                                                     "measurand": "Energy.Active.Import.Register",
                                                     "unit": "Wh"}]}]}
        if k == 3:
            return "Authorize", {"idTag": f"TAG{rng.randrange(100)}"}
        if k == 4:
            return "BootNotification", {"chargePointVendor": "Fuzz", "chargePointModel": "F1"}
        return "DataTransfer", {"vendorId": "Fuzz", "data": "x" * rng.randrange(20)}
    if k == 0:
        return "Heartbeat", {}
    if k == 1:
        return "StatusNotification", {"timestamp": STAMP, "connectorStatus": rng.choice(
            ["Available", "Occupied", "Unavailable"]), "evseId": rng.randrange(1, 3),
            "connectorId": 1}
    if k == 2:
        return "MeterValues", {"evseId": 1, "meterValue": [{"timestamp": STAMP, "sampledValue": [
            {"value": rng.randrange(10**6) / 10}]}]}
    if k == 3:
        return "Authorize", {"idToken": {"idToken": f"TOK{rng.randrange(100)}",
                                         "type": "ISO14443"}}
    if k == 4:
        return "BootNotification", {"chargingStation": {"vendorName": "Fuzz", "model": "F2"},
                                    "reason": "PowerUp"}
    return "DataTransfer", {"vendorId": "Fuzz", "data": {"n": rng.randrange(100)}}


# ------------------------------------------------------------------------------ mutations
ODD_VALUES: list[Any] = [None, True, False, 0, -1, 1.0, 1e0, 2.5, 2**31, 2**63, 10**30, 1e308,
                         -(2**40), "", "x" * 300, "\u0000", "a\u0000b", [], {}, [1, "a"],
                         {"a": {"b": None}}, "2026-13-45T99:99:99Z", "2026-01-01T10:00:00"]


def nest(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def _mutate_payload(rng: random.Random, payload: dict[str, Any]) -> dict[str, Any]:
    payload = json.loads(json.dumps(payload))
    targets: list[tuple[Any, Any]] = []  # (container, key) of every value, recursively

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k in v:
                targets.append((v, k))
                walk(v[k])
        elif isinstance(v, list):
            for i in range(len(v)):
                targets.append((v, i))
                walk(v[i])
    walk(payload)
    if not targets or rng.random() < 0.2:
        payload[rng.choice(["customData", "extra", "\u0000key", "x" * 40])] = rng.choice(ODD_VALUES)
    else:
        container, key = rng.choice(targets)
        if rng.random() < 0.15 and isinstance(container, dict):
            del container[key]
        else:
            container[key] = rng.choice(ODD_VALUES)
    return payload


def mutated_frame(rng: random.Random, version: str, uid: str) -> tuple[str, str]:
    """(kind of mutation, frame text)."""
    action, payload = valid_call(rng, version)
    k = rng.randrange(16)
    if k <= 4:
        return "types", json.dumps([2, uid, action, _mutate_payload(rng, payload)])
    if k == 5:
        levels = rng.choice([50, 63, 64, 70, 200, 300, 1000, 2000])
        if levels < 500:  # beyond that json.dumps itself would recurse too deep: text instead
            return "nesting", json.dumps([2, uid, action, {**payload, "customData": {
                "vendorId": "F", "deep": nest(levels)}}])
        return "nesting", '[2,"' + uid + '","' + action + '",' + '{"a":' * levels + "1" \
            + "}" * levels + "]"
    if k == 6:
        text = json.dumps([2, uid, action, payload])
        cut = rng.randrange(1, len(text))
        return "bad-json", rng.choice([text[:cut], text[:cut] + "\u0000" + text[cut:],
                                       text.replace(":", "=", 1), "garbage " + text, "", "[]",
                                       "{}", "null", "[2]", '["2"]'])
    if k == 7:
        kind = rng.choice(["{}", "[]", "null", "true", '"2"', "2.0", "2.5", "7", "-1", "1e400",
                           "99999999999999999999"])
        return "message-type", f'[{kind},"{uid}","{action}",{json.dumps(payload)}]'
    if k == 8:
        return "unknown-action", json.dumps([2, uid, rng.choice(
            ["FlyToTheMoon", "", "heartbeat", "Reset", "A" * 500, "Heart\u0000beat", 42, None,
             {"a": 1}]), payload])
    if k == 9:
        size = rng.choice([60000, 66000, 200000])
        return "oversized", json.dumps([2, uid, "DataTransfer", {"vendorId": "F",
                                                                 "data": "x" * size}])
    if k == 10:
        return "unique-id", json.dumps([2, rng.choice([17, None, {}, [], "", "u" * 37, "u" * 2000,
                                                       "a\u0000b", 1.5, True]), action, payload])
    if k == 11:
        return "shape", json.dumps(rng.choice([[2, uid, action], [2, uid, action, payload, 1],
                                               [2, uid, action, [payload]], [2, uid, action, "{}"],
                                               [2, uid], [2]]))
    if k == 12:
        return "stray-answer", json.dumps(rng.choice([
            [3, uid, {}], [4, uid, "GenericError", "x", {}], [3, uid], [4, uid, 5, None, []],
            [5, uid, "X", "y", {}], [6, uid, "NotifyPeriodicEventStream", {}]]))
    if k == 13:
        return "numbers", json.dumps([2, uid, action, {**payload, **rng.choice([
            {"connectorId": rng.choice([2**31, -5, 1.0, 2**53 + 1, 1e19])},
            {"evseId": rng.choice([2**31, -5, 1.0, 10**20])}])}])
    if k == 14:
        return "nul", json.dumps([2, uid, action, {**payload, "customData": {
            "vendorId": "F\u0000", "x": "\u0000"}}])
    return "valid", json.dumps([2, uid, action, payload])


# ------------------------------------------------------------------------------ stations
@dataclass
class Stats:
    sent: Counter = field(default_factory=Counter)       # identity → frames sent
    answers: Counter = field(default_factory=Counter)    # CALLRESULT / CALLERROR code / no answer
    mutations: Counter = field(default_factory=Counter)
    bystander_failures: list[str] = field(default_factory=list)
    reconnects: int = 0
    broken: list[str] = field(default_factory=list)      # stations that stopped answering

    @property
    def frames(self) -> int:
        return sum(self.sent.values())


def answer_kind(frame: Any) -> str:
    if isinstance(frame, list) and frame and frame[0] == 3:
        return "CALLRESULT"
    if isinstance(frame, list) and len(frame) > 2 and frame[0] == 4:
        return f"CALLERROR {frame[2]}"
    return "other"


async def fuzzer(url: str, identity: str, version: str, budget: int, rng: random.Random,
                 stats: Stats, timeout: float) -> None:
    """Sends `budget` frames: mutated-or-valid, each followed by a probe Heartbeat."""
    n = 0
    ws = None
    try:
        while n < budget:
            if ws is None:
                ws = await websockets.connect(f"{url}/{identity}", subprotocols=[f"ocpp{version}"],
                                              max_size=None)
            uid = f"{identity}-{n}"
            kind, text = mutated_frame(rng, version, uid)
            stats.mutations[kind] += 1
            probe = f"p-{uid}"
            try:
                await ws.send(text)
                stats.sent[identity] += 1
                n += 1
                if n < budget:
                    await ws.send(f'[2,"{probe}","Heartbeat",{{}}]')
                    stats.sent[identity] += 1
                    n += 1
                    got_answer = False
                    while True:
                        reply = json.loads(await asyncio.wait_for(ws.recv(), timeout))
                        if isinstance(reply, list) and len(reply) > 1 and reply[1] == probe:
                            if reply[0] != 3:
                                stats.broken.append(f"{identity}: probe got {reply}")
                            break
                        stats.answers[f"{version:5} {answer_kind(reply)}"] += 1
                        got_answer = True
                    if not got_answer:
                        stats.answers[f"{version:5} no answer (no readable id, or an answer frame)"] += 1
            except websockets.ConnectionClosed as e:
                stats.reconnects += 1
                stats.broken.append(f"{identity}: socket closed ({e.rcvd.code if e.rcvd else '?'})"
                                    f" after a {kind} frame: {text[:120]!r}")
                ws = None
            except asyncio.TimeoutError:
                stats.broken.append(f"{identity}: no reply within {timeout}s after a {kind} frame: "
                                    f"{text[:120]!r}")
                await ws.close()
                ws = None
                stats.reconnects += 1
    finally:
        if ws is not None:
            await ws.close()


async def bystander(url: str, identity: str, version: str, budget: int, rng: random.Random,
                    stats: Stats, timeout: float) -> None:
    async with websockets.connect(f"{url}/{identity}", subprotocols=[f"ocpp{version}"]) as ws:
        for n in range(budget):
            action, payload = valid_call(rng, version)
            uid = f"{identity}-{n}"
            await ws.send(json.dumps([2, uid, action, payload]))
            stats.sent[identity] += 1
            try:
                reply = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            except (asyncio.TimeoutError, websockets.ConnectionClosed) as e:
                stats.bystander_failures.append(f"{identity} {action}: {type(e).__name__}")
                return
            stats.answers[f"{version:5} {answer_kind(reply)}"] += 1
            if reply[:2] != [3, uid]:
                stats.bystander_failures.append(f"{identity} {action}: {reply}")


async def still_answering(url: str, identity: str, version: str, stats: Stats) -> bool:
    try:
        async with websockets.connect(f"{url}/{identity}", subprotocols=[f"ocpp{version}"]) as ws:
            await ws.send('[2,"last","Heartbeat",{}]')
            stats.sent[identity] += 1
            return json.loads(await asyncio.wait_for(ws.recv(), 10))[:2] == [3, "last"]
    except Exception:  # noqa: BLE001 - any failure is "not answering"
        return False


def plan(frames: int, stations: int, bystanders: int) -> list[tuple[str, str, str, int]]:
    """(role, identity, version, frames) per station; bystanders get a tenth of the frames."""
    by_frames = max(frames // 10, bystanders)
    fz_frames = frames - (by_frames if bystanders else 0)
    out = []
    for i in range(stations):
        version = "1.6" if i % 2 == 0 else "2.0.1"
        share = fz_frames // stations + (1 if i < fz_frames % stations else 0)
        out.append(("fuzzer", f"FUZZ{i:02d}", version, share))
    for i in range(bystanders):
        version = "1.6" if i % 2 == 0 else "2.0.1"
        share = by_frames // bystanders + (1 if i < by_frames % bystanders else 0)
        out.append(("bystander", f"CALM{i:02d}", version, share))
    return out


async def run(url: str, frames: int, seed: int, stations: int = 12, bystanders: int = 4,
              timeout: float = 30.0) -> tuple[Stats, list[tuple[str, str, str, int]]]:
    """Runs the fuzz against a server at url (ws://HOST:PORT/ocpp); returns the stats and the plan."""
    stats = Stats()
    roles = plan(frames, stations, bystanders)
    tasks = []
    for n, (role, identity, version, share) in enumerate(roles):
        rng = random.Random(f"{seed}-{n}")
        work = fuzzer if role == "fuzzer" else bystander
        tasks.append(work(url, identity, version, share, rng, stats, timeout))
    await asyncio.gather(*tasks)
    for role, identity, version, _ in roles:
        if not await still_answering(url, identity, version, stats):
            stats.broken.append(f"{identity}: does not answer a Heartbeat at the end")
    return stats, roles


# ------------------------------------------------------------------------------ the script
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}; see its log")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def log_problems(text: str) -> tuple[int, int]:
    """(tracebacks, ERROR lines) in the server's log."""
    return (text.count("Traceback (most recent call last)"),
            len(re.findall(r"^.*\bERROR\b.*$", text, flags=re.M)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--frames", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stations", type=int, default=12, help="fuzzing stations (half 1.6)")
    ap.add_argument("--bystanders", type=int, default=4, help="stations sending valid frames only")
    ap.add_argument("--keep", action="store_true", help="keep the data dir and the server's log")
    args = ap.parse_args()

    base = Path(tempfile.mkdtemp(prefix="ocpp-cs-fuzz-", dir="/tmp"))
    base.chmod(0o755)  # as root the cluster runs as an unprivileged user
    # Run this tree's server, whatever `ocpp_cs` is installed: a package link to ./server.
    pkg = base / "path"
    pkg.mkdir()
    (pkg / "ocpp_cs").symlink_to(ROOT / "server")
    env = {**os.environ, "PYTHONPATH": f"{pkg}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "OCPP_CS_LOG_LEVEL": "WARNING", "OCPP_CS_CERTIFICATES_SIGNER": "none",
           "OCPP_CS_OCPP_PING_INTERVAL": "0"}
    port = free_port()
    log_path = base / "server.log"
    cli = [sys.executable, "-m", "ocpp_cs.cli"]
    data = str(base / "data")
    with open(log_path, "w") as log_file:
        server = subprocess.Popen([*cli, "serve", "--no-emulator", "--data-dir", data,
                                   "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=log_file, stderr=subprocess.STDOUT, cwd=base)
    try:
        wait_port(port, server)
        started = time.perf_counter()
        stats, roles = asyncio.run(run(f"ws://127.0.0.1:{port}/ocpp", args.frames, args.seed,
                                       args.stations, args.bystanders))
        seconds = time.perf_counter() - started
        time.sleep(2)  # the message log flushes every 0.2 s
        query = ("select identity || ' ' || count(*) from cs.message_log where direction = 'in' "
                 "and action is distinct from 'Connect' and action is distinct from 'Disconnect' "
                 "group by identity")
        out = subprocess.run([*cli, "psql", "--data-dir", data, "-tAc", query], env=env,
                             capture_output=True, text=True, cwd=base)
        if out.returncode != 0:
            print("psql failed:", out.stderr)
        found = {line.split(" ")[0]: int(line.split(" ")[1])
                 for line in out.stdout.split("\n") if line.strip()}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    tracebacks, errors = log_problems(log_path.read_text(errors="replace"))

    print(f"seed {args.seed}: {stats.frames} frames sent in {seconds:.1f} s "
          f"({stats.frames / seconds:.0f}/s) by {args.stations} fuzzing and "
          f"{args.bystanders} bystander stations (1.6 and 2.0.1)")
    print("mutations:", ", ".join(f"{k} {v}" for k, v in sorted(stats.mutations.items())))
    print("answers received by kind (probes' CALLRESULTs not counted):")
    for kind, count in stats.answers.most_common():
        print(f"  {count:8d}  {kind}")
    print(f"tracebacks in the server log: {tracebacks}")
    print(f"ERROR lines in the server log: {errors}")
    print(f"reconnects: {stats.reconnects}; stations broken: {len(stats.broken)}; "
          f"bystander failures: {len(stats.bystander_failures)}")
    for line in (stats.broken + stats.bystander_failures)[:20]:
        print("  ", line)
    print("message log IN rows, expected vs found:")
    short = 0
    for role, identity, version, _ in roles:
        expected, got = stats.sent[identity], found.get(identity, 0)
        short += max(0, expected - got)
        print(f"  {identity} {version:5} {role:9} expected {expected:7d} found {got:7d}"
              + (f"  SHORT {expected - got}" if got < expected else ""))
    print(f"message log shortfall: {short} of {stats.frames} frames")
    if args.keep:
        print(f"kept: {base} (server log {log_path})")
    else:
        if tracebacks or errors:
            kept = Path(f"/tmp/ocpp-cs-fuzz-{args.seed}.log")
            shutil.copy(log_path, kept)
            print(f"server log kept at {kept}")
        shutil.rmtree(base, ignore_errors=True)
    sys.exit(1 if tracebacks or errors or stats.broken or stats.bystander_failures else 0)


if __name__ == "__main__":
    main()
