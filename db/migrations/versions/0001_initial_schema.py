"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 19:56:59.719253
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_documents_content_hash")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_id", ["id"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("source_type", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "sentences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint('start >= 0 AND start < "end"', name=op.f("ck_sentences_span")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_sentences_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentences")),
        sa.UniqueConstraint("document_id", "index", name=op.f("uq_sentences_document_id_index")),
    )
    op.create_table(
        "source_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_aliases_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_aliases")),
        sa.UniqueConstraint("source_id", "alias", name=op.f("uq_source_aliases_source_id_alias")),
    )
    with op.batch_alter_table("source_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_aliases_alias"), ["alias"], unique=False)

    op.create_table(
        "annotators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sentence_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["last_sentence_id"],
            ["sentences.id"],
            name=op.f("fk_annotators_last_sentence_id_sentences"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotators")),
        sa.UniqueConstraint("name", name=op.f("uq_annotators_name")),
    )
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sentence_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("doc_start", sa.Integer(), nullable=False),
        sa.Column("doc_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("figure_value", sa.Float(), nullable=True),
        sa.Column("figure_unit", sa.String(length=100), nullable=True),
        sa.Column("figure_qualifier", sa.String(length=100), nullable=True),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "label IN ('claim', 'source', 'figure')", name=op.f("ck_annotations_label")
        ),
        sa.CheckConstraint(
            "origin IN ('manual', 'suggested', 'imported')", name=op.f("ck_annotations_origin")
        ),
        sa.CheckConstraint(
            "status IN ('suggested', 'accepted', 'rejected')", name=op.f("ck_annotations_status")
        ),
        sa.CheckConstraint(
            "doc_start >= 0 AND doc_start < doc_end", name=op.f("ck_annotations_doc_span")
        ),
        sa.CheckConstraint('start >= 0 AND start < "end"', name=op.f("ck_annotations_span")),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name=op.f("fk_annotations_annotator_id_annotators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_annotations_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sentence_id"],
            ["sentences.id"],
            name=op.f("fk_annotations_sentence_id_sentences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_annotations_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
        sa.UniqueConstraint(
            "sentence_id",
            "annotator_id",
            "label",
            "start",
            "end",
            name=op.f("uq_annotations_sentence_id_annotator_id_label_start_end"),
        ),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotations_annotator_document", ["annotator_id", "document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_annotations_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_annotations_sentence_id"), ["sentence_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_annotations_source_id"), ["source_id"], unique=False)

    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reverts_group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name=op.f("fk_change_log_annotator_id_annotators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_log_annotator_id_group_id", ["annotator_id", "group_id"], unique=False
        )

    op.create_table(
        "sentence_states",
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("sentence_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('done', 'skipped')", name=op.f("ck_sentence_states_state")),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name=op.f("fk_sentence_states_annotator_id_annotators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sentence_id"],
            ["sentences.id"],
            name=op.f("fk_sentence_states_sentence_id_sentences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("annotator_id", "sentence_id", name=op.f("pk_sentence_states")),
    )
    with op.batch_alter_table("sentence_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sentence_states_sentence_id"), ["sentence_id"], unique=False
        )

    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("type IN ('attributed_to', 'supports')", name=op.f("ck_links_type")),
        sa.CheckConstraint("from_id <> to_id", name=op.f("ck_links_not_self")),
        sa.ForeignKeyConstraint(
            ["from_id"],
            ["annotations.id"],
            name=op.f("fk_links_from_id_annotations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_id"],
            ["annotations.id"],
            name=op.f("fk_links_to_id_annotations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("from_id", "to_id", "type", name=op.f("uq_links_from_id_to_id_type")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_from_id"), ["from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_to_id"), ["to_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_to_id"))
        batch_op.drop_index(batch_op.f("ix_links_from_id"))

    op.drop_table("links")
    with op.batch_alter_table("sentence_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sentence_states_sentence_id"))

    op.drop_table("sentence_states")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_annotator_id_group_id")

    op.drop_table("change_log")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotations_source_id"))
        batch_op.drop_index(batch_op.f("ix_annotations_sentence_id"))
        batch_op.drop_index(batch_op.f("ix_annotations_document_id"))
        batch_op.drop_index("ix_annotations_annotator_document")

    op.drop_table("annotations")
    op.drop_table("annotators")
    with op.batch_alter_table("source_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_aliases_alias"))

    op.drop_table("source_aliases")
    op.drop_table("sentences")
    op.drop_table("sources")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_id")

    op.drop_table("documents")
