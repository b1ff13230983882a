"""The registry's use cases: each takes its unit of work and opens it itself."""

from registry.handlers.facts import grant_certificate, record_funding_round, revoke_certificate
from registry.handlers.firms import correct_fact, patch_firm, register_firm
from registry.handlers.imports import run_import
from registry.handlers.reports import file_report

__all__ = ["correct_fact", "file_report", "grant_certificate", "patch_firm", "record_funding_round",
           "register_firm", "revoke_certificate", "run_import"]
