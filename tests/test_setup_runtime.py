"""The run-only install (.ci/setup-runtime) apart from the test install (.ci/setup): it installs what
`ocpp-cs serve` needs on a stock Debian 12 (PostgreSQL, psql, Python's venv and pip, the package in a
virtual environment) and no browser, docker-compose, proxy or test stack.

The script's own list of what it considers (--dry-run: nothing installed), also on a machine without
python3 (a minimal Debian 12); an ordinary user without sudo stopped in one line; and a real run into a
virtual environment without pip (made anew) from a copy of the checkout (pip from the configured index;
the apt part finds everything present on a machine that ran .ci/setup, so it installs nothing there).
The whole path on a debootstrapped Debian 12 is bench/debian12_runtime.sh's (root, network, minutes)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, new_database

SCRIPT = ROOT / ".ci" / "setup-runtime"
RUNTIME_APT = {"postgresql", "postgresql-client", "python3-venv", "python3-pip", "ca-certificates"}
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


def _path_without(folder: Path, *commands: str) -> str:
    """A PATH of one folder that links every command of the system's bin folders but those named
    (a name ending in * drops every command it begins): a machine where they are not installed."""
    folder.mkdir(exist_ok=True)
    for bindir in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        for cmd in sorted(Path(bindir).glob("*")) if Path(bindir).is_dir() else ():
            dropped = any(cmd.name == c or (c.endswith("*") and cmd.name.startswith(c[:-1])) for c in commands)
            if not dropped and not (folder / cmd.name).exists():
                (folder / cmd.name).symlink_to(cmd)
    return str(folder)


def test_a_minimal_install_without_python3_gets_venv_and_pip(tmp_path):
    # debootstrap's Debian 12 has no python3: python3-venv (which brings it) and python3-pip go in
    path = _path_without(tmp_path / "bin", "python3*")
    out = subprocess.run(["/bin/bash", str(SCRIPT), "--dry-run", "--venv", str(tmp_path / "venv")],
                         capture_output=True, text=True, timeout=60, env={"PATH": path})
    assert out.returncode == 0, out.stderr
    apt = dict(line.split()[1:3] for line in out.stdout.splitlines() if line.startswith("apt "))
    assert set(apt) == RUNTIME_APT, apt
    assert apt["python3-venv"] == "missing" and apt["python3-pip"] == "missing", apt
    assert not (tmp_path / "venv").exists()


def test_an_ordinary_user_without_sudo_is_told_so_in_one_line():
    # psql missing, no sudo on PATH, not root: one line naming the package and sudo, nothing installed
    kwargs = {"user": "nobody", "group": "nogroup", "extra_groups": []} if os.geteuid() == 0 else {}
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # the unprivileged user reaches its PATH folder
        path = _path_without(Path(tmp) / "bin", "sudo", "psql")
        script = Path(tmp) / "src" / ".ci" / "setup-runtime"  # a checkout under /root is private
        script.parent.mkdir(parents=True)
        shutil.copy(SCRIPT, script)
        venv = Path(tmp) / "venv"
        out = subprocess.run(["/bin/bash", str(script), "--venv", str(venv)], capture_output=True,
                             text=True, timeout=60, env={"PATH": path, "HOME": tmp}, cwd="/", **kwargs)
        assert out.returncode == 1, out.stdout + out.stderr
        assert out.stdout == "", out.stdout
        [line] = out.stderr.splitlines()
        assert "postgresql-client" in line and "no sudo" in line, line
        assert not venv.exists(), "it stops before it changes anything"


# what a user's shell has: not the tests' PYTHONPATH (the checkout) nor their OCPP_CS_* settings
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("OCPP_CS_")}


@pytest.mark.timeout(400)  # pip builds the package and fetches the runtime dependencies
def test_the_run_only_setup_installs_a_working_server_and_no_test_stack(cluster, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("server", "emulator", "db", "conf", ".ci"):
        shutil.copytree(ROOT / name, src / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    # a venv without pip (as `python3 -m venv` makes before python3-venv is installed): made anew
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(venv)], check=True, env=CLEAN_ENV)
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
