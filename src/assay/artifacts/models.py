"""The :class:`Artifact`: a versioned, provenance-tracked work product (seed 000, "Artifact").

Example:
    >>> from assay.artifacts.provenance import create_provenance
    >>> a = Artifact(type="content", name="Questions", content={"questions": ["Q1"]},
    ...              provenance=create_provenance("bot:edubot", "generator"))
    >>> a.id.startswith("art_"), a.version, a.status.value, a.is_reviewable
    (True, '1.0.0', 'draft', True)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from assay.artifacts import fields as f
from assay.artifacts.errors import ArtifactValidationError
from assay.artifacts.provenance import ProvenanceRecord
from assay.artifacts.status import REVIEWABLE_STATUSES, ArtifactStatus, coerce_status
from assay.storage.base import new_id


def new_artifact_id() -> str:
    """A fresh artifact id, ``art_`` + 32 hex digits."""
    return new_id("art")


@dataclass
class Artifact:
    """A versioned work product with provenance.

    Attributes:
        id: Unique id, ``art_`` prefix (auto). All versions of an artifact share it.
        type: Extensible type string (``"content"``, ``"config"``, ``"assessment"``...).
        name: Human-readable name.
        version: Semantic version ``MAJOR.MINOR.PATCH`` (``"1.0.0"``).
        status: Lifecycle status (a value string is converted).
        content: The content (JSON object).
        content_schema: JSON Schema id for the content, if any.
        provenance: Full provenance record.
        tags: Searchable tags.
        rubric_ids: Ids of the rubrics ``submit_for_review`` runs.
        evaluation_ids: Ids of the evaluations of this version, oldest first.
        metadata: Cross-cutting context (tenant, correlation id...), JSON object.
        owner_id: Id of the owning user (the HTTP API's per-user scope), or ``None``.
        created_at: Creation time of this version, UTC ISO-8601.
        updated_at: Last change of this version, UTC ISO-8601.

    Raises:
        ArtifactValidationError: On a field of the wrong type or form, naming it.
    """

    id: str = field(default_factory=new_artifact_id)
    type: str = "content"
    name: str = ""
    version: str = "1.0.0"
    status: ArtifactStatus = ArtifactStatus.DRAFT
    content: dict[str, Any] = field(default_factory=dict)
    content_schema: str | None = None
    provenance: ProvenanceRecord = field(default_factory=ProvenanceRecord)
    tags: list[str] = field(default_factory=list)
    rubric_ids: list[str] = field(default_factory=list)
    evaluation_ids: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    owner_id: str | None = None
    created_at: str = field(default_factory=f.now_iso)
    updated_at: str = field(default_factory=f.now_iso)

    def __post_init__(self) -> None:
        f.text("id", self.id, empty=False)
        f.text("type", self.type, empty=False)
        f.text("name", self.name)
        f.semver("version", self.version)
        self.status = coerce_status(self.status)
        f.json_object("content", self.content)
        f.opt_text("content_schema", self.content_schema)
        if not isinstance(self.provenance, ProvenanceRecord):
            raise ArtifactValidationError("provenance", "must be a ProvenanceRecord")
        f.text_list("tags", self.tags)
        f.text_list("rubric_ids", self.rubric_ids)
        f.text_list("evaluation_ids", self.evaluation_ids)
        f.json_object("metadata", self.metadata)
        f.opt_text("owner_id", self.owner_id)

    def evolve(self, **changes: Any) -> Artifact:
        """A shallow copy with ``changes`` applied, skipping validation.

        For the registry's internal state changes (status, timestamps, evaluation ids), whose
        values are built by the registry itself; use the constructor for outside input.
        """
        out = copy.copy(self)
        out.__dict__.update(changes)
        return out

    @classmethod
    def trusted(cls, **fields: Any) -> Artifact:
        """An artifact from already-validated fields (rows the registry wrote), unchecked."""
        out = cls.__new__(cls)
        out.__dict__.update(fields)
        return out

    @property
    def is_approved(self) -> bool:
        """``True`` if the status is ``APPROVED``."""
        return self.status is ArtifactStatus.APPROVED

    @property
    def is_reviewable(self) -> bool:
        """``True`` if the status is ``DRAFT``, ``PENDING_REVIEW`` or ``NEEDS_REVISION``."""
        return self.status in REVIEWABLE_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``status`` as its value, ``provenance`` as a dict)."""
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "version": self.version,
            "status": self.status.value,
            "content": self.content,
            "content_schema": self.content_schema,
            "provenance": self.provenance.to_dict(),
            "tags": list(self.tags),
            "rubric_ids": list(self.rubric_ids),
            "evaluation_ids": list(self.evaluation_ids),
            "metadata": dict(self.metadata),
            "owner_id": self.owner_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Artifact:
        """Rebuild an artifact from :meth:`to_dict` output (missing keys take defaults).

        Raises:
            ArtifactValidationError: Naming the field, e.g. ``"provenance.sources[0].source_id"``.
        """
        if not isinstance(data, dict):
            raise ArtifactValidationError("artifact", "must be an object (mapping)")
        try:
            provenance = ProvenanceRecord.from_dict(data.get("provenance") or {})
        except ArtifactValidationError as exc:
            raise exc.prefixed("provenance") from None
        now = f.now_iso()
        return cls(
            id=data.get("id") or new_artifact_id(),
            type=data.get("type", "content"),
            name=data.get("name", ""),
            version=data.get("version", "1.0.0"),
            status=data.get("status", ArtifactStatus.DRAFT),
            content=data.get("content", {}),
            content_schema=data.get("content_schema"),
            provenance=provenance,
            tags=_copied(data.get("tags", [])),
            rubric_ids=_copied(data.get("rubric_ids", [])),
            evaluation_ids=_copied(data.get("evaluation_ids", [])),
            metadata=_copied(data.get("metadata") or {}),
            owner_id=data.get("owner_id"),
            created_at=data.get("created_at", now),
            updated_at=data.get("updated_at", now),
        )


def _copied(value: Any) -> Any:
    """A shallow copy of a list or dict (anything else as is, for validation to judge)."""
    if isinstance(value, list):
        return list(value)
    return dict(value) if isinstance(value, dict) else value


__all__ = ["Artifact", "new_artifact_id"]
