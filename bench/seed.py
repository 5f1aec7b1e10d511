"""The benchmark's data: users with Inboxes of known sizes, logged in with known tokens.

Every user has an Inbox (the list `/` shows) holding the todos the workloads read and
write, and a few lists of their own with a handful of todos each, so that the Lists
navigation shows several lists and counts, as an account in use would.

About a third of the Inbox's todos have a due date (overdue, today, in the coming days
and weeks, a few of them done) and about a third have one to three labels, some both,
so that rows show due dates in words and label links, and Today and Upcoming have
todos to count and show, as an account in use would.

Also the database-side bookkeeping between timed runs: putting back what the write
workloads changed, and reading the statement counts from pg_stat_statements.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

PASSWORD = "correct horse battery staple"  # noqa: S105 - a benchmark account's password
EMAIL_DOMAIN = "bench.example"

# The Inbox sizes the issue asks for, plus one user per write workload so that a write
# never changes a list another workload reads.
LIST_SIZES = (20, 100, 1_000, 10_000)
TOGGLE_SIZE = 100
# Whose Inbox the Today page workload reads (Today shows every list's todos).
TODAY_USER_SIZE = 100
ADD_SIZE = 20
INBOX = "Inbox"  # the name our app gives every account's Inbox (webapp/models.py)
# Each user's other lists, in the order they were made: (name, todos, all of them done).
# The names need escaping and hold multi-byte UTF-8; one list has nothing left to do,
# so its count is empty.
OTHER_LISTS = (
    ("Work", 7, False),
    ("Home & garden", 4, False),
    ("Books <to read>", 12, False),
    ('Done "this" week — ✓', 3, True),
)


# The k-th todo with a due date is due this many days from the seeding day: today,
# overdue by days or a week, tomorrow, later this week, in the next weeks.
DUE_OFFSETS = (0, -3, 1, 5, -1, 9, 0, 2, 16, -8, 3, 23)
# Label names: escaping, multi-byte UTF-8 and a space (in the label's address too).
LABELS = ("home", "work", "errands", "café", "read & <watch>", "next week")


@dataclass(frozen=True)
class Seeded:
    """One Inbox todo as seeded: the i-th (from 1) of its user's Inbox."""

    title: str
    description: str | None
    done: bool
    due_on: date | None
    labels: tuple[str, ...]


def seeded_day() -> date:
    """The seeding day: UTC's, the seeded users' time zone."""
    return datetime.now(UTC).date()


def inbox_todo(i: int, today: date) -> Seeded:
    """The i-th todo of an Inbox: every third done; a third (i ≡ 1, 3, 8 mod 9) due, at
    DUE_OFFSETS in turn; a third (i ≡ 2, 3, 7 mod 9) with 1-3 labels."""
    due_on = None
    if i % 9 in (1, 3, 8):
        k = (i // 9) * 3 + (1, 3, 8).index(i % 9)
        due_on = today + timedelta(days=DUE_OFFSETS[k % len(DUE_OFFSETS)])
    labels: tuple[str, ...] = ()
    if i % 9 in (2, 3, 7):
        start = (i // 9) % len(LABELS)
        labels = tuple(LABELS[(start + j) % len(LABELS)] for j in range(1 + i % 3))
    return Seeded(title_for(i), description_for(i), i % 3 == 0, due_on, labels)


@dataclass(frozen=True)
class SeededUser:
    name: str
    email: str
    user_id: int
    # The session cookie's value; login_sessions holds only its SHA-256.
    token: str
    inbox_id: int
    # The Inbox's todos, oldest first: the ones the workloads read and toggle.
    todo_ids: tuple[int, ...]
    # Every list's id, the Inbox's first, then the others in the order they were made.
    list_ids: tuple[int, ...]
    # The highest todo id seeded for this user, in any of its lists.
    last_todo_id: int
    # The day the due dates were seeded relative to (UTC's today then).
    seeded_on: date


def list_user(size: int) -> str:
    return f"list{size}"


def title_for(i: int) -> str:
    # Everything the autoescaping must handle, and multi-byte UTF-8.
    return f"Todo #{i} <b>bold</b> & 'single' \"double\" — café, naïve, 日本語 ✓"


def description_for(i: int) -> str | None:
    if i % 5:
        return None
    return f"Details for #{i}: <script>alert('x')</script>\nsecond line & «quotes»"


def session_id_for(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def seed(url: str) -> dict[str, SeededUser]:
    """Create the users, their lists and todos and one login session each; VACUUM ANALYZE."""
    # The same hasher and parameters as the app, so login verifies a realistic hash.
    password_hash = PasswordHash((Argon2Hasher(),)).hash(PASSWORD)
    sizes = {list_user(n): n for n in LIST_SIZES} | {"toggle": TOGGLE_SIZE, "add": ADD_SIZE}
    sizes["login"] = 0
    today = seeded_day()
    conn = await asyncpg.connect(url)
    users: dict[str, SeededUser] = {}
    try:
        for name, size in sizes.items():
            email = f"{name}@{EMAIL_DOMAIN}"
            user_id: int = await conn.fetchval(
                "INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id",
                email,
                password_hash,
            )
            inbox_id: int = await conn.fetchval(
                "INSERT INTO lists (owner_id, name, is_inbox) VALUES ($1, $2, true) RETURNING id",
                user_id,
                INBOX,
            )
            list_ids = [inbox_id]
            for list_name, list_size, all_done in OTHER_LISTS:
                list_id: int = await conn.fetchval(
                    "INSERT INTO lists (owner_id, name) VALUES ($1, $2) RETURNING id",
                    user_id,
                    list_name,
                )
                list_ids.append(list_id)
                await conn.copy_records_to_table(
                    "todos",
                    records=[
                        (
                            list_id,
                            f"{list_name}: {title_for(i)}",
                            None,
                            all_done or i % 3 == 0,
                            i * 1024,
                        )
                        for i in range(1, list_size + 1)
                    ],
                    columns=["list_id", "title", "description", "done", "position"],
                )
            todos = [inbox_todo(i, today) for i in range(1, size + 1)]
            # Positions as the app gives them: each new todo goes last, a gap apart.
            await conn.copy_records_to_table(
                "todos",
                records=[
                    (inbox_id, t.title, t.description, t.done, t.due_on, i * 1024)
                    for i, t in enumerate(todos, 1)
                ],
                columns=["list_id", "title", "description", "done", "due_on", "position"],
            )
            ids = await conn.fetch("SELECT id FROM todos WHERE list_id = $1 ORDER BY id", inbox_id)
            await conn.copy_records_to_table(
                "todo_labels",
                records=[
                    (row["id"], name)
                    for row, t in zip(ids, todos, strict=True)
                    for name in t.labels
                ],
                columns=["todo_id", "name"],
            )
            last: int = await conn.fetchval(
                "SELECT max(id) FROM todos WHERE list_id = ANY($1::bigint[])", list_ids
            )
            token = secrets.token_urlsafe(32)
            await conn.execute(
                "INSERT INTO login_sessions (id, user_id) VALUES ($1, $2)",
                session_id_for(token),
                user_id,
            )
            users[name] = SeededUser(
                name,
                email,
                user_id,
                token,
                inbox_id,
                tuple(r["id"] for r in ids),
                tuple(list_ids),
                last,
                today,
            )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return users


async def restore(url: str, users: dict[str, SeededUser]) -> None:
    """Undo what the write workloads did, so every timed run starts from the same data."""
    conn = await asyncpg.connect(url)
    try:
        add = users["add"]
        await conn.execute(
            "DELETE FROM todos WHERE list_id = ANY($1::bigint[]) AND id > $2",
            list(add.list_ids),
            add.last_todo_id,
        )
        # Only the login workload makes sessions, all of them the login user's; other
        # sessions (the seeded ones, those an app prepared for itself) stay.
        login = users["login"]
        await conn.execute(
            "DELETE FROM login_sessions WHERE user_id = $1 AND id <> $2",
            login.user_id,
            session_id_for(login.token),
        )
        # Toggles flip the Inbox's rows at random: put the seeded pattern back.
        toggle = users["toggle"]
        await conn.execute(
            "UPDATE todos SET done = (rn % 3 = 0) FROM ("
            " SELECT id AS tid, row_number() OVER (ORDER BY id) AS rn"
            " FROM todos WHERE list_id = $1) AS seeded"
            " WHERE todos.id = seeded.tid AND done IS DISTINCT FROM (rn % 3 = 0)",
            toggle.inbox_id,
        )
        await conn.execute("VACUUM ANALYZE todos, todo_labels, lists, login_sessions, users")
    finally:
        await conn.close()


async def reset_statements(admin_url: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute("SELECT pg_stat_statements_reset()")
    finally:
        await conn.close()


@dataclass(frozen=True)
class StatementCount:
    query: str
    calls: int


async def read_statements(admin_url: str, database: str) -> list[StatementCount]:
    """Statements run in `database` since the last reset (the admin's own live elsewhere)."""
    conn = await asyncpg.connect(admin_url)
    try:
        rows = await conn.fetch(
            "SELECT s.query, s.calls::bigint AS calls FROM pg_stat_statements s"
            " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 ORDER BY s.calls DESC",
            database,
        )
    finally:
        await conn.close()
    return [StatementCount(r["query"], r["calls"]) for r in rows]


async def prepared_statements_per_server_connection(url: str, connections: int) -> list[int]:
    """How many prepared statements each PgBouncer server connection holds.

    pg_prepared_statements shows only its own session's statements, so this opens
    `connections` transactions at once through PgBouncer, which must then give each a
    different server connection.
    """
    clients = [await asyncpg.connect(url, statement_cache_size=0) for _ in range(connections)]
    try:
        transactions = [c.transaction() for c in clients]
        for t in transactions:
            await t.start()
        counts = [await c.fetchval("SELECT count(*) FROM pg_prepared_statements") for c in clients]
        for t in transactions:
            await t.rollback()
    finally:
        for c in clients:
            await c.close()
    return [int(n) for n in counts]


async def prepare_cluster(admin_url: str, role: str, database: str) -> None:
    """The app's role and database, and pg_stat_statements' view in the admin database."""
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE ROLE "{role}" LOGIN')
        await conn.execute(f'CREATE DATABASE "{database}" OWNER "{role}"')
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    finally:
        await conn.close()


async def server_version(admin_url: str) -> str:
    conn = await asyncpg.connect(admin_url)
    try:
        version: str = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return version
