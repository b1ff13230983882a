"""`tracker status`: the running stack's processes with pid, uptime, restarts and readiness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from rich.table import Table

from tracker.stackfile import StackInfo


def readiness(url: str) -> tuple[bool, str]:
    """(ready, what /readyz says) for one service."""
    try:
        response = httpx.get(f"{url}/readyz", timeout=3)
    except httpx.HTTPError as exc:
        return False, f"unreachable ({exc.__class__.__name__})"
    if response.status_code == 200:
        return True, "ready"
    try:
        problems = response.json().get("problems") or []
    except ValueError:
        problems = []
    return False, "not ready: " + ("; ".join(problems) or f"HTTP {response.status_code}")


def uptime(started_at: datetime, now: datetime | None = None) -> str:
    """'3d 04:05:06' style uptime."""
    delta = (now or datetime.now(UTC)) - started_at
    delta -= timedelta(microseconds=delta.microseconds)
    return str(delta).replace(" days, ", "d ").replace(" day, ", "d ")


def status_table(info: StackInfo) -> tuple[Table, bool]:
    """The table, and whether every service is ready."""
    table = Table(title=f"stack in {info.data_dir} (supervisor pid {info.supervisor_pid}, up "
                        f"{uptime(info.started_at)}; restarts on {info.metrics_url})",
                  title_justify="left")
    for column in ("service", "pid", "uptime", "restarts", "last exit", "readiness", "url"):
        table.add_column(column, justify="right" if column in ("pid", "restarts") else "left")
    all_ready = True
    for name, proc in info.services.items():
        if proc.pid is None:
            ready, said = False, "waiting to be restarted"
        else:
            ready, said = readiness(proc.url)
        all_ready = all_ready and ready
        table.add_row(name, str(proc.pid or "–"), uptime(proc.started_at) if proc.pid else "–",
                      str(proc.restarts), "–" if proc.last_exit is None else str(proc.last_exit),
                      said, proc.url)
    return table, all_ready
