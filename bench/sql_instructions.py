"""Instructions PostgreSQL spends per station message, counted by callgrind: a figure that, unlike a
time, is the same on every run whatever else the machine does, so a change to the PL/pgSQL can be
weighed to a percent on a noisy machine.

    python bench/sql_instructions.py [--batches 4] [--actions Heartbeat,StatusNotification,MeterValues]
                                     [--tree ../other-checkout]

Builds a private cluster (in /tmp) with this checkout's migrations and functions and 200 booted
stations, stops it, then for each action runs one backend in single-user mode under
`valgrind --tool=callgrind` twice: a warm-up alone (2 groups of 50 messages through
ocpp.parse_logged, as the front end sends them), then the warm-up and --batches more groups. The
difference divided by the extra messages is the figure printed: instructions per message, the
message-log rows and the group's commit included. --tree measures another checkout's SQL (its
migrations and functions, with its own ocpp_cs package), for an A/B of two trees.
Needs valgrind (Debian's package).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAYLOADS = {  # SQL for the payload of message i (the mix of bench/throughput.py)
    "Heartbeat": "'{}'::text",
    "StatusNotification": (
        "json_build_object('connectorId', 1, 'errorCode', 'NoError', 'status', "
        "CASE WHEN i % 20 < 10 THEN 'Charging' ELSE 'Available' END, "
        "'timestamp', '2026-12-06T01:00:00Z')::text"),
    "MeterValues": (
        "json_build_object('connectorId', 1, 'meterValue', json_build_array(json_build_object("
        "'timestamp', '2026-12-06T01:00:00Z', 'sampledValue', json_build_array("
        "json_build_object('value', (1000 + i)::text, 'measurand', 'Energy.Active.Import.Register', "
        "'unit', 'Wh'), json_build_object('value', '7200', 'measurand', 'Power.Active.Import', "
        "'unit', 'W')))))::text"),
}
GROUP = 50
STATIONS = 200


def groups(action: str, count: int) -> str:
    """One statement: count groups of GROUP messages of action, each group one ocpp.parse_logged."""
    return (
        f"SELECT count(*) FROM generate_series(1, {count}) AS g, LATERAL ocpp.parse_logged("
        f"array(SELECT 'SQLINS-' || (i % {STATIONS}) FROM generate_series(g * {GROUP}, g * {GROUP} + {GROUP - 1}) AS i), "
        f"array(SELECT i::text FROM generate_series(1, {GROUP}) AS i), "
        f"array_fill('{action}'::text, ARRAY[{GROUP}]), "
        f"array(SELECT {PAYLOADS[action]} FROM generate_series(1, {GROUP}) AS i), "
        f"array_fill(NULL::text, ARRAY[{GROUP}]), array_fill('1.6'::text, ARRAY[{GROUP}]), "
        f"array_fill(now(), ARRAY[{GROUP}]), array_fill(NULL::text, ARRAY[{GROUP}]))\n")


def instructions(pg, embedded, statements: str) -> int:
    """Instructions (callgrind's Ir) of one single-user backend running statements."""
    with tempfile.NamedTemporaryFile(dir=pg.data_dir, suffix=".cg", delete=False) as f:
        out = Path(f.name)
    if pg.user is not None:
        shutil.chown(out, pg.user.pw_uid, pg.user.pw_gid)
    try:
        kwargs = {}  # as EmbeddedPostgres._run: the cluster's own user when started as root
        if pg.user is not None:
            kwargs = {"user": pg.user.pw_uid, "group": pg.user.pw_gid, "extra_groups": []}
        # a single-user backend reads postgresql.conf only: the embedded cluster's settings as options
        settings = [a for k, v in getattr(embedded, "DEFAULT_SETTINGS", {}).items() for a in ("-c", f"{k}={v}")]
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        str(pg.bindir / "postgres"), "--single", *settings, "-D", str(pg.pgdata), "ocpp"],
                       input=statements, capture_output=True, text=True, check=True, cwd="/",
                       **kwargs)
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
        raise SystemExit(f"no totals in {out}")
    finally:
        out.unlink(missing_ok=True)


async def prepare(dsn: str) -> None:
    c = await asyncpg.connect(dsn)
    for n in range(STATIONS):
        await c.execute("SELECT ocpp.parse($1, 'boot', 'BootNotification', "
                        "'{\"chargePointVendor\": \"V\", \"chargePointModel\": \"M\"}')", f"SQLINS-{n}")
    await c.execute("VACUUM ANALYZE")
    await c.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--batches", type=int, default=4, help="groups of 50 measured per action")
    ap.add_argument("--actions", default=",".join(PAYLOADS))
    ap.add_argument("--tree", default="", help="another checkout to measure (default: this one)")
    args = ap.parse_args()
    if args.tree:  # its server/ as ocpp_cs, its db/ as the SQL (ocpp_cs.sqlfiles reads OCPP_CS_HOME)
        tree = Path(args.tree).resolve()
        shim = Path(tempfile.mkdtemp(prefix="ocpp-cs-sqlins-tree-"))
        (shim / "ocpp_cs").symlink_to(tree / "server")
        sys.path.insert(0, str(shim))
        os.environ["OCPP_CS_HOME"] = str(tree)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")

    from ocpp_cs import migrate
    from ocpp_cs.embedded import OWNER, EmbeddedPostgres
    from ocpp_cs.embedded import postgres as embedded

    base = Path(tempfile.mkdtemp(prefix="ocpp-cs-sqlins-"))
    base.chmod(0o755)
    pg = EmbeddedPostgres(base)
    try:
        dsn = pg.start()
        migrate.upgrade(pg.dsn(user=OWNER))
        asyncio.run(prepare(dsn))
        pg.stop()
        figures = {}
        for action in args.actions.split(","):
            warm = instructions(pg, embedded, groups(action, 2))
            both = instructions(pg, embedded, groups(action, 2) + groups(action, args.batches))
            figures[action] = (both - warm) / (args.batches * GROUP)
            print(f"{action:20} {figures[action]:10,.0f} instructions per message", flush=True)
        mix = {"MeterValues": 0.5, "Heartbeat": 0.3, "StatusNotification": 0.2}
        if set(mix) <= set(figures):
            print(f"{'mix (5:3:2)':20} {sum(figures[a] * w for a, w in mix.items()):10,.0f} "
                  "instructions per message (bench/throughput.py's mix)")
    finally:
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
