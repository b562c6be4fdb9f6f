"""HTTP API of artifacts over the real app (SQLite and PostgreSQL): every route, per-user
ownership (another user's artifact answers 404), 4xx answers naming the field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.integration.artifacts.artifact_fixtures import FIVE, TWO, quiz_rubric

from assay.api.app import create_app
from assay.blobs import MemoryBlobStore
from assay.config import Settings
from assay.rubrics import RubricRegistry
from assay.services import build_services
from assay.storage import Database
from assay.users import create_user

# Scored by a function of a module the operator allows (ASSAY_RUBRIC_FUNCTION_MODULES).
QUIZ_RUBRIC = quiz_rubric()
QUIZ_RUBRIC.criteria[
    0
].scoring_method.function_ref = "tests.integration.artifacts.artifact_fixtures:check_question_count"


class Client:
    def __init__(self, http: httpx.AsyncClient, token: str, other: str) -> None:
        self.http, self.token, self.other = http, token, other

    async def call(
        self, method: str, path: str, *, as_other: bool = False, **kw: Any
    ) -> httpx.Response:
        token = self.other if as_other else self.token
        return await self.http.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, **kw
        )

    async def create(self, **body: Any) -> dict[str, Any]:
        payload = {"artifact_type": "quiz", "name": "Biology Quiz", "content": FIVE, **body}
        r = await self.call("POST", "/api/artifacts", json=payload)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture
async def client(db_url: str, tmp_path: Path) -> AsyncIterator[Client]:
    settings = Settings(
        database_url=db_url,
        blob_dir=tmp_path / "blobs",
        rubric_function_modules=["tests.integration.artifacts.artifact_fixtures"],
    )
    db = await Database.connect(db_url, upgrade=False)
    await RubricRegistry(db).register(QUIZ_RUBRIC)  # a system rubric
    services = await build_services(settings, db=db, blobs=MemoryBlobStore())
    _, token = await create_user(db, name="alice")
    _, other = await create_user(db, name="bob")
    app = create_app(settings, services=services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Client(http, token, other)
    await db.close()


async def test_create_get_and_ownership(client: Client) -> None:
    created = await client.create(tags=["biology"], rubric_ids=["quiz_quality"])
    assert created["id"].startswith("art_") and created["version"] == "1.0.0"
    assert created["status"] == "draft" and created["tags"] == ["biology"]
    assert created["provenance"]["created_by"] == "user:alice"
    got = await client.call("GET", f"/api/artifacts/{created['id']}")
    assert got.status_code == 200 and got.json() == created
    for path in ("", "/versions", "/evaluations", "/provenance", "/provenance/markdown"):
        r = await client.call("GET", f"/api/artifacts/{created['id']}{path}", as_other=True)
        assert r.status_code == 404, path
        assert r.json()["field"] == "artifact_id"
    for path, body in (
        ("/revise", {"content": {}}),
        ("/status", {"status": "archived"}),
        ("/review", None),
    ):
        r = await client.call(
            "POST", f"/api/artifacts/{created['id']}{path}", as_other=True, json=body
        )
        assert r.status_code == 404, path
    listed = await client.call("GET", "/api/artifacts", as_other=True)
    assert listed.json() == {"artifacts": [], "count": 0}
    unauth = await client.http.get(f"/api/artifacts/{created['id']}")
    assert unauth.status_code == 401


async def test_revise_versions_status_and_query(client: Client) -> None:
    a = await client.create(tags=["t1", "t2"])
    b = await client.create(name="Other", artifact_type="content", tags=["t1"])
    r = await client.call(
        "POST", f"/api/artifacts/{a['id']}/revise", json={"content": TWO, "reason": "shorter"}
    )
    assert r.status_code == 201 and r.json()["version"] == "1.0.1"
    assert r.json()["provenance"]["revision_history"][0]["triggered_by"] == "user:alice"
    stale = await client.call(
        "POST",
        f"/api/artifacts/{a['id']}/revise",
        json={"content": FIVE, "expected_version": "1.0.0"},
    )
    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    assert stale.json()["field"] == "expected_version"
    versions = (await client.call("GET", f"/api/artifacts/{a['id']}/versions")).json()["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [
        ("1.0.0", "superseded"),
        ("1.0.1", "draft"),
    ]
    one = await client.call("GET", f"/api/artifacts/{a['id']}/versions/1.0.0")
    assert one.status_code == 200 and one.json()["content"] == FIVE
    missing = await client.call("GET", f"/api/artifacts/{a['id']}/versions/9.9.9")
    assert missing.status_code == 404 and missing.json()["field"] == "version"
    moved = await client.call(
        "POST",
        f"/api/artifacts/{b['id']}/status",
        json={"status": "pending_review", "reason": "go"},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "pending_review"
    q = (await client.call("GET", "/api/artifacts", params={"tags": ["t1", "t2"]})).json()
    assert [x["id"] for x in q["artifacts"]] == [a["id"]]
    q = (await client.call("GET", "/api/artifacts", params={"status": "pending_review"})).json()
    assert [x["id"] for x in q["artifacts"]] == [b["id"]]
    q = (await client.call("GET", "/api/artifacts", params={"artifact_type": "quiz"})).json()
    assert q["count"] == 1


async def test_invalid_transition_answers_409_naming_status(client: Client) -> None:
    a = await client.create()
    r = await client.call("POST", f"/api/artifacts/{a['id']}/status", json={"status": "approved"})
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == "invalid_transition" and body["field"] == "status"
    assert body["allowed"] == ["archived", "pending_review", "superseded"]


async def test_review_stores_evaluations_and_markdown(client: Client) -> None:
    a = await client.create(rubric_ids=["quiz_quality"])
    r = await client.call("POST", f"/api/artifacts/{a['id']}/review")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["artifact"]["status"] == "approved"
    assert [e["rubric_id"] for e in body["evaluations"]] == ["quiz_quality"]
    stored = (await client.call("GET", f"/api/artifacts/{a['id']}/evaluations")).json()
    assert stored["evaluations"] == body["evaluations"]
    prov = (await client.call("GET", f"/api/artifacts/{a['id']}/provenance")).json()
    assert prov["version"] == "1.0.0"
    assert prov["provenance"]["review_history"] == [body["evaluations"][0]["id"]]
    md = await client.call("GET", f"/api/artifacts/{a['id']}/provenance/markdown")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "## Provenance" in md.text and "**Result:** PASSED" in md.text
    again = await client.call("POST", f"/api/artifacts/{a['id']}/review")
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"


async def test_review_with_unknown_rubric_names_rubric_ids(client: Client) -> None:
    a = await client.create(rubric_ids=["no_such_rubric"])
    r = await client.call("POST", f"/api/artifacts/{a['id']}/review")
    assert r.status_code == 422 and r.json()["field"] == "rubric_ids"
    assert "no_such_rubric" in r.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"artifact_type": "quiz", "name": "", "content": {}}, "name"),
        ({"artifact_type": "quiz", "name": "n"}, "content"),
        ({"artifact_type": "quiz", "name": "n", "content": []}, "content"),
        ({"artifact_type": "quiz", "name": "n", "content": {}, "tags": "x"}, "tags"),
        ({"artifact_type": "quiz", "name": "n", "content": {}, "colour": 1}, "colour"),
        (
            {
                "artifact_type": "quiz",
                "name": "n",
                "content": {},
                "provenance": {
                    "sources": [{"source_id": "d", "source_type": "doc", "confidence": 3}]
                },
            },
            "provenance.sources[0].confidence",
        ),
    ],
)
async def test_bad_create_body_names_the_field(
    client: Client, body: dict[str, Any], field: str
) -> None:
    r = await client.call("POST", "/api/artifacts", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


async def test_bad_status_and_query_values(client: Client) -> None:
    a = await client.create()
    r = await client.call("POST", f"/api/artifacts/{a['id']}/status", json={"status": "done"})
    assert r.status_code == 422 and r.json()["field"] == "status"
    r = await client.call("GET", "/api/artifacts", params={"limit": 0})
    assert r.status_code == 422 and r.json()["field"] == "limit"
    r = await client.call("GET", "/api/artifacts/art_nope")
    assert r.status_code == 404 and r.json()["field"] == "artifact_id"
