"""Password storage and checking [ASVS 11.4.2, 6.2.x, 6.3.8]."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text

from tests.helpers import client_for, fetch, log_in, post_form
from webapp import auth

if TYPE_CHECKING:
    import httpx2
    import pytest
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account


async def test_passwords_are_stored_as_argon2id_hashes(user: Account, db: AsyncSession) -> None:
    [(stored,)] = await fetch(db, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$")
    assert user.password not in stored


async def test_hashing_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    hash_ = auth._hasher.hash

    def recording_hash(password: str) -> str:
        threads.append(threading.get_ident())
        return hash_(password)

    monkeypatch.setattr(auth._hasher, "hash", recording_hash)
    await auth.hash_password("correct horse battery")
    assert threads
    assert threads[0] != threading.get_ident()


async def test_old_hash_parameters_are_upgraded_at_login(
    app: Starlette, user: Account, db: AsyncSession
) -> None:
    weak = Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(user.password)
    await db.execute(text("UPDATE users SET password_hash = :h"), {"h": weak})
    await db.commit()
    async with client_for(app) as client:
        assert (await log_in(client, user.email, user.password)).status_code == 303
    [(stored,)] = await fetch(db, "SELECT password_hash FROM users")
    assert stored != weak
    assert stored.startswith("$argon2id$")
    assert "m=8192" not in stored
    async with client_for(app) as client:
        assert (await log_in(client, user.email, user.password)).status_code == 303


async def test_unknown_email_costs_one_argon2_verification_like_a_wrong_password(
    app: Starlette, user: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    verify, verify_and_update = auth._hasher.verify, auth._hasher.verify_and_update

    def counting_verify(password: str, hash_: str) -> bool:
        verified.append("verify")
        return verify(password, hash_)

    def counting_verify_and_update(password: str, hash_: str) -> tuple[bool, str | None]:
        verified.append("verify")
        return verify_and_update(password, hash_)

    monkeypatch.setattr(auth._hasher, "verify", counting_verify)
    monkeypatch.setattr(auth._hasher, "verify_and_update", counting_verify_and_update)
    async with client_for(app) as client:
        unknown = await log_in(client, "nobody@example.com", "some password")
        unknown_checks, verified[:] = list(verified), []
        wrong = await log_in(client, user.email, "some password")
    assert unknown_checks == verified == ["verify"]
    assert unknown.status_code == wrong.status_code == 422
    message = "That email and password don&#39;t match an account."
    assert message in unknown.text
    assert message in wrong.text


async def test_passwords_over_1024_bytes_are_refused_before_hashing(
    client: httpx2.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    monkeypatch.setattr(auth._hasher, "hash", lambda password: hashed.append(password) or "")
    # 512 two-byte characters: 1,024 bytes is the cap; one more byte is over it.
    response = await post_form(
        client,
        "/signup",
        {"email": "ada@example.com", "password": "é" * 512 + "x"},
        token_from="/signup",
    )
    assert response.status_code == 422
    assert "at most 1024 bytes" in response.text
    assert hashed == []
