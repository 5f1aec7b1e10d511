"""search: full-text search over todos' titles and descriptions

Revision ID: 6e1f7a2b9c40
Revises: 3f8a6b0c2d19
Create Date: 2026-12-03 02:00:00

PostgreSQL: a GIN index on the English text-search vector of title and description
(webapp/models.py has the expression; queries.py searches with exactly it).

SQLite: an FTS5 table, `todos_search`, over the same two columns with the Porter
stemmer, holding no copy of the text (content='todos'), kept in step by triggers. A later
migration that rebuilds `todos` on SQLite (batch mode) drops these triggers: it must
create them again (`create_sqlite_search` below).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6e1f7a2b9c40"
down_revision: str | Sequence[str] | None = "3f8a6b0c2d19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR = "to_tsvector('english'::regconfig, (title || ' ') || coalesce(description, ''))"

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE todos_search USING fts5("
    " title, description, content='todos', content_rowid='id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER todos_search_insert AFTER INSERT ON todos BEGIN"
    " INSERT INTO todos_search (rowid, title, description)"
    " VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER todos_search_delete AFTER DELETE ON todos BEGIN"
    " INSERT INTO todos_search (todos_search, rowid, title, description)"
    " VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER todos_search_update AFTER UPDATE OF title, description ON todos BEGIN"
    " INSERT INTO todos_search (todos_search, rowid, title, description)"
    " VALUES ('delete', old.id, old.title, old.description);"
    " INSERT INTO todos_search (rowid, title, description)"
    " VALUES (new.id, new.title, new.description); END",
    # The todos there are already.
    "INSERT INTO todos_search (todos_search) VALUES ('rebuild')",
]


def create_sqlite_search() -> None:
    for statement in SQLITE_SEARCH:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        create_sqlite_search()
    else:
        op.execute(f"CREATE INDEX ix_todos_search ON todos USING gin ({SEARCH_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER todos_search_{trigger}")
        op.execute("DROP TABLE todos_search")
    else:
        op.execute("DROP INDEX ix_todos_search")
