"""A pg_auto_failover formation on this machine (Debian's pg_autoctl, postgresql-15-auto-failover):
a monitor and PostgreSQL nodes on free ports of 127.0.0.1 under a folder of /tmp, run as the
embedded cluster's unprivileged user when started as root. Used by tests/test_failover.py and
bench/cluster.py; ports come from the caller (pytest workers each own a slice of them)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ocpp_cs import migrate
from ocpp_cs.embedded import FRONTEND, OWNER, SERVER_LOGIN, SUPERUSER
from ocpp_cs.embedded.postgres import BOOTSTRAP_SQL, find_bindir, service_user

PG_AUTOCTL = shutil.which("pg_autoctl")
MONITOR_SETTINGS = {"health_check_period": 1000, "health_check_timeout": 2000,  # ms
                    "health_check_max_retries": 2, "health_check_retry_delay": 1000,
                    "node_considered_unhealthy_timeout": 10000}
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("OCPP_CS_")}


class Formation:
    """A pg_auto_failover monitor and its Postgres nodes under `base`, each `pg_autoctl create ...
    --run` process in a session of its own (so the whole tree can be stopped by its id)."""

    def __init__(self, base: Path, free_port: Callable[[], int]) -> None:
        self.base = base
        self.free_port = free_port
        self.user = service_user()
        bindir = find_bindir()
        self.pg_ctl = str(bindir / "pg_ctl")
        self.psql_bin = shutil.which("psql") or str(bindir / "psql")
        self.env = {**CLEAN_ENV, "HOME": str(base), "XDG_CONFIG_HOME": str(base / "config"),
                    "XDG_DATA_HOME": str(base / "share"), "XDG_RUNTIME_DIR": str(base / "run"),
                    "PATH": f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                    "LC_ALL": "C.UTF-8"}
        self.monitor_port = free_port()
        self.monitor = f"postgres://autoctl_node@127.0.0.1:{self.monitor_port}/pg_auto_failover" \
                       "?sslmode=disable"
        self.ports: dict[str, int] = {}
        self.procs: list[subprocess.Popen] = []
        self.names: list[str] = []

    def _as_user(self) -> dict[str, Any]:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def start(self, name: str, *args: str) -> None:
        log = (self.base / f"{name}.log").open("w")
        self.names.append(name)
        self.procs.append(subprocess.Popen(
            [PG_AUTOCTL, *args, "--pgdata", str(self.base / name), "--pgctl", self.pg_ctl,
             "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--run"],
            stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.base,
            start_new_session=True, **self._as_user()))

    def start_monitor(self) -> None:
        self.start("monitor", "create", "monitor", "--pgport", str(self.monitor_port))

    def start_node(self, name: str) -> None:
        self.ports[name] = port = self.free_port()
        self.start(name, "create", "postgres", "--pgport", str(port), "--listen", "127.0.0.1",
                   "--name", name, "--dbname", "ocpp", "--monitor", self.monitor)

    def ctl(self, *args: str, timeout: float = 120) -> str:
        out = subprocess.run([PG_AUTOCTL, *args, "--monitor", self.monitor], capture_output=True,
                             text=True, env=self.env, cwd=self.base, timeout=timeout,
                             **self._as_user())
        if out.returncode != 0:
            raise AssertionError(f"pg_autoctl {' '.join(args)}: {out.stderr}")
        return out.stdout

    def states(self) -> dict[str, tuple[str, str]]:
        """node name -> (reported state, assigned state); empty while the monitor is not up."""
        try:
            nodes = json.loads(self.ctl("show", "state", "--json", timeout=30))
        except (AssertionError, json.JSONDecodeError):
            return {}
        return {n["nodename"]: (n["current_group_state"], n["assigned_group_state"])
                for n in nodes}

    def monitor_ready(self) -> bool:
        try:
            return self.psql("monitor", "-c", "select count(*) from pgautofailover.node") == "0"
        except AssertionError:
            return False

    def psql(self, node: str, *args: str) -> str:
        """psql as the superuser on one node (-c SQL, or -f FILE with -v variables), or on the
        monitor's database."""
        port, database = ((self.monitor_port, "pg_auto_failover") if node == "monitor"
                          else (self.ports[node], "ocpp"))
        out = subprocess.run([self.psql_bin, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h",
                              "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-d", database,
                              *args], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(out.stderr)
        return out.stdout.strip()

    def dsn(self, user: str) -> str:
        hosts = ",".join(f"127.0.0.1:{p}" for p in self.ports.values())
        return f"postgresql://{user}@{hosts}/ocpp?target_session_attrs=read-write"

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.base.glob("*.log"))

    def kill(self, name: str) -> None:
        """SIGKILL to a node's keeper and its PostgreSQL (one process group): its machine died."""
        proc = self.procs[list(self.names).index(name)]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in reversed(self.procs):  # the nodes, then the monitor
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until(check, timeout: float, what: str, formation: Formation, every: float = 0.5,
               meanwhile=None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s\n{formation.states()}\n"
                                 f"{formation.logs()}")
        if meanwhile is not None:
            meanwhile()
        time.sleep(every)


@contextmanager
def pair(base: Path, free_port: Callable[[], int]) -> Iterator[Formation]:
    """A monitor, a primary (node1) and a synchronous secondary (node2) under base, the ocpp
    database's roles made by the embedded cluster's bootstrap.sql and its schema by the migrations,
    through the multi-host DSN; all stopped and removed on exit."""
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    f = Formation(base, free_port)
    if f.user is not None:
        os.chown(base, f.user.pw_uid, f.user.pw_gid)
    try:
        f.start_monitor()
        wait_until(f.monitor_ready, 60, "the monitor up", f)
        # Health checks every second: a dead primary is noticed after ~10 s, not the defaults' ~20
        # + retries (docs/high-availability.md)
        for setting, value in MONITOR_SETTINGS.items():
            f.psql("monitor", "-c", f"alter system set pgautofailover.{setting} = {value}")
        f.psql("monitor", "-c", "select pg_reload_conf()")
        f.start_node("node1")
        wait_until(lambda: f.states().get("node1") == ("single", "single"), 60,
                   "the primary registered", f)
        f.start_node("node2")

        def checkpoint() -> None:
            # pg_basebackup waits for a spread checkpoint (minutes on an idle cluster): make it now
            try:
                f.psql("node1", "-c", "checkpoint")
            except AssertionError:
                pass
        wait_until(lambda: f.states() == {"node1": ("primary", "primary"),
                                          "node2": ("secondary", "secondary")}, 90,
                   "the secondary streaming", f, every=1.0, meanwhile=checkpoint)
        f.psql("node1", "-1", "-v", f"owner={OWNER}", "-v", f"server={SERVER_LOGIN}",
               "-v", f"frontend={FRONTEND}", "-f", str(BOOTSTRAP_SQL))
        migrate.upgrade(f.dsn(OWNER))
        yield f
    finally:
        f.stop()
        shutil.rmtree(base, ignore_errors=True)
