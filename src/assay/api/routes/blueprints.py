"""Assessment blueprints available to sessions."""

from typing import Any

from fastapi import APIRouter, Request

from assay.api.deps import CurrentUser
from assay.api.errors import ApiError
from assay.items import UnknownBlueprintError

router = APIRouter(prefix="/api/blueprints", tags=["blueprints"])


@router.get("")
async def list_blueprints(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    """Assessment blueprints: id, title, total items, time limit, sections."""
    catalog = request.app.state.services.catalog
    return [
        {
            "blueprint_id": a.assessment_id,
            "title": a.title,
            "description": a.description,
            "total_items": a.total_items,
            "time_limit_minutes": a.time_limit_minutes,
            "sections": [s.section_id for s in a.sections],
        }
        for a in sorted(catalog.assessments.values(), key=lambda a: a.assessment_id)
    ]


@router.get("/{blueprint_id}")
async def get_blueprint(blueprint_id: str, request: Request, user: CurrentUser) -> dict[str, Any]:
    """One assessment blueprint in full."""
    try:
        assessment = request.app.state.services.catalog.assessment(blueprint_id)
    except UnknownBlueprintError as exc:
        raise ApiError(
            404,
            "not_found",
            f"blueprint {blueprint_id!r} not found",
            field="blueprint_id",
            rule="must name a known blueprint",
        ) from exc
    data: dict[str, Any] = assessment.model_dump(mode="json")
    return data


__all__ = ["router"]
