"""docker-compose.yml: valid for Compose itself (`docker compose config`, or the standalone
`docker-compose config` that .ci/setup installs from Debian where the plugin is missing; neither needs
a Docker engine), and every setting it passes is one ocpp-cs reads."""
from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import yaml

from conftest import free_port
from ocpp_cs import config

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    assert standalone, "neither `docker compose` nor `docker-compose` (.ci/setup installs the latter)"
    return [standalone]


def compose_config(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*compose_command(), "-f", str(path), "config", "-q"], capture_output=True,
                          text=True, cwd=path.parent)


def test_compose_file_is_valid():
    out = compose_config(COMPOSE)
    assert out.returncode == 0, out.stdout + out.stderr


def test_compose_config_refuses_a_broken_file(tmp_path):
    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["ocpp-cs"]["restart_policy_typo"] = "always"
    (tmp_path / "docker-compose.yml").write_text(yaml.safe_dump(broken))
    out = compose_config(tmp_path / "docker-compose.yml")
    assert out.returncode != 0 and "restart_policy_typo" in out.stdout + out.stderr


def test_every_setting_compose_passes_is_read_by_ocpp_cs():
    service = yaml.safe_load(COMPOSE.read_text())["services"]["ocpp-cs"]
    defaults = config.Config()
    known = {f"{config.ENV_PREFIX}{s.name}_{k.name}".upper()
             for s in fields(defaults) for k in fields(getattr(defaults, s.name))}
    known |= set(config.WEBHOOK_ENV)
    unknown = sorted(set(service["environment"]) - known)
    assert unknown == [], f"compose passes settings ocpp-cs does not read: {unknown}"
    assert "healthcheck" in service or "HEALTHCHECK" in (ROOT / "Dockerfile").read_text()
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def resolved_service(env: dict[str, str] | None = None) -> dict:
    """The ocpp-cs service as Compose resolves it (its ${VAR:-default}s filled in from env)."""
    out = subprocess.run([*compose_command(), "-f", str(COMPOSE), "config"], capture_output=True,
                         text=True, cwd=ROOT, env={**{k: v for k, v in os.environ.items()
                                                      if not k.startswith("OCPP_CS_")}, **(env or {})})
    assert out.returncode == 0, out.stderr
    return yaml.safe_load(out.stdout)["services"]["ocpp-cs"]


def test_compose_runs_no_emulator_stations_unless_asked():
    """A deployment's stations are real ones; the zero-config `ocpp-cs serve` keeps its emulator."""
    assert config.Config().emulator.enabled
    service = resolved_service()
    assert config.load(None, env=service["environment"]).emulator.enabled is False
    service = resolved_service({"OCPP_CS_EMULATOR_ENABLED": "true"})
    assert config.load(None, env=service["environment"]).emulator.enabled is True


def test_compose_publishes_the_configured_port():
    service = resolved_service({"OCPP_CS_SERVER_PORT": "9333"})
    assert config.load(None, env=service["environment"]).server.port == 9333
    published = service["ports"][0]
    text = published if isinstance(published, str) else f"{published['published']}:{published['target']}"
    assert text.split(":")[-2:] == ["9333", "9333"], published


def healthcheck() -> list[str]:
    """The Dockerfile's HEALTHCHECK command (exec'd with this interpreter as `python`)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    command = re.search(r"^HEALTHCHECK .*?\bCMD (.*)$", text, re.M).group(1)
    argv = shlex.split(command)
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


async def test_the_healthcheck_follows_the_configured_port(server, tmp_path):
    async def check(port: int) -> int:
        proc = await asyncio.create_subprocess_exec(
            *healthcheck(), cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("OCPP_CS_")},
                 "OCPP_CS_SERVER_HOST": "0.0.0.0", "OCPP_CS_SERVER_PORT": str(port)})
        return await asyncio.wait_for(proc.wait(), 30)

    assert await check(server.port) == 0
    assert await check(free_port()) != 0  # nobody listens there: unhealthy
