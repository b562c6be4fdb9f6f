"""Assessment blueprints available to sessions."""

import math
from typing import Any

from fastapi import APIRouter, Request

from assay.api.deps import CurrentUser
from assay.api.errors import ApiError
from assay.items import UnknownBlueprintError
from assay.sessions.availability import Availability, catalog_availability

router = APIRouter(prefix="/api/blueprints", tags=["blueprints"])

MINUTES_PER_ITEM_ESTIMATE = 1.5
"""Minutes a student needs per question when an assessment has no time limit (a planning
estimate shown on the start page, not a measured figure)."""


def estimated_minutes(*, time_limit_minutes: int | None, total_items: int) -> int:
    """Minutes to set aside: the time limit, else ``ceil(total_items x 1.5)``.

    Example: no limit and 10 items -> 15; a 20-minute limit -> 20.
    """
    if time_limit_minutes is not None:
        return time_limit_minutes
    return math.ceil(total_items * MINUTES_PER_ITEM_ESTIMATE)


@router.get("")
async def list_blueprints(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    """Assessment blueprints: id, title, total items, time limit, estimated minutes, sections,
    availability.

    ``estimated_minutes`` is the time limit, else the items times
    :data:`MINUTES_PER_ITEM_ESTIMATE`; ``total_items`` of an adaptive assessment is its maximum.
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
            "estimated_minutes": estimated_minutes(
                time_limit_minutes=a.time_limit_minutes, total_items=a.total_items
            ),
            "item_selection_algorithm": a.item_selection_algorithm,
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
