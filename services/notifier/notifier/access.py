"""Who may see what: an officer only their own inbox, deliveries and settings."""

from __future__ import annotations

import uuid

from shared.auth import Principal
from shared.errors import DomainError


class Forbidden(DomainError):
    """The caller's role may do this, but not to this object (403)."""

    status = 403


def may_see(principal: Principal, officer_id: uuid.UUID | None) -> bool:
    """Officers see only their own alerts and settings; admins and viewers see all."""
    return principal.role != "officer" or principal.officer_id == officer_id


def scoped(principal: Principal, officer_id: uuid.UUID | None, what: str) -> uuid.UUID | None:
    """The officer filter a caller may use: an officer is held to their own (403 otherwise)."""
    if principal.role != "officer":
        return officer_id
    if officer_id not in (None, principal.officer_id):
        raise Forbidden(f"an officer may list only their own {what}")
    return principal.officer_id or uuid.UUID(int=0)  # a key without an officer sees nothing
