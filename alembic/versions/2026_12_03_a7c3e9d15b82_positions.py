"""positions: each list's own order (todos.position)

Revision ID: a7c3e9d15b82
Revises: 6e1f7a2b9c40
Create Date: 2026-12-03 02:30:00

A todo's place in its list when the person orders it by hand. Existing todos keep their
order (oldest first), spaced so that moves find room between them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9d15b82"
down_revision: str | Sequence[str] | None = "6e1f7a2b9c40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The gap between neighbours (webapp/queries.py, POSITION_GAP).
GAP = 1024


def upgrade() -> None:
    op.add_column(
        "todos", sa.Column("position", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.execute(f"UPDATE todos SET position = id * {GAP}")  # noqa: S608 - a constant
    op.create_index("ix_todos_list_id_position", "todos", ["list_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_todos_list_id_position", table_name="todos")
    # Not batch mode on SQLite: rebuilding `todos` would drop the search triggers.
    op.drop_column("todos", "position")
