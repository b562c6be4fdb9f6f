"""Dependency wiring in one place: the database, the settings, the current user.

Handlers declare what they need with these ``Annotated`` aliases and read like prose::

    @router.get("/api/things/{id}")
    async def get_thing(id: str, db: DatabaseDep, user: CurrentUser) -> ...
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assay.api.errors import ApiError
from assay.config import Settings
from assay.rubrics.functions import FunctionRegistry
from assay.storage import Database
from assay.users import User, authenticate

_bearer = HTTPBearer(auto_error=False)


def get_database(request: Request) -> Database:
    """The process's :class:`Database` (opened and migrated at startup)."""
    db: Database = request.app.state.database
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_services(request: Request) -> Any:
    """The app's service container (:class:`assay.api.app.Services`)."""
    return request.app.state.services


def get_rubric_functions(request: Request) -> FunctionRegistry:
    """The scoring functions a rubric arriving over HTTP may name.

    ``Services.rubric_functions``, built once by :func:`assay.services.build_rubric_functions`.
    """
    functions: FunctionRegistry = request.app.state.services.rubric_functions
    return functions


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RubricFunctionsDep = Annotated[FunctionRegistry, Depends(get_rubric_functions)]


async def get_current_user(
    db: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user of the ``Authorization: Bearer <token>`` header.

    Raises:
        ApiError: 401 when the header is missing or the token is unknown.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401,
            "unauthorized",
            "missing bearer token",
            field="headers.authorization",
            rule="must be 'Bearer <token>'",
        )
    user = await authenticate(db, token=credentials.credentials)
    if user is None:
        raise ApiError(
            401,
            "unauthorized",
            "unknown token",
            field="headers.authorization",
            rule="must be a valid token",
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]

#: Largest page a list route returns.
MAX_LIMIT = 500
#: Largest ``offset`` a list route takes (a 32-bit bound: far past any real list, and safe for
#: every database's LIMIT/OFFSET).
MAX_OFFSET = 2**31 - 1

LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
OffsetQuery = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=f"Items to skip, 0 to {MAX_OFFSET}.")
]

__all__ = [
    "MAX_LIMIT",
    "MAX_OFFSET",
    "CurrentUser",
    "DatabaseDep",
    "LimitQuery",
    "OffsetQuery",
    "RubricFunctionsDep",
    "SettingsDep",
    "get_current_user",
    "get_database",
    "get_rubric_functions",
    "get_services",
]
