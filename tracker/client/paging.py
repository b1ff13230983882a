"""Lists: an async iterator over the pages of one cursor chain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from pydantic import BaseModel

from shared.paging import Page

T = TypeVar("T", bound=BaseModel)
Fetch = Callable[[str | None], Awaitable[Page[T]]]  # the page after a cursor (None: the first)


class Pages(Generic[T]):
    """The pages of a list, fetched as they are iterated: `async for page in pages`, or
    `async for item in pages.items()`; `await pages.first()` fetches only the first."""

    def __init__(self, fetch: Fetch[T]):
        self.fetch = fetch

    async def __aiter__(self) -> AsyncIterator[Page[T]]:
        cursor: str | None = None
        while True:
            page = await self.fetch(cursor)
            yield page
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def items(self) -> AsyncIterator[T]:
        """Every item of every page, in order."""
        async for page in self:
            for item in page.items:
                yield item

    async def first(self) -> Page[T]:
        """The first page only."""
        return await self.fetch(None)

    async def all(self) -> list[T]:
        """Every item, fetched now."""
        return [item async for item in self.items()]
