"""The session API's contract (issue 14): paging, default session type, answer conflicts, 409s.

On SQLite and PostgreSQL, through the in-process app.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.integration.api.conftest import Api

INLINE_ITEMS = [
    {"stem": "What is 2+2?", "options": ["3", "4", "5"], "correct": 1},
    {"stem": "Capital of France?", "item_type": "free_text", "answer": "Paris"},
]


async def create(api: Api, body: dict[str, Any] | None = None) -> str:
    body = body or {"config": {"items": INLINE_ITEMS}}
    r = await api.client.post("/api/sessions", json=body, headers=api.headers())
    assert r.status_code == 201, r.text
    return str(r.json()["session_id"])


async def test_session_type_defaults_to_evaluation(api: Api) -> None:
    sid = await create(api, {"config": {"items": INLINE_ITEMS}})
    view = (await api.client.get(f"/api/sessions/{sid}", headers=api.headers())).json()
    assert view["session_type"] == "evaluation"


async def test_session_list_pages_like_the_artifact_list(api: Api) -> None:
    created = [await create(api) for _ in range(5)]
    newest_first = list(reversed(created))

    async def page(**params: int) -> dict[str, Any]:
        r = await api.client.get("/api/sessions", params=params, headers=api.headers())
        assert r.status_code == 200, r.text
        return dict(r.json())

    first = await page(limit=2)
    assert set(first) == {"sessions", "count"} and first["count"] == 2
    second = await page(limit=2, offset=2)
    third = await page(limit=2, offset=4)
    ids = [s["session_id"] for p in (first, second, third) for s in p["sessions"]]
    assert ids == newest_first
    assert (await page(offset=5))["sessions"] == []
    assert [s["session_id"] for s in (await page())["sessions"]] == newest_first


async def test_session_list_stops_at_limit_not_at_fifty(api: Api) -> None:
    for _ in range(52):
        await create(api)
    r = await api.client.get("/api/sessions", params={"limit": 60}, headers=api.headers())
    assert r.json()["count"] == 52
    r = await api.client.get("/api/sessions", headers=api.headers())
    assert r.json()["count"] == 50  # the documented default page size


async def answer(api: Api, sid: str, tool_call_id: str, response: dict[str, Any]) -> Any:
    return await api.client.post(
        f"/api/sessions/{sid}/respond",
        json={"tool_call_id": tool_call_id, "response": response},
        headers=api.headers(),
    )


async def test_a_different_second_answer_is_a_conflict_naming_the_first(api: Api) -> None:
    sid = await create(api)
    action = (await api.stream(sid))[1][1]
    call = action["tool_call_id"]
    first = await answer(api, sid, call, {"index": 1})
    assert first.status_code == 200
    replay = await answer(api, sid, call, {"index": 1})
    assert replay.status_code == 200 and replay.json() == first.json()  # idempotent

    other = await answer(api, sid, call, {"index": 2})
    assert other.status_code == 409, other.text
    body = other.json()
    assert body["error"] == "answer_conflict" and body["field"] == "response"
    view = (await api.client.get(f"/api/sessions/{sid}", headers=api.headers())).json()
    results = await api.client.delete(f"/api/sessions/{sid}", headers=api.headers())
    assert results.status_code == 200
    detail = (await api.client.get(f"/api/sessions/{sid}/results", headers=api.headers())).json()
    answered_at = body["answered_at"]
    assert answered_at.endswith("Z") and answered_at in body["message"]
    assert detail["items"][0]["response"] == {"index": 1}  # the first answer stands
    assert view["items_answered"] == 1


async def test_a_replay_after_the_next_item_is_served_stays_idempotent(api: Api) -> None:
    sid = await create(api)
    call = (await api.stream(sid))[1][1]["tool_call_id"]
    first = await answer(api, sid, call, {"index": 1})
    assert (await api.stream(sid))[1][1]["item_number"] == 2
    again = await answer(api, sid, call, {"index": 1})
    assert again.status_code == 200 and again.json() == first.json()
    assert (await answer(api, sid, call, {"index": 0})).status_code == 409


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        (
            "GET",
            "/results",
            "pending",
            "results are available once the session has ended (status: pending)",
        ),
        ("DELETE", "", "terminated", "the session has already ended (status: terminated)"),
    ],
)
async def test_status_conflicts_are_sentences(
    api: Api, method: str, path: str, status: str, message: str
) -> None:
    sid = await create(api)
    if status == "terminated":
        await api.client.delete(f"/api/sessions/{sid}", headers=api.headers())
    r = await api.client.request(method, f"/api/sessions/{sid}{path}", headers=api.headers())
    assert r.status_code == 409
    body = r.json()
    assert body["message"] == message and body["status"] == status
    assert body["field"] == "status" and body["rule"].startswith("must be one of: ")


async def test_respond_after_the_end_is_a_sentence(api: Api) -> None:
    sid = await create(api)
    call = (await api.stream(sid))[1][1]["tool_call_id"]
    await api.client.delete(f"/api/sessions/{sid}", headers=api.headers())
    r = await answer(api, sid, call, {"index": 1})
    assert r.status_code == 409
    assert r.json()["message"] == (
        "the session has ended and takes no more answers (status: terminated)"
    )
