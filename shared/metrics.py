"""Prometheus exposition for a service of one process, or of several sharing its port."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

# prometheus_client's own switch (read by it at import): set by shared.service_main for the
# workers of a service of several processes, so each writes its samples to files there
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def exposition() -> bytes:
    """Every metric of this service: this process's, or the sum over all its processes."""
    path = os.environ.get(MULTIPROCESS_DIR)
    if not path:
        return generate_latest()
    # a fresh registry per scrape, as prometheus_client documents: the collector reads the
    # files of every worker (counters and histograms summed, gauges by their mode)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
