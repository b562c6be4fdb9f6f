"""Assessment blueprints available to sessions."""

from typing import Any

from fastapi import APIRouter, Request

from assay.api.deps import CurrentUser
from assay.api.errors import ApiError
from assay.items import UnknownBlueprintError
from assay.sessions.availability import Availability, catalog_availability

router = APIRouter(prefix="/api/blueprints", tags=["blueprints"])


@router.get("")
async def list_blueprints(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    """Assessment blueprints: id, title, total items, time limit, sections, availability.

    ``available: false`` with ``unavailable_reason`` (and the operator's ``unavailable_fix``)
    marks an assessment this server cannot grade, e.g. one that runs code without a working
    code sandbox; creating a session of it answers 503.
    """
    services = request.app.state.services
    catalog = services.catalog
    availability = await catalog_availability(catalog, probe=services.sessions.sandbox)
    return [
        {
            "blueprint_id": a.assessment_id,
            "title": a.title,
            "description": a.description,
            "total_items": a.total_items,
            "time_limit_minutes": a.time_limit_minutes,
            "sections": [s.section_id for s in a.sections],
            **_availability_fields(availability[a.assessment_id]),
        }
        for a in sorted(catalog.assessments.values(), key=lambda a: a.assessment_id)
    ]


def _availability_fields(found: Availability) -> dict[str, Any]:
    return {
        "available": found.available,
        "unavailable_reason": found.reason,
        "unavailable_fix": found.fix,
    }


@router.get("/{blueprint_id}")
async def get_blueprint(blueprint_id: str, request: Request, user: CurrentUser) -> dict[str, Any]:
    """One assessment blueprint in full, with ``available`` and its reason as in the list."""
    services = request.app.state.services
    try:
        assessment = services.catalog.assessment(blueprint_id)
    except UnknownBlueprintError as exc:
        raise ApiError(
            404,
            "not_found",
            f"blueprint {blueprint_id!r} not found",
            field="blueprint_id",
            rule="must name a known blueprint",
        ) from exc
    data: dict[str, Any] = assessment.model_dump(mode="json")
    availability = await catalog_availability(services.catalog, probe=services.sessions.sandbox)
    return {**data, **_availability_fields(availability[assessment.assessment_id])}


__all__ = ["router"]
