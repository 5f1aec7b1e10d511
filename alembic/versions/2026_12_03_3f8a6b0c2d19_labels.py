"""labels: words on todos (todo_labels)

Revision ID: 3f8a6b0c2d19
Revises: 9c4d2e6f1a37
Create Date: 2026-12-03 01:30:00

A todo has any number of labels; a label is a name on a todo, found by name across the
lists a person may use.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f8a6b0c2d19"
down_revision: str | Sequence[str] | None = "9c4d2e6f1a37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "todo_labels",
        sa.Column("todo_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["todo_id"], ["todos.id"], name=op.f("fk_todo_labels_todo_id_todos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("todo_id", "name", name=op.f("pk_todo_labels")),
    )
    op.create_index("ix_todo_labels_name_todo_id", "todo_labels", ["name", "todo_id"])


def downgrade() -> None:
    op.drop_index("ix_todo_labels_name_todo_id", table_name="todo_labels")
    op.drop_table("todo_labels")
