"""Every database query the app makes. They may flush; only the unit of work commits.

Todo queries take the owner and filter by it in SQL, so ownership is enforced here, once:
another user's todo is indistinguishable from a missing one (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal, Protocol, cast

from sqlalchemy import ColumnElement, and_, bindparam, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, load_only
from starlette.exceptions import HTTPException

from webapp.models import LoginSession, ThrottleCounter, Todo, User

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Select, Update
    from sqlalchemy.ext.asyncio import AsyncSession

Filter = Literal["all", "active", "completed"]
Order = Literal["oldest", "newest"]

# Ids arrive from URLs; anything past a signed 64-bit integer can't exist, and asyncpg
# would refuse to send it.
MAX_ID = 2**63 - 1

# The statements every request runs are built once, with bound parameters, and executed
# with the values: building a statement and its cache key anew costs about a third of
# running it (docs/performance.md).


# -- users and login sessions -------------------------------------------------------------


async def get_user_by_email(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == email))


async def create_user(db: AsyncSession, email: str, password_hash: str) -> User:
    user = User(email=email, password_hash=password_hash)
    db.add(user)
    await db.flush()
    return user


_LOGIN_SESSION = (
    select(LoginSession)
    .options(
        load_only(LoginSession.user_id, LoginSession.created_at, LoginSession.last_seen_at),
        joinedload(LoginSession.user).load_only(User.email),
    )
    .where(LoginSession.id == bindparam("session_id"))
)


async def get_login_session(db: AsyncSession, session_id: str) -> LoginSession | None:
    """The session and its user, in one statement, with only the columns every request reads.

    The user's password hash stays unloaded: few requests need it, and they load the user
    again by email.
    """
    return await db.scalar(_LOGIN_SESSION, {"session_id": session_id})


async def create_login_session(
    db: AsyncSession, user: User, session_id: str, now: datetime
) -> None:
    db.add(LoginSession(id=session_id, user_id=user.id, created_at=now, last_seen_at=now))
    await db.flush()


async def touch_login_session(db: AsyncSession, session_id: str, now: datetime) -> None:
    await db.execute(
        update(LoginSession).where(LoginSession.id == session_id).values(last_seen_at=now)
    )


async def delete_login_session(db: AsyncSession, session_id: str) -> None:
    await db.execute(delete(LoginSession).where(LoginSession.id == session_id))


async def delete_login_sessions_of(
    db: AsyncSession, user: User, *, keep: str | None = None
) -> None:
    """End the user's login sessions, all of them or all but `keep`."""
    statement = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(LoginSession.id != keep)
    await db.execute(statement)


async def delete_expired_login_sessions(
    db: AsyncSession,
    *,
    idle_before: datetime,
    created_before: datetime,
    user: User | None = None,
) -> int:
    """Delete timed-out sessions (of one user, or everyone's); how many were deleted."""
    statement = delete(LoginSession).where(
        (LoginSession.last_seen_at < idle_before) | (LoginSession.created_at < created_before)
    )
    if user is not None:
        statement = statement.where(LoginSession.user_id == user.id)
    result = await db.execute(statement.returning(LoginSession.id))
    return len(result.all())


async def set_password_hash(db: AsyncSession, user: User, password_hash: str) -> None:
    await db.execute(update(User).where(User.id == user.id).values(password_hash=password_hash))


async def delete_user(db: AsyncSession, user: User) -> None:
    """The account, and through ON DELETE CASCADE its todos and login sessions."""
    await db.execute(delete(User).where(User.id == user.id))


# -- throttling counters (when Redis isn't configured) --------------------------------------


async def get_throttle_counters(db: AsyncSession, keys: list[str]) -> list[ThrottleCounter]:
    return list(await db.scalars(select(ThrottleCounter).where(ThrottleCounter.key.in_(keys))))


async def count_failure(db: AsyncSession, key: str, now: datetime, window_cutoff: datetime) -> None:
    """Add one failure to `key`'s counter, starting a new window if its window has ended.

    One upsert, so concurrent failures from several processes are all counted.
    """
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    current = ThrottleCounter.window_start > window_cutoff
    statement = insert(ThrottleCounter).values(key=key, window_start=now, failures=1)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[ThrottleCounter.key],
            set_={
                # Both expressions see the row as it was before this update.
                "failures": case((current, ThrottleCounter.failures + 1), else_=1),
                "window_start": case((current, ThrottleCounter.window_start), else_=now),
            },
        )
    )


async def delete_throttle_counters(db: AsyncSession, keys: list[str]) -> None:
    await db.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_(keys)))


async def delete_stale_throttle_counters(db: AsyncSession, window_cutoff: datetime) -> int:
    result = await db.execute(
        delete(ThrottleCounter)
        .where(ThrottleCounter.window_start <= window_cutoff)
        .returning(ThrottleCounter.key)
    )
    return len(result.all())


# -- todos ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    active: int

    @property
    def completed(self) -> int:
        return self.total - self.active


def _owned_by(user: User) -> ColumnElement[bool]:
    return Todo.owner_id == user.id


# One todo by id, only if the user owns it; its parameters come from `_the_todo`.
# (A parameter of an UPDATE may not be named after a column: "owner", "new_title".)
_THE_TODO = and_(Todo.id == bindparam("todo_id"), Todo.owner_id == bindparam("owner"))


def _the_todo(user: User, todo_id: int) -> dict[str, object]:
    """`_THE_TODO`'s parameters; an id that can't exist is a 404 before any query."""
    if not 0 < todo_id <= MAX_ID:
        raise HTTPException(404, "That todo does not exist.")
    return {"todo_id": todo_id, "owner": user.id}


def _matching(filter_: Filter) -> list[ColumnElement[bool]]:
    if filter_ == "active":
        return [Todo.done.is_(False)]
    if filter_ == "completed":
        return [Todo.done.is_(True)]
    return []


_COUNTS = select(
    func.count(Todo.id),
    func.count(Todo.id).filter(Todo.done.is_(False)),
).where(Todo.owner_id == bindparam("owner"))


async def count_todos(db: AsyncSession, user: User) -> Counts:
    row = (await db.execute(_COUNTS, {"owner": user.id})).one()
    return Counts(total=row[0], active=row[1])


class TodoRow(Protocol):
    """What a list row shows: the columns, not a tracked ORM object."""

    id: int
    title: str
    description: str | None
    done: bool


@cache
def _list_statement(
    filter_: Filter, order: Order, *, paged: bool
) -> Select[int, str, str | None, bool]:
    """One of the twelve shapes of the list query, built on first use."""
    query = select(Todo.id, Todo.title, Todo.description, Todo.done)
    query = query.where(Todo.owner_id == bindparam("owner"), *_matching(filter_))
    if order == "newest":
        if paged:
            query = query.where(Todo.id < bindparam("after"))
        query = query.order_by(Todo.id.desc())
    else:
        if paged:
            query = query.where(Todo.id > bindparam("after"))
        query = query.order_by(Todo.id)
    return query.limit(bindparam("limit"))


async def list_todos(
    db: AsyncSession,
    user: User,
    *,
    filter_: Filter = "all",
    order: Order = "oldest",
    after: int | None = None,
    limit: int,
) -> list[TodoRow]:
    """One page of the user's todos, continuing after the todo with id `after`.

    Keyset paging on the primary key (ids grow with creation time) keeps every page as
    cheap as the first, however long the list is. The rows are read-only: selecting the
    mapped columns gives plain rows, without building and tracking fifty objects.
    """
    statement = _list_statement(filter_, order, paged=after is not None)
    parameters = {"owner": user.id, "after": after, "limit": limit}
    rows = (await db.execute(statement, parameters)).all()
    return cast("list[TodoRow]", rows)


_GET_TODO = select(Todo).where(_THE_TODO)


async def get_todo_for(db: AsyncSession, user: User, todo_id: int) -> Todo:
    """The user's todo with this id, or 404 (also when it belongs to someone else)."""
    todo = await db.scalar(_GET_TODO, _the_todo(user, todo_id))
    if todo is None:
        raise HTTPException(404, "That todo does not exist.")
    return todo


async def add_todo(db: AsyncSession, user: User, title: str, description: str | None) -> Todo:
    todo = Todo(owner_id=user.id, title=title, description=description, done=False)
    db.add(todo)
    # The INSERT fetches the server-filled columns (id, timestamps) with RETURNING.
    await db.flush()
    return todo


_EDIT = (
    update(Todo)
    .where(_THE_TODO)
    .values(title=bindparam("new_title"), description=bindparam("new_description"))
    .returning(Todo)
)
_RENAME = update(Todo).where(_THE_TODO).values(title=bindparam("new_title")).returning(Todo)
# Flipped in the UPDATE itself, so concurrent toggles can't lose one another.
_TOGGLE = update(Todo).where(_THE_TODO).values(done=~Todo.done).returning(Todo)


async def edit_todo(
    db: AsyncSession, user: User, todo_id: int, title: str, description: str | None
) -> Todo:
    values = {"new_title": title, "new_description": description}
    return await _update_one(db, _EDIT, _the_todo(user, todo_id) | values)


async def rename_todo(db: AsyncSession, user: User, todo_id: int, title: str) -> Todo:
    return await _update_one(db, _RENAME, _the_todo(user, todo_id) | {"new_title": title})


async def toggle_todo(db: AsyncSession, user: User, todo_id: int) -> Todo:
    return await _update_one(db, _TOGGLE, _the_todo(user, todo_id))


async def _update_one(db: AsyncSession, statement: Update, parameters: dict[str, object]) -> Todo:
    todo: Todo | None = await db.scalar(
        statement,
        parameters,
        # RETURNING refreshes the todo; nothing else in the session needs synchronising
        # (the ORM's search of the session for matching objects is a tenth of a toggle).
        execution_options={"populate_existing": True, "synchronize_session": False},
    )
    if todo is None:
        raise HTTPException(404, "That todo does not exist.")
    return todo


_DELETE_TODO = delete(Todo).where(_THE_TODO).returning(Todo.id)


async def delete_todo(db: AsyncSession, user: User, todo_id: int) -> None:
    if await db.scalar(_DELETE_TODO, _the_todo(user, todo_id)) is None:
        raise HTTPException(404, "That todo does not exist.")


async def set_all_done(db: AsyncSession, user: User, done: bool) -> None:
    await db.execute(update(Todo).where(_owned_by(user), Todo.done.is_not(done)).values(done=done))


async def clear_completed(db: AsyncSession, user: User) -> None:
    await db.execute(delete(Todo).where(_owned_by(user), Todo.done.is_(True)))
