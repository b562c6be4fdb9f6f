"""Rubric routes: register, update, get, versions, list, delete, validate.

Rubrics belong to the user who registered them: every route reads and writes through a
:class:`~assay.rubrics.RubricRegistry` scoped to the current user, so another user's rubric
answers 404. Errors name the field and the rule: 422 for an invalid rubric (``field`` is the
path inside the body, e.g. ``"criteria[0].weight"``; an unknown field is refused too), 409 when
a version already holds other content (versions are immutable) or a concurrent update won, 404
for an unknown rubric.

A rubric is only stored when every ``function_ref`` and ``schema_ref`` resolves against what the
server was configured with (``Services.rubric_functions``: the built-in checks, functions
registered in code, the ``assay.rubric_functions`` entry points and the modules of
``ASSAY_RUBRIC_FUNCTION_MODULES``); anything else is a 422 ``unresolved_reference`` naming the
criterion and the ref, and nothing is imported.

==========  ==================================  ==============================================
Method      Path                                Answer
==========  ==================================  ==============================================
POST        /api/rubrics                        201 ``{"rubric", "latest_version"}``
GET         /api/rubrics?target_type=           ``{"rubrics": [...]}`` (latest versions)
POST        /api/rubrics/validate               ``{"passed", "summary", "problems", "evaluation"}``
GET         /api/rubrics/{id}?version=          the rubric (latest, or that version)
PUT         /api/rubrics/{id}?expected_version  ``{"rubric", "latest_version"}`` (a new version)
DELETE      /api/rubrics/{id}                   ``{"deleted": true}`` (versions are kept)
GET         /api/rubrics/{id}/versions          ``{"rubric_id", "versions", "latest_version"}``
==========  ==================================  ==============================================
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assay.api.deps import CurrentUser, DatabaseDep, RubricFunctionsDep
from assay.api.errors import ApiError
from assay.api.limits import MAX_RUBRIC_BYTES, MAX_TEXT_CHARS, bounded_json
from assay.rubrics import (
    FunctionRegistry,
    Rubric,
    RubricConflictError,
    RubricNotFoundError,
    RubricRegistry,
    RubricValidationError,
    RubricVersionExistsError,
    check_rubric,
    reference_problems,
)

router = APIRouter(prefix="/api/rubrics", tags=["rubrics"])


class _Strict(BaseModel):
    """Request models: unknown fields are refused (422 naming the field)."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class LevelBody(_Strict):
    """A ``RubricLevel`` (rules: :mod:`assay.rubrics.models`)."""

    id: str
    label: str
    description: str
    score: float
    indicators: list[str] = Field(default_factory=list)


class ScoringMethodBody(_Strict):
    """A ``ScoringMethod``."""

    type: str
    function_ref: str | None = None
    schema_ref: str | None = None
    inline_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    decode_prompt: str | None = None
    decode_output_schema: dict[str, Any] | None = None


class CriterionBody(_Strict):
    """A ``RubricCriterion``."""

    id: str
    name: str
    description: str
    weight: float
    levels: list[LevelBody]
    scoring_method: ScoringMethodBody
    required: bool = True


class RubricBody(_Strict):
    """A rubric in the shape of ``Rubric.to_dict()``."""

    id: str
    name: str
    description: str
    version: str
    target_type: str
    criteria: list[CriterionBody]
    pass_threshold: float
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        """At most 256 KiB of JSON, each text at most 20,000 characters (``api.limits``)."""
        return _RUBRIC_SIZE(value)


_RUBRIC_SIZE = bounded_json(MAX_RUBRIC_BYTES, max_text_chars=MAX_TEXT_CHARS)


def _registry(db: DatabaseDep, user: CurrentUser) -> RubricRegistry:
    return RubricRegistry(db, owner_id=user.id)


def _parse(body: RubricBody) -> Rubric:
    try:
        return Rubric.from_dict(body.model_dump(by_alias=True))
    except RubricValidationError as exc:
        raise ApiError(
            422, "invalid_rubric", str(exc), field=exc.field or "body", rule=exc.rule
        ) from None


def _resolvable(body: RubricBody, functions: FunctionRegistry) -> Rubric:
    """The rubric of ``body`` if every reference resolves on this server, else a 422."""
    rubric = _parse(body)
    problems = reference_problems(rubric, functions=functions)
    if problems:
        first = problems[0]
        raise ApiError(
            422,
            "unresolved_reference",
            first.message,
            field=first.field,
            rule=first.rule,
            extra={
                "errors": [
                    {"field": p.field, "rule": p.rule, "message": p.message, "reason": p.reason}
                    for p in problems
                ]
            },
        )
    return rubric


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
async def register_rubric(
    body: RubricBody, db: DatabaseDep, user: CurrentUser, functions: RubricFunctionsDep
) -> dict[str, Any]:
    """Register a rubric version (the same content again is accepted; other content is 409)."""
    rubric = _resolvable(body, functions)
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
async def validate_rubric(
    body: RubricBody, user: CurrentUser, functions: RubricFunctionsDep
) -> dict[str, Any]:
    """Check a rubric definition: references resolve, structure is sound (nothing is stored)."""
    check = await check_rubric(_parse(body), functions=functions)
    return {
        "passed": check.passed,
        "summary": check.summary(),
        "problems": [p.to_dict() for p in check.problems],
        "evaluation": check.evaluation.to_dict(),
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
    functions: RubricFunctionsDep,
    expected_version: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Store a new, greater version; ``expected_version`` guards against lost updates."""
    rubric = _resolvable(body, functions)
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
