"""`python -m <service>`: one way to serve any of the three services, in one process or in
`<SERVICE>_PROCESSES` processes sharing the port."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from shared.lifeline import end_with_parent
from shared.logs import configure_logging
from shared.metrics import MULTIPROCESS_DIR
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

# SIGTERM lets each worker finish its requests (uvicorn's graceful shutdown) and drain its
# outbox relay (5 s); past this the ones left are killed
_STOP_WORKERS_S = 20.0


def server_options() -> dict[str, Any]:
    """How uvicorn serves every service (and the benchmarks' bare app, so they compare)."""
    # uvloop and httptools named, not "auto": auto falls back silently to asyncio and h11
    # when they are missing, and a slower server should fail loudly instead. No access log:
    # its level is WARNING anyway (shared.logs), so it only cost a call per request.
    return {"loop": "uvloop", "http": "httptools", "access_log": False, "log_config": None,
            "timeout_graceful_shutdown": 10}


def serve(service: str, settings: ServiceSettings) -> None:
    """Run `<service>.app:app` until SIGINT/SIGTERM, logging JSON lines."""
    configure_logging(service, settings.log_level)
    if settings.processes == 1 and settings.listen_fd is None:
        uvicorn.run(f"{service}.app:app", host=settings.bind_host, port=settings.service_port,
                    **server_options())
        return
    if settings.processes == 1:  # on the socket `tracker up` bound (and keeps across restarts)
        server = uvicorn.Server(uvicorn.Config(f"{service}.app:app", **server_options()))
        server.run(sockets=[listening_socket(settings)])
        sys.exit(0 if server.started else STARTUP_FAILURE)
    sys.exit(serve_processes(service, settings))


def listening_socket(settings: ServiceSettings) -> socket.socket:
    """The socket handed down by `tracker up` (SERVICE_LISTEN_FD), else one bound here."""
    if settings.listen_fd is not None:
        return socket.socket(fileno=settings.listen_fd)  # family and type read from the fd
    return socket.create_server((settings.bind_host, settings.service_port), backlog=2048)


def serve_processes(service: str, settings: ServiceSettings) -> int:
    """Bind the port once and serve it from `settings.processes` workers; returns the exit code.

    The workers accept from the one listening socket. When a worker dies the others are
    stopped and this process exits with the worker's code, so `tracker up`'s supervisor (or
    the container's restart policy) sees the death, counts it and restarts the whole service
    after its backoff, as it does for a service of one process."""
    sock = listening_socket(settings)
    metrics_dir = tempfile.mkdtemp(prefix=f"{service}-metrics-")
    # prometheus_client's own switch, read when a worker imports it: every worker writes its
    # samples into files there, and /metrics adds them up (shared.metrics)
    os.environ[MULTIPROCESS_DIR] = metrics_dir
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    spawn = multiprocessing.get_context("spawn")
    workers: list[BaseProcess] = []
    try:
        for i in range(settings.processes):
            worker = spawn.Process(target=_work, name=f"{service}-{i + 1}",
                                   args=(service, settings.log_level, sock, os.getpid()))
            worker.start()
            workers.append(worker)
        log.info("serving %s:%d from %d processes: %s", settings.bind_host,
                 settings.service_port, len(workers), [w.pid for w in workers])
        code = 0
        while not stopping:
            wait([w.sentinel for w in workers], timeout=0.5)
            dead = [w for w in workers if w.exitcode is not None]
            if dead:
                code = _exit_code(dead[0].exitcode or 0)
                log.error("worker %s (pid %s) exited with code %s; stopping the service",
                          dead[0].name, dead[0].pid, dead[0].exitcode)
                break
        _stop(workers)
        return code
    finally:
        sock.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _exit_code(worker_code: int) -> int:
    """A worker's exit code as this process's: a signal's as a shell gives it (128 + n)."""
    return 128 - worker_code if worker_code < 0 else worker_code


def _stop(workers: list[BaseProcess]) -> None:
    """SIGTERM the workers still running, wait for them, SIGKILL what is left."""
    for w in workers:
        if w.exitcode is None:
            w.terminate()
    deadline = time.monotonic() + _STOP_WORKERS_S
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))
        if w.exitcode is None:
            w.kill()
            w.join()


def _work(service: str, log_level: str, sock: socket.socket, parent: int) -> None:
    """One worker: the whole app (its lifespan included) on the socket the parent bound."""
    end_with_parent(parent)  # no worker is left holding the port
    configure_logging(service, log_level)
    server = uvicorn.Server(uvicorn.Config(f"{service}.app:app", **server_options()))
    server.run(sockets=[sock])
    if not server.started:  # the lifespan failed: the parent stops the service with this code
        sys.exit(STARTUP_FAILURE)
