"""due dates and time zones: todos.due_on, users.time_zone

Revision ID: 9c4d2e6f1a37
Revises: 5b2e7c91d4a0
Create Date: 2026-12-03 01:00:00

A todo may be due on a day; "today" is the person's, in their time zone (UTC for the
accounts that exist, until they choose theirs on the account page).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4d2e6f1a37"
down_revision: str | Sequence[str] | None = "5b2e7c91d4a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False),
    )
    op.add_column("todos", sa.Column("due_on", sa.Date(), nullable=True))
    op.create_index("ix_todos_list_id_due_on", "todos", ["list_id", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_todos_list_id_due_on", table_name="todos")
    table_kwargs = {"sqlite_autoincrement": True} if op.get_bind().dialect.name == "sqlite" else {}
    with op.batch_alter_table("todos", table_kwargs=table_kwargs) as batch_op:
        batch_op.drop_column("due_on")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("time_zone")
