"""Rubric routes: register, update, get, versions, list, delete, validate.

Rubrics belong to the user who registered them: every route reads and writes through a
:class:`~assay.rubrics.RubricRegistry` scoped to the current user, so another user's rubric
answers 404. Errors name the field and the rule: 422 for an invalid rubric (``field`` is the
path inside the body, e.g. ``"criteria[0].weight"``), 409 when a version already holds other
content (versions are immutable) or a concurrent update won, 404 for an unknown rubric.

==========  ==================================  ==============================================
Method      Path                                Answer
==========  ==================================  ==============================================
POST        /api/rubrics                        201 ``{"rubric", "latest_version"}``
GET         /api/rubrics?target_type=           ``{"rubrics": [...]}`` (latest versions)
POST        /api/rubrics/validate               ``{"passed", "summary", "evaluation"}``
GET         /api/rubrics/{id}?version=          the rubric (latest, or that version)
PUT         /api/rubrics/{id}?expected_version  ``{"rubric", "latest_version"}`` (a new version)
DELETE      /api/rubrics/{id}                   ``{"deleted": true}`` (versions are kept)
GET         /api/rubrics/{id}/versions          ``{"rubric_id", "versions", "latest_version"}``
==========  ==================================  ==============================================
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import AfterValidator

from assay.api.deps import CurrentUser, DatabaseDep
from assay.api.errors import ApiError
from assay.api.limits import MAX_RUBRIC_BYTES, MAX_TEXT_CHARS, bounded_json
from assay.rubrics import (
    FunctionRegistry,
    Rubric,
    RubricConflictError,
    RubricExecutor,
    RubricNotFoundError,
    RubricRegistry,
    RubricValidationError,
    RubricVersionExistsError,
    build_meta_rubric,
    generate_deterministic_summary,
)

router = APIRouter(prefix="/api/rubrics", tags=["rubrics"])

RubricBody = Annotated[
    dict[str, Any],
    Body(
        description="A rubric in the shape of Rubric.to_dict(): at most 256 KiB of JSON, "
        "each text at most 20,000 characters."
    ),
    AfterValidator(bounded_json(MAX_RUBRIC_BYTES, max_text_chars=MAX_TEXT_CHARS)),
]


def _registry(db: DatabaseDep, user: CurrentUser) -> RubricRegistry:
    return RubricRegistry(db, owner_id=user.id)


def _parse(body: dict[str, Any]) -> Rubric:
    try:
        return Rubric.from_dict(body)
    except RubricValidationError as exc:
        raise ApiError(
            422, "invalid_rubric", str(exc), field=exc.field or "body", rule=exc.rule
        ) from None


def _not_found(rubric_id: str, version: str | None = None) -> ApiError:
    if version is None:
        return ApiError(
            404,
            "not_found",
            f"rubric {rubric_id!r} not found",
            field="rubric_id",
            rule="must name one of your rubrics",
        )
    return ApiError(
        404,
        "not_found",
        f"rubric {rubric_id!r} has no version {version!r}",
        field="version",
        rule="must name a stored version",
    )


def _conflict(exc: RubricConflictError) -> ApiError:
    if isinstance(exc, RubricVersionExistsError):
        return ApiError(
            409,
            "version_exists",
            str(exc),
            field="version",
            rule="registered versions are immutable",
        )
    return ApiError(
        409,
        "conflict",
        str(exc),
        field="version",
        rule="must be greater than the latest version, which must be the expected one",
    )


async def _stored(registry: RubricRegistry, rubric: Rubric) -> dict[str, Any]:
    return {"rubric": rubric.to_dict(), "latest_version": await registry.latest_version(rubric.id)}


@router.post("", status_code=201)
async def register_rubric(body: RubricBody, db: DatabaseDep, user: CurrentUser) -> dict[str, Any]:
    """Register a rubric version (the same content again is accepted; other content is 409)."""
    rubric = _parse(body)
    registry = _registry(db, user)
    try:
        await registry.register(rubric)
    except RubricConflictError as exc:
        raise _conflict(exc) from None
    return await _stored(registry, rubric)


@router.get("")
async def list_rubrics(
    db: DatabaseDep,
    user: CurrentUser,
    target_type: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """The latest version of each of your rubrics, optionally of one target type."""
    registry = _registry(db, user)
    found = await (
        registry.list_all() if target_type is None else registry.get_for_target(target_type)
    )
    return {"rubrics": [r.to_dict() for r in found]}


@router.post("/validate")
async def validate_rubric(body: RubricBody, user: CurrentUser) -> dict[str, Any]:
    """Run the meta-rubric on a rubric definition (nothing is stored)."""
    rubric = _parse(body)
    meta = build_meta_rubric()
    executor = RubricExecutor(
        function_registry=FunctionRegistry(allowed_modules=["assay.rubrics.meta"])
    )
    evaluation = await executor.evaluate(
        meta, rubric.to_dict(), target_id=rubric.id, target_type="rubric"
    )
    return {
        "passed": evaluation.passed,
        "summary": generate_deterministic_summary(meta, evaluation),
        "evaluation": evaluation.to_dict(),
    }


@router.get("/{rubric_id}")
async def get_rubric(
    rubric_id: str,
    db: DatabaseDep,
    user: CurrentUser,
    version: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The latest version of one of your rubrics, or the given ``version``."""
    rubric = await _registry(db, user).get(rubric_id, version=version)
    if rubric is None:
        raise _not_found(rubric_id, version)
    return rubric.to_dict()


@router.put("/{rubric_id}")
async def update_rubric(
    rubric_id: str,
    body: RubricBody,
    db: DatabaseDep,
    user: CurrentUser,
    expected_version: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Store a new, greater version; ``expected_version`` guards against lost updates."""
    rubric = _parse(body)
    if rubric.id != rubric_id:
        raise ApiError(
            422,
            "invalid_rubric",
            "body id differs from the path",
            field="id",
            rule="must equal the rubric id in the path",
        )
    registry = _registry(db, user)
    try:
        await registry.update(rubric, expected_version=expected_version)
    except RubricNotFoundError:
        raise _not_found(rubric_id) from None
    except RubricConflictError as exc:
        raise _conflict(exc) from None
    return await _stored(registry, rubric)


@router.delete("/{rubric_id}")
async def delete_rubric(rubric_id: str, db: DatabaseDep, user: CurrentUser) -> dict[str, Any]:
    """Remove the latest pointer of one of your rubrics; its versions stay readable."""
    if not await _registry(db, user).delete(rubric_id):
        raise _not_found(rubric_id)
    return {"deleted": True}


@router.get("/{rubric_id}/versions")
async def rubric_versions(rubric_id: str, db: DatabaseDep, user: CurrentUser) -> dict[str, Any]:
    """Every stored version of one of your rubrics, in semantic-version order."""
    registry = _registry(db, user)
    versions = await registry.list_versions(rubric_id)
    if not versions:
        raise _not_found(rubric_id)
    return {
        "rubric_id": rubric_id,
        "versions": versions,
        "latest_version": await registry.latest_version(rubric_id),
    }


__all__ = ["router"]
