"""Slow peers: what unfinished handshakes and stations that never read cost a normal station.

    python bench/slow_peers.py [--slow 500] [--seconds 10] [--old]

Starts `ocpp-cs serve` as a separate process (its embedded PostgreSQL in a folder under /tmp), and
one normal station that sends a Heartbeat every 20 ms and times each answer. After a quiet phase an
attacker process (separate, so its sockets do not disturb the timing loop) opens:
  --slow unfinished handshakes: raw TCP connections that send half an HTTP request and then nothing,
         opened again whenever the server closes one;
  --slow deaf stations: WebSockets (bare sockets with a 4 KiB receive buffer) that send 150 CALLs
         of an unknown 2000-character action, each answered with a ~2 KB CALLERROR they never read
         (about 300 KB: more than the kernel buffers hold), and connect again when the server
         closes them.
Prints the Heartbeat p50/p95/p99/max before and during the attack, the server's resident memory,
and how often the server closed an attacker's connection. --old runs the server as before the
bounds: handshake_timeout 3630 s (aiohttp's default keep-alive), no send timeout, aiohttp's
256 KiB writer limit.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import percentile, wait_port  # noqa: E402

ACTION = "X" * 2000
CALLS_PER_DEAF = 150  # CALLs a deaf station writes at once after connecting: ~300 KB of answers
PING = bytes([0x89, 0x80]) + os.urandom(4)  # an empty masked ping frame


def frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455)."""
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


async def connect(port: int, rcvbuf: int | None = None):
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await asyncio.open_connection(sock=sock)


async def attack(port: int, n: int) -> None:
    """The attacker process: n unfinished handshakes and n deaf stations, reopened when closed;
    prints the counts of server closes on SIGTERM."""
    closed = {"handshake": 0, "deaf": 0}
    calls = b"".join(frame(f'[2,"u{i}","{ACTION}",{{}}]') for i in range(CALLS_PER_DEAF))

    async def unfinished(i: int) -> None:
        while True:
            try:
                reader, writer = await connect(port)
                writer.write(f"GET /ocpp/HALF{i} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
                await reader.read()  # until the server closes it
                writer.close()
                closed["handshake"] += 1
            except OSError:
                await asyncio.sleep(0.5)

    async def deaf(i: int) -> None:
        loop = asyncio.get_running_loop()
        while True:
            connected = False
            sock = socket.socket()
            try:
                # a bare socket that nobody reads: only its 4 KiB (8 KiB as Linux counts) buffer fills
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.setblocking(False)
                await loop.sock_connect(sock, ("127.0.0.1", port))
                key = base64.b64encode(os.urandom(16)).decode()
                await loop.sock_sendall(sock, (
                    f"GET /ocpp/DEAF{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n").encode())
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = await loop.sock_recv(sock, 1)
                    if not chunk:
                        raise ConnectionError("closed in the handshake")
                    head += chunk
                if not head.startswith(b"HTTP/1.1 101"):
                    raise ConnectionError(head.decode(errors="replace"))
                connected = True
                await loop.sock_sendall(sock, calls)
                while True:  # a ping now and then: it fails once the server has dropped us
                    await asyncio.sleep(1.0)
                    await asyncio.wait_for(loop.sock_sendall(sock, PING), 5.0)
            except (OSError, asyncio.TimeoutError):
                closed["deaf"] += connected
            finally:
                sock.close()
            await asyncio.sleep(1.0)

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    tasks = [asyncio.create_task(unfinished(i)) for i in range(n)]
    tasks += [asyncio.create_task(deaf(i)) for i in range(n)]
    await stop.wait()
    print(json.dumps(closed), flush=True)
    os._exit(0)


async def heartbeats(url: str, seconds: float) -> list[float]:
    latencies = []
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url, protocols=["ocpp1.6"]) as ws:
            stop_at = time.perf_counter() + seconds
            i = 0
            while time.perf_counter() < stop_at:
                sent = time.perf_counter()
                await ws.send_str(json.dumps([2, str(i), "Heartbeat", {}]))
                await ws.receive()
                latencies.append(time.perf_counter() - sent)
                i += 1
                await asyncio.sleep(max(0.0, 0.02 - (time.perf_counter() - sent)))
    return latencies


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def figures(name: str, latencies: list[float], pid: int) -> None:
    ms = sorted(x * 1000 for x in latencies)
    print(f"{name:<8} heartbeats {len(ms):>5}  p50 {percentile(ms, 0.5):7.1f} ms  "
          f"p95 {percentile(ms, 0.95):7.1f} ms  p99 {percentile(ms, 0.99):7.1f} ms  "
          f"max {ms[-1]:7.1f} ms  server RSS {rss_mb(pid):6.0f} MB", flush=True)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--slow", type=int, default=500, help="unfinished handshakes, and as many deaf stations")
    ap.add_argument("--seconds", type=float, default=20,
                    help="of each measured phase (longer than send_timeout, so deaf stations are closed in it)")
    ap.add_argument("--port", type=int, default=9397)
    ap.add_argument("--old", action="store_true", help="the server without the new bounds")
    ap.add_argument("--attacker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.attacker:
        await attack(args.port, args.slow)
        return

    base = Path(f"/tmp/ocpp-cs-bench-slow-{os.getpid()}")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    env = {**os.environ, "OCPP_CS_LOG_LEVEL": "WARNING", "OCPP_CS_CERTIFICATES_SIGNER": "none",
           "OCPP_CS_API_DEMO": "true"}
    if args.old:
        env.update(OCPP_CS_SERVER_HANDSHAKE_TIMEOUT="3630", OCPP_CS_OCPP_SEND_TIMEOUT="0",
                   OCPP_CS_OCPP_WRITE_BUFFER_SIZE="0")
    server = subprocess.Popen([sys.executable, "-m", "ocpp_cs.cli", "serve", "--no-emulator",
                               "--data-dir", str(base), "--port", str(args.port),
                               "--host", "127.0.0.1"], env=env)
    attacker = None
    try:
        wait_port(args.port, 120)
        url = f"ws://127.0.0.1:{args.port}/ocpp/NORMAL"
        print(f"cores: {os.cpu_count()}  slow peers: {args.slow} unfinished handshakes + {args.slow} "
              f"deaf stations  seconds per phase: {args.seconds}  server: "
              f"{'old (no bounds)' if args.old else 'handshake_timeout, send_timeout, write_buffer_size defaults'}")
        await heartbeats(url, 2)  # warm up
        figures("before", await heartbeats(url, args.seconds), server.pid)
        attacker = subprocess.Popen([sys.executable, __file__, "--attacker", "--port", str(args.port),
                                     "--slow", str(args.slow)], stdout=subprocess.PIPE, text=True)
        await asyncio.sleep(3)  # the attackers connect and fill their buffers
        figures("during", await heartbeats(url, args.seconds), server.pid)
        attacker.send_signal(signal.SIGTERM)
        out, _ = attacker.communicate(timeout=30)
        attacker = None
        closed = json.loads(out.strip().splitlines()[-1])
        print(f"closed by the server during the attack: {closed['handshake']} unfinished handshakes, "
              f"{closed['deaf']} deaf stations", flush=True)
        await asyncio.sleep(2)
        figures("after", await heartbeats(url, args.seconds), server.pid)
    finally:
        if attacker is not None:
            attacker.kill()
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
