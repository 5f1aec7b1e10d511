"""Requests take turns at the database, in the order they arrive.

At most as many requests as the pool has connections are in their database phase at
once (from opening their session to committing it); the others wait in a first-come,
first-served line. Waiting in the pool instead is unfair: a connection handed back goes
to whichever request asks next, so a request that has already waited can be overtaken
again and again. At concurrency 32 a few requests then took five to seven times the
median; in line, the 99th percentile is within 1.5 times the median
(docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from sqlalchemy.exc import TimeoutError as PoolTimeoutError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class Turns:
    def __init__(self, size: int, *, timeout: float) -> None:
        # asyncio's semaphore hands a released turn straight to the longest waiter, so a
        # newcomer can't take it first (tests/test_turns.py). anyio's does too, but it
        # measured slower here.
        self._semaphore = asyncio.Semaphore(size)
        self.timeout = timeout
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[Turn]:
        """Wait for a turn; it ends on leaving the block, or earlier with `Turn.end`."""
        await self._wait()
        turn = Turn(self)
        try:
            yield turn
        finally:
            turn.end()

    async def _wait(self) -> None:
        # After `timeout` seconds the pool's own TimeoutError, a 503 as the pool's would
        # be: the database is away or overloaded.
        self.waiting += 1
        try:
            async with asyncio.timeout(self.timeout):
                await self._semaphore.acquire()
        except TimeoutError:
            raise PoolTimeoutError(f"no turn at the database in {self.timeout} s") from None
        finally:
            self.waiting -= 1

    def _give_up(self) -> None:
        self._semaphore.release()


class Turn:
    def __init__(self, turns: Turns) -> None:
        self._turns = turns
        self._held = True

    def end(self) -> None:
        """Let the next request go: this one has given its connection back."""
        if self._held:
            self._held = False
            self._turns._give_up()

    @contextlib.asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """Let others go during slow work that holds no connection, then queue again.

        Hashing a password takes tens of milliseconds of CPU, and seconds of waiting
        when many logins arrive at once; holding a turn through it would stall every
        other request behind the logins.
        """
        if not self._held:
            yield
            return
        self.end()
        try:
            yield
        finally:
            await self._turns._wait()
            self._held = True
