"""SQL of the artifact tables: row <-> :class:`Artifact`, reads and queries, rows to write.

Reads take an open connection. Writes are built here as rows and applied by
:mod:`assay.artifacts.batch` (guarded updates first, then inserts) in shared transactions.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from assay.artifacts.models import Artifact
from assay.artifacts.provenance import ProvenanceRecord
from assay.artifacts.status import ArtifactStatus
from assay.artifacts.tables import artifact_evaluations, artifact_tags, artifacts
from assay.storage.base import iso

_LATEST = artifacts.c.is_latest == sa.true()


@dataclass
class Loaded:
    """An artifact as read, with what a guarded update needs."""

    artifact: Artifact
    row_version: int
    version_seq: int


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_iso(value: datetime) -> str:
    """UTC ISO-8601 text of an aware timestamp."""
    text = iso(value)
    assert text is not None
    return text


def row_values(artifact: Artifact, *, version_seq: int, is_latest: bool) -> dict[str, Any]:
    """The column values of one artifact version (``row_version`` starts at 1)."""
    return {
        "id": artifact.id,
        "version": artifact.version,
        "version_seq": version_seq,
        "is_latest": is_latest,
        "type": artifact.type,
        "name": artifact.name,
        "status": artifact.status.value,
        "status_reason": None,
        "content": artifact.content,
        "content_schema": artifact.content_schema,
        "provenance": artifact.provenance.to_dict(),
        "tags": list(artifact.tags),
        "rubric_ids": list(artifact.rubric_ids),
        "evaluation_ids": list(artifact.evaluation_ids),
        "meta": dict(artifact.metadata),
        "owner_id": artifact.owner_id,
        "row_version": 1,
        "created_at": _ts(artifact.created_at),
        "updated_at": _ts(artifact.updated_at),
    }


def from_row(row: sa.Row[Any]) -> Loaded:
    """Rebuild the :class:`Artifact` of one ``artifacts`` row."""
    m = row._mapping
    artifact = Artifact.trusted(
        id=m["id"],
        type=m["type"],
        name=m["name"],
        version=m["version"],
        status=ArtifactStatus(m["status"]),
        content=m["content"],
        content_schema=m["content_schema"],
        provenance=ProvenanceRecord.from_dict(m["provenance"]),
        tags=list(m["tags"]),
        rubric_ids=list(m["rubric_ids"]),
        evaluation_ids=list(m["evaluation_ids"]),
        metadata=dict(m["meta"]),
        owner_id=m["owner_id"],
        created_at=to_iso(m["created_at"]),
        updated_at=to_iso(m["updated_at"]),
    )
    return Loaded(artifact, int(m["row_version"]), int(m["version_seq"]))


def tag_rows(artifact: Artifact) -> list[dict[str, Any]]:
    """``artifact_tags`` rows of an artifact's tags (duplicates dropped)."""
    return [{"artifact_id": artifact.id, "tag": tag} for tag in dict.fromkeys(artifact.tags)]


async def load_latest(conn: AsyncConnection, artifact_id: str) -> Loaded | None:
    """The latest version of ``artifact_id``, or ``None``."""
    row = (
        await conn.execute(sa.select(artifacts).where(artifacts.c.id == artifact_id, _LATEST))
    ).first()
    return None if row is None else from_row(row)


async def load_version(conn: AsyncConnection, artifact_id: str, version: str) -> Loaded | None:
    """One version of ``artifact_id``, or ``None``."""
    row = (
        await conn.execute(
            sa.select(artifacts).where(
                artifacts.c.id == artifact_id, artifacts.c.version == version
            )
        )
    ).first()
    return None if row is None else from_row(row)


async def list_versions(conn: AsyncConnection, artifact_id: str) -> list[Artifact]:
    """Every version of ``artifact_id``, oldest first."""
    rows = await conn.execute(
        sa.select(artifacts).where(artifacts.c.id == artifact_id).order_by(artifacts.c.version_seq)
    )
    return [from_row(row).artifact for row in rows]


async def load_latest_many(conn: AsyncConnection, artifact_ids: Sequence[str]) -> dict[str, Loaded]:
    """The latest versions of ``artifact_ids`` that exist, by id."""
    out: dict[str, Loaded] = {}
    for start in range(0, len(artifact_ids), 500):
        chunk = list(artifact_ids[start : start + 500])
        rows = await conn.execute(sa.select(artifacts).where(artifacts.c.id.in_(chunk), _LATEST))
        for row in rows:
            loaded = from_row(row)
            out[loaded.artifact.id] = loaded
    return out


def copy_loaded(loaded: Loaded) -> Loaded:
    """A deep copy (the artifact's lists, dicts and provenance are not shared)."""
    return Loaded(copy.deepcopy(loaded.artifact), loaded.row_version, loaded.version_seq)


async def query_latest(
    conn: AsyncConnection,
    *,
    artifact_type: str | None,
    status: ArtifactStatus | None,
    tags: Sequence[str],
    owner_id: str | None,
    limit: int | None,
    offset: int,
) -> list[Artifact]:
    """Latest versions matching every given filter, oldest first (``created_at``, ``id``)."""
    stmt = sa.select(artifacts).where(_LATEST)
    if artifact_type is not None:
        stmt = stmt.where(artifacts.c.type == artifact_type)
    if status is not None:
        stmt = stmt.where(artifacts.c.status == status.value)
    if owner_id is not None:
        stmt = stmt.where(artifacts.c.owner_id == owner_id)
    for tag in dict.fromkeys(tags):
        stmt = stmt.where(
            sa.exists().where(
                artifact_tags.c.artifact_id == artifacts.c.id, artifact_tags.c.tag == tag
            )
        )
    stmt = stmt.order_by(artifacts.c.created_at, artifacts.c.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [from_row(row).artifact for row in await conn.execute(stmt)]


def evaluation_rows(
    artifact: Artifact, evaluations: Sequence[dict[str, Any]], *, at: datetime
) -> list[dict[str, Any]]:
    """``artifact_evaluations`` rows of one review of ``artifact`` (in the order given)."""
    return [
        {
            "id": str(e["id"]),
            "artifact_id": artifact.id,
            "artifact_version": artifact.version,
            "position": i,
            "rubric_id": str(e.get("rubric_id", "")),
            "rubric_version": str(e.get("rubric_version", "")),
            "weighted_score": float(e.get("weighted_score", 0.0)),
            "passed": bool(e.get("passed", False)),
            "evaluation": e,
            "created_at": at,
        }
        for i, e in enumerate(evaluations)
    ]


async def select_evaluations(
    conn: AsyncConnection, artifact_id: str, *, version: str | None
) -> list[dict[str, Any]]:
    """Stored evaluations of one version (or of all versions when ``version`` is None)."""
    ev = artifact_evaluations.c
    stmt = sa.select(ev.evaluation).where(ev.artifact_id == artifact_id)
    if version is not None:
        stmt = stmt.where(ev.artifact_version == version)
    stmt = stmt.order_by(ev.created_at, ev.position)
    return [dict(row[0]) for row in await conn.execute(stmt)]


__all__ = [
    "Loaded",
    "copy_loaded",
    "evaluation_rows",
    "from_row",
    "list_versions",
    "load_latest",
    "load_latest_many",
    "load_version",
    "query_latest",
    "row_values",
    "select_evaluations",
    "tag_rows",
    "to_iso",
]
