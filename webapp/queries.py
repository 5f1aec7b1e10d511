"""Every database query the app makes. They may flush; only the unit of work commits.

Access to todos is one rule, `_usable`, in every todo statement: a todo is reached
through its list, and a list is usable by its owner while it isn't deleted. Another
user's todo or list is indistinguishable from a missing one (`NotFound`).
The data layer knows no HTTP: the web layer maps `NotFound` to a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    table,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from webapp.dates import DEFAULT_TIME_ZONE, upcoming_until
from webapp.inputs import MAX_ID
from webapp.models import (
    INBOX,
    SEARCH_CONFIG,
    SEARCH_VECTOR,
    Deletion,
    ThrottleCounter,
    Todo,
    TodoLabel,
    TodoList,
    User,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy import BindParameter, FromClause, Insert, Row, Select, Table, Update
    from sqlalchemy.ext.asyncio import AsyncSession

Filter = Literal["all", "active", "completed"]
# The order of a list: by age, by due date (the undated last), or the list's own.
Order = Literal["oldest", "newest", "due", "manual"]

# How long deleted todos wait for an Undo before they are purged for good.
UNDO_WINDOW = timedelta(minutes=10)
# Room between neighbours in a list's own order, for moves; a full gap renumbers it.
POSITION_GAP = 1024

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


async def create_user(
    db: AsyncSession, email: str, password_hash: str, time_zone: str = DEFAULT_TIME_ZONE
) -> User:
    """A new account, with its Inbox."""
    user = User(
        email=email,
        password_hash=password_hash,
        time_zone=time_zone,
        lists=[TodoList(name=INBOX, is_inbox=True)],
    )
    db.add(user)
    await db.flush()
    return user


async def set_time_zone(db: AsyncSession, user: Owner, time_zone: str) -> None:
    await db.execute(update(User).where(User.id == user.id).values(time_zone=time_zone))


async def set_password_hash(db: AsyncSession, user: Owner, password_hash: str) -> None:
    await db.execute(update(User).where(User.id == user.id).values(password_hash=password_hash))


async def delete_user(db: AsyncSession, user: Owner) -> None:
    """The account, and through ON DELETE CASCADE its lists, todos and login sessions."""
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


# -- lists and the access rule --------------------------------------------------------------

# Lists and todos are read and written as rows of their tables (SQLAlchemy Core
# statements, run in the request's ORM session and transaction), not as ORM objects: the
# statements every request runs cost half as much, and only the edit page needs a
# whole `Todo`.
_LISTS = cast("Table", TodoList.__table__)
_list = _LISTS.c
_TODOS = cast("Table", Todo.__table__)
_todo = _TODOS.c
_LABELS = cast("Table", TodoLabel.__table__)
_label = _LABELS.c


def _usable(lists: FromClause) -> ColumnElement[bool]:
    """The one access rule: the lists a person may use, their own that aren't deleted.

    Every statement on todos reaches them through their list and this rule, so sharing
    a list will change this function and nothing else.
    """
    return (lists.c.owner_id == bindparam("owner")) & lists.c.deletion_id.is_(None)


_USABLE = _usable(_LISTS)
_USABLE_LIST_IDS = select(_list.id).where(_USABLE)


def _mine_in(todos: FromClause) -> ColumnElement[bool]:
    """Todos in any usable list, less the deleted ones waiting for an Undo."""
    return todos.c.list_id.in_(_USABLE_LIST_IDS) & todos.c.deletion_id.is_(None)


_MINE = _mine_in(_TODOS)
# One of them by id. (A parameter of an UPDATE may not be named after a column.)
_THE_TODO = _MINE & (_todo.id == bindparam("todo_id"))


@cache
def _the_list(inbox: bool) -> ColumnElement[bool]:
    """The list a statement is about: the one with id `list`, or the Inbox (`list` is
    None). Not usable is not there."""
    return _USABLE & (_list.is_inbox if inbox else _list.id == bindparam("list"))


@cache
def _in_list(inbox: bool) -> ColumnElement[bool]:
    """The todos of that list, less the deleted ones."""
    the_list = select(_list.id).where(_the_list(inbox)).scalar_subquery()
    return (_todo.list_id == the_list) & _todo.deletion_id.is_(None)


def _mine(owner: Owner) -> dict[str, object]:
    return {"owner": owner.id}


def _in(owner: Owner, list_id: int | None) -> dict[str, object]:
    """The parameters of `_in_list`; an id that can't exist is not found before any query."""
    if list_id is not None and not 0 < list_id <= MAX_ID:
        raise NotFound(NO_LIST)
    return {"owner": owner.id, "list": list_id}


def _the_todo(owner: Owner, todo_id: int) -> dict[str, object]:
    """`_THE_TODO`'s parameters; an id that can't exist is not found before any query."""
    if not 0 < todo_id <= MAX_ID:
        raise NotFound
    return {"owner": owner.id, "todo_id": todo_id}


NO_LIST = "That list does not exist."


class ListRow(NamedTuple):
    """A list as the navigation shows it: its name and how many of its todos are still
    to do: all of them, those due today or before, and those due in the coming days."""

    id: int
    name: str
    is_inbox: bool
    active: int
    due: int
    upcoming: int


@dataclass(frozen=True, slots=True)
class Lists:
    """Every list a person may use, for the navigation, with Today's and Upcoming's
    counts across them."""

    lists: list[ListRow]

    @property
    def inbox(self) -> ListRow:
        return self.lists[0]

    @property
    def due(self) -> int:
        return sum(list_.due for list_ in self.lists)

    @property
    def upcoming(self) -> int:
        return sum(list_.upcoming for list_ in self.lists)

    def find(self, list_id: int | None) -> ListRow | None:
        """The list with this id (None: the Inbox)."""
        if list_id is None:
            return self.inbox
        return next((list_ for list_ in self.lists if list_.id == list_id), None)

    def __iter__(self) -> Iterator[ListRow]:
        return iter(self.lists)


_undone = _todo.done.is_(False)
# Every usable list with its counts of active todos: one grouped statement, whatever the
# number of lists. The Inbox comes first, then the lists in the order they were made.
_LISTS_WITH_COUNTS = (
    select(
        _list.id,
        _list.name,
        _list.is_inbox,
        func.count(_todo.id),
        func.count(_todo.id).filter(_todo.due_on <= bindparam("today")),
        func.count(_todo.id).filter(
            _todo.due_on > bindparam("today"), _todo.due_on <= bindparam("until")
        ),
    )
    .select_from(
        _LISTS.outerjoin(
            _TODOS, (_todo.list_id == _list.id) & _todo.deletion_id.is_(None) & _undone
        )
    )
    .where(_USABLE)
    .group_by(_list.id, _list.name, _list.is_inbox)
    .order_by(_list.is_inbox.desc(), _list.id)
)


async def lists_of(db: AsyncSession, owner: Owner, today: date) -> Lists:
    """Every usable list, the Inbox first, with its counts for the person's `today`."""
    parameters = _mine(owner) | {"today": today, "until": upcoming_until(today)}
    rows = await db.execute(_LISTS_WITH_COUNTS, parameters)
    return Lists([ListRow._make(row) for row in rows])


_ADD_LIST = (
    insert(_LISTS)
    .values(owner_id=bindparam("owner"), name=bindparam("new_name"))
    .returning(_list.id)
)
_RENAME_LIST = (
    update(_LISTS)
    .where(_the_list(inbox=False), _list.is_inbox.is_(False))
    .values(name=bindparam("new_name"))
    .returning(_list.id)
)


async def add_list(db: AsyncSession, owner: Owner, name: str) -> int:
    list_id: int = (await db.execute(_ADD_LIST, _mine(owner) | {"new_name": name})).scalar_one()
    return list_id


async def rename_list(db: AsyncSession, owner: Owner, list_id: int, name: str) -> None:
    """Rename one of the owner's lists (not the Inbox)."""
    parameters = _in(owner, list_id) | {"new_name": name}
    if (await db.execute(_RENAME_LIST, parameters)).one_or_none() is None:
        raise NotFound(NO_LIST)


# -- todos ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """How many todos a list has, and how many of them are still to do."""

    total: int
    active: int
    list_id: int

    @property
    def completed(self) -> int:
        return self.total - self.active


def _matching(filter_: Filter) -> list[ColumnElement[bool]]:
    if filter_ == "active":
        return [_todo.done.is_(False)]
    if filter_ == "completed":
        return [_todo.done.is_(True)]
    return []


@cache
def _counts(inbox: bool) -> Select[int, int, int]:
    # The list's id too: the Inbox's is not in its address.
    return select(
        func.count(_todo.id).label("total"),
        func.count(_todo.id).filter(_undone).label("active"),
        select(_list.id).where(_the_list(inbox)).scalar_subquery().label("list_id"),
    ).where(_in_list(inbox))


async def count_todos(db: AsyncSession, owner: Owner, list_id: int | None) -> Counts:
    """The counts of one list's todos (`list_id` None: the Inbox's)."""
    row = (await db.execute(_counts(list_id is None), _in(owner, list_id))).one()
    if row.list_id is None:
        raise NotFound(NO_LIST)
    return Counts(total=row.total, active=row.active, list_id=row.list_id)


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
    list_id: int
    due_on: date | None
    # Its labels' names joined by commas (no name holds one), or None.
    labels: str | None
    # In views across lists (Today, Upcoming): the name of the list it is in.
    list_name: str | None = None

    @property
    def label_names(self) -> list[str]:
        return sorted(self.labels.split(",")) if self.labels else []


def _labels_of(todo_id: ColumnElement[int]) -> ColumnElement[str | None]:
    """A todo's labels as one column: every row's in the statement that reads the rows
    (a correlated subquery the database answers from the primary key's index), rather
    than a statement of their own for the page (or for each changed row)."""
    names = select(func.aggregate_strings(_label.name, ",")).where(_label.todo_id == todo_id)
    return names.scalar_subquery().label("labels")


_COLUMNS = (_todo.id, _todo.title, _todo.description, _todo.done, _todo.list_id, _todo.due_on)
_ROW = (*_COLUMNS, _labels_of(_todo.id))


def _todo_row(columns: Sequence[Any]) -> TodoRow:
    # Not `TodoRow._make`: it wants every field, `list_name` included.
    return TodoRow(*columns)


_ROW_WIDTH = len(_ROW)


@cache
def _page_statement(
    filter_: Filter, order: Order, *, paged: bool, inbox: bool
) -> Select[int, str, str | None, bool, int, int, int]:
    """One of the shapes of the page query, built on first use.

    Each row carries the counts of all the list's todos, from a one-row subquery that
    the database computes once: the page and its counter in one round trip.
    """
    counts = _counts(inbox).subquery("counts")
    query = (
        select(*_ROW, counts.c.total, counts.c.active, counts.c.list_id)
        .join_from(_TODOS, counts, true())
        .where(_in_list(inbox), *_matching(filter_))
    )
    if paged:
        query = query.where(_past(order, bindparam("after")))
    return query.order_by(*_sorted(order)).limit(bindparam("limit"))


# -- orders, and keyset paging in each --------------------------------------------------------

# Undated todos sort after every dated one.
_NO_DATE = literal(date.max, Date())
_at = _TODOS.alias("at")


def _keys(todos: FromClause, order: Order) -> list[ColumnElement[Any]]:
    """What a view sorts by, the id last (ids are unique: every order is total)."""
    if order == "due":
        return [func.coalesce(todos.c.due_on, _NO_DATE), todos.c.id]
    if order == "manual":
        return [todos.c.position, todos.c.id]
    return [todos.c.id]


def _sorted(order: Order, *, backwards: bool = False) -> list[ColumnElement[Any]]:
    descending = (order == "newest") != backwards
    return [key.desc() if descending else key for key in _keys(_TODOS, order)]


def _past(
    order: Order, todo_id: ColumnElement[int] | BindParameter[int], *, backwards: bool = False
) -> ColumnElement[bool]:
    """The todos a view shows after the one with id `todo_id` (before it: `backwards`).

    Keyset paging: every page as cheap as the first, however long the list. By age the
    key is the id itself; otherwise the todo's own key, read by its id (it may have left
    the view since: it is still where it was in the order).
    """
    keys = _keys(_TODOS, order)
    if len(keys) == 1:
        theirs: ColumnElement[Any] = todo_id
        mine: ColumnElement[Any] = keys[0]
    else:
        mine = tuple_(*keys)
        theirs = tuple_(
            *(select(key).where(_at.c.id == todo_id).scalar_subquery() for key in _keys(_at, order))
        )
    later = (order == "newest") == backwards
    return mine > theirs if later else mine < theirs


async def list_todos(
    db: AsyncSession,
    owner: Owner,
    list_id: int | None,
    *,
    filter_: Filter = "all",
    order: Order = "oldest",
    after: int | None = None,
    limit: int,
) -> tuple[list[TodoRow], Counts]:
    """A list's todos in order after the one with id `after`, and the counts of all.

    Keyset paging on the primary key (ids grow with creation time) keeps every page as
    cheap as the first, however long the list is. The rows are read-only: selecting the
    columns gives plain rows, without building and tracking fifty objects.
    """
    statement = _page_statement(filter_, order, paged=after is not None, inbox=list_id is None)
    parameters = _in(owner, list_id) | {"after": after, "limit": limit}
    rows = (await db.execute(statement, parameters)).all()
    if not rows:
        # An empty page has no row to carry the counts.
        return [], await count_todos(db, owner, list_id)
    first = rows[0]
    counts = Counts(total=first.total, active=first.active, list_id=first.list_id)
    return [_todo_row(row[:_ROW_WIDTH]) for row in rows], counts


# -- todos across lists: Today, Upcoming, a label, a search ---------------------------------

_ACROSS = (
    select(*_ROW, _list.name)
    .join_from(_TODOS, _LISTS, _list.id == _todo.list_id)
    .where(_USABLE, _todo.deletion_id.is_(None))
    .limit(bindparam("limit", type_=Integer()))
)


@cache
def _due_statement(*, upcoming: bool) -> Select[Any]:
    """The person's undone todos due by `through` (and after `after`, for Upcoming),
    from every list, by due date: Today's and Upcoming's rows."""
    query = _ACROSS.where(_undone, _todo.due_on <= bindparam("through"))
    if upcoming:
        query = query.where(_todo.due_on > bindparam("after"))
    return query.order_by(_todo.due_on, _todo.id)


async def due_todos(
    db: AsyncSession, owner: Owner, *, through: date, after: date | None = None, limit: int
) -> list[TodoRow]:
    """Undone todos due on or before `through` (and after `after`), across lists."""
    statement = _due_statement(upcoming=after is not None)
    parameters = _mine(owner) | {"through": through, "after": after, "limit": limit}
    return [TodoRow._make(row) for row in await db.execute(statement, parameters)]


# The still-to-do first, then the newest.
_ACROSS_ORDER = (_todo.done, _todo.id.desc())
_LABELLED = _ACROSS.where(
    _todo.id.in_(select(_label.todo_id).where(_label.name == bindparam("label")))
).order_by(*_ACROSS_ORDER)


async def labelled_todos(db: AsyncSession, owner: Owner, name: str, *, limit: int) -> list[TodoRow]:
    """The todos with this label, from every list."""
    parameters = _mine(owner) | {"label": name, "limit": limit}
    return [TodoRow._make(row) for row in await db.execute(_LABELLED, parameters)]


async def set_labels(db: AsyncSession, owner: Owner, todo_id: int, names: Sequence[str]) -> None:
    """Give one of the person's todos exactly these labels."""
    parameters = _the_todo(owner, todo_id)
    await db.execute(_CLEAR_LABELS, parameters)
    if names:
        await db.execute(_ADD_LABEL, [parameters | {"label": name} for name in names])


# Only a todo the person may use: the statements check it themselves.
_CLEAR_LABELS = delete(_LABELS).where(_label.todo_id.in_(select(_todo.id).where(_THE_TODO)))
_ADD_LABEL = insert(_LABELS).from_select(
    ["todo_id", "name"],
    select(_todo.id, bindparam("label", type_=_label.name.type)).where(_THE_TODO),
)


# Full-text search, in the database's own index: on PostgreSQL an expression index (GIN)
# over the English text-search vector of title and description ("running" finds "run");
# on SQLite the FTS5 table `todos_search` with the Porter stemmer, kept in step with
# `todos` by triggers (migration 6e1f...). Every word found as a word or a word's start:
# results follow the person's typing.
MAX_SEARCH_WORDS = 10
_WORD = re.compile(r"\w+")


def search_terms(text: str, dialect: str) -> str | None:
    """The engine's query for `text`: each word, as the start of a word, all of them;
    None when there is no word to look for."""
    words = _WORD.findall(text)[:MAX_SEARCH_WORDS]
    if not words:
        return None
    if dialect == "postgresql":
        return " & ".join(f"{word}:*" for word in words)
    return " AND ".join(f'"{word}"*' for word in words)


@cache
def _search_statement(dialect: str) -> Select[Any]:
    terms = bindparam("terms", type_=String())
    if dialect == "postgresql":
        matches = SEARCH_VECTOR.bool_op("@@")(func.to_tsquery(SEARCH_CONFIG, terms))
    else:
        matches = _todo.id.in_(
            select(literal_column("rowid"))
            .select_from(table("todos_search"))
            .where(literal_column("todos_search").match(terms))
        )
    return _ACROSS.where(matches).order_by(*_ACROSS_ORDER)


async def search_todos(db: AsyncSession, owner: Owner, text: str, *, limit: int) -> list[TodoRow]:
    """The todos whose title or description holds every word of `text`, from every list."""
    dialect = db.get_bind().dialect.name
    terms = search_terms(text, dialect)
    if terms is None:
        return []
    parameters = _mine(owner) | {"terms": terms, "limit": limit}
    return [TodoRow._make(row) for row in await db.execute(_search_statement(dialect), parameters)]


async def neighbour(
    db: AsyncSession,
    owner: Owner,
    list_id: int | None,
    todo_id: int,
    filter_: Filter,
    order: Order,
) -> int | None:
    """The todo shown after `todo_id` in a view (else the one before): where a page
    without JavaScript returns to when the row it acted on has left the view."""
    mine = [_in_list(list_id is None), *_matching(filter_)]
    parameters = _in(owner, list_id) | {"todo_id": todo_id}
    for backwards in (False, True):
        statement = (
            select(_todo.id)
            .where(*mine, _past(order, bindparam("todo_id"), backwards=backwards))
            .order_by(*_sorted(order, backwards=backwards))
            .limit(1)
        )
        found: int | None = await db.scalar(statement, parameters)
        if found is not None:
            return found
    return None


async def row_before(
    db: AsyncSession,
    owner: Owner,
    list_id: int | None,
    todo_id: int,
    filter_: Filter,
    order: Order,
) -> int | None:
    """The todo a view shows just before `todo_id`: a page "after" it starts at this one."""
    statement = (
        select(_todo.id)
        .where(
            _in_list(list_id is None),
            *_matching(filter_),
            _past(order, bindparam("todo_id"), backwards=True),
        )
        .order_by(*_sorted(order, backwards=True))
        .limit(1)
    )
    found: int | None = await db.scalar(statement, _in(owner, list_id) | {"todo_id": todo_id})
    return found


async def rows_before(
    db: AsyncSession,
    owner: Owner,
    list_id: int | None,
    todo_id: int,
    filter_: Filter,
    order: Order,
) -> int:
    """How many todos a view shows before `todo_id`: which page of it the todo is on."""
    statement = select(func.count(_todo.id)).where(
        _in_list(list_id is None),
        *_matching(filter_),
        _past(order, bindparam("todo_id"), backwards=True),
    )
    return await db.scalar(statement, _in(owner, list_id) | {"todo_id": todo_id}) or 0


_GET_TODO = select(Todo).where(_THE_TODO).options(selectinload(Todo.labels))


async def get_todo_for(db: AsyncSession, owner: Owner, todo_id: int) -> Todo:
    """The owner's todo with this id; NotFound also when it belongs to someone else."""
    todo = await db.scalar(_GET_TODO, _the_todo(owner, todo_id))
    if todo is None:
        raise NotFound
    return todo


# The row a change gives back: its columns (RETURNING), not an ORM object (building,
# tracking and synchronising one took half of a toggle's database time), and the
# counts of its list after the change, so that the counter needs no statement of its
# own. The counts add the changed row, as it is now, to the list's other todos: what a
# subquery sees of the row being changed differs between databases; of the others, not.
# (The changed row's list is looked up by its id rather than named: SQLite's RETURNING
# names columns unqualified, so `todos.list_id` would mean the other row's.)
_other, _me = _TODOS.alias("other"), _TODOS.alias("me")
_ITS_LIST = select(_me.c.list_id).where(_me.c.id == bindparam("todo_id")).scalar_subquery()


def _changed_row(its_list: ColumnElement[int]) -> tuple[ColumnElement[Any], ...]:
    others = (
        (_other.c.list_id == its_list)
        & _other.c.deletion_id.is_(None)
        & (_other.c.id != bindparam("todo_id"))
    )
    return (
        # (By the parameter, not the column: see above.)
        *_COLUMNS,
        _labels_of(bindparam("todo_id")),
        (select(func.count(_other.c.id)).where(others).scalar_subquery() + 1).label("total"),
        (
            select(func.count(_other.c.id))
            .where(others, _other.c.done.is_(False))
            .scalar_subquery()
            + case((_todo.done, 0), else_=1)
        ).label("active"),
    )


_CHANGED = _changed_row(_ITS_LIST)


@cache
def _add(inbox: bool) -> Insert:
    # Into the list only if it is usable: no row to insert from otherwise.
    values = select(
        _list.id,
        bindparam("new_title", type_=_todo.title.type),
        bindparam("new_description", type_=_todo.description.type),
        false(),
        bindparam("new_due", type_=_todo.due_on.type),
        _end_of(_list.id),
    ).where(_the_list(inbox))
    return (
        insert(_TODOS)
        .from_select(["list_id", "title", "description", "done", "due_on", "position"], values)
        # Not _CHANGED: an INSERT's RETURNING can't name the new row apart from the others.
        # A new todo has no labels yet.
        .returning(*_COLUMNS, null().label("labels"))
    )


def _end_of(list_id: ColumnElement[int]) -> ColumnElement[int]:
    """A position after every todo of the list (its own order: a new todo goes last).
    Two todos added at once may get the same one; their ids then order them."""
    last = select(func.max(_other.c.position)).where(_other.c.list_id == list_id)
    return func.coalesce(last.scalar_subquery(), 0) + POSITION_GAP


# Moved only into a list the person may use: no row changes otherwise. Its counts are
# those of the list it is in now; moved, it goes last in the list's own order.
_EDIT = (
    update(_TODOS)
    .where(_THE_TODO, _USABLE_LIST_IDS.where(_list.id == bindparam("new_list")).exists())
    .values(
        title=bindparam("new_title"),
        description=bindparam("new_description"),
        list_id=bindparam("new_list"),
        due_on=bindparam("new_due"),
        position=case(
            (_todo.list_id == bindparam("new_list"), _todo.position),
            else_=_end_of(bindparam("new_list")),
        ),
    )
    .returning(*_changed_row(bindparam("new_list")))
)
_RENAME = update(_TODOS).where(_THE_TODO).values(title=bindparam("new_title")).returning(*_CHANGED)
# Flipped in the UPDATE itself, so concurrent toggles can't lose one another.
_TOGGLE = update(_TODOS).where(_THE_TODO).values(done=~_todo.done).returning(*_CHANGED)


async def add_todo(
    db: AsyncSession,
    owner: Owner,
    list_id: int | None,
    title: str,
    description: str | None,
    due_on: date | None = None,
) -> TodoRow:
    """A new todo at the end of a list (`list_id` None: the Inbox)."""
    values = {"new_title": title, "new_description": description, "new_due": due_on}
    row = (await db.execute(_add(list_id is None), _in(owner, list_id) | values)).one_or_none()
    if row is None:
        raise NotFound(NO_LIST)
    return _todo_row(row)


async def edit_todo(
    db: AsyncSession,
    owner: Owner,
    todo_id: int,
    title: str,
    description: str | None,
    list_id: int,
    due_on: date | None,
) -> tuple[TodoRow, Counts]:
    """Change a todo's title, description and due date, and move it to `list_id` (its
    own list or another usable one). The counts are those of the list it is in now."""
    values = {
        "new_title": title,
        "new_description": description,
        "new_list": list_id,
        "new_due": due_on,
    }
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
    todo = _todo_row(row[:_ROW_WIDTH])
    return todo, Counts(total=row.total, active=row.active, list_id=todo.list_id)


@cache
def _set_all_done(inbox: bool) -> Update:
    return (
        update(_TODOS)
        .where(_in_list(inbox), _todo.done != bindparam("all_done"))
        .values(done=bindparam("all_done"))
    )


async def set_all_done(db: AsyncSession, owner: Owner, list_id: int | None, done: bool) -> None:
    await db.execute(_set_all_done(list_id is None), _in(owner, list_id) | {"all_done": done})


# -- the list's own order -------------------------------------------------------------------

# Every move in a list waits for the one before it: the first statement of a move
# writes to the list's row (a no-op that takes its lock on PostgreSQL, and the write
# lock on SQLite), so positions are read and written by one move at a time.
_LOCK_LIST = (
    update(_LISTS)
    .where(_USABLE, _list.id.in_(select(_todo.list_id).where(_THE_TODO)))
    .values(name=_list.name)
    .returning(_list.id)
)


async def move_todo(
    db: AsyncSession,
    owner: Owner,
    todo_id: int,
    *,
    after: int | None = None,
    step: Literal["up", "down"] | None = None,
    filter_: Filter = "all",
) -> None:
    """Move a todo in its list's own order: right after the todo `after` (first when
    None), or one place up or down (`step`) among the todos the view shows."""
    list_id = (await db.execute(_LOCK_LIST, _the_todo(owner, todo_id))).scalar_one_or_none()
    if list_id is None:
        raise NotFound
    in_list = [
        _todo.list_id == list_id,
        _todo.deletion_id.is_(None),
        _todo.id != todo_id,
        *_matching(filter_),
    ]
    if step is not None:
        # Up: after the one two places above (or first); down: after the one below.
        ids = select(_todo.id).where(*in_list)
        if step == "up":
            above = ids.where(_past("manual", literal(todo_id), backwards=True))
            two = list(
                await db.scalars(above.order_by(*_sorted("manual", backwards=True)).limit(2))
            )
            if not two:
                return  # first already
            after = two[1] if len(two) == 2 else None
        else:
            below = ids.where(_past("manual", literal(todo_id)))
            after = await db.scalar(below.order_by(*_sorted("manual")).limit(1))
            if after is None:
                return  # last already
    position = await _position_after(db, in_list, after)
    if position is None:
        await _renumber(db, list_id)
        position = await _position_after(db, in_list, after)
        assert position is not None  # a renumbered list has room everywhere
    # Its content is unchanged, and so is its updated_at.
    moved = update(_TODOS).where(_todo.id == todo_id)
    await db.execute(moved.values(position=position, updated_at=_todo.updated_at))


async def _position_after(
    db: AsyncSession, in_list: list[ColumnElement[bool]], after: int | None
) -> int | None:
    """A free position right after the todo `after` (first: None) among `in_list`; None
    when there is no room between it and the next."""
    if after is None:
        lower = None
        upper = await db.scalar(select(func.min(_todo.position)).where(*in_list))
    else:
        row = (
            await db.execute(select(_todo.position).where(*in_list, _todo.id == after))
        ).one_or_none()
        if row is None:
            raise NotFound("That todo is no longer in this list.")
        lower = row.position
        upper = await db.scalar(
            select(_todo.position)
            .where(*in_list, _past("manual", literal(after)))
            .order_by(*_sorted("manual"))
            .limit(1)
        )
    if lower is None and upper is None:
        return POSITION_GAP
    if lower is None:
        return int(upper) - POSITION_GAP
    if upper is None:
        return int(lower) + POSITION_GAP
    middle = (int(lower) + int(upper)) // 2
    return middle if lower < middle < upper else None


async def _renumber(db: AsyncSession, list_id: int) -> None:
    """Space a list's positions evenly again, in the same order."""
    ranked = (
        select(
            _todo.id,
            func.row_number().over(order_by=_sorted("manual")).label("rank"),
        )
        .where(_todo.list_id == list_id)
        .subquery()
    )
    await db.execute(
        update(_TODOS)
        .where(_todo.id == ranked.c.id)
        .values(position=ranked.c.rank * POSITION_GAP, updated_at=_todo.updated_at),
        execution_options={"synchronize_session": False},
    )


# -- deleting, and undoing it -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deleted:
    """What a delete removed: the deletion to offer Undo for, and the todos' titles (or
    the list's name)."""

    deletion_id: int
    titles: list[str]
    # The list the todos were in, or the list deleted.
    list_id: int


@dataclass(frozen=True, slots=True)
class Restored:
    """What an Undo brought back: the todos' ids, or the list's id."""

    todo_ids: list[int]
    list_id: int | None = None


_NEW_DELETION = insert(Deletion).values(owner_id=bindparam("owner")).returning(Deletion.id)
# The row stays as it was (updated_at included), so Undo restores it exactly.
_MARK_DELETED = (
    update(_TODOS)
    .values(deletion_id=bindparam("deletion"), updated_at=_todo.updated_at)
    .returning(_todo.title, _todo.list_id)
)
_DELETE_ONE = _MARK_DELETED.where(_THE_TODO)


@cache
def _delete_completed(inbox: bool) -> Update:
    return _MARK_DELETED.where(_in_list(inbox), _todo.done.is_(True))


# A list goes with its todos: they become unreachable with it, and go for good with it.
_DELETE_LIST = (
    update(_LISTS)
    .where(_the_list(inbox=False), _list.is_inbox.is_(False))
    .values(deletion_id=bindparam("deletion"))
    .returning(_list.name, _list.id)
)
_PURGE = delete(Deletion).where(
    Deletion.owner_id == bindparam("owner"), Deletion.created_at < bindparam("before")
)


async def delete_todo(db: AsyncSession, owner: Owner, todo_id: int) -> Deleted:
    """Delete one todo, restorable with `undo_deletion` for a while."""
    deleted = await _delete(db, owner, _DELETE_ONE, _the_todo(owner, todo_id), empty=NotFound())
    assert deleted is not None  # `empty` raised otherwise
    return deleted


async def clear_completed(db: AsyncSession, owner: Owner, list_id: int | None) -> Deleted | None:
    """Delete every completed todo of a list, restorable together; None when there were none."""
    statement = _delete_completed(list_id is None)
    return await _delete(db, owner, statement, _in(owner, list_id), empty=None)


async def delete_list(db: AsyncSession, owner: Owner, list_id: int) -> Deleted:
    """Delete a list (not the Inbox) with its todos, restorable for a while."""
    parameters = _in(owner, list_id)
    deleted = await _delete(db, owner, _DELETE_LIST, parameters, empty=NotFound(NO_LIST))
    assert deleted is not None  # `empty` raised otherwise
    return deleted


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
    rows = (await db.execute(statement, parameters | {"deletion": deletion_id})).all()
    if not rows:
        # Nothing matched: take the empty deletion back (the request may still commit).
        await db.execute(delete(Deletion).where(Deletion.id == deletion_id))
        if empty is not None:
            raise empty
        return None
    return Deleted(deletion_id=deletion_id, titles=[row[0] for row in rows], list_id=rows[0][1])


# Only the person who deleted can undo, and only what they deleted.
_OWN_DELETION = select(Deletion.id).where(
    Deletion.id == bindparam("deletion"), Deletion.owner_id == bindparam("owner")
)
_RESTORE_LIST = (
    update(_LISTS)
    .where(_list.owner_id == bindparam("owner"), _list.deletion_id.in_(_OWN_DELETION))
    .values(deletion_id=None)
    .returning(_list.id)
)
_RESTORE = (
    update(_TODOS)
    .where(_todo.list_id.in_(_USABLE_LIST_IDS), _todo.deletion_id.in_(_OWN_DELETION))
    .values(deletion_id=None, updated_at=_todo.updated_at)
    .returning(_todo.id)
)
_FORGET_DELETION = delete(Deletion).where(
    Deletion.id == bindparam("deletion"), Deletion.owner_id == bindparam("owner")
)


async def undo_deletion(db: AsyncSession, owner: Owner, deletion_id: int) -> Restored:
    """Restore the list or the todos of one of the owner's deletions.

    Safe to repeat and to race: the UPDATE restores each row once, whichever request
    (or process) gets there first, and a purge that lost the race finds nothing.
    """
    if not 0 < deletion_id <= MAX_ID:
        raise NotFound(GONE)
    parameters = _mine(owner) | {"deletion": deletion_id}
    lists = list((await db.execute(_RESTORE_LIST, parameters)).scalars())
    restored = Restored(todo_ids=[], list_id=lists[0]) if lists else None
    if restored is None:
        todo_ids = list((await db.execute(_RESTORE, parameters)).scalars())
        if not todo_ids:
            raise NotFound(GONE)
        restored = Restored(todo_ids=todo_ids)
    # Only now: deleting the deletion first would take what it holds with it (cascade).
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
