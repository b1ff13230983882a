"""`tracker status`: the running stack's processes with pid, uptime, restarts and readiness."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from rich.table import Table

from tracker.client import ApiProblem, ServiceClient
from tracker.stackfile import StackInfo


def readiness(url: str, *, timeout_s: float = 3) -> tuple[bool, str]:
    """(ready, what /readyz says) for one service."""
    async def ask() -> tuple[bool, str]:
        async with ServiceClient(url, timeout=timeout_s) as service:
            await service.ready()
            return True, "ready"

    try:
        return asyncio.run(ask())
    except httpx.HTTPError as exc:
        return False, f"unreachable ({exc.__class__.__name__})"
    except ApiProblem as exc:
        problems = exc.body.get("problems") or []
        return False, "not ready: " + ("; ".join(problems) or f"HTTP {exc.status}")


def uptime(started_at: datetime, now: datetime | None = None) -> str:
    """'3d 04:05:06' style uptime."""
    delta = (now or datetime.now(UTC)) - started_at
    delta -= timedelta(microseconds=delta.microseconds)
    return str(delta).replace(" days, ", "d ").replace(" day, ", "d ")


def service_states(info: StackInfo) -> dict[str, dict[str, Any]]:
    """Each service's pid, uptime, restarts, last exit and readiness, asked now."""
    now = datetime.now(UTC)
    states = {}
    for name, proc in info.services.items():
        ready, said = (False, "waiting to be restarted") if proc.pid is None else readiness(proc.url)
        states[name] = {"pid": proc.pid, "processes": proc.processes, "restarts": proc.restarts,
                        "last_exit": proc.last_exit,
                        "uptime_s": (now - proc.started_at).total_seconds() if proc.pid else None,
                        "started_at": proc.started_at.isoformat(), "ready": ready,
                        "readiness": said, "url": proc.url}
    return states


def status_table(info: StackInfo, states: dict[str, dict[str, Any]]) -> Table:
    """The states as a table that fits 80 columns, titled with the stack's own facts: where it
    keeps its data, its supervisor, and the Kafka address (for `tracker kafka` and clients)."""
    broker = f" ({info.broker})" if info.broker else ""
    table = Table(title=f"stack in {info.data_dir}\n"
                        f"supervisor pid {info.supervisor_pid}, up {uptime(info.started_at)}; "
                        f"restarts on {_short(info.metrics_url or '–')}\n"
                        f"kafka {info.kafka_bootstrap}{broker}",
                  title_justify="left", collapse_padding=True)
    # the first six by position (scripts read them), processes last; short headers, and only
    # the readiness text wraps, so the table fits 80 columns
    for column, justify in (("service", "left"), ("pid", "right"), ("up", "left"),
                            ("rst", "right"), ("exit", "right"), ("ready", "left"),
                            ("url", "left"), ("n", "right")):
        table.add_column(column, justify=justify,  # type: ignore[arg-type]
                         overflow="fold", no_wrap=column != "ready")
    for name, state in states.items():
        pid = state["pid"]
        table.add_row(name, str(pid or "–"),
                      uptime(info.services[name].started_at) if pid else "–",
                      str(state["restarts"]),
                      "–" if state["last_exit"] is None else str(state["last_exit"]),
                      state["readiness"], _short(state["url"]), str(state["processes"]))
    return table


def _short(url: str) -> str:
    """A local URL without its scheme (`127.0.0.1:8001`): the table then fits 80 columns."""
    return url.removeprefix("http://")
