"""Hostile and unlucky requests (issue 14, items 2-5): every answer is JSON naming the problem.

Body size limits (413), lost database connections (503 + Retry-After), unhandled errors (500
with a request id the log carries), integer query bounds and unreadable bodies (422).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy.exc
from tests.integration.api.conftest import Api

from assay.api.app import create_app
from assay.sessions import SessionService

MIB = 1024 * 1024


async def artifact_count(api: Api) -> int:
    r = await api.client.get("/api/artifacts", headers=api.headers())
    return int(r.json()["count"])


def artifact(content: dict[str, Any]) -> dict[str, Any]:
    return {"artifact_type": "note", "name": "big", "content": content}


async def test_a_10_mib_body_is_413_and_nothing_is_stored(api: Api) -> None:
    body = json.dumps(artifact({"text": "x" * (10 * MIB)})).encode()
    r = await api.client.post(
        "/api/artifacts",
        content=body,
        headers={**api.headers(), "content-type": "application/json"},
    )
    assert r.status_code == 413, r.text
    data = r.json()
    assert data["error"] == "payload_too_large" and data["field"] == "body"
    assert data["rule"] == f"must be at most {MIB} bytes" and data["limit_bytes"] == MIB
    assert await artifact_count(api) == 0


async def test_a_chunked_body_without_content_length_is_cut_off(api: Api) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"artifact_type": "note", "name": "big", "content": {"text": "'
        for _ in range(64):  # 16 MiB if nobody stops reading
            sent += 1
            yield b"x" * (256 * 1024)
        yield b'"}}'

    r = await api.client.post(
        "/api/artifacts",
        content=chunks(),
        headers={**api.headers(), "content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
    assert "content-length" not in r.request.headers
    assert sent < 64  # reading stopped once the limit passed
    assert await artifact_count(api) == 0


async def test_uploads_have_their_own_limit(api: Api) -> None:
    files = {"file": ("a.txt", b"x" * (2 * MIB), "text/plain")}
    r = await api.client.post("/api/artifacts", files=files, headers=api.headers())
    assert r.status_code == 422  # read (under the 20 MiB upload limit), then refused as not JSON
    files = {"file": ("a.txt", b"x" * (21 * MIB), "text/plain")}
    r = await api.client.post("/api/artifacts", files=files, headers=api.headers())
    assert r.status_code == 413 and r.json()["limit_bytes"] == 20 * MIB


async def test_artifact_content_has_a_maximum_size(api: Api) -> None:
    r = await api.client.post(
        "/api/artifacts", json=artifact({"text": "x" * 600_000}), headers=api.headers()
    )
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "content" and "at most 524288 bytes" in r.json()["rule"]
    assert await artifact_count(api) == 0


async def test_rubric_texts_have_a_maximum_size(api: Api) -> None:
    rubric = {"id": "r", "name": "R", "description": "d" * 20_001, "criteria": []}
    r = await api.client.post("/api/rubrics", json=rubric, headers=api.headers())
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "description"
    assert r.json()["rule"] == "must be at most 20000 characters"


@pytest.mark.parametrize(
    ("body", "rule_part"),
    [
        (b"[" * 10_000 + b"]" * 10_000, "nest deeper"),
        (b'{"tool_call_id": "\xff\xfe", "response": {}}', "UTF-8"),
        (b"{not json", "valid JSON"),
    ],
    ids=["deep", "utf8", "invalid"],
)
async def test_unreadable_bodies_are_422_naming_body(api: Api, body: bytes, rule_part: str) -> None:
    r = await api.client.post(
        "/api/sessions/x/respond",
        content=body,
        headers={**api.headers(), "content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    data = r.json()
    assert data["field"] == "body" and rule_part in data["rule"]
    assert data["errors"][0]["field"] == "body"


def integer_query_parameters(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                if param["in"] == "query" and param["schema"].get("type") == "integer":
                    found.append((f"{method.upper()} {path}", param["name"], param["schema"]))
    return found


async def test_every_integer_query_parameter_is_bounded(api: Api) -> None:
    schema = (await api.client.get("/openapi.json")).json()
    params = integer_query_parameters(schema)
    routes = {route for route, _, _ in params}
    assert {"GET /api/sessions", "GET /api/artifacts"} <= routes
    for route, name, bounds in params:
        assert "minimum" in bounds and "maximum" in bounds, (route, name, bounds)
        path = route.split(" ", 1)[1]
        for value in (bounds["maximum"] + 1, bounds["minimum"] - 1, 9223372036854775808, -1):
            if bounds["minimum"] <= value <= bounds["maximum"]:
                continue
            r = await api.client.get(path, params={name: value}, headers=api.headers())
            assert r.status_code == 422, (route, name, value, r.text)
            assert r.json()["field"] == name, r.json()


async def test_the_reported_offset_overflow_is_422(api: Api) -> None:
    r = await api.client.get(
        "/api/artifacts", params={"offset": 9223372036854775808}, headers=api.headers()
    )
    assert r.status_code == 422 and r.json()["field"] == "offset"
    r = await api.client.get("/api/sessions", params={"limit": -1}, headers=api.headers())
    assert r.status_code == 422 and r.json()["field"] == "limit"


def failing_view(exc: BaseException) -> Any:
    async def view(self: SessionService, **_: Any) -> dict[str, Any]:
        raise exc

    return view


async def test_an_unhandled_error_is_json_500_with_the_logged_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(SessionService, "view", failing_view(RuntimeError("boom")))
    with caplog.at_level(logging.ERROR, logger="assay.api"):
        r = await api.client.get("/api/sessions/s1", headers=api.headers())
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    data = r.json()
    assert data["error"] == "internal_error" and data["request_id"] in data["message"]
    assert r.headers["x-request-id"] == data["request_id"]
    logged = [rec for rec in caplog.records if getattr(rec, "request_id", None)]
    assert [rec.request_id for rec in logged] == [data["request_id"]]  # type: ignore[attr-defined]
    assert data["request_id"] in logged[0].getMessage() and logged[0].exc_info is not None


async def test_a_client_request_id_is_echoed_and_a_bad_one_replaced(api: Api) -> None:
    r = await api.client.get("/api/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await api.client.get("/api/health", headers={"X-Request-ID": "bad id\n"})
    assert r.headers["x-request-id"] != "bad id\n" and len(r.headers["x-request-id"]) == 32


LOST = [
    sqlalchemy.exc.OperationalError("SELECT 1", {}, OSError("server closed the connection")),
    sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
    sqlalchemy.exc.DBAPIError("SELECT 1", {}, Exception("x"), connection_invalidated=True),
    asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    ConnectionRefusedError(111, "Connection refused"),
    OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432)"),
]


@pytest.mark.parametrize("exc", LOST, ids=lambda e: type(e).__name__)
async def test_a_lost_database_connection_is_503_with_retry_after(
    api: Api, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    monkeypatch.setattr(SessionService, "view", failing_view(exc))
    r = await api.client.get("/api/sessions/s1", headers=api.headers())
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert r.json()["error"] == "database_unavailable" and r.json()["request_id"]
    monkeypatch.undo()  # the server serves again without a restart
    assert (await api.client.get("/api/sessions", headers=api.headers())).status_code == 200


async def test_a_file_system_error_is_a_500_not_a_503(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SessionService, "view", failing_view(PermissionError(13, "denied")))
    r = await api.client.get("/api/sessions/s1", headers=api.headers())
    assert r.status_code == 500


async def test_docs_use_no_cdn(api: Api) -> None:
    page = (await api.client.get("/docs")).text
    assert "cdn" not in page.lower() and "/static-offline-docs/swagger-ui-bundle.js" in page
    js = await api.client.get("/static-offline-docs/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert (await api.client.get("/redoc")).status_code == 404  # ReDoc loads a logo from a CDN


def test_the_factory_app_has_the_guards() -> None:
    app = create_app()
    names = [m.cls.__name__ for m in app.user_middleware]  # type: ignore[attr-defined]
    assert names == ["RequestGuard", "BodyLimit"]
