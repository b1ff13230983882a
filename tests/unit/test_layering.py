"""Layers keep their direction. The `tracker` command and its client see the services only
through their public contract: each service's `schemas` (and the event contracts in `shared`),
never its internals. Inside a service, handlers and the domain return domain results and never
import the HTTP layer (`schemas`, `api`): the API maps results to its schemas."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracker.services import SERVICES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
INTERNALS = ("domain", "handlers", "repository", "queries", "consumers", "workers")
HTTP_LAYER = ("schemas", "api")
INNER = ("handlers", "domain")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            # `from ladder import schemas` names a module as well as `import ladder.schemas`
            names.extend(f"{node.module}.{alias.name}" for alias in node.names
                         if "." not in node.module)
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


def _http_imports(service: str, path: Path) -> list[str]:
    """The imports of `path` that reach `service`'s HTTP layer."""
    layer = [f"{service}.{part}" for part in HTTP_LAYER]
    return [name for name in _imports(path)
            if any(name == m or name.startswith(m + ".") for m in layer)]


def test_handlers_and_domain_import_no_http_layer() -> None:
    found = [f"{path.relative_to(ROOT)}: {name}"
             for s in SERVICES for inner in INNER
             for path in sorted((ROOT / "services" / s.name / s.name / inner).rglob("*.py"))
             for name in _http_imports(s.name, path)]
    assert not found, ("a handler or the domain imports the HTTP layer (return a domain result "
                       "and let the API map it):\n" + "\n".join(found))


def test_the_check_sees_an_internal_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from registry.domain.models import FirmIn\nimport ladder.handlers.x\n")
    assert _imports(sample) == ["registry.domain.models", "ladder.handlers.x"]


def test_the_check_sees_an_http_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from ladder import schemas\nfrom ladder.api.deps import Uow\n"
                      "from ladder.domain import rulebook\nimport shared.schemas\n")
    assert _http_imports("ladder", sample) == ["ladder.schemas", "ladder.api.deps"]
