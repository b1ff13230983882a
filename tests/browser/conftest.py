"""The dashboard in headless Chromium: Debian's `chromium` driven by Playwright, against the
whole stack started as a user starts it (`tracker up`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningStack, stack  # noqa: F401 - the same stack fixture
from tracker.embedded import EmbeddedPostgres

ARTIFACTS = Path(os.environ.get("TRACKER_TEST_ARTIFACTS", Path(__file__).parents[2] / "artifacts"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def key_for(running: RunningStack, role: str, officer: str | None = None) -> str:
    """A new API key of `role`, made with `tracker keys create` on the stack's database."""
    url = EmbeddedPostgres(running.data_dir / "postgres").start()  # joins the running server
    args = [sys.executable, "-m", "tracker.cli", "keys", "create", "--role", role]
    done = subprocess.run(args + (["--officer", officer] if officer else []), check=True,
                          capture_output=True, text=True, timeout=60,
                          env={**running.env, "DATABASE_URL": url})
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots and downloads are kept for people to look at."""
    folder = ARTIFACTS / "browser"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium (root needs --no-sandbox; no GPU here)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: `make test` installs Debian's chromium"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()
