"""deletions: deleted todos kept for undo

Revision ID: 8d1f0c2a7b3e
Revises: 63e62f298287
Create Date: 2026-12-02 15:00:00

A deleted todo keeps its row and points at the deletion it belongs to, so Undo can
restore it exactly (its id, and so its place in the list, and every value); purging a
deletion deletes its todos by cascade. Existing todos are not deleted: NULL. On SQLite,
todo and deletion ids are no longer reused (AUTOINCREMENT).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d1f0c2a7b3e"
down_revision: str | Sequence[str] | None = "63e62f298287"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "deletions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("owner_id", BigId, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_deletions_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletions")),
        # SQLite: ids never reused, so an old Undo link can't undo a newer deletion.
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_deletions_owner_id"), "deletions", ["owner_id"], unique=False)
    # On SQLite the table is rebuilt anyway (batch mode); it comes back with AUTOINCREMENT,
    # so a purged todo's id is never given to a new one.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "todos", table_kwargs={"sqlite_autoincrement": True} if sqlite else {}
    ) as batch_op:
        batch_op.add_column(sa.Column("deletion_id", BigId, nullable=True))
        batch_op.create_index(batch_op.f("ix_todos_deletion_id"), ["deletion_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_todos_deletion_id_deletions"),
            "deletions",
            ["deletion_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    # Todos waiting in a deletion were deleted as far as their owner knows: purge them
    # rather than bring them back.
    op.execute("DELETE FROM todos WHERE deletion_id IS NOT NULL")
    with op.batch_alter_table("todos") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_todos_deletion_id_deletions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_todos_deletion_id"))
        batch_op.drop_column("deletion_id")
    op.drop_index(op.f("ix_deletions_owner_id"), table_name="deletions")
    op.drop_table("deletions")
