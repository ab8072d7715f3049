"""Group commit for station messages.

Each station waits for its reply before sending the next CALL, but thousands of stations talk at
once. Calls that arrive while the previous ones are in PostgreSQL are sent together as one statement,
`SELECT ocpp.parse(...) FROM unnest(...)`: one round trip and one commit for the group instead of one
each. A quiet server sends groups of one, so nothing waits for a group to fill.

A group is one transaction: if any message in it is refused (a rule raises), the group is rolled
back and its messages are sent again one by one, so each gets its own answer or error.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Sequence

log = logging.getLogger("ocpp_cs.database")

Args = tuple[Any, ...]


class Batcher:
    def __init__(self, one: Callable[[Args], Awaitable[Any]],
                 many: Callable[[Sequence[Args]], Awaitable[list[Any]]], *, workers: int,
                 max_batch: int):
        self._one = one
        self._many = many
        self.max_batch = max_batch
        self._queue: list[tuple[Args, asyncio.Future]] = []
        self._ready = asyncio.Event()
        self._workers = [asyncio.create_task(self._work(), name=f"parse-worker-{n}")
                         for n in range(workers)]

    async def submit(self, args: Args) -> Any:
        future = asyncio.get_running_loop().create_future()
        self._queue.append((args, future))
        self._ready.set()
        return await future

    async def close(self) -> None:
        for w in self._workers:
            w.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        for _, future in self._queue:
            if not future.done():
                future.set_exception(ConnectionError("gateway closed"))

    async def _work(self) -> None:
        while True:
            await self._ready.wait()
            batch = self._queue[:self.max_batch]
            del self._queue[:self.max_batch]
            if not self._queue:
                self._ready.clear()
            batch = [(args, f) for args, f in batch if not f.done()]  # callers that gave up
            if not batch:
                continue
            try:
                if len(batch) == 1:
                    results = [await self._one(batch[0][0])]
                else:
                    results = await self._many([args for args, _ in batch])
            except asyncio.CancelledError:
                for _, f in batch:
                    if not f.done():
                        f.set_exception(ConnectionError("gateway closed"))
                raise
            except Exception as e:  # noqa: BLE001 - sorted out below
                if len(batch) == 1:
                    if not batch[0][1].done():
                        batch[0][1].set_exception(e)
                    continue
                await self._one_by_one(batch)
                continue
            for (_, f), result in zip(batch, results):
                if not f.done():
                    f.set_result(result)

    async def _one_by_one(self, batch: list[tuple[Args, asyncio.Future]]) -> None:
        for args, f in batch:
            try:
                result = await self._one(args)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - this message's own error
                if not f.done():
                    f.set_exception(e)
                continue
            if not f.done():
                f.set_result(result)
