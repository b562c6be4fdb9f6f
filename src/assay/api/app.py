"""The FastAPI application: ``create_app()`` wires settings, services, routes and the web page."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from assay import __version__
from assay.api.errors import ApiError, install_error_handlers
from assay.api.middleware import BodyLimit, RequestGuard
from assay.api.routes import blueprints, health, sessions
from assay.api.sandbox_errors import install_sandbox_errors
from assay.config import Settings
from assay.items.instance import ResponseError
from assay.sandbox import SandboxError
from assay.services import Services, build_services
from assay.sessions import (
    AnswerConflictError,
    InvalidActionError,
    SessionConfigError,
    SessionExpiredError,
    SessionNotFoundError,
    StaleToolCallError,
)
from assay.users import UserError

WEB_DIR = Path(__file__).resolve().parent.parent / "web" / "static"


def _extra_routers() -> list[object]:
    """Routers of optional domains (artifacts, rubrics) when their modules are present."""
    import importlib

    found = []
    for name in (
        "assay.api.routes.rubrics",
        "assay.api.routes.artifacts",
        "assay.api.routes.conversations",
    ):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        found.append(module.router)
    return found


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """Build the app. With no ``services`` they are built (and the database migrated) at startup."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        svc = services if services is not None else await build_services(settings)
        app.state.services = svc
        app.state.database = svc.db
        app.state.settings = settings
        # Move the long-lived startup objects (catalog, models) out of the collector's way:
        # full collections over them caused 100+ ms pauses in the session benchmark.
        gc.freeze()
        try:
            yield
        finally:
            if owned:
                await svc.close()

    # Swagger UI (/docs) from files shipped in fastapi-offline: no CDN. No ReDoc: its page
    # fetches its logo from a CDN.
    app = FastAPIOffline(title="Assay", version=__version__, lifespan=lifespan, redoc_url=None)
    app.add_middleware(
        BodyLimit,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(RequestGuard)  # outermost of ours: its id is on every answer
    install_error_handlers(app)
    _install_domain_errors(app)
    install_sandbox_errors(app)
    app.include_router(health.router)
    app.include_router(blueprints.router)
    app.include_router(sessions.router)
    for router in _extra_routers():
        app.include_router(router)  # type: ignore[arg-type]
    if WEB_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

        @app.get("/", include_in_schema=False)
        async def index() -> FileResponse:
            return FileResponse(WEB_DIR / "index.html")

    return app


def domain_error(exc: Exception) -> ApiError:
    """The HTTP answer of a domain error (sessions, items, users)."""
    if isinstance(exc, SessionNotFoundError):
        return ApiError(
            404, "not_found", str(exc), field="session_id", rule="must name one of your sessions"
        )
    if isinstance(exc, SessionConfigError):
        return ApiError(422, "invalid_config", str(exc), field=exc.field, rule=exc.rule)
    if isinstance(exc, InvalidActionError):
        return ApiError(
            409,
            "invalid_status",
            str(exc),
            field="status",
            rule=f"must be one of: {', '.join(exc.allowed)}",
            extra={"status": exc.status.value},
        )
    if isinstance(exc, AnswerConflictError):
        return ApiError(
            409,
            "answer_conflict",
            str(exc),
            field="response",
            rule="a tool call is answered once; only the same answer may be sent again",
            extra={"answered_at": exc.answered_at},
        )
    if isinstance(exc, StaleToolCallError):
        return ApiError(
            409,
            "stale_tool_call",
            str(exc),
            field="tool_call_id",
            rule="must be the tool_call_id of the pending client action",
        )
    if isinstance(exc, SessionExpiredError):
        return ApiError(
            409,
            "session_expired",
            str(exc),
            field="status",
            rule="time limit passed",
            extra={"status": "expired"},
        )
    if isinstance(exc, ResponseError):
        return ApiError(422, "invalid_response", str(exc), field=exc.field, rule=exc.rule)
    if isinstance(exc, SandboxError):
        return ApiError(
            503,
            "grading_unavailable",
            f"the code sandbox failed: {exc}",
            field="response.code",
            rule="must be gradable (the server's sandbox is unavailable; retry later)",
        )
    if isinstance(exc, UserError):
        return ApiError(422, "invalid_user", str(exc), field=exc.field, rule=exc.rule)
    raise TypeError(f"not a domain error: {exc!r}")


DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    AnswerConflictError,
    SessionNotFoundError,
    SessionConfigError,
    InvalidActionError,
    StaleToolCallError,
    SessionExpiredError,
    ResponseError,
    UserError,
    SandboxError,
)


def _install_domain_errors(app: FastAPI) -> None:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        error = domain_error(exc)
        return JSONResponse(error.body(), status_code=error.status_code)

    for error_type in DOMAIN_ERRORS:
        app.add_exception_handler(error_type, handle)


__all__ = ["create_app"]
