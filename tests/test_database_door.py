"""The database package is the one door to PostgreSQL, and app.py the one place that wires the boxes:
checked on the source, so a change that goes around either fails here."""
from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"


def imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """The modules path imports, relative ones resolved to ocpp_cs.*; runtime_only leaves out the
    imports under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text())
    package = ["ocpp_cs", *path.relative_to(SERVER).parent.parts]
    skipped: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def modules() -> list[Path]:
    return sorted(SERVER.rglob("*.py"))


def test_only_the_database_package_imports_asyncpg():
    outside = [str(p.relative_to(SERVER)) for p in modules()
               if p.relative_to(SERVER).parts[0] != "database"
               and any(m == "asyncpg" or m.startswith("asyncpg.") for m in imports(p))]
    assert outside == []
    assert any("asyncpg" in imports(p) for p in (SERVER / "database").glob("*.py"))


def test_nothing_below_app_imports_app():
    # cli.py is the command that starts the app, above it
    importers = [str(p.relative_to(SERVER)) for p in modules()
                 if p.name not in ("app.py", "cli.py") and "ocpp_cs.app" in imports(p)]
    assert importers == []


def test_keys_is_a_leaf():
    ours = {m for m in imports(SERVER / "keys.py", runtime_only=True) if m.startswith("ocpp_cs")}
    assert ours == set()
