"""One page shape and one cursor scheme for every list endpoint."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Rejected

BIGINT_MAX = 2**63 - 1  # what PostgreSQL's bigint holds; larger values cannot be ours
T = TypeVar("T")
P = TypeVar("P", int, str)


class Strict(BaseModel):
    """A request body that refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next (null: the last)."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="Opaque; null on the last page")


def cursor_for(position: int | str) -> str:
    """The opaque cursor for the position after which the next page starts."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def position_of(cursor: str | None, kind: type[P]) -> P | None:
    """The position a cursor stands for (None: the first page); 422 for one we never gave."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        value = None
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok and isinstance(value, int):
        ok = 0 <= value <= BIGINT_MAX
    if not ok:
        raise _forged()
    return value  # type: ignore[no-any-return]


def joined(*parts: object) -> str:
    """A row's place in its list's order (several columns) as the one string a cursor carries."""
    return "|".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)


def parts_of(cursor: str | None, *kinds: Callable[[str], Any]) -> tuple[Any, ...] | None:
    """The typed parts of a `joined` position (None: the first page); 422 for a forged one."""
    position = position_of(cursor, str)
    if position is None:
        return None
    parts = position.split("|")
    try:
        if len(parts) != len(kinds):
            raise ValueError(position)
        return tuple(kind(part) for kind, part in zip(kinds, parts, strict=True))
    except ValueError:
        raise _forged() from None


def _forged() -> Rejected:
    return Rejected("cursor", "cursor", "cursor is not one this API gave out")


def page_of(rows: list[T], limit: int, position: Callable[[T], int | str]) -> Page[T]:
    """A page from `limit + 1` fetched rows: the extra row only says there is more."""
    more = len(rows) > limit
    items = rows[:limit]
    return Page[T](items=items, next_cursor=cursor_for(position(items[-1])) if more else None)
