"""Kept so `from registry.imports import REPORT_KEYS` goes on working: the CSV reading is
`registry.domain.csv_import`, the import use case `registry.handlers.imports`."""

from registry.domain.csv_import import REPORT_KEYS

__all__ = ["REPORT_KEYS"]
