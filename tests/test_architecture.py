"""The flow runs one way: each package imports only the packages below it.

Read from the imports themselves (ast, nothing is executed), so a module that reaches across the flow
fails here, not in review. The rules, lowest first:

    protocol     OCPP-J framing, the call/answer state machine, actions, errors, SOAP codec: no I/O
    validation   the OCA JSON schemas
    config       the configuration file
    database     the only code that talks to PostgreSQL (the only importer of asyncpg)
    ...          the boxes of the server, each allowed what its row in ALLOWED names
    app          wires the boxes together; only cli (and listeners, which runs it) import it
    cli          the command line, the top

The emulator is a client of the central system, not part of it: it may use the protocol core and the
schemas, nothing else of the server, and nothing of the server imports it except the command line.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"ocpp_cs": ROOT / "server", "ocpp_emulator": ROOT / "emulator"}

# What each unit may import of ours. A unit is a subpackage (ocpp_cs.database) or a top module
# (ocpp_cs.cli). Imports inside a unit are always allowed.
ALLOWED: dict[str, set[str]] = {
    "ocpp_cs": set(),  # the package docstring and __version__
    "ocpp_cs.protocol": {"ocpp_cs.validation"},
    "ocpp_cs.validation": {"ocpp_cs.protocol"},
    "ocpp_cs.config": set(),
    # the typed AppKeys app.py fills and the web sub-apps read: a leaf, so that no box imports app
    "ocpp_cs.keys": set(),
    "ocpp_cs.database": {"ocpp_cs.protocol", "ocpp_cs.config"},
    "ocpp_cs.messagelog": {"ocpp_cs.database", "ocpp_cs.protocol"},
    "ocpp_cs.signer": {"ocpp_cs.database", "ocpp_cs.config"},
    # ISO 15118 certificate services: the local OCSP responder and the HTTP hooks (docs/iso15118.md)
    "ocpp_cs.pki": {"ocpp_cs.database"},
    "ocpp_cs.transport": {"ocpp_cs.protocol", "ocpp_cs.validation", "ocpp_cs.config",
                          "ocpp_cs.database", "ocpp_cs.messagelog", "ocpp_cs.signer"},
    "ocpp_cs.webhook": {"ocpp_cs.protocol", "ocpp_cs.validation", "ocpp_cs.config"},
    "ocpp_cs.dispatcher": {"ocpp_cs.protocol", "ocpp_cs.validation", "ocpp_cs.config",
                           "ocpp_cs.database", "ocpp_cs.messagelog", "ocpp_cs.transport"},
    "ocpp_cs.api": {"ocpp_cs", "ocpp_cs.protocol", "ocpp_cs.validation", "ocpp_cs.config",
                    "ocpp_cs.database", "ocpp_cs.keys"},
    "ocpp_cs.webui": {"ocpp_cs.protocol", "ocpp_cs.config", "ocpp_cs.database", "ocpp_cs.keys",
                      "ocpp_cs.api"},
    "ocpp_cs.embedded": {"ocpp_cs.config", "ocpp_cs.database"},
    # the node's Prometheus metrics: the boxes hand it their numbers (app.py wires them), so it
    # needs only the version and the protocol's action names
    "ocpp_cs.metrics": {"ocpp_cs", "ocpp_cs.protocol"},
    "ocpp_cs.sqlfiles": set(),  # where the SQL files are (db/, shipped in the package as ocpp_cs/sql)
    "ocpp_cs.migrate": {"ocpp_cs.config", "ocpp_cs.database", "ocpp_cs.sqlfiles"},
    "ocpp_cs.listeners": {"ocpp_cs.config", "ocpp_cs.transport"},
    # the node's lease: renews it, reaps dead nodes, closes its sockets when it was reaped itself
    "ocpp_cs.nodes": {"ocpp_cs.database", "ocpp_cs.transport"},
    "ocpp_cs.app": {"ocpp_cs.protocol", "ocpp_cs.validation", "ocpp_cs.config", "ocpp_cs.keys",
                    "ocpp_cs.database", "ocpp_cs.messagelog", "ocpp_cs.signer", "ocpp_cs.transport",
                    "ocpp_cs.webhook", "ocpp_cs.dispatcher", "ocpp_cs.api", "ocpp_cs.webui",
                    "ocpp_cs.nodes", "ocpp_cs.metrics", "ocpp_cs.pki"},
    "ocpp_cs.cli": {"ocpp_cs", "ocpp_cs.config", "ocpp_cs.database", "ocpp_cs.embedded",
                    "ocpp_cs.migrate", "ocpp_cs.listeners", "ocpp_cs.app", "ocpp_emulator"},
    "ocpp_emulator": {"ocpp_cs.protocol", "ocpp_cs.validation"},
}

# Third-party modules that belong to one box only.
EXCLUSIVE = {
    "asyncpg": {"ocpp_cs.database"},
}
# The protocol core does no I/O: none of these, ever.
NO_IO = {"asyncio", "aiohttp", "asyncpg", "socket", "ssl", "websockets", "psycopg"}


def unit_of(module: str) -> str:
    """ocpp_cs.database.gateway → ocpp_cs.database; ocpp_cs.cli → ocpp_cs.cli; ocpp_emulator.x →
    ocpp_emulator."""
    parts = module.split(".")
    if parts[0] == "ocpp_emulator":
        return "ocpp_emulator"
    return ".".join(parts[:2])


def module_name(package: str, root: Path, path: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [package, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(module: str, source: str, is_package: bool) -> set[str]:
    """Every module `source` imports at run time, relative imports resolved against `module`.
    Imports under `if TYPE_CHECKING:` are left out: they name types for the checker and create no
    dependency when the code runs."""
    found: set[str] = set()
    base = module.split(".") if is_package else module.split(".")[:-1]
    tree = ast.parse(source)
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for child in node.body for n in ast.walk(child)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[:len(base) - node.level + 1]
                target = ".".join(anchor + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module:
                found.add(target)
            # `from .. import protocol` / `from ocpp_cs import app` name modules too
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    unit = unit_of(module)
    allowed = ALLOWED.get(unit)
    if allowed is None:
        return [f"{module}: unit {unit} has no row in ALLOWED (add one: where is it in the flow?)"]
    wrong = []
    for name in sorted(imports_of(module, source, is_package)):
        top = name.split(".")[0]
        if top in EXCLUSIVE and unit not in EXCLUSIVE[top]:
            wrong.append(f"{module} imports {name}: only {sorted(EXCLUSIVE[top])} may")
        if unit == "ocpp_cs.protocol" and top in NO_IO:
            wrong.append(f"{module} imports {name}: the protocol core does no I/O")
        if top not in PACKAGES:
            continue
        target = unit_of(name)
        if target == unit:
            continue
        # `from ocpp_cs import __version__` names the package itself; `ocpp_cs.x` for an attribute
        # that is not a module is caught by the unit table too, which is what we want.
        if name in ("ocpp_cs", "ocpp_cs.__version__"):
            target = "ocpp_cs"
        if target not in allowed:
            wrong.append(f"{module} imports {name}: {unit} may import only {sorted(allowed) or 'nothing of ours'}")
    return wrong


def all_modules() -> list[tuple[str, Path]]:
    return [(module_name(package, root, path), path)
            for package, root in PACKAGES.items() for path in sorted(root.rglob("*.py"))]


@pytest.mark.parametrize("module,path", all_modules(), ids=lambda v: v if isinstance(v, str) else "")
def test_imports_follow_the_flow(module: str, path: Path):
    assert violations(module, path.read_text(), path.name == "__init__.py") == []


@pytest.mark.parametrize("module,source,expected", [
    ("ocpp_cs.api.routes", "import asyncpg\n", "only ['ocpp_cs.database'] may"),
    ("ocpp_cs.api.routes", "from ..app import GATEWAY\n", "ocpp_cs.api.routes imports ocpp_cs.app"),
    ("ocpp_cs.protocol.session", "import asyncio\n", "does no I/O"),
    ("ocpp_cs.database.gateway", "from ..transport import Stations\n", "imports ocpp_cs.transport"),
    ("ocpp_cs.transport.websocket", "from ocpp_emulator import Emulator\n", "imports ocpp_emulator"),
    ("ocpp_emulator.station", "from ocpp_cs.database import Gateway\n", "imports ocpp_cs.database"),
    ("ocpp_cs.newbox.thing", "x = 1\n", "has no row in ALLOWED"),
    ("ocpp_cs.keys", "from .database import Gateway\n", "ocpp_cs.keys imports ocpp_cs.database"),
])
def test_the_checker_catches_a_wrong_import(module: str, source: str, expected: str):
    """The rule test above can fail: each of these wrong imports is reported."""
    found = violations(module, source)
    assert any(expected in v for v in found), found


def test_type_checking_imports_are_not_dependencies():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .app import GATEWAY\n"
    assert violations("ocpp_cs.keys", source) == []


def test_every_module_is_checked():
    names = {m for m, _ in all_modules()}
    assert {"ocpp_cs.app", "ocpp_cs.database.gateway", "ocpp_cs.protocol.framing",
            "ocpp_emulator"} <= names
