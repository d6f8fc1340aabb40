"""indexes for the review table: annotations by (label, id) and (status, id)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Indexes only: no table is rebuilt and no row changes.
    op.create_index("ix_annotations_label_id", "annotations", ["label", "id"], unique=False)
    op.create_index("ix_annotations_status_id", "annotations", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_annotations_status_id", table_name="annotations")
    op.drop_index("ix_annotations_label_id", table_name="annotations")
