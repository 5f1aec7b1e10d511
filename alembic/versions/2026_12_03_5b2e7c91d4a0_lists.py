"""lists: an Inbox for every account, and todos belong to a list

Revision ID: 5b2e7c91d4a0
Revises: 8d1f0c2a7b3e
Create Date: 2026-12-03 01:00:00

Every existing user gets an Inbox holding all their todos; a todo then belongs to a
list (`list_id`) instead of a user (`owner_id`), so that access to a todo is decided by
its list. Downgrading gives each todo back to its list's owner; lists other than the
Inbox are forgotten (their todos stay, with their owner).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b2e7c91d4a0"
down_revision: str | Sequence[str] | None = "8d1f0c2a7b3e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "lists",
        sa.Column("id", BigId, nullable=False),
        sa.Column("owner_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_inbox", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("deletion_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["deletion_id"],
            ["deletions.id"],
            name=op.f("fk_lists_deletion_id_deletions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_lists_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_lists_owner_id"), "lists", ["owner_id"])
    op.create_index(op.f("ix_lists_deletion_id"), "lists", ["deletion_id"])
    op.create_index(
        "uq_lists_owner_id_inbox",
        "lists",
        ["owner_id"],
        unique=True,
        sqlite_where=sa.text("is_inbox"),
        postgresql_where=sa.text("is_inbox"),
    )
    # Moving the data: an Inbox for every user, holding every todo they have.
    op.execute("INSERT INTO lists (owner_id, name, is_inbox) SELECT id, 'Inbox', true FROM users")
    op.add_column("todos", sa.Column("list_id", BigId, nullable=True))
    op.execute(
        "UPDATE todos SET list_id = (SELECT lists.id FROM lists"
        " WHERE lists.owner_id = todos.owner_id AND lists.is_inbox)"
    )
    table_kwargs = {"sqlite_autoincrement": True} if _sqlite() else {}
    with op.batch_alter_table("todos", table_kwargs=table_kwargs) as batch_op:
        batch_op.alter_column("list_id", existing_type=BigId, nullable=False)
        batch_op.drop_index("ix_todos_owner_id_id")
        batch_op.drop_constraint("fk_todos_owner_id_users", type_="foreignkey")
        batch_op.drop_column("owner_id")
        batch_op.create_foreign_key(
            batch_op.f("fk_todos_list_id_lists"), "lists", ["list_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_todos_list_id_id", ["list_id", "id"])


def downgrade() -> None:
    # Lists waiting in a deletion were deleted as far as their owner knows: purge them
    # (and their todos, by cascade) rather than bring them back.
    op.execute(
        "DELETE FROM todos WHERE list_id IN (SELECT id FROM lists WHERE deletion_id IS NOT NULL)"
    )
    op.add_column("todos", sa.Column("owner_id", BigId, nullable=True))
    op.execute(
        "UPDATE todos SET owner_id ="
        " (SELECT lists.owner_id FROM lists WHERE lists.id = todos.list_id)"
    )
    table_kwargs = {"sqlite_autoincrement": True} if _sqlite() else {}
    with op.batch_alter_table("todos", table_kwargs=table_kwargs) as batch_op:
        batch_op.alter_column("owner_id", existing_type=BigId, nullable=False)
        batch_op.drop_index("ix_todos_list_id_id")
        batch_op.drop_constraint("fk_todos_list_id_lists", type_="foreignkey")
        batch_op.drop_column("list_id")
        batch_op.create_foreign_key(
            "fk_todos_owner_id_users", "users", ["owner_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_todos_owner_id_id", ["owner_id", "id"])
    op.drop_index("uq_lists_owner_id_inbox", table_name="lists")
    op.drop_index(op.f("ix_lists_deletion_id"), table_name="lists")
    op.drop_index(op.f("ix_lists_owner_id"), table_name="lists")
    op.drop_table("lists")
