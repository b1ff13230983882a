"""Load generators that are not the bottleneck: `wrk` (C, Debian) and aiohttp, never httpx.

httpx's async client saturated a core by itself at 64 in flight (DESIGN.md, 2026-12-01).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

LUA = Path(__file__).resolve().parent / "lua"
THREADS = 2  # one per core: wrk shares the machine with what it measures
CONNECTIONS = 64  # requests in flight, as in the measurements
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def wrk_binary() -> str:
    """Path of wrk; the bench target installs Debian's package when it is missing."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does this)")
    return path


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return round(float(number) * _UNITS[unit], 3)


def parse_wrk(out: str) -> dict[str, Any]:
    """Requests/s, latency percentiles (ms) and error counts from wrk --latency output."""
    result: dict[str, Any] = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out)
                                                       .group(1))}  # type: ignore[union-attr]
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M)
        result[f"p{pct}_ms"] = _ms(m.group(1)) if m else None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = errors.group(1) if errors else None
    return result


def wrk(url: str, *, seconds: float, script: str | None = None, token: str | None = None,
        env: dict[str, str] | None = None, connections: int = CONNECTIONS) -> dict[str, Any]:
    """Run wrk against url for `seconds` (optionally with one of bench/lua's scripts)."""
    cmd = [wrk_binary(), "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds:g}s",
           "--latency", "--timeout", "10s"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    if script:
        cmd += ["-s", str(LUA / script)]
    full_env = {**os.environ, "BENCH_THREADS": str(THREADS), **(env or {})}
    proc = subprocess.run([*cmd, url], capture_output=True, text=True, env=full_env,
                          timeout=seconds + 60, check=False)
    if proc.returncode != 0 or "Requests/sec" not in proc.stdout:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-800:]}{proc.stderr[-800:]}")
    return {**parse_wrk(proc.stdout), "connections": connections, "seconds": seconds}
