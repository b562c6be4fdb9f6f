"""HTTP answers of an unavailable code sandbox (see ``assay.sessions.availability``).

- ``AssessmentUnavailableError`` (``POST /api/sessions``): 503 ``assessment_unavailable``
  naming the sandbox, the reason and the fix; no session is created.
- ``GradingDeferredError`` (``POST /api/sessions/{id}/respond``): 503 ``grading_deferred``
  with ``Retry-After``; the body says the answer was kept and to send it again.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assay.api.errors import ApiError
from assay.sessions.availability import (
    SANDBOX_NAME,
    AssessmentUnavailableError,
    GradingDeferredError,
)


def sandbox_error(exc: AssessmentUnavailableError | GradingDeferredError) -> ApiError:
    """The 503 answer of ``exc`` (its ``Retry-After`` is added by the handler)."""
    if isinstance(exc, AssessmentUnavailableError):
        return ApiError(
            503,
            "assessment_unavailable",
            str(exc),
            field="config.blueprint_id",
            rule=f"must name an assessment this server can grade: it needs the {SANDBOX_NAME}",
            extra={
                "blueprint_id": exc.blueprint_id,
                "requires": SANDBOX_NAME,
                "reason": exc.availability.reason,
                "fix": exc.availability.fix,
            },
        )
    return ApiError(
        503,
        "grading_deferred",
        str(exc),
        field="response",
        rule="must be sent again: the answer is kept but could not be graded yet",
        extra={
            "answer_kept": True,
            "retryable": True,
            "retry_after_s": exc.retry_after_s,
            "tool_call_id": exc.tool_call_id,
            "item_number": exc.item_number,
        },
    )


def install_sandbox_errors(app: FastAPI) -> None:
    """Answer the two errors above as JSON (``Retry-After`` on a deferred grading)."""

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AssessmentUnavailableError | GradingDeferredError)
        error = sandbox_error(exc)
        headers = (
            {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, GradingDeferredError) else {}
        )
        return JSONResponse(error.body(), status_code=error.status_code, headers=headers)

    app.add_exception_handler(AssessmentUnavailableError, handle)
    app.add_exception_handler(GradingDeferredError, handle)


__all__ = ["install_sandbox_errors", "sandbox_error"]
