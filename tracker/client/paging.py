"""Lists: an async iterator over the pages of one cursor chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from shared.paging import Page

if TYPE_CHECKING:
    from tracker.client.base import Operation, ServiceClient

T = TypeVar("T", bound=BaseModel)


class Pages(Generic[T]):
    """The pages of a list, fetched as they are iterated: `async for page in pages`, or
    `async for item in pages.items()`; `await pages.first()` fetches only the first."""

    def __init__(self, client: ServiceClient, op: Operation[Page[T]],
                 path: dict[str, Any] | None = None, **params: Any):
        self.client, self.op, self.path, self.params = client, op, path, params

    async def __aiter__(self) -> AsyncIterator[Page[T]]:
        cursor = self.params.get("cursor")
        while True:
            page = await self.client._call(self.op, self.path,
                                           params={**self.params, "cursor": cursor})
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
        return await self.client._call(self.op, self.path, params=self.params)

    async def all(self) -> list[T]:
        """Every item, fetched now."""
        return [item async for item in self.items()]
