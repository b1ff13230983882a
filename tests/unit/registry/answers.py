"""The registry's handlers as the API answers them: each calls the handler and maps its domain
result to the response schema the route returns, so handler tests read the public shapes."""

from __future__ import annotations

from typing import Any

from registry import handlers
from registry.schemas import (
    CertificateWritten,
    Firm,
    FirmPatched,
    FundingRoundWritten,
    ImportReport,
    ProfileFact,
    ReportWritten,
)


async def register_firm(*args: Any, **kwargs: Any) -> tuple[Firm, bool]:
    row, created = await handlers.register_firm(*args, **kwargs)
    return Firm.model_validate(row), created


async def patch_firm(*args: Any, **kwargs: Any) -> FirmPatched:
    return FirmPatched.of(await handlers.patch_firm(*args, **kwargs))


async def correct_fact(*args: Any, **kwargs: Any) -> tuple[ProfileFact, bool]:
    row, created = await handlers.correct_fact(*args, **kwargs)
    return ProfileFact.model_validate(row), created


async def file_report(*args: Any, **kwargs: Any) -> ReportWritten:
    return ReportWritten.of_report(await handlers.file_report(*args, **kwargs))


async def record_funding_round(*args: Any, **kwargs: Any) -> tuple[FundingRoundWritten, bool]:
    stored, created = await handlers.record_funding_round(*args, **kwargs)
    return FundingRoundWritten.of(stored), created


async def grant_certificate(*args: Any, **kwargs: Any) -> tuple[CertificateWritten, bool]:
    stored, created = await handlers.grant_certificate(*args, **kwargs)
    return CertificateWritten.of(stored), created


async def revoke_certificate(*args: Any, **kwargs: Any) -> CertificateWritten:
    return CertificateWritten.of(await handlers.revoke_certificate(*args, **kwargs))


async def run_import(*args: Any, **kwargs: Any) -> ImportReport:
    return ImportReport.of(await handlers.run_import(*args, **kwargs))
