"""Rubrics: immutable rubric versions, latest-version pointers, the evaluation cache.

Revision ID: 0002_rubrics
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002_rubrics"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def ts(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "rubrics",
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("rubric_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("target_type", sa.String(200), nullable=False),
        sa.Column("row_version", sa.Integer, nullable=False),
        ts("created_at"),
        ts("updated_at"),
        sa.PrimaryKeyConstraint("owner_id", "rubric_id", name="pk_rubrics"),
    )
    op.create_index("ix_rubrics_owner_target_type", "rubrics", ["owner_id", "target_type"])
    op.create_table(
        "rubric_versions",
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("rubric_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        ts("created_at"),
        sa.PrimaryKeyConstraint("owner_id", "rubric_id", "version", name="pk_rubric_versions"),
    )
    op.create_table(
        "rubric_evaluation_cache",
        sa.Column("cache_key", sa.String(64), nullable=False),
        sa.Column("rubric_id", sa.String(200), nullable=False),
        sa.Column("rubric_version", sa.String(64), nullable=False),
        sa.Column("evaluation", JSON, nullable=False),
        ts("created_at"),
        sa.PrimaryKeyConstraint("cache_key", name="pk_rubric_evaluation_cache"),
    )


def downgrade() -> None:
    op.drop_table("rubric_evaluation_cache")
    op.drop_table("rubric_versions")
    op.drop_index("ix_rubrics_owner_target_type", table_name="rubrics")
    op.drop_table("rubrics")
