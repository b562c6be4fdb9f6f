"""The session API over HTTP (in-process ASGI), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from tests.integration.api.conftest import Api
from tests.integration.sessions.helpers import find_key_fields

INLINE = {
    "session_type": "evaluation",
    "config": {
        "items": [
            {"stem": "What is 2+2?", "options": ["3", "4", "5"], "correct": 1},
            {"stem": "Capital of France?", "item_type": "free_text", "answer": "Paris"},
        ]
    },
}


async def create(api: Api, body: dict[str, object] = INLINE) -> str:
    r = await api.client.post("/api/sessions", json=body, headers=api.headers())
    assert r.status_code == 201, r.text
    data = r.json()
    assert set(data) == {"session_id", "status", "stream_url"} and data["status"] == "pending"
    return str(data["session_id"])


async def test_health_needs_no_token(api: Api) -> None:
    r = await api.client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sessions"),
        ("POST", "/api/sessions"),
        ("GET", "/api/sessions/x"),
        ("GET", "/api/blueprints"),
        ("GET", "/api/sessions/x/stream"),
        ("POST", "/api/sessions/x/respond"),
        ("DELETE", "/api/sessions/x"),
        ("GET", "/api/sessions/x/results"),
    ],
)
async def test_every_route_needs_a_token(api: Api, method: str, path: str) -> None:
    r = await api.client.request(method, path)
    assert r.status_code == 401
    assert r.json()["field"] == "headers.authorization"
    r = await api.client.request(method, path, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


async def test_openapi_docs_are_public(api: Api) -> None:
    assert (await api.client.get("/openapi.json")).status_code == 200
    assert (await api.client.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "rule_part"),
    [
        (b"{not json", "body", "valid JSON"),
        (
            {"session_type": "survey", "config": {"blueprint_id": "MATH-QUIZ-10"}},
            "session_type",
            "evaluation",
        ),
        (
            {"session_type": "evaluation", "config": {"blueprint_id": "NOPE"}},
            "config.blueprint_id",
            "known blueprint",
        ),
        ({"session_type": "evaluation", "config": {}}, "config", "exactly one"),
        (
            {"session_type": "evaluation", "config": {"blueprint_id": "MATH-QUIZ-10", "colour": 1}},
            "config.colour",
            "Extra",
        ),
        (
            {
                "session_type": "evaluation",
                "config": {"items": [{"stem": "q", "options": ["a", "b"], "correct": 2}]},
            },
            "config.items[0].correct",
            "between 0 and 1",
        ),
        (
            {
                "session_type": "evaluation",
                "config": {"items": [{"stem": "q", "options": ["a", "a"], "correct": 0}]},
            },
            "config.items[0].options",
            "distinct",
        ),
        (
            {
                "session_type": "evaluation",
                "config": {"items": [{"stem": "q", "item_type": "free_text"}]},
            },
            "config.items[0].answer",
            "required",
        ),
    ],
)
async def test_bad_create_names_field_and_rule(
    api: Api, body: object, field: str, rule_part: str
) -> None:
    kwargs = (
        {"content": body, "headers": {**api.headers(), "content-type": "application/json"}}
        if isinstance(body, bytes)
        else {"json": body, "headers": api.headers()}
    )
    r = await api.client.post("/api/sessions", **kwargs)  # type: ignore[arg-type]
    assert 400 <= r.status_code < 500, r.text
    data = r.json()
    assert data["field"] == field, data
    assert rule_part in data["rule"], data
    listing = await api.client.get("/api/sessions", headers=api.headers())
    assert listing.json()["sessions"] == []  # nothing written


async def test_full_session_over_http_with_secrecy(api: Api) -> None:
    r = await api.client.post(
        "/api/sessions",
        json={"session_type": "evaluation", "config": {"blueprint_id": "MATH-QUIZ-10"}},
        headers=api.headers(),
    )
    sid = r.json()["session_id"]
    payloads: list[object] = []
    for n in range(1, 11):
        events = await api.stream(sid)
        assert [e for e, _ in events] == ["connected", "client_action", "run_suspended"]
        action = events[1][1]
        assert set(action) >= {
            "tool_call_id",
            "tool_name",
            "widget_type",
            "props",
            "item_number",
            "total_items",
        }
        assert action["item_number"] == n and action["total_items"] == 10
        assert set(action["props"]) >= {"prompt", "options"}
        view = (await api.client.get(f"/api/sessions/{sid}", headers=api.headers())).json()
        res = await api.client.get(f"/api/sessions/{sid}/results", headers=api.headers())
        assert res.status_code == 409 and res.json()["status"] == "awaiting_client_action"
        r = await api.client.post(
            f"/api/sessions/{sid}/respond",
            json={"tool_call_id": action["tool_call_id"], "response": {"index": 0}},
            headers=api.headers(),
        )
        assert r.status_code == 200
        payloads += [d for _, d in events] + [view, r.json()]
    events = await api.stream(sid)
    assert [e for e, _ in events] == ["connected", "session_completed"]
    for p in payloads:
        assert find_key_fields(p) == []
    results = (await api.client.get(f"/api/sessions/{sid}/results", headers=api.headers())).json()
    assert results["total"] == 10 and len(results["items"]) == 10
    for item in results["items"]:
        assert set(item) >= {
            "item_number",
            "prompt",
            "options",
            "response",
            "correct",
            "correct_answer",
            "time_taken_ms",
        }
        assert item["response"] == {"index": 0}
        assert item["correct"] == (item["options"][0] == item["correct_answer"])
    assert results["sections"] and all("accuracy" in s for s in results["sections"])


async def test_respond_errors(api: Api) -> None:
    sid = await create(api)
    action = (await api.stream(sid))[1][1]
    url = f"/api/sessions/{sid}/respond"
    r = await api.client.post(
        url,
        json={"tool_call_id": action["tool_call_id"], "response": {"index": 9}},
        headers=api.headers(),
    )
    assert (
        r.status_code == 422
        and r.json()["field"] == "response.index"
        and "between 0 and 2" in r.json()["rule"]
    )
    r = await api.client.post(
        url, json={"tool_call_id": action["tool_call_id"]}, headers=api.headers()
    )
    assert r.status_code == 422 and r.json()["field"] == "response"
    r = await api.client.post(
        url, content=b"[1,", headers={**api.headers(), "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = await api.client.post(
        url, json={"tool_call_id": "stale", "response": {"index": 1}}, headers=api.headers()
    )
    assert r.status_code == 409 and r.json()["field"] == "tool_call_id"
    r = await api.client.post(
        url,
        json={"tool_call_id": action["tool_call_id"], "response": {"index": 1}},
        headers=api.headers(api.other_token),
    )
    assert r.status_code == 404
    view = (await api.client.get(f"/api/sessions/{sid}", headers=api.headers())).json()
    assert view["items_answered"] == 0 and view["status"] == "awaiting_client_action"
    ok = await api.client.post(
        url,
        json={"tool_call_id": action["tool_call_id"], "response": {"index": 1}},
        headers=api.headers(),
    )
    again = await api.client.post(
        url,
        json={"tool_call_id": action["tool_call_id"], "response": {"index": 1}},
        headers=api.headers(),
    )
    assert ok.status_code == again.status_code == 200 and ok.json() == again.json()


async def test_other_user_gets_404_everywhere(api: Api) -> None:
    sid = await create(api)
    other = api.headers(api.other_token)
    for method, path in [("GET", ""), ("GET", "/stream"), ("GET", "/results"), ("DELETE", "")]:
        r = await api.client.request(method, f"/api/sessions/{sid}{path}", headers=other)
        assert r.status_code == 404, (method, path)
        assert r.json()["error"] == "not_found"
    assert (await api.client.get("/api/sessions", headers=other)).json()["sessions"] == []


async def test_terminate_then_conflict(api: Api) -> None:
    sid = await create(api)
    r = await api.client.delete(f"/api/sessions/{sid}", headers=api.headers())
    assert r.status_code == 200 and r.json()["status"] == "terminated"
    r = await api.client.delete(f"/api/sessions/{sid}", headers=api.headers())
    assert (
        r.status_code == 409
        and r.json()["status"] == "terminated"
        and r.json()["message"] == "the session has already ended (status: terminated)"
    )
    r = await api.client.get(f"/api/sessions/{sid}/results", headers=api.headers())
    assert r.status_code == 200 and r.json()["answered"] == 0


async def test_blueprints_listed(api: Api) -> None:
    r = await api.client.get("/api/blueprints", headers=api.headers())
    ids = {b["blueprint_id"] for b in r.json()}
    assert {"MATH-QUIZ-10", "MATH-FUNDAMENTALS-L1"} <= ids
    r = await api.client.get("/api/blueprints/NOPE", headers=api.headers())
    assert r.status_code == 404 and r.json()["field"] == "blueprint_id"
