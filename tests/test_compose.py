"""docker-compose.yml: valid for Compose itself (`docker compose config`, or the standalone
`docker-compose config` that .ci/setup installs from Debian where the plugin is missing; neither needs
a Docker engine), and every setting it passes is one ocpp-cs reads."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import fields
from pathlib import Path

import yaml

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
