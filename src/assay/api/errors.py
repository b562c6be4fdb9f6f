"""HTTP errors with a JSON body that names the field and the rule.

Every error answer has the shape::

    {"error": "<code>", "message": "<text>", "field": "<dotted.path>" | null,
     "rule": "<rule broken>" | null, "errors": [{"field", "rule", "message"}, ...]}

Request validation (malformed JSON, wrong types, missing fields) answers 422 with one entry per
problem in ``errors`` and the first one in ``field``/``rule``. A body that is not UTF-8
(rule "must be UTF-8 encoded JSON") or nests deeper than the JSON parser allows (about 900
levels; rule "must not nest deeper than the JSON parser allows") is a 422 naming ``body``
too; a body over the size limit is 413 ``payload_too_large`` (:mod:`assay.api.middleware`).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assay.api.middleware import BodyTooLargeError, too_large_body

_NAMED_RULE = re.compile(r"^Value error, ([A-Za-z_][A-Za-z0-9_.\[\]]*): (.*)$", re.S)


class ApiError(Exception):
    """An error answered as JSON.

    Args:
        status_code: HTTP status (4xx).
        code: Machine-readable error code, e.g. ``"invalid_response"``.
        message: Human-readable explanation.
        field: Dotted path of the offending field, if any.
        rule: The rule that was broken, if any.
    """

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.field = field
        self.rule = rule
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        errors = (
            []
            if self.field is None
            else [{"field": self.field, "rule": self.rule, "message": self.message}]
        )
        return {
            "error": self.code,
            "message": self.message,
            "field": self.field,
            "rule": self.rule,
            "errors": errors,
            **self.extra,
        }


def _loc_to_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


def _unreadable_body_rule(exc: StarletteHTTPException) -> str | None:
    """The rule a body broke when FastAPI could not parse it (its 400 wraps the cause)."""
    if exc.status_code != 400:
        return None
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return "must be UTF-8 encoded JSON"
    if isinstance(cause, RecursionError):
        return "must not nest deeper than the JSON parser allows (about 900 levels)"
    return None


def install_error_handlers(app: FastAPI) -> None:
    """Answer ApiError, request validation errors and HTTP errors in the shape above."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            rule = str(err.get("msg", "invalid"))
            if err.get("type") == "json_invalid":
                field, rule = "body", "must be valid JSON"
            else:
                field = _loc_to_field(tuple(err.get("loc", ())))
                named = _NAMED_RULE.match(rule)
                if named:  # "Value error, correct: must be ..." from a model validator
                    field = f"{field}.{named[1]}" if field != "body" else named[1]
                    rule = named[2]
                elif rule.startswith("Value error, "):
                    rule = rule[len("Value error, ") :]
            errors.append({"field": field, "rule": rule, "message": f"{field}: {rule}"})
        first = errors[0] if errors else {"field": "body", "rule": "invalid", "message": "invalid"}
        return JSONResponse(
            {
                "error": "validation_error",
                "message": first["message"],
                "field": first["field"],
                "rule": first["rule"],
                "errors": errors,
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, BodyTooLargeError):
            return JSONResponse(too_large_body(exc.limit), status_code=413)
        unreadable = _unreadable_body_rule(exc)
        if unreadable is not None:
            message = f"body: {unreadable}"
            return JSONResponse(
                {
                    "error": "validation_error",
                    "message": message,
                    "field": "body",
                    "rule": unreadable,
                    "errors": [{"field": "body", "rule": unreadable, "message": message}],
                },
                status_code=422,
            )
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            {"error": code, "message": str(exc.detail), "field": None, "rule": None, "errors": []},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )


__all__ = ["ApiError", "install_error_handlers"]
