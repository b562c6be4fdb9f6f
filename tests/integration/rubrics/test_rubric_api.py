"""The rubric HTTP API over the real router, deps and error handlers, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, rubric

from assay.api.errors import install_error_handlers
from assay.api.routes.rubrics import router
from assay.rubrics import FunctionRegistry
from assay.storage import Database
from assay.users import create_user


class Client:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return await self.http.request(method, url, headers=self.headers, **kw)


@pytest.fixture
async def clients(db: Database) -> AsyncIterator[tuple[Client, Client]]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    # The server's guarded registry, with the test's function registered in code.
    functions = FunctionRegistry()
    functions.register("x:y", lambda content: "pass")
    app.state.services = SimpleNamespace(rubric_functions=functions)
    app.state.database = db
    _, alice = await create_user(db, name="alice")
    _, bob = await create_user(db, name="bob")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Client(http, alice), Client(http, bob)


def body(version: str = "1.0.0", threshold: float = 0.7, **kw: Any) -> dict[str, Any]:
    return rubric(
        criterion("clarity", det("x:y"), spec=THREE, weight=0.5),
        criterion("depth", det("x:y"), weight=0.5),
        id=kw.pop("id", "content_quality"),
        version=version,
        threshold=threshold,
        **kw,
    ).to_dict()


async def test_register_get_versions_list(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    r = await alice.call("POST", "/api/rubrics", json=body())
    assert r.status_code == 201, r.text
    assert r.json() == {"rubric": body(), "latest_version": "1.0.0"}
    assert (await alice.call("POST", "/api/rubrics", json=body())).status_code == 201  # idempotent
    assert (await alice.call("GET", "/api/rubrics/content_quality")).json() == body()
    r = await alice.call(
        "PUT",
        "/api/rubrics/content_quality",
        json=body("1.1.0", 0.8),
        params={"expected_version": "1.0.0"},
    )
    assert r.status_code == 200 and r.json()["latest_version"] == "1.1.0"
    assert (await alice.call("GET", "/api/rubrics/content_quality")).json()["pass_threshold"] == 0.8
    old = await alice.call("GET", "/api/rubrics/content_quality", params={"version": "1.0.0"})
    assert old.json()["pass_threshold"] == 0.7
    versions = await alice.call("GET", "/api/rubrics/content_quality/versions")
    assert versions.json() == {
        "rubric_id": "content_quality",
        "versions": ["1.0.0", "1.1.0"],
        "latest_version": "1.1.0",
    }
    await alice.call("POST", "/api/rubrics", json=body(id="assess", target_type="assessment"))
    listed = await alice.call("GET", "/api/rubrics")
    assert [x["id"] for x in listed.json()["rubrics"]] == ["assess", "content_quality"]
    filtered = await alice.call("GET", "/api/rubrics", params={"target_type": "assessment"})
    assert [x["id"] for x in filtered.json()["rubrics"]] == ["assess"]


async def test_another_users_rubric_answers_404(clients: tuple[Client, Client]) -> None:
    alice, bob = clients
    await alice.call("POST", "/api/rubrics", json=body())
    for method, url in [
        ("GET", "/api/rubrics/content_quality"),
        ("GET", "/api/rubrics/content_quality/versions"),
        ("DELETE", "/api/rubrics/content_quality"),
    ]:
        r = await bob.call(method, url)
        assert r.status_code == 404, (method, url)
        assert r.json()["field"] == "rubric_id"
    r = await bob.call("PUT", "/api/rubrics/content_quality", json=body("2.0.0"))
    assert r.status_code == 404
    assert (await bob.call("GET", "/api/rubrics")).json() == {"rubrics": []}
    assert (await alice.call("GET", "/api/rubrics/content_quality")).status_code == 200


async def test_no_token_is_401(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    r = await alice.http.get("/api/rubrics")
    assert r.status_code == 401 and r.json()["field"] == "headers.authorization"


@pytest.mark.parametrize(
    ("mutate", "field", "rule"),
    [
        (lambda b: b.update(pass_threshold=3), "pass_threshold", "between 0.0 and 1.0"),
        # Types and required fields are checked by the request model (validation_error).
        (lambda b: b["criteria"][1].update(weight="x"), "criteria[1].weight", "valid number"),
        (lambda b: b.pop("version"), "version", "Field required"),
        (lambda b: b.update(version="one"), "version", "semantic version"),
        (lambda b: b.update(id="x" * 201), "id", "at most 200 characters"),
        (
            lambda b: b["criteria"][0]["scoring_method"].update(type="guess"),
            "criteria[0].scoring_method.type",
            "one of",
        ),
    ],
)
async def test_bad_rubric_is_422_naming_the_field(
    clients: tuple[Client, Client], mutate: Any, field: str, rule: str
) -> None:
    alice, _ = clients
    data = body()
    mutate(data)
    for method, url in [
        ("POST", "/api/rubrics"),
        ("POST", "/api/rubrics/validate"),
        ("PUT", "/api/rubrics/content_quality"),
    ]:
        r = await alice.call(method, url, json=data)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["error"] in ("invalid_rubric", "validation_error")
        assert r.json()["field"] == field
        assert rule in r.json()["rule"]


async def test_body_must_be_an_object(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    r = await alice.call("POST", "/api/rubrics", json=[1, 2])
    assert r.status_code == 422 and r.json()["field"] == "body"


async def test_put_id_must_match_path(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    await alice.call("POST", "/api/rubrics", json=body())
    r = await alice.call("PUT", "/api/rubrics/other", json=body("1.1.0"))
    assert r.status_code == 422 and r.json()["field"] == "id"


async def test_conflicts_are_409(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    await alice.call("POST", "/api/rubrics", json=body())
    r = await alice.call("POST", "/api/rubrics", json=body(threshold=0.9))
    assert (
        r.status_code == 409
        and r.json()["error"] == "version_exists"
        and r.json()["field"] == "version"
    )
    r = await alice.call("PUT", "/api/rubrics/content_quality", json=body("0.5.0"))
    assert r.status_code == 409 and r.json()["error"] == "conflict"
    r = await alice.call(
        "PUT",
        "/api/rubrics/content_quality",
        json=body("1.1.0"),
        params={"expected_version": "0.9.0"},
    )
    assert r.status_code == 409 and "not the expected" in r.json()["message"]


async def test_concurrent_puts_one_wins(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    await alice.call("POST", "/api/rubrics", json=body())
    responses = await asyncio.gather(
        *(
            alice.call(
                "PUT",
                "/api/rubrics/content_quality",
                json=body(v, 0.8),
                params={"expected_version": "1.0.0"},
            )
            for v in ("1.1.0", "1.2.0")
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409]


async def test_delete_keeps_versions(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    await alice.call("POST", "/api/rubrics", json=body())
    assert (await alice.call("DELETE", "/api/rubrics/content_quality")).json() == {"deleted": True}
    assert (await alice.call("GET", "/api/rubrics/content_quality")).status_code == 404
    kept = await alice.call("GET", "/api/rubrics/content_quality", params={"version": "1.0.0"})
    assert kept.status_code == 200
    missing = await alice.call("GET", "/api/rubrics/content_quality", params={"version": "3.0.0"})
    assert missing.status_code == 404 and missing.json()["field"] == "version"


async def test_validate(clients: tuple[Client, Client]) -> None:
    alice, _ = clients
    r = await alice.call("POST", "/api/rubrics/validate", json=body())
    assert r.status_code == 200
    assert r.json()["passed"] is True
    assert r.json()["summary"] == ("Rubric 'R One' (content_quality v1.0.0): PASSED all 6 checks")
    assert r.json()["problems"] == []
    assert r.json()["evaluation"]["target_id"] == "content_quality"
    poor = body(threshold=0.0)
    poor["criteria"][1]["name"] = poor["criteria"][0]["name"]
    r = await alice.call("POST", "/api/rubrics/validate", json=poor)
    assert r.json()["passed"] is False
    levels = {c["criterion_id"]: c["level_id"] for c in r.json()["evaluation"]["criterion_results"]}
    assert levels["threshold"] == "too_low" and levels["criteria_independence"] == "fail"
    assert (await alice.call("GET", "/api/rubrics")).json() == {"rubrics": []}  # nothing stored
