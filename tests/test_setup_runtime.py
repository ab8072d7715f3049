"""The run-only install (.ci/setup-runtime) apart from the test install (.ci/setup): it installs what
`ocpp-cs serve` needs on a stock Debian 12 (PostgreSQL, psql, Python's venv and pip, the package in a
virtual environment) and no browser, docker-compose, proxy or test stack.

Two tests: the script's own list of what it considers (--dry-run: nothing installed), and a real run
into a fresh virtual environment from a copy of the checkout (pip from the configured index; the apt
part finds everything present on a machine that ran .ci/setup, so it installs nothing there)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, new_database

SCRIPT = ROOT / ".ci" / "setup-runtime"
RUNTIME_APT = {"postgresql", "postgresql-client", "python3-venv", "python3-pip"}
TEST_ONLY = ("chromium", "firefox", "docker", "nginx", "haproxy", "auto-failover", "pgtap", "pytest",
             "playwright", "openssl")
TEST_PACKAGES = {"pytest", "pytest-asyncio", "pytest-timeout", "pytest-xdist", "schemathesis",
                 "openapi-spec-validator", "ocpp", "websockets", "zeep", "pyyaml", "playwright"}


def test_the_run_only_setup_considers_no_browser_nor_test_tool(tmp_path):
    out = subprocess.run(["bash", str(SCRIPT), "--dry-run", "--venv", str(tmp_path / "venv")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    apt = {line.split()[1] for line in lines if line.startswith("apt ")}
    assert apt == RUNTIME_APT, apt
    assert not [p for p in apt if any(word in p for word in TEST_ONLY)]
    [pip] = [line for line in lines if line.startswith("pip ")]
    assert pip.endswith(" install -q --disable-pip-version-check ."), pip  # no [test] extra
    assert pip.split()[1] == str(tmp_path / "venv" / "bin" / "python")
    assert not (tmp_path / "venv").exists(), "a dry run changes nothing"
    # the test path stays the full one
    assert "chromium" in (ROOT / ".ci" / "setup").read_text()
    assert "-e '.[test]'" in (ROOT / ".ci" / "setup").read_text()


# what a user's shell has: not the tests' PYTHONPATH (the checkout) nor their OCPP_CS_* settings
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("OCPP_CS_")}


@pytest.mark.timeout(400)  # pip builds the package and fetches the runtime dependencies
def test_the_run_only_setup_installs_a_working_server_and_no_test_stack(cluster, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("server", "emulator", "db", ".ci"):
        shutil.copytree(ROOT / name, src / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    out = subprocess.run(["bash", str(src / ".ci" / "setup-runtime"), "--venv", str(venv)],
                         capture_output=True, text=True, timeout=300, env=CLEAN_ENV)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"run {venv}/bin/ocpp-cs serve" in out.stdout
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True, check=True, env=CLEAN_ENV).stdout
    installed = {p["name"].lower() for p in json.loads(listed)}
    assert "ocpp-cs" in installed and "asyncpg" in installed
    assert installed & TEST_PACKAGES == set(), installed & TEST_PACKAGES
    # the venv's own: not the system's site-packages, where .ci/setup put the test stack
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    # the installed command carries its SQL: it migrates a database from anywhere
    target = new_database(cluster, template="template0")
    out = subprocess.run([str(venv / "bin" / "ocpp-cs"), "db", "upgrade", "--database-url", target.dsn],
                         capture_output=True, text=True, timeout=110, cwd=tmp_path, env=CLEAN_ENV)
    assert out.returncode == 0, out.stderr
    assert target.psql("select count(*) > 0 from pg_proc where pronamespace = 'ocpp'::regnamespace") == "t"
