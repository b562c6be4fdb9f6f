"""Artifacts: versioned artifact rows, their tags, their stored rubric evaluations.

Revision ID: 0003_artifacts
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_artifacts"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def ts(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("version_seq", sa.Integer, nullable=False),
        sa.Column("is_latest", sa.Boolean, nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.Column("content", JSON, nullable=False),
        sa.Column("content_schema", sa.String(500), nullable=True),
        sa.Column("provenance", JSON, nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("rubric_ids", JSON, nullable=False),
        sa.Column("evaluation_ids", JSON, nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("row_version", sa.Integer, nullable=False, server_default="1"),
        ts("created_at"),
        ts("updated_at"),
        sa.PrimaryKeyConstraint("id", "version", name="pk_artifacts"),
    )
    op.create_index(
        "uq_artifacts_latest",
        "artifacts",
        ["id"],
        unique=True,
        sqlite_where=sa.text("is_latest"),
        postgresql_where=sa.text("is_latest"),
    )
    op.create_index("ix_artifacts_type_status", "artifacts", ["type", "status"])
    op.create_index("ix_artifacts_owner_id", "artifacts", ["owner_id"])
    op.create_table(
        "artifact_tags",
        sa.Column("artifact_id", sa.String(64), nullable=False),
        sa.Column("tag", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("artifact_id", "tag", name="pk_artifact_tags"),
    )
    op.create_index("ix_artifact_tags_tag", "artifact_tags", ["tag"])
    op.create_table(
        "artifact_evaluations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("artifact_id", sa.String(64), nullable=False),
        sa.Column("artifact_version", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("rubric_id", sa.String(200), nullable=False),
        sa.Column("rubric_version", sa.String(32), nullable=False),
        sa.Column("weighted_score", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("evaluation", JSON, nullable=False),
        ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_artifact_evaluations"),
    )
    op.create_index(
        "ix_artifact_evaluations_artifact",
        "artifact_evaluations",
        ["artifact_id", "artifact_version"],
    )


def downgrade() -> None:
    op.drop_index("ix_artifact_evaluations_artifact", table_name="artifact_evaluations")
    op.drop_table("artifact_evaluations")
    op.drop_index("ix_artifact_tags_tag", table_name="artifact_tags")
    op.drop_table("artifact_tags")
    op.drop_index("ix_artifacts_owner_id", table_name="artifacts")
    op.drop_index("ix_artifacts_type_status", table_name="artifacts")
    op.drop_index("uq_artifacts_latest", table_name="artifacts")
    op.drop_table("artifacts")
