"""Rubric function refs over HTTP: only configured functions resolve, nothing else is imported.

Attacks seen in issue 14 (remote code execution through a deterministic criterion), on the
real app in-process, SQLite and PostgreSQL.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, llm, rubric

from assay.api.app import create_app
from assay.blobs import MemoryBlobStore
from assay.config import Settings
from assay.llm import ScriptedModel
from assay.rubrics import RubricExecutor, RubricRegistry
from assay.services import build_services
from assay.storage import Database
from assay.users import create_user

SENTINEL = "assay_sentinel_mod_9f2c"


@dataclass
class Server:
    http: httpx.AsyncClient
    db: Database
    headers: dict[str, str]
    marker: Path
    touched: Path

    async def call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return await self.http.request(method, url, headers=self.headers, **kw)


@pytest.fixture
async def server(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Server]:
    # A module on sys.path that records its own import: importing it at all is the failure.
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    marker = tmp_path / "imported.txt"
    (plugins / f"{SENTINEL}.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('imported')\n"
        "def run(content):\n    return 'pass'\n"
    )
    monkeypatch.syspath_prepend(str(plugins))
    monkeypatch.delitem(sys.modules, SENTINEL, raising=False)
    settings = Settings(database_url=db_url, blob_dir=tmp_path / "blobs")
    db = await Database.connect(db_url, upgrade=False)
    services = await build_services(settings, db=db, blobs=MemoryBlobStore())
    _, token = await create_user(db, name="mallory")
    app = create_app(settings, services=services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Server(http, db, {"Authorization": f"Bearer {token}"}, marker, tmp_path / "pwned")
    await db.close()


def attack_body(ref: str) -> dict[str, Any]:
    return rubric(
        criterion("shell", det(ref), spec=THREE, weight=1.0), id="evil", threshold=0.5
    ).to_dict()


ATTACKS = [
    "subprocess:check_output",
    "subprocess.check_output",
    "subprocess:run",
    "os:system",
    "builtins:eval",
    "shutil:rmtree",
    "importlib:import_module",
    f"{SENTINEL}:run",
    f"{SENTINEL}.run",
]


def assert_nothing_ran(server: Server) -> None:
    assert not server.touched.exists()
    assert not server.marker.exists() and SENTINEL not in sys.modules


@pytest.mark.parametrize("ref", ATTACKS)
async def test_post_rubric_with_a_foreign_ref_is_422(server: Server, ref: str) -> None:
    for method, url in [("POST", "/api/rubrics"), ("PUT", "/api/rubrics/evil")]:
        r = await server.call(method, url, json=attack_body(ref))
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["error"] == "unresolved_reference"
        assert body["field"] == "criteria[0].scoring_method.function_ref"
        assert "criterion 'shell'" in body["message"] and repr(ref) in body["message"]
        assert body["errors"][0]["reason"] == "not_allowed"
    assert (await server.call("GET", "/api/rubrics")).json() == {"rubrics": []}
    assert_nothing_ran(server)


async def test_validate_route_reports_the_ref_and_imports_nothing(server: Server) -> None:
    r = await server.call("POST", "/api/rubrics/validate", json=attack_body(f"{SENTINEL}:run"))
    assert r.status_code == 200 and r.json()["passed"] is False
    [problem] = r.json()["problems"]
    assert problem["criterion_id"] == "shell" and problem["reason"] == "not_allowed"
    assert_nothing_ran(server)


@pytest.mark.parametrize(
    ("ref", "content"),
    [
        ("subprocess:check_output", {"id": 0}),
        ("subprocess:run", {"touch": 0}),  # the path is added below
        ("subprocess.run", {"touch": 0}),
        ("os:system", {"id": 0}),
        ("builtins:eval", {"id": 0}),
        (f"{SENTINEL}:run", {"id": 0}),
    ],
)
async def test_stored_rubric_with_a_foreign_ref_ends_at_error_level(
    server: Server, ref: str, content: dict[str, Any]
) -> None:
    # Stored before the guard existed (directly in the database, as a system rubric).
    await RubricRegistry(server.db).register(
        rubric(criterion("shell", det(ref), spec=THREE, weight=1.0), id="old_rubric", threshold=0.5)
    )
    content = {**content, str(server.touched): 0}
    r = await server.call(
        "POST",
        "/api/artifacts",
        json={"artifact_type": "x", "name": "n", "content": content, "rubric_ids": ["old_rubric"]},
    )
    assert r.status_code == 201, r.text
    r = await server.call("POST", f"/api/artifacts/{r.json()['id']}/review")
    assert r.status_code == 200, r.text
    [evaluation] = r.json()["evaluations"]
    [result] = evaluation["criterion_results"]
    assert result["level_id"] == "error" and result["score"] == 0.0
    assert "is not allowed" in result["notes"] and "uid=" not in result["notes"]
    assert evaluation["passed"] is False and r.json()["artifact"]["status"] == "in_review"
    assert_nothing_ran(server)


async def test_allowed_module_and_dotted_ref_resolve(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSAY_RUBRIC_FUNCTION_MODULES", "tests.unit.rubrics")
    settings = Settings(database_url=db_url, blob_dir=tmp_path / "b")
    db = await Database.connect(db_url, upgrade=False)
    try:
        services = await build_services(settings, db=db, blobs=MemoryBlobStore())
        ref = "tests.unit.rubrics.rubric_builders.check_clarity"
        assert services.rubric_functions.get(ref)({"text": "x"}) == "pass"
    finally:
        await db.close()


async def test_unknown_fields_are_422_naming_the_field(server: Server) -> None:
    body = rubric(criterion("c", det("assay.rubrics.meta:check_criteria_coverage"))).to_dict()
    assert (await server.call("POST", "/api/rubrics/validate", json=body)).status_code == 200
    for where, path in [
        (body, "colour"),
        (body["criteria"][0], "criteria[0].colour"),
        (body["criteria"][0]["levels"][0], "criteria[0].levels[0].colour"),
        (body["criteria"][0]["scoring_method"], "criteria[0].scoring_method.colour"),
    ]:
        where["colour"] = "red"
        for method, url in [("POST", "/api/rubrics"), ("POST", "/api/rubrics/validate")]:
            r = await server.call(method, url, json=body)
            assert r.status_code == 422, (path, r.text)
            assert r.json()["field"] == path and "not permitted" in r.json()["rule"]
        del where["colour"]


async def test_decode_prompt_naming_a_missing_variable_makes_no_call() -> None:
    calls: list[Any] = []

    def script(messages: Any, tools: Any) -> Any:
        calls.append(messages)
        return '{"level_id": "pass"}'

    r = rubric(criterion("q", llm("Judge: {{ questions }}"), spec=THREE, weight=1.0))
    for batch in (False, True):
        executor = RubricExecutor(
            llm=ScriptedModel(script), llm_feedback=False, batch_llm_criteria=batch
        )
        ev = await executor.evaluate(r, {"text": "no questions here"})
        [result] = ev.criterion_results
        assert result.level_id == "error" and "'questions' is undefined" in result.notes
        assert ev.passed is False
    assert calls == []
