"""The FastAPI application: ``create_app()`` wires settings, services, routes and the web page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from assay import __version__
from assay.api.errors import ApiError, install_error_handlers
from assay.api.routes import blueprints, health, sessions
from assay.config import Settings
from assay.items.instance import ResponseError
from assay.services import Services, build_services
from assay.sessions import (
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
    for name in ("assay.api.routes.rubrics", "assay.api.routes.artifacts"):
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
        try:
            yield
        finally:
            if owned:
                await svc.close()

    app = FastAPI(title="Assay", version=__version__, lifespan=lifespan)
    install_error_handlers(app)
    _install_domain_errors(app)
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


def _install_domain_errors(app: FastAPI) -> None:
    def answer(exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    @app.exception_handler(SessionNotFoundError)
    async def _not_found(_: Request, exc: SessionNotFoundError) -> JSONResponse:
        return answer(
            ApiError(
                404,
                "not_found",
                str(exc),
                field="session_id",
                rule="must name one of your sessions",
            )
        )

    @app.exception_handler(SessionConfigError)
    async def _config(_: Request, exc: SessionConfigError) -> JSONResponse:
        return answer(ApiError(422, "invalid_config", str(exc), field=exc.field, rule=exc.rule))

    @app.exception_handler(InvalidActionError)
    async def _invalid(_: Request, exc: InvalidActionError) -> JSONResponse:
        return answer(
            ApiError(
                409,
                "invalid_status",
                str(exc),
                field="status",
                rule=f"must allow {exc.action}",
                extra={"status": exc.status.value},
            )
        )

    @app.exception_handler(StaleToolCallError)
    async def _stale(_: Request, exc: StaleToolCallError) -> JSONResponse:
        return answer(
            ApiError(
                409,
                "stale_tool_call",
                str(exc),
                field="tool_call_id",
                rule="must be the tool_call_id of the pending client action",
            )
        )

    @app.exception_handler(SessionExpiredError)
    async def _expired(_: Request, exc: SessionExpiredError) -> JSONResponse:
        return answer(
            ApiError(
                409,
                "session_expired",
                str(exc),
                field="status",
                rule="time limit passed",
                extra={"status": "expired"},
            )
        )

    @app.exception_handler(ResponseError)
    async def _response(_: Request, exc: ResponseError) -> JSONResponse:
        return answer(ApiError(422, "invalid_response", str(exc), field=exc.field, rule=exc.rule))

    @app.exception_handler(UserError)
    async def _user(_: Request, exc: UserError) -> JSONResponse:
        return answer(ApiError(422, "invalid_user", str(exc), field=exc.field, rule=exc.rule))


__all__ = ["create_app"]
