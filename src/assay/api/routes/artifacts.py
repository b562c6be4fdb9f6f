"""Artifact routes: create, read, versions, query, revise, status, review, evaluations, provenance.

Artifacts belong to the user who created them; another user's artifact answers 404. Errors
name the field and the rule: 422 for bad input, 404 for an unknown artifact or version, 409
for a transition the table forbids (``invalid_transition``), an approval the type's rules
forbid (``approval_required``) or a concurrent change that won (``conflict``; send
``expected_version`` to detect stale writes).

Reviews use the caller's rubrics, then the system rubrics (owner ``""``), run
deterministically (no LLM: LLM-scored criteria leave the review incomplete, so the artifact
waits ``in_review``). Artifact type definitions come from the YAML file named by
``ASSAY_ARTIFACT_TYPES_FILE`` (see :func:`assay.artifacts.load_type_definitions`), if set.

==========  =========================================  ============================================
Method      Path                                       Answer
==========  =========================================  ============================================
POST        /api/artifacts                             201 the artifact
GET         /api/artifacts?artifact_type&status&tags   ``{"artifacts", "count"}`` (latest versions)
GET         /api/artifacts/{id}                        the latest version
GET         /api/artifacts/{id}/versions               ``{"artifact_id", "versions"}``
GET         /api/artifacts/{id}/versions/{version}     that version
POST        /api/artifacts/{id}/revise                 201 the new version
POST        /api/artifacts/{id}/status                 the artifact after the change
POST        /api/artifacts/{id}/review                 ``{"artifact", "evaluations"}``
GET         /api/artifacts/{id}/evaluations            ``{"artifact_id", "evaluations"}``
GET         /api/artifacts/{id}/provenance             ``{"artifact_id", "version", "provenance"}``
GET         /api/artifacts/{id}/provenance/markdown    ``text/markdown`` provenance, last evaluation
==========  =========================================  ============================================
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assay.api.deps import CurrentUser, DatabaseDep, LimitQuery, OffsetQuery, RubricFunctionsDep
from assay.api.errors import ApiError
from assay.api.limits import MAX_CONTENT_BYTES, bounded_json
from assay.artifacts import (
    ApprovalRequiredError,
    Artifact,
    ArtifactConflictError,
    ArtifactNotFoundError,
    ArtifactRegistry,
    ArtifactStatus,
    ArtifactTypeDefinition,
    ArtifactValidationError,
    InvalidTransitionError,
    ProvenanceRecord,
    ReviewSetupError,
    artifact_report,
    load_type_definitions,
)
from assay.config import Settings
from assay.rubrics import FunctionRegistry, Rubric, RubricExecutor, RubricRegistry
from assay.storage import Database

router = APIRouter(prefix="/api/artifacts", tags=["artifacts"])

#: Environment variable naming a YAML file of artifact type definitions.
ARTIFACT_TYPES_ENV = "ASSAY_ARTIFACT_TYPES_FILE"

#: Artifact content: a JSON object of at most 512 KiB (:mod:`assay.api.limits`).
Content = Annotated[dict[str, Any], AfterValidator(bounded_json(MAX_CONTENT_BYTES))]


class CreateArtifactBody(BaseModel):
    """Body of ``POST /api/artifacts``."""

    model_config = ConfigDict(extra="forbid")

    artifact_type: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=500)
    content: Content
    tags: list[str] = Field(default_factory=list)
    rubric_ids: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    provenance: dict[str, Any] | None = None
    """A ``ProvenanceRecord.to_dict()``; default ``created_by="user:<name>"``, ``"manual"``."""


class ReviseBody(BaseModel):
    """Body of ``POST /api/artifacts/{id}/revise``."""

    model_config = ConfigDict(extra="forbid")

    content: Content
    reason: str = Field(default="", max_length=2000)
    expected_version: str | None = None


class StatusBody(BaseModel):
    """Body of ``POST /api/artifacts/{id}/status``."""

    model_config = ConfigDict(extra="forbid")

    status: ArtifactStatus
    reason: str | None = Field(default=None, max_length=2000)
    expected_version: str | None = None


class _OwnedRubrics:
    """The caller's rubric with that id, else the system one."""

    def __init__(self, db: Database, user_id: str) -> None:
        self._mine = RubricRegistry(db, owner_id=user_id)
        self._system = RubricRegistry(db)

    async def get(self, rubric_id: str) -> Rubric | None:
        return await self._mine.get(rubric_id) or await self._system.get(rubric_id)


@lru_cache(maxsize=4)
def _types_from(path: str) -> dict[str, ArtifactTypeDefinition]:
    return load_type_definitions(Path(path))


def _type_definitions() -> dict[str, ArtifactTypeDefinition]:
    path = Settings().artifact_types_file
    return _types_from(str(path)) if path else {}


def _registry(
    db: Database, user_id: str, functions: FunctionRegistry | None = None
) -> ArtifactRegistry:
    """The caller's artifacts; reviews resolve ``function_ref`` against ``functions`` (the
    server's ``Services.rubric_functions``; routes that never review pass none, and get the
    built-in checks only: nothing outside an allow-list is ever imported)."""
    return ArtifactRegistry(
        db,
        rubric_registry=_OwnedRubrics(db, user_id),
        rubric_executor=RubricExecutor(function_registry=functions or FunctionRegistry()),
        type_definitions=_type_definitions(),
    )


@contextmanager
def _answers() -> Iterator[None]:
    """Turn artifact errors into JSON answers naming the field and the rule."""
    try:
        yield
    except ArtifactValidationError as exc:
        raise ApiError(422, "invalid_artifact", str(exc), field=exc.field, rule=exc.rule) from None
    except ArtifactNotFoundError as exc:
        field = "version" if exc.version else "artifact_id"
        raise ApiError(
            404, "not_found", str(exc), field=field, rule="must name one of your artifacts"
        ) from None
    except ApprovalRequiredError as exc:
        raise ApiError(
            409,
            "approval_required",
            str(exc),
            field="status",
            rule="needs a passing evaluation for each rubric",
            extra={"current_status": exc.current_status},
        ) from None
    except InvalidTransitionError as exc:
        allowed = ", ".join(sorted(exc.allowed)) or "none"
        raise ApiError(
            409,
            "invalid_transition",
            str(exc),
            field="status",
            rule=f"from {exc.current_status} must be one of: {allowed}",
            extra={"current_status": exc.current_status, "allowed": sorted(exc.allowed)},
        ) from None
    except ArtifactConflictError as exc:
        raise ApiError(
            409,
            "conflict",
            str(exc),
            field="expected_version",
            rule="re-read the artifact and retry",
        ) from None
    except ReviewSetupError as exc:
        raise ApiError(
            422, "review_setup", str(exc), field="rubric_ids", rule="must name existing rubrics"
        ) from None


async def _owned(registry: ArtifactRegistry, artifact_id: str, user_id: str) -> Artifact:
    artifact = await registry.get(artifact_id)
    if artifact is None or artifact.owner_id != user_id:
        raise ArtifactNotFoundError(artifact_id)
    return artifact


@router.post("", status_code=201)
async def create_artifact(
    body: CreateArtifactBody, db: DatabaseDep, user: CurrentUser, functions: RubricFunctionsDep
) -> dict[str, Any]:
    """Create version 1.0.0 in ``draft`` (reviewed at once if its type has ``auto_review``)."""
    with _answers():
        if body.provenance is None:
            provenance = ProvenanceRecord(created_by=f"user:{user.name}", creation_method="manual")
        else:
            try:
                provenance = ProvenanceRecord.from_dict(body.provenance)
            except ArtifactValidationError as exc:
                raise exc.prefixed("provenance") from None
        artifact = await _registry(db, user.id, functions).create(
            artifact_type=body.artifact_type,
            name=body.name,
            content=body.content,
            provenance=provenance,
            tags=body.tags,
            rubric_ids=body.rubric_ids,
            metadata=body.metadata,
            owner_id=user.id,
        )
    return artifact.to_dict()


@router.get("")
async def query_artifacts(
    db: DatabaseDep,
    user: CurrentUser,
    artifact_type: str | None = None,
    status: ArtifactStatus | None = None,
    tags: Annotated[list[str] | None, Query()] = None,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> dict[str, Any]:
    """The caller's artifacts (latest versions) matching every filter, oldest first."""
    with _answers():
        found = await _registry(db, user.id).query(
            artifact_type=artifact_type,
            status=status,
            tags=tags,
            owner_id=user.id,
            limit=limit,
            offset=offset,
        )
    return {"artifacts": [a.to_dict() for a in found], "count": len(found)}


@router.get("/{artifact_id}")
async def get_artifact(artifact_id: str, db: DatabaseDep, user: CurrentUser) -> dict[str, Any]:
    """The latest version."""
    with _answers():
        return (await _owned(_registry(db, user.id), artifact_id, user.id)).to_dict()


@router.get("/{artifact_id}/versions")
async def list_versions(artifact_id: str, db: DatabaseDep, user: CurrentUser) -> dict[str, Any]:
    """Every version, oldest first."""
    registry = _registry(db, user.id)
    with _answers():
        await _owned(registry, artifact_id, user.id)
        versions = await registry.list_versions(artifact_id)
    return {"artifact_id": artifact_id, "versions": [v.to_dict() for v in versions]}


@router.get("/{artifact_id}/versions/{version}")
async def get_version(
    artifact_id: str, version: str, db: DatabaseDep, user: CurrentUser
) -> dict[str, Any]:
    """One version."""
    registry = _registry(db, user.id)
    with _answers():
        await _owned(registry, artifact_id, user.id)
        found = await registry.get_version(artifact_id, version)
        if found is None:
            raise ArtifactNotFoundError(artifact_id, version)
    return found.to_dict()


@router.post("/{artifact_id}/revise", status_code=201)
async def revise_artifact(
    artifact_id: str, body: ReviseBody, db: DatabaseDep, user: CurrentUser
) -> dict[str, Any]:
    """Create the next patch version in ``draft``; the current one becomes ``superseded``."""
    registry = _registry(db, user.id)
    with _answers():
        await _owned(registry, artifact_id, user.id)
        revised = await registry.revise(
            artifact_id,
            body.content,
            reason=body.reason,
            triggered_by=f"user:{user.name}",
            expected_version=body.expected_version,
        )
    return revised.to_dict()


@router.post("/{artifact_id}/status")
async def set_status(
    artifact_id: str, body: StatusBody, db: DatabaseDep, user: CurrentUser
) -> dict[str, Any]:
    """Move the artifact to ``status`` if the transition table (and its type) allow it."""
    registry = _registry(db, user.id)
    with _answers():
        await _owned(registry, artifact_id, user.id)
        changed = await registry.set_status(
            artifact_id, body.status, reason=body.reason, expected_version=body.expected_version
        )
    return changed.to_dict()


@router.post("/{artifact_id}/review")
async def submit_for_review(
    artifact_id: str, db: DatabaseDep, user: CurrentUser, functions: RubricFunctionsDep
) -> dict[str, Any]:
    """Run the artifact's rubrics; it ends ``approved``, ``needs_revision`` or ``in_review``."""
    registry = _registry(db, user.id, functions)
    with _answers():
        await _owned(registry, artifact_id, user.id)
        evaluations = await registry.submit_for_review(artifact_id)
        artifact = await _owned(registry, artifact_id, user.id)
    return {"artifact": artifact.to_dict(), "evaluations": evaluations}


@router.get("/{artifact_id}/evaluations")
async def get_evaluations(
    artifact_id: str,
    db: DatabaseDep,
    user: CurrentUser,
    version: str | None = None,
    all_versions: bool = False,
) -> dict[str, Any]:
    """Stored evaluations of the latest version (or ``version``, or ``all_versions``)."""
    registry = _registry(db, user.id)
    with _answers():
        await _owned(registry, artifact_id, user.id)
        evaluations = await registry.get_evaluations(
            artifact_id, version=version, all_versions=all_versions
        )
    return {"artifact_id": artifact_id, "evaluations": evaluations}


@router.get("/{artifact_id}/provenance")
async def get_provenance(artifact_id: str, db: DatabaseDep, user: CurrentUser) -> dict[str, Any]:
    """The latest version's provenance record as JSON."""
    with _answers():
        artifact = await _owned(_registry(db, user.id), artifact_id, user.id)
    return {
        "artifact_id": artifact.id,
        "version": artifact.version,
        "provenance": artifact.provenance.to_dict(),
    }


@router.get("/{artifact_id}/provenance/markdown", response_class=PlainTextResponse)
async def get_provenance_markdown(
    artifact_id: str, db: DatabaseDep, user: CurrentUser
) -> PlainTextResponse:
    """Header, versions, provenance chain and latest evaluation as markdown."""
    registry = _registry(db, user.id)
    with _answers():
        await _owned(registry, artifact_id, user.id)
        text = await artifact_report(registry, artifact_id)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


__all__ = ["ARTIFACT_TYPES_ENV", "router"]
