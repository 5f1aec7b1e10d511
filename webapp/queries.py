"""Every database query the app makes. They may flush; only the unit of work commits.

Todo queries take the owner and filter by it in SQL, so ownership is enforced here, once:
another user's todo is indistinguishable from a missing one (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import joinedload
from starlette.exceptions import HTTPException

from webapp.models import LoginSession, Todo, User

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

Filter = Literal["all", "active", "completed"]
Order = Literal["oldest", "newest"]

# Ids arrive from URLs; anything past a signed 64-bit integer can't exist, and asyncpg
# would refuse to send it.
MAX_ID = 2**63 - 1


# -- users and login sessions -------------------------------------------------------------


async def get_user_by_email(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == email))


async def create_user(db: AsyncSession, email: str, password_hash: str) -> User:
    user = User(email=email, password_hash=password_hash)
    db.add(user)
    await db.flush()
    return user


async def get_login_session(db: AsyncSession, session_id: str) -> LoginSession | None:
    """The session and its user, in one statement."""
    return await db.scalar(
        select(LoginSession)
        .options(joinedload(LoginSession.user))
        .where(LoginSession.id == session_id)
    )


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


async def set_password_hash(db: AsyncSession, user: User, password_hash: str) -> None:
    await db.execute(update(User).where(User.id == user.id).values(password_hash=password_hash))


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


def _check_id(todo_id: int) -> None:
    if not 0 < todo_id <= MAX_ID:
        raise HTTPException(404, "That todo does not exist.")


def _matching(filter_: Filter) -> list[ColumnElement[bool]]:
    if filter_ == "active":
        return [Todo.done.is_(False)]
    if filter_ == "completed":
        return [Todo.done.is_(True)]
    return []


async def count_todos(db: AsyncSession, user: User) -> Counts:
    row = (
        await db.execute(
            select(
                func.count(Todo.id),
                func.count(Todo.id).filter(Todo.done.is_(False)),
            ).where(_owned_by(user))
        )
    ).one()
    return Counts(total=row[0], active=row[1])


async def list_todos(
    db: AsyncSession,
    user: User,
    *,
    filter_: Filter = "all",
    order: Order = "oldest",
    after: int | None = None,
    limit: int,
) -> list[Todo]:
    """One page of the user's todos, continuing after the todo with id `after`.

    Keyset paging on the primary key (ids grow with creation time) keeps every page as
    cheap as the first, however long the list is.
    """
    query = select(Todo).where(_owned_by(user), *_matching(filter_))
    if order == "newest":
        if after is not None:
            query = query.where(Todo.id < after)
        query = query.order_by(Todo.id.desc())
    else:
        if after is not None:
            query = query.where(Todo.id > after)
        query = query.order_by(Todo.id)
    return list(await db.scalars(query.limit(limit)))


async def get_todo_for(db: AsyncSession, user: User, todo_id: int) -> Todo:
    """The user's todo with this id, or 404 (also when it belongs to someone else)."""
    _check_id(todo_id)
    todo = await db.scalar(select(Todo).where(Todo.id == todo_id, _owned_by(user)))
    if todo is None:
        raise HTTPException(404, "That todo does not exist.")
    return todo


async def add_todo(db: AsyncSession, user: User, title: str, description: str | None) -> Todo:
    todo = Todo(owner_id=user.id, title=title, description=description, done=False)
    db.add(todo)
    # The INSERT fetches the server-filled columns (id, timestamps) with RETURNING.
    await db.flush()
    return todo


async def edit_todo(
    db: AsyncSession, user: User, todo_id: int, title: str, description: str | None
) -> Todo:
    return await _update_one(db, user, todo_id, title=title, description=description)


async def rename_todo(db: AsyncSession, user: User, todo_id: int, title: str) -> Todo:
    return await _update_one(db, user, todo_id, title=title)


async def toggle_todo(db: AsyncSession, user: User, todo_id: int) -> Todo:
    """Flip `done` in one UPDATE, so concurrent toggles can't lose one another."""
    return await _update_one(db, user, todo_id, done=~Todo.done)


async def _update_one(db: AsyncSession, user: User, todo_id: int, **values: object) -> Todo:
    _check_id(todo_id)
    todo: Todo | None = await db.scalar(
        update(Todo).where(Todo.id == todo_id, _owned_by(user)).values(**values).returning(Todo),
        execution_options={"populate_existing": True},
    )
    if todo is None:
        raise HTTPException(404, "That todo does not exist.")
    return todo


async def delete_todo(db: AsyncSession, user: User, todo_id: int) -> None:
    _check_id(todo_id)
    deleted = await db.scalar(
        delete(Todo).where(Todo.id == todo_id, _owned_by(user)).returning(Todo.id)
    )
    if deleted is None:
        raise HTTPException(404, "That todo does not exist.")


async def set_all_done(db: AsyncSession, user: User, done: bool) -> None:
    await db.execute(update(Todo).where(_owned_by(user), Todo.done.is_not(done)).values(done=done))


async def clear_completed(db: AsyncSession, user: User) -> None:
    await db.execute(delete(Todo).where(_owned_by(user), Todo.done.is_(True)))
