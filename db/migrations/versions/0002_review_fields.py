"""review fields on annotations and a change-log index by entity

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Only additions: nullable columns and an index, so no stored row changes.
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_annotations_reviewed_by_annotators"),
            "annotators",
            ["reviewed_by"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index("ix_change_log_entity_entity_id", ["entity", "entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_entity_entity_id")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_annotations_reviewed_by_annotators"), type_="foreignkey"
        )
        batch_op.drop_column("note")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
