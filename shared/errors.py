"""Domain errors every service raises; the web frame turns them into specific 4xx answers."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base: carries the HTTP status and a JSON-able detail."""

    status = 400

    def __init__(self, message: str, **extra: Any):
        super().__init__(message)
        self.message, self.extra = message, extra

    def detail(self) -> Any:
        """What the client is told."""
        return {"message": self.message, **self.extra}


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Rejected(DomainError):
    """A rule about the input that needs context beyond the request body (422)."""

    status = 422

    def __init__(self, field: str, rule: str, message: str):
        super().__init__(message, field=field, rule=rule)

    def detail(self) -> Any:
        return [{"field": self.extra["field"], "rule": self.extra["rule"], "message": self.message}]
