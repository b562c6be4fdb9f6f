"""Tables of artifacts (one row per version), their tags and their stored evaluations.

``artifacts`` keeps every version of an artifact under the shared ``id``; the newest has
``is_latest`` true (a partial unique index allows one such row per id). ``row_version`` is
the optimistic-concurrency counter: every UPDATE says ``WHERE row_version = <the one read>``
and bumps it, so of two writers that read the same row only the first one changes it.
"""

import sqlalchemy as sa

from assay.storage.base import JSONType, UTCDateTime, metadata

artifacts = sa.Table(
    "artifacts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(32), primary_key=True),
    sa.Column("version_seq", sa.Integer, nullable=False),
    sa.Column("is_latest", sa.Boolean, nullable=False),
    sa.Column("type", sa.String(200), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("status_reason", sa.Text, nullable=True),
    sa.Column("content", JSONType, nullable=False),
    sa.Column("content_schema", sa.String(500), nullable=True),
    sa.Column("provenance", JSONType, nullable=False),
    sa.Column("tags", JSONType, nullable=False),
    sa.Column("rubric_ids", JSONType, nullable=False),
    sa.Column("evaluation_ids", JSONType, nullable=False),
    sa.Column("meta", JSONType, nullable=False),
    sa.Column("owner_id", sa.String(64), nullable=True),
    sa.Column("row_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index(
        "uq_artifacts_latest",
        "id",
        unique=True,
        sqlite_where=sa.text("is_latest"),
        postgresql_where=sa.text("is_latest"),
    ),
    sa.Index("ix_artifacts_type_status", "type", "status"),
    sa.Index("ix_artifacts_owner_id", "owner_id"),
)

artifact_tags = sa.Table(
    "artifact_tags",
    metadata,
    sa.Column("artifact_id", sa.String(64), primary_key=True),
    sa.Column("tag", sa.String(200), primary_key=True),
    sa.Index("ix_artifact_tags_tag", "tag"),
)

artifact_evaluations = sa.Table(
    "artifact_evaluations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("artifact_id", sa.String(64), nullable=False),
    sa.Column("artifact_version", sa.String(32), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("rubric_id", sa.String(200), nullable=False),
    sa.Column("rubric_version", sa.String(32), nullable=False),
    sa.Column("weighted_score", sa.Float, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("evaluation", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_artifact_evaluations_artifact", "artifact_id", "artifact_version"),
)

__all__ = ["artifact_evaluations", "artifact_tags", "artifacts"]
