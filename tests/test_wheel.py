"""The SQL ships inside the wheel: built from the repository, installed into a fresh virtualenv and run
from an unrelated folder without OCPP_CS_HOME, `ocpp-cs db upgrade` migrates a database to the same
head and functions as the test template (ocpp_cs.sqlfiles reads ocpp_cs/sql of the installed package)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, TEMPLATE, Database, new_database

FUNCTIONS = ("select count(*) from pg_proc "
             "where pronamespace in ('ocpp'::regnamespace, 'cs'::regnamespace)")


def build_wheel(tmp_path: Path) -> Path:
    # From a copy, so the build leaves no build/ or egg-info in the checkout.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("server", "emulator", "db", "conf"):
        shutil.copytree(ROOT / name, src / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                          "-w", str(tmp_path / "dist"), str(src)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    [wheel] = (tmp_path / "dist").glob("ocpp_cs-*.whl")
    return wheel


def test_wheel_upgrades_a_database_without_a_checkout(cluster, tmp_path):
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    out = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", str(wheel)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("OCPP_CS_HOME", "PYTHONPATH")}
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "from ocpp_cs import sqlfiles; print(sqlfiles.root())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(venv)), where.stdout
    # Every package of the server and the emulator is in the wheel (a subpackage missing from
    # pyproject's list would fail only when first imported in production).
    walk = ("import importlib, pkgutil, ocpp_cs, ocpp_emulator\n"
            "for pkg in (ocpp_cs, ocpp_emulator):\n"
            "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
            "        print(importlib.import_module(m.name).__file__)\n")
    files = subprocess.run([str(venv / "bin" / "python"), "-c", walk], cwd=elsewhere, env=env,
                           capture_output=True, text=True)
    assert files.returncode == 0, files.stderr
    modules = files.stdout.split()
    assert any("/ocpp_emulator/transport/" in f for f in modules), modules
    assert all(f.startswith(str(venv)) for f in modules), modules

    # The emulator's stations come with it: `serve` from an unrelated folder starts them.
    stations = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "from ocpp_emulator.run import default_config_dir as d; print(d());"
         "print(' '.join(sorted(p.parent.name for p in d().glob('*/configuration.json'))))"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    assert stations[0].startswith(str(venv)), stations
    assert stations[1].split() == sorted(p.parent.name for p in (ROOT / "conf" / "cp").glob("*/configuration.json"))

    target = new_database(cluster, template="template0")
    out = subprocess.run([str(venv / "bin" / "ocpp-cs"), "db", "upgrade", "--database-url", target.dsn],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    template = Database(TEMPLATE, cluster.dsn(TEMPLATE), cluster)
    assert (target.psql("select version_num from public.alembic_version")
            == template.psql("select version_num from public.alembic_version"))
    assert int(target.psql(FUNCTIONS)) > 200
    assert target.psql(FUNCTIONS) == template.psql(FUNCTIONS)
