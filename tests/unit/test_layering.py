"""The `tracker` command and its client see the services only through their public contract:
each service's `schemas` (and the event contracts in `shared`), never its internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracker.services import SERVICES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
INTERNALS = ("domain", "handlers", "repository", "queries", "consumers", "workers")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_tracker_imports_no_service_internals() -> None:
    internal = {f"{s.name}.{part}" for s in SERVICES for part in INTERNALS}
    found = [f"{path.relative_to(ROOT)}: {name}"
             for path in sorted((ROOT / "tracker").rglob("*.py"))
             for name in _imports(path)
             if any(name == i or name.startswith(i + ".") for i in internal)]
    assert not found, "tracker/ reaches into a service's internals:\n" + "\n".join(found)


def test_the_check_sees_an_internal_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from registry.domain.models import FirmIn\nimport ladder.handlers.x\n")
    assert _imports(sample) == ["registry.domain.models", "ladder.handlers.x"]
