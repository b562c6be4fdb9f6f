"""Tables of rubrics: immutable versions, the latest-version pointer, the evaluation cache.

``rubric_versions`` holds one row per (owner, rubric id, version) and is never updated.
``rubrics`` holds the latest-version pointer of each (owner, rubric id); ``row_version`` is the
optimistic-lock counter checked by every ``UPDATE`` of the pointer. ``owner_id`` is the id of
the user who created the rubric, or ``""`` for rubrics owned by the system (config, code).
"""

import sqlalchemy as sa

from assay.storage.base import JSONType, UTCDateTime, metadata

rubrics = sa.Table(
    "rubrics",
    metadata,
    sa.Column("owner_id", sa.String(64), primary_key=True),
    sa.Column("rubric_id", sa.String(200), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("target_type", sa.String(200), nullable=False),
    sa.Column("row_version", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_rubrics_owner_target_type", "owner_id", "target_type"),
)

rubric_versions = sa.Table(
    "rubric_versions",
    metadata,
    sa.Column("owner_id", sa.String(64), primary_key=True),
    sa.Column("rubric_id", sa.String(200), primary_key=True),
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("content", JSONType, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

rubric_evaluation_cache = sa.Table(
    "rubric_evaluation_cache",
    metadata,
    sa.Column("cache_key", sa.String(64), primary_key=True),
    sa.Column("rubric_id", sa.String(200), nullable=False),
    sa.Column("rubric_version", sa.String(64), nullable=False),
    sa.Column("evaluation", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

__all__ = ["rubric_evaluation_cache", "rubric_versions", "rubrics"]
