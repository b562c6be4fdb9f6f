"""Liveness and readiness (no authentication)."""

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter

from assay import __version__
from assay.api.deps import DatabaseDep

router = APIRouter(tags=["health"])


@router.get("/api/health")
async def health(db: DatabaseDep) -> dict[str, Any]:
    """``{"status": "ok", "version", "database"}`` once the database answers."""
    async with db.read() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": db.dialect}


__all__ = ["router"]
