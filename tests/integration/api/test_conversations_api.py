"""HTTP API of the conversation store: timeline, reactions, search, fetch; owner-only."""

from __future__ import annotations

from tests.integration.api.conftest import Api


async def answer_first_item(api: Api) -> str:
    r = await api.client.post(
        "/api/sessions",
        json={"session_type": "evaluation", "config": {"blueprint_id": "MATH-QUIZ-10", "seed": 3}},
        headers=api.headers(),
    )
    sid = str(r.json()["session_id"])
    action = (await api.stream(sid))[-2][1]
    r = await api.client.post(
        f"/api/sessions/{sid}/respond",
        json={"tool_call_id": action["tool_call_id"], "response": {"index": 0}},
        headers=api.headers(),
    )
    assert r.status_code == 200, r.text
    await api.stream(sid)  # records the answer: the turn ends, its log is written
    return sid


async def test_react_then_timeline_shows_feedback(api: Api) -> None:
    sid = await answer_first_item(api)
    r = await api.client.get(f"/api/conversations/{sid}/timeline", headers=api.headers())
    assert r.status_code == 200, r.text
    [turn] = r.json()["turns"]
    assert (turn["turn_id"], turn["item_number"]) == ("item-1", 1)
    assert turn["feedback"]["count"] == 0
    url = f"/api/conversations/{sid}/turns/item-1/reactions"
    r = await api.client.post(
        url, json={"reaction": "not_ok", "text": "confusing"}, headers=api.headers()
    )
    assert r.status_code == 201, r.text
    r = await api.client.get(f"/api/conversations/{sid}/timeline", headers=api.headers())
    feedback = r.json()["turns"][0]["feedback"]
    assert feedback["count"] == 1 and feedback["last_reaction"] == "not_ok"
    assert feedback["last_text"] == "confusing"
    r = await api.client.get(
        "/api/conversations/search", params={"q": "confusing"}, headers=api.headers()
    )
    [hit] = r.json()["results"]
    assert (hit["kind"], hit["turn_id"], hit["conversation_id"]) == (
        "turn.log.reaction",
        "item-1",
        sid,
    )
    r = await api.client.get(f"/api/conversations/{sid}", headers=api.headers())
    assert r.status_code == 200 and r.json()["turns"][0]["turn_id"] == "item-1"
    r = await api.client.get("/api/conversations", headers=api.headers())
    assert [c["conversation_id"] for c in r.json()["conversations"]] == [sid]


async def test_owner_only_and_bad_reaction(api: Api) -> None:
    sid = await answer_first_item(api)
    other = api.headers(api.other_token)
    for path in (f"/api/conversations/{sid}", f"/api/conversations/{sid}/timeline"):
        r = await api.client.get(path, headers=other)
        assert r.status_code == 404 and r.json()["field"] == "conversation_id"
    url = f"/api/conversations/{sid}/turns/item-1/reactions"
    r = await api.client.post(url, json={"reaction": "ok"}, headers=other)
    assert r.status_code == 404
    r = await api.client.post(url, json={"reaction": "great"}, headers=api.headers())
    assert r.status_code == 422 and r.json()["field"].endswith("reaction")
    r = await api.client.post(
        f"/api/conversations/{sid}/turns/item-9/reactions",
        json={"reaction": "ok"},
        headers=api.headers(),
    )
    assert r.status_code == 404 and r.json()["field"] == "turn_id"
    r = await api.client.get("/api/conversations/search", params={"q": "confusing"}, headers=other)
    assert r.json()["results"] == []
    assert (await api.client.get("/api/conversations")).status_code == 401
