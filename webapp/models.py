"""The tables, as typed ORM classes. Queries live in `queries.py`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, BigId, UTCDateTime

TITLE_MAX_LENGTH = 200
LIST_NAME_MAX_LENGTH = 100
LABEL_MAX_LENGTH = 50
INBOX = "Inbox"
DESCRIPTION_MAX_LENGTH = 5000
EMAIL_MAX_LENGTH = 254
TIME_ZONE_MAX_LENGTH = 64


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Stored normalised (trimmed, lower-case), so a plain unique constraint makes
    # addresses unique case-insensitively on every backend.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # An IANA name ("Europe/Paris"): what "today" is for this person.
    time_zone: Mapped[str] = mapped_column(String(TIME_ZONE_MAX_LENGTH), server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    # lazy="raise": an unplanned load in async code is a bug to fix, not a slow page.
    lists: Mapped[list[TodoList]] = relationship(
        back_populates="owner", lazy="raise", passive_deletes=True
    )
    login_sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", lazy="raise", passive_deletes=True
    )


class Deletion(Base):
    """What was deleted together (a todo, "Clear completed", a list with its todos),
    kept for a while to undo.

    A deleted todo or list keeps its row, with its id (a todo's place in the list) and
    its values, and points here; undoing clears the pointer. Purging a deletion deletes
    its todos and lists (ON DELETE CASCADE).
    """

    __tablename__ = "deletions"
    # Never reuse an id on SQLite (its default is the highest id plus one): an Undo link
    # of a purged deletion must not undo a newer one.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class TodoList(Base):
    """A list of todos. Whoever may use a list may use its todos: access to a todo is
    decided by its list (`queries.py`), so sharing a list will share its todos.

    Every account has exactly one Inbox (`/`), made with the account; it can't be
    renamed or deleted.
    """

    __tablename__ = "lists"
    __table_args__ = (
        Index(
            "uq_lists_owner_id_inbox",
            "owner_id",
            unique=True,
            sqlite_where=text("is_inbox"),
            postgresql_where=text("is_inbox"),
        ),
        # Ids never reused on SQLite, as for todos: an old link must not open a newer list.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(LIST_NAME_MAX_LENGTH))
    is_inbox: Mapped[bool] = mapped_column(server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # Set while the list is deleted but can still be restored (see Deletion).
    deletion_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("deletions.id", ondelete="CASCADE"), index=True
    )

    owner: Mapped[User] = relationship(back_populates="lists", lazy="raise")


class Todo(Base):
    __tablename__ = "todos"
    # Every list query filters by list and walks the primary key in order. On SQLite,
    # ids are never reused (its default is the highest id plus one): a page still showing
    # a purged todo must not act on a newer one that took its id.
    __table_args__ = (
        Index("ix_todos_list_id_id", "list_id", "id"),
        # Today and Upcoming: a person's todos by due date, list by list.
        Index("ix_todos_list_id_due_on", "list_id", "due_on"),
        # A list in its own order (manual).
        Index("ix_todos_list_id_position", "list_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_id: Mapped[int] = mapped_column(BigId, ForeignKey("lists.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(server_default=false())
    # Its place in its list's own order (the "manual" order): smaller first, ties by id.
    # New todos go last; moves take the middle of a gap (queries.py, `move_todo`).
    position: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # A day, not an instant: due "on 7 December" wherever the person is.
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )

    # Set while the todo is deleted but can still be restored (see Deletion).
    deletion_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("deletions.id", ondelete="CASCADE"), index=True
    )

    todo_list: Mapped[TodoList] = relationship(lazy="raise")
    labels: Mapped[list[TodoLabel]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by="TodoLabel.name"
    )


# Full-text search on PostgreSQL: English stemming ("running" finds "run") over the title
# and the description, in a GIN index of this very expression (`ix_todos_search`, made
# by the search migration, as SQLite's FTS5 table is), which `queries.py` searches with.
# Written with constants, not parameters: the planner uses an expression index only for
# the same expression.
SEARCH_CONFIG = text("'english'::regconfig")
SEARCH_VECTOR = func.to_tsvector(
    SEARCH_CONFIG,
    Todo.title.op("||")(text("' '")).op("||")(func.coalesce(Todo.description, text("''"))),
)


class TodoLabel(Base):
    """A label on a todo: a word to show on it and to find it by (`/labels/{name}`).

    Labels are words on todos, not things of their own: whoever may see a todo (through
    its list) sees its labels, and finds it by them. A name holds no comma: a row's
    labels travel as one comma-joined column (`queries.py`).
    """

    __tablename__ = "todo_labels"
    # A label's page: its todos, by name.
    __table_args__ = (Index("ix_todo_labels_name_todo_id", "name", "todo_id"),)

    todo_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("todos.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(LABEL_MAX_LENGTH), primary_key=True)


class LoginSession(Base):
    """A server-side login session; the browser holds only the random token."""

    __tablename__ = "login_sessions"

    # SHA-256 of the cookie's token: a leaked table can't be replayed as cookies.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    user: Mapped[User] = relationship(back_populates="login_sessions", lazy="raise")


class ThrottleCounter(Base):
    """Failed password checks for one key (an account or a client address) in a window.

    Used when Redis isn't configured; every app process shares it through the database.
    """

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int]
