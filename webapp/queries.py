"""Every database query the app makes. They may flush; only the unit of work commits.

Access to todos is one rule, `_MINE`, in every todo statement: the owner's todos that
aren't deleted. Another user's todo is indistinguishable from a missing one (`NotFound`).
The data layer knows no HTTP: the web layer maps `NotFound` to a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, cast

from sqlalchemy import (
    ColumnElement,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.inputs import MAX_ID
from webapp.models import Deletion, ThrottleCounter, Todo, User

if TYPE_CHECKING:
    from sqlalchemy import FromClause, Row, Select, Table, Update
    from sqlalchemy.ext.asyncio import AsyncSession

Filter = Literal["all", "active", "completed"]
Order = Literal["oldest", "newest"]

# How long deleted todos wait for an Undo before they are purged for good.
UNDO_WINDOW = timedelta(minutes=10)

# The statements every request runs are built once, with bound parameters, and executed
# with the values: building a statement and its cache key anew costs about a third of
# running it (docs/performance.md).


class NotFound(Exception):
    """What was asked for doesn't exist, or isn't the asker's (the same thing to them)."""

    def __init__(self, message: str = "That todo does not exist.") -> None:
        super().__init__(message)
        self.message = message


class Owner(Protocol):
    """Whoever todos are looked up for: the logged-in user (a `User` or its summary)."""

    @property
    def id(self) -> int: ...


# -- users ---------------------------------------------------------------------------------


async def get_user_by_email(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == email))


async def create_user(db: AsyncSession, email: str, password_hash: str) -> User:
    user = User(email=email, password_hash=password_hash)
    db.add(user)
    await db.flush()
    return user


async def set_password_hash(db: AsyncSession, user: Owner, password_hash: str) -> None:
    await db.execute(update(User).where(User.id == user.id).values(password_hash=password_hash))


async def delete_user(db: AsyncSession, user: Owner) -> None:
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


# Todos are read and written as rows of their table (SQLAlchemy Core statements, run in
# the request's ORM session and transaction), not as ORM objects: the statements every
# request runs cost half as much, and only the edit page needs a whole `Todo`.
_TODOS = cast("Table", Todo.__table__)
_todo = _TODOS.c


def _mine_in(todos: FromClause) -> ColumnElement[bool]:
    """The one access rule: the owner's todos, less the deleted ones waiting for an Undo."""
    return (todos.c.owner_id == bindparam("owner")) & todos.c.deletion_id.is_(None)


_MINE = _mine_in(_TODOS)
# One of them by id. (A parameter of an UPDATE may not be named after a column.)
_THE_TODO = _MINE & (_todo.id == bindparam("todo_id"))


def _mine(owner: Owner) -> dict[str, object]:
    return {"owner": owner.id}


def _the_todo(owner: Owner, todo_id: int) -> dict[str, object]:
    """`_THE_TODO`'s parameters; an id that can't exist is not found before any query."""
    if not 0 < todo_id <= MAX_ID:
        raise NotFound
    return {"owner": owner.id, "todo_id": todo_id}


def _matching(filter_: Filter) -> list[ColumnElement[bool]]:
    if filter_ == "active":
        return [_todo.done.is_(False)]
    if filter_ == "completed":
        return [_todo.done.is_(True)]
    return []


_COUNTS = select(
    func.count(_todo.id).label("total"),
    func.count(_todo.id).filter(_todo.done.is_(False)).label("active"),
).where(_MINE)


async def count_todos(db: AsyncSession, owner: Owner) -> Counts:
    total, active = (await db.execute(_COUNTS, _mine(owner))).one()
    return Counts(total=total, active=active)


class TodoRow(NamedTuple):
    """What a row shows: the columns, not a tracked ORM object.

    A plain tuple: a page reads each of its fields several times (the title eight times
    a row, in labels and attributes), and a field of SQLAlchemy's `Row` costs ten times
    as much to read by name.
    """

    id: int
    title: str
    description: str | None
    done: bool


_ROW = (_todo.id, _todo.title, _todo.description, _todo.done)


@cache
def _page_statement(
    filter_: Filter, order: Order, *, paged: bool
) -> Select[int, str, str | None, bool, int, int]:
    """One of the shapes of the page query, built on first use.

    Each row carries the counts of all the owner's todos, from a one-row subquery that
    the database computes once: the page and its counter in one round trip.
    """
    counts = _COUNTS.subquery("counts")
    query = (
        select(*_ROW, counts.c.total, counts.c.active)
        .join_from(_TODOS, counts, true())
        .where(_MINE, *_matching(filter_))
    )
    if order == "newest":
        if paged:
            query = query.where(_todo.id < bindparam("after"))
        query = query.order_by(_todo.id.desc())
    else:
        if paged:
            query = query.where(_todo.id > bindparam("after"))
        query = query.order_by(_todo.id)
    return query.limit(bindparam("limit"))


async def list_todos(
    db: AsyncSession,
    owner: Owner,
    *,
    filter_: Filter = "all",
    order: Order = "oldest",
    after: int | None = None,
    limit: int,
) -> tuple[list[TodoRow], Counts]:
    """The owner's todos in order after the one with id `after`, and the counts of all.

    Keyset paging on the primary key (ids grow with creation time) keeps every page as
    cheap as the first, however long the list is. The rows are read-only: selecting the
    columns gives plain rows, without building and tracking fifty objects.
    """
    statement = _page_statement(filter_, order, paged=after is not None)
    parameters = {"owner": owner.id, "after": after, "limit": limit}
    rows = (await db.execute(statement, parameters)).all()
    if not rows:
        # An empty page has no row to carry the counts.
        return [], await count_todos(db, owner)
    total, active = rows[0][4:]
    return [TodoRow._make(row[:4]) for row in rows], Counts(total=total, active=active)


async def neighbour(
    db: AsyncSession, owner: Owner, todo_id: int, filter_: Filter, order: Order
) -> int | None:
    """The todo shown after `todo_id` in a view (else the one before): where a page
    without JavaScript returns to when the row it acted on has left the view."""
    mine = [_MINE, *_matching(filter_)]
    later, earlier = (_todo.id < todo_id, _todo.id > todo_id)
    if order == "oldest":
        later, earlier = earlier, later
    ascending = order == "oldest"
    for condition, forward in ((later, ascending), (earlier, not ascending)):
        statement = select(_todo.id).where(*mine, condition)
        statement = statement.order_by(_todo.id if forward else _todo.id.desc()).limit(1)
        found: int | None = await db.scalar(statement, _mine(owner))
        if found is not None:
            return found
    return None


async def rows_before(
    db: AsyncSession, owner: Owner, todo_id: int, filter_: Filter, order: Order
) -> int:
    """How many todos a view shows before `todo_id`: which page of it the todo is on."""
    before = _todo.id < todo_id if order == "oldest" else _todo.id > todo_id
    statement = select(func.count(_todo.id)).where(_MINE, *_matching(filter_), before)
    return await db.scalar(statement, _mine(owner)) or 0


_GET_TODO = select(Todo).where(_THE_TODO)


async def get_todo_for(db: AsyncSession, owner: Owner, todo_id: int) -> Todo:
    """The owner's todo with this id; NotFound also when it belongs to someone else."""
    todo = await db.scalar(_GET_TODO, _the_todo(owner, todo_id))
    if todo is None:
        raise NotFound
    return todo


# The row a change gives back: its columns (RETURNING), not an ORM object (building,
# tracking and synchronising one took half of a toggle's database time), and the
# counts after the change, so that the counter needs no statement of its own. The
# counts add the changed row, as it is now, to the owner's other todos: what a
# subquery sees of the row being changed differs between databases; of the others, not.
_other = _TODOS.alias("other")
_OTHERS = _mine_in(_other) & (_other.c.id != bindparam("todo_id"))
_CHANGED = (
    *_ROW,
    (select(func.count(_other.c.id)).where(_OTHERS).scalar_subquery() + 1).label("total"),
    (
        select(func.count(_other.c.id)).where(_OTHERS, _other.c.done.is_(False)).scalar_subquery()
        + case((_todo.done, 0), else_=1)
    ).label("active"),
)
_ADD = (
    insert(_TODOS)
    .values(
        owner_id=bindparam("owner"),
        title=bindparam("new_title"),
        description=bindparam("new_description"),
        done=False,
    )
    # Not _CHANGED: an INSERT's RETURNING can't name the new row apart from the others.
    .returning(*_ROW)
)
_EDIT = (
    update(_TODOS)
    .where(_THE_TODO)
    .values(title=bindparam("new_title"), description=bindparam("new_description"))
    .returning(*_CHANGED)
)
_RENAME = update(_TODOS).where(_THE_TODO).values(title=bindparam("new_title")).returning(*_CHANGED)
# Flipped in the UPDATE itself, so concurrent toggles can't lose one another.
_TOGGLE = update(_TODOS).where(_THE_TODO).values(done=~_todo.done).returning(*_CHANGED)


async def add_todo(db: AsyncSession, owner: Owner, title: str, description: str | None) -> TodoRow:
    values = {"new_title": title, "new_description": description}
    return TodoRow._make((await db.execute(_ADD, _mine(owner) | values)).one())


async def edit_todo(
    db: AsyncSession, owner: Owner, todo_id: int, title: str, description: str | None
) -> tuple[TodoRow, Counts]:
    values = {"new_title": title, "new_description": description}
    return await _update_one(db, _EDIT, _the_todo(owner, todo_id) | values)


async def rename_todo(
    db: AsyncSession, owner: Owner, todo_id: int, title: str
) -> tuple[TodoRow, Counts]:
    return await _update_one(db, _RENAME, _the_todo(owner, todo_id) | {"new_title": title})


async def toggle_todo(db: AsyncSession, owner: Owner, todo_id: int) -> tuple[TodoRow, Counts]:
    return await _update_one(db, _TOGGLE, _the_todo(owner, todo_id))


async def _update_one(
    db: AsyncSession, statement: Update, parameters: dict[str, object]
) -> tuple[TodoRow, Counts]:
    row = (
        await db.execute(
            statement,
            parameters,
            # No object in the session needs synchronising with the change.
            execution_options={"synchronize_session": False},
        )
    ).one_or_none()
    if row is None:
        raise NotFound
    return _changed(row)


def _changed(row: Row[Any]) -> tuple[TodoRow, Counts]:
    return TodoRow._make(row[:4]), Counts(total=row.total, active=row.active)


_SET_ALL_DONE = (
    update(_TODOS)
    .where(_MINE, _todo.done != bindparam("all_done"))
    .values(done=bindparam("all_done"))
)


async def set_all_done(db: AsyncSession, owner: Owner, done: bool) -> None:
    await db.execute(_SET_ALL_DONE, _mine(owner) | {"all_done": done})


# -- deleting, and undoing it -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deleted:
    """What a delete removed: the deletion to offer Undo for, and the todos' titles."""

    deletion_id: int
    titles: list[str]


_NEW_DELETION = insert(Deletion).values(owner_id=bindparam("owner")).returning(Deletion.id)
# The row stays as it was (updated_at included), so Undo restores it exactly.
_MARK_DELETED = (
    update(_TODOS)
    .values(deletion_id=bindparam("deletion"), updated_at=_todo.updated_at)
    .returning(_todo.title)
)
_DELETE_ONE = _MARK_DELETED.where(_THE_TODO)
_DELETE_COMPLETED = _MARK_DELETED.where(_MINE, _todo.done.is_(True))
_PURGE = delete(Deletion).where(
    Deletion.owner_id == bindparam("owner"), Deletion.created_at < bindparam("before")
)


async def delete_todo(db: AsyncSession, owner: Owner, todo_id: int) -> Deleted:
    """Delete one todo, restorable with `undo_deletion` for a while."""
    deleted = await _delete(db, owner, _DELETE_ONE, _the_todo(owner, todo_id), empty=NotFound())
    assert deleted is not None  # `empty` raised otherwise
    return deleted


async def clear_completed(db: AsyncSession, owner: Owner) -> Deleted | None:
    """Delete every completed todo, restorable together; None when there were none."""
    return await _delete(db, owner, _DELETE_COMPLETED, _mine(owner), empty=None)


async def _delete(
    db: AsyncSession,
    owner: Owner,
    statement: Update,
    parameters: dict[str, object],
    *,
    empty: NotFound | None,
) -> Deleted | None:
    # Deletions older than the undo window go for good (their todos by cascade).
    await db.execute(_PURGE, _mine(owner) | {"before": datetime.now(UTC) - UNDO_WINDOW})
    deletion_id: int = (await db.execute(_NEW_DELETION, _mine(owner))).scalar_one()
    titles = list((await db.execute(statement, parameters | {"deletion": deletion_id})).scalars())
    if not titles:
        # Nothing matched: take the empty deletion back (the request may still commit).
        await db.execute(delete(Deletion).where(Deletion.id == deletion_id))
        if empty is not None:
            raise empty
        return None
    return Deleted(deletion_id=deletion_id, titles=titles)


_RESTORE = (
    update(_TODOS)
    .where(_todo.owner_id == bindparam("owner"), _todo.deletion_id == bindparam("deletion"))
    .values(deletion_id=None, updated_at=_todo.updated_at)
    .returning(_todo.id)
)
_FORGET_DELETION = delete(Deletion).where(
    Deletion.id == bindparam("deletion"), Deletion.owner_id == bindparam("owner")
)


async def undo_deletion(db: AsyncSession, owner: Owner, deletion_id: int) -> list[int]:
    """Restore the todos of one of the owner's deletions; their ids.

    Safe to repeat and to race: the UPDATE restores each todo once, whichever request
    (or process) gets there first, and a purge that lost the race finds nothing.
    """
    if not 0 < deletion_id <= MAX_ID:
        raise NotFound(GONE)
    parameters = _mine(owner) | {"deletion": deletion_id}
    restored = list((await db.execute(_RESTORE, parameters)).scalars())
    if not restored:
        raise NotFound(GONE)
    # Only now: deleting the deletion first would take its todos with it (cascade).
    await db.execute(_FORGET_DELETION, parameters)
    return restored


GONE = "That can no longer be undone."


async def purge_deletions(db: AsyncSession) -> int:
    """Purge every deletion past its undo window (the clean-up command); how many."""
    result = await db.execute(
        delete(Deletion)
        .where(Deletion.created_at < datetime.now(UTC) - UNDO_WINDOW)
        .returning(Deletion.id)
    )
    return len(result.all())
