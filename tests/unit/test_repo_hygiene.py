"""The repository stands on its own: no path of a developer's machine in any tracked file,
and the domain's specification is cited where it lives (docs/rulebook.md), not outside the
repository. The patterns and samples are written so that this file does not match itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

# An absolute path whose first component is a top-level directory of a Unix machine (or a
# Windows drive). A path inside a URL, after a variable (`$(VENV)/bin`, `${X}/usr`), after
# a relative one (`.venv/bin`) or a comment's end (`*/var` in minified JavaScript) is not
# one: the look-behind leaves those out.
_ROOTS = ("bin|boot|dev|etc|home|lib|lib64|media|mnt|opt|proc|root|run|sbin|srv|sys|tmp|usr|"
          "var|work|workspace|Users|Volumes|private|nix|snap")
ABSOLUTE = re.compile(
    r"(?<![\w.)}\]$~:*-])/(?:" + _ROOTS + r")(?![\w.-])[^\s\"'`),;]*"
    r"|\b[A-Za-z]:\\{1,2}[A-Za-z]"
)
# System paths the code, its tests and its container files need, and nothing else: every
# entry names what uses it.
ALLOWED = (
    "/usr/bin/chromium",  # the browser tests' headless Chromium (Debian's package)
    "/usr/bin/java",  # the embedded broker's Java probe, in its unit tests
    "/usr/bin/env",  # shebangs
    "/tmp",  # short unix-socket and data dirs of tests and benchmarks
    "/dev/null",  # shell redirections in the Makefile and the compose health checks
    "/proc/",  # process checks of the supervisor and the embedded broker (Linux)
    "/etc/passwd",  # a file:// URL the notifier's SSRF guard refuses, in its tests
    "/opt/kafka/",  # the official Kafka image's tools (docker-compose.yml)
    "/var/lib/kafka/data",  # the Kafka container's data volume
    "/var/lib/postgresql/data",  # the PostgreSQL container's data volume
)
# The rulebook as a file outside the repository (its old name), cited by file or by section.
OLD_RULEBOOK = re.compile(r"\bRULEBOOK(?:\.md\b|\s+\")")
BINARY_SUFFIXES = (".png", ".jpg", ".ico", ".woff", ".woff2", ".xlsx", ".gz")


def _tracked() -> list[str]:
    git = shutil.which("git")
    assert git is not None, "git is needed to list the tracked files"
    out = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in out.stdout.decode().split("\0") if name]


def _texts() -> list[tuple[str, str]]:
    texts = []
    for name in _tracked():
        path = ROOT / name
        if name.endswith(BINARY_SUFFIXES) or not path.is_file():
            continue  # a binary, or a file deleted in the work tree and not yet committed
        texts.append((name, path.read_text(encoding="utf-8", errors="replace")))
    return texts


def machine_paths(text: str) -> list[str]:
    """The absolute paths in `text` that are not on the allow-list."""
    return [m.group(0) for m in ABSOLUTE.finditer(text)
            if not m.group(0).startswith(ALLOWED)]


def _path(*parts: str) -> str:
    # built at run time, so that this file holds no machine path of its own
    return "/" + "/".join(parts)


def test_the_pattern_finds_machine_paths_and_spares_the_rest() -> None:
    bad = [_path("work", "shared", "spec"), _path("home", "dev", "x"), _path("root", ".m2"),
           _path("Users", "me", "repo"), _path("srv", "app", ".venv", "bin", "python")]
    drive = "C:" + "\\"
    found = machine_paths(
        f"encoded from {bad[0]}, see {bad[1]} and {bad[2]} or {bad[3]}; {drive}Users or "
        f"{drive}\\data; profile of \"{bad[4]} -m ladder\"")
    assert found == [*bad[:4], drive + "U", drive + "\\d", bad[4]]
    assert machine_paths(
        "GET /v1/firms/{id} at http://127.0.0.1:8001/v1/firms, $(VENV)/bin/tracker, "
        ".venv/bin/python, Path(\"/tmp\") / name, 2>/dev/null, /usr/bin/chromium, "
        "file:///etc/passwd, docs/rulebook.md, ~/.m2/cultivation-tracker, */var e=1") == []


def test_no_tracked_file_names_a_machine_path() -> None:
    offenders = {name: found for name, text in _texts() if (found := machine_paths(text))}
    assert offenders == {}


def test_the_old_rulebook_pattern_finds_citations_not_names() -> None:
    old = "RULEBOOK"
    assert OLD_RULEBOOK.search(f"encoded from ../shared/{old}.md.")
    assert OLD_RULEBOOK.search(f'the fold ({old} "Time")')
    assert not OLD_RULEBOOK.search(f"DEFAULT_{old}_FILE; {old} = Operation(...); docs/rulebook.md")


def test_the_rulebook_is_cited_in_docs_only() -> None:
    assert (ROOT / "docs" / "rulebook.md").is_file()
    offenders = sorted(
        f"{name}:{text.count(chr(10), 0, m.start()) + 1}"
        for name, text in _texts() if not name.startswith("docs/")
        for m in OLD_RULEBOOK.finditer(text))
    assert offenders == []
