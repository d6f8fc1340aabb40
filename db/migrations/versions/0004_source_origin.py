"""who registered a canonical source: sources.origin ("annotator" or "suggestion")

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One added column with a server default: a plain ALTER TABLE ... ADD COLUMN on both
    # engines (no table copy), so no stored row changes. Every source registered before
    # this revision is kept as a person's ("annotator"): nothing recorded which ones only a
    # suggestion made, and none may vanish from the registry.
    op.add_column(
        "sources",
        sa.Column("origin", sa.String(length=16), nullable=False, server_default="annotator"),
    )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("origin")
