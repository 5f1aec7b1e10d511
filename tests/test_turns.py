"""Requests take turns at the database in arrival order (webapp/turns.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from tests.helpers import client_for, csrf_token, log_in, settings_for, sign_up
from webapp import auth
from webapp.app import create_app
from webapp.turns import Turns

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    import httpx2


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(5000):
        if condition():
            return
        await anyio.sleep(0.001)
    raise AssertionError("waited 5 s in vain")


def _request_noting_its_turn(turns: Turns, served: list[str]) -> Callable[[str], Awaitable[None]]:
    async def request(name: str) -> None:
        async with turns.turn():
            served.append(name)

    return request


async def test_a_turn_given_up_goes_to_the_longest_waiter_not_to_a_newcomer() -> None:
    turns = Turns(1, timeout=5)
    served: list[str] = []
    request = _request_noting_its_turn(turns, served)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tasks, turns.turn() as first:
            tasks.start_soon(request, "waiting")
            await _until(lambda: turns.waiting == 1)
            first.end()
            # Asks at once, before the waiter has run: a pool would hand it the
            # connection that was just given back.
            await request("newcomer")
    assert served == ["waiting", "newcomer"]


async def test_a_paused_turn_lets_others_go_and_then_queues_again() -> None:
    turns = Turns(1, timeout=5)
    served: list[str] = []
    request = _request_noting_its_turn(turns, served)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tasks, turns.turn() as turn:
            async with turn.paused():
                await request("during the pause")  # would wait forever if it kept the turn
            tasks.start_soon(request, "after the pause")
            await _until(lambda: turns.waiting == 1)
            assert served == ["during the pause"]  # the turn is held again
    assert served == ["during the pause", "after the pause"]


async def test_a_request_that_waits_too_long_for_a_turn_gets_the_pools_timeout() -> None:
    turns = Turns(1, timeout=0.05)
    async with turns.turn():
        with pytest.raises(PoolTimeoutError):  # a 503 (webapp/errors.py)
            async with turns.turn():
                pytest.fail("two turns at once")
    assert turns.waiting == 0
    async with turns.turn():  # the line still works
        pass


async def test_a_login_hashing_a_password_leaves_the_database_to_other_requests(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One turn: if the login kept it while hashing, the page below would wait for it.
    app = create_app(settings_for(database_url, db_pool_size=1))
    hashing, finish_hashing = anyio.Event(), anyio.Event()
    off_the_loop = auth._off_the_loop

    async def slow_hash(function: Callable[..., Any], *args: Any) -> Any:
        hashing.set()
        await finish_hashing.wait()
        return await off_the_loop(function, *args)

    async with (
        app.router.lifespan_context(app),
        client_for(app) as reader,
        client_for(app, "192.0.2.7") as visitor,
    ):
        await sign_up(reader, "reader@example.com")
        monkeypatch.setattr(auth, "_off_the_loop", slow_hash)
        outcome: dict[str, int] = {}

        async def attempt_login() -> None:
            response = await log_in(visitor, "visitor@example.com", "not the password")
            outcome["login"] = response.status_code

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(attempt_login)
            page = None
            with anyio.move_on_after(5):
                await hashing.wait()
                page = await reader.get("/")
            finish_hashing.set()
        assert page is not None, "the page waited for the login's password hashing"
        assert page.status_code == 200
        assert "reader@example.com" in page.text
        assert outcome["login"] == 422


async def test_a_request_body_sent_slowly_holds_no_turn(database_url: str) -> None:
    # One turn: if the slow request took it before its body had arrived, the page below
    # would wait for the body.
    app = create_app(settings_for(database_url, db_pool_size=1))
    body_started, finish_body = anyio.Event(), anyio.Event()

    async with (
        app.router.lifespan_context(app),
        client_for(app) as writer,
        client_for(app) as reader,
    ):
        await sign_up(writer, "writer@example.com")
        await sign_up(reader, "reader@example.com")
        token = await csrf_token(writer, "/")

        async def slow_body() -> AsyncIterator[bytes]:
            yield f"csrf_token={token}&title=".encode()
            body_started.set()
            await finish_body.wait()
            yield b"sent+slowly"

        outcome: dict[str, httpx2.Response] = {}

        async def post_slowly() -> None:
            outcome["post"] = await writer.post(
                "/todos",
                content=slow_body(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(post_slowly)
            page = None
            with anyio.move_on_after(5):
                await body_started.wait()
                page = await reader.get("/")
            finish_body.set()
        assert page is not None, "the page waited for the other request's body"
        assert page.status_code == 200
        assert "reader@example.com" in page.text
        assert outcome["post"].status_code == 303
        assert "sent slowly" in (await writer.get("/")).text
