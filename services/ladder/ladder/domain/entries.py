"""Target entries (docs/rulebook.md "Targets"): the firm entered a tier, or got a certificate, from
below, dated in the year it counts for. Renewals never count."""

from __future__ import annotations

from datetime import date, timedelta

from ladder.domain.facts import Certificate

CERTIFICATION_KEYS = ("high_tech_enterprise", "tech_sme")
# A certificate counts as new unless the firm held one of the same kind that was still
# valid up to a year before this one was issued: then it is a renewal (docs/interpretations.md).
RENEWAL_WINDOW = timedelta(days=365)


def certificate_entries(certificates: tuple[Certificate, ...]) -> list[tuple[str, date]]:
    """(target key, issue date) of every high-tech-enterprise / tech-SME certificate that is
    new rather than a renewal; judged on all the firm's certificates, in any order."""
    out = []
    for cert in certificates:
        if cert.kind not in CERTIFICATION_KEYS:
            continue
        renewal = any(
            other.kind == cert.kind and other.issued_on < cert.issued_on
            and ((until := other.valid_until()) is None
                 or until >= cert.issued_on - RENEWAL_WINDOW)
            for other in certificates)
        if not renewal:
            out.append((cert.kind, cert.issued_on))
    return sorted(out, key=lambda e: (e[1], e[0]))
