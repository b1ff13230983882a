"""The registry's use cases: each takes its unit of work and opens it itself."""

from registry.handlers.facts import grant_certificate, record_funding_round, revoke_certificate
from registry.handlers.firms import patch_firm, register_firm
from registry.handlers.imports import run_import
from registry.handlers.reports import file_report
from registry.handlers.round import (
    correct_filing,
    record_filing,
    record_step,
    revoke_filing,
    submit_application,
)

__all__ = ["correct_filing", "file_report", "grant_certificate", "patch_firm",
           "record_filing", "record_funding_round", "record_step", "register_firm",
           "revoke_certificate", "revoke_filing", "run_import", "submit_application"]
