"""The evaluation session flow through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
import sqlalchemy as sa
from tests.integration.sessions.helpers import Clock, events, find_key_fields, next_action, request

from assay.items.instance import ResponseError
from assay.sessions import (
    InvalidActionError,
    SessionConfigError,
    SessionExpiredError,
    SessionNotFoundError,
    SessionService,
    StaleToolCallError,
)
from assay.sessions.tables import session_messages
from assay.storage import Database

INLINE = [
    {"stem": "What is 2+2?", "options": ["3", "4", "5"], "correct": 1, "section": "arith"},
    {"stem": "Capital of France?", "item_type": "free_text", "answer": "Paris", "section": "geo"},
    {
        "stem": "Return 1",
        "item_type": "code",
        "answer": "def f():\n    return 1",
        "starter_code": "def f():\n",
    },
]


async def test_blueprint_session_runs_to_completion(
    service: SessionService, alice: str, db: Database
) -> None:
    created = await service.create(
        user_id=alice, request=request({"blueprint_id": "MATH-QUIZ-10", "seed": 7})
    )
    sid = created["session_id"]
    assert created == {
        "session_id": sid,
        "status": "pending",
        "stream_url": f"/api/sessions/{sid}/stream",
    }
    seen = []
    rng = random.Random(1)
    while (action := await next_action(service, user_id=alice, session_id=sid)) is not None:
        assert action["widget_type"] == "multiple_choice"
        assert action["total_items"] == 10 and action["item_number"] == len(seen) + 1
        seen.append(action["props"]["prompt"])
        idx = rng.randrange(len(action["props"]["options"]))
        res = await service.respond(
            user_id=alice,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response={"index": idx},
        )
        assert res["accepted"] is True and "correct" not in res
    assert len(seen) == 10 and len(set(seen)) == 10
    view = await service.view(user_id=alice, session_id=sid)
    assert view["status"] == "completed" and view["items_answered"] == 10
    results = await service.results(user_id=alice, session_id=sid)
    assert results["total"] == 10 and len(results["items"]) == 10
    assert results["score"] == pytest.approx(results["correct_count"] / 10)
    assert sum(s["total"] for s in results["sections"]) == 10
    # The transcript is the format an LLM would write: assistant tool calls + tool results.
    async with db.read() as conn:
        roles = (
            (
                await conn.execute(
                    sa.select(session_messages.c.role)
                    .where(session_messages.c.session_id == sid)
                    .order_by(session_messages.c.seq)
                )
            )
            .scalars()
            .all()
        )
    assert roles[:2] == ["system", "user"]
    assert roles.count("assistant") == roles.count("tool")


async def test_inline_items_and_three_widgets(service: SessionService, alice: str) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE})))["session_id"]
    widgets = []
    answers = [{"index": 1}, {"text": "  paris "}, {"code": "def f():\n    return 1   \n"}]
    for answer in answers:
        action = await next_action(service, user_id=alice, session_id=sid)
        assert action is not None
        widgets.append(action["widget_type"])
        await service.respond(
            user_id=alice, session_id=sid, tool_call_id=action["tool_call_id"], response=answer
        )
    assert await next_action(service, user_id=alice, session_id=sid) is None
    assert widgets == ["multiple_choice", "free_text", "code_editor"]
    results = await service.results(user_id=alice, session_id=sid)
    assert [i["correct"] for i in results["items"]] == [True, True, True]
    assert results["score"] == 1.0
    assert {s["section_id"]: s["accuracy"] for s in results["sections"]} == {
        "arith": 1.0,
        "geo": 1.0,
        None: 1.0,
    }


async def test_respond_is_idempotent_and_stale_ids_conflict(
    service: SessionService, alice: str
) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE})))["session_id"]
    first = await next_action(service, user_id=alice, session_id=sid)
    assert first is not None
    r1 = await service.respond(
        user_id=alice, session_id=sid, tool_call_id=first["tool_call_id"], response={"index": 0}
    )
    r2 = await service.respond(
        user_id=alice, session_id=sid, tool_call_id=first["tool_call_id"], response={"index": 0}
    )
    assert r1 == r2
    with pytest.raises(StaleToolCallError):
        await service.respond(
            user_id=alice, session_id=sid, tool_call_id="call_unknown", response={"index": 0}
        )
    second = await next_action(service, user_id=alice, session_id=sid)
    assert second is not None and second["item_number"] == 2
    with pytest.raises(StaleToolCallError):
        await service.respond(
            user_id=alice, session_id=sid, tool_call_id="nope", response={"text": "x"}
        )
    # The repeat did not count twice: item 1 stays answered with its first answer.
    await service.terminate(user_id=alice, session_id=sid)
    results = await service.results(user_id=alice, session_id=sid)
    assert results["answered"] == 1 and results["items"][0]["response"] == {"index": 0}
    assert results["items"][0]["correct"] is False


async def test_reconnect_re_emits_the_same_pending_item(
    service: SessionService, alice: str
) -> None:
    sid = (
        await service.create(
            user_id=alice, request=request({"blueprint_id": "MATH-QUIZ-10", "seed": 3})
        )
    )["session_id"]
    a = await next_action(service, user_id=alice, session_id=sid)
    b = await next_action(service, user_id=alice, session_id=sid)
    assert a is not None and b is not None
    assert (a["tool_call_id"], a["props"], a["item_number"]) == (
        b["tool_call_id"],
        b["props"],
        b["item_number"],
    )


async def test_bad_payload_writes_nothing(service: SessionService, alice: str) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE})))["session_id"]
    action = await next_action(service, user_id=alice, session_id=sid)
    assert action is not None
    for bad, field in [
        ({"index": 3}, "response.index"),
        ({"index": -1}, "response.index"),
        ({"text": "x"}, "response.index"),
        ({"index": True}, "response.index"),
    ]:
        with pytest.raises(ResponseError) as info:
            await service.respond(
                user_id=alice, session_id=sid, tool_call_id=action["tool_call_id"], response=bad
            )
        assert info.value.field == field
    view = await service.view(user_id=alice, session_id=sid)
    assert view["status"] == "awaiting_client_action" and view["items_answered"] == 0


async def test_other_users_session_is_not_found(
    service: SessionService, alice: str, bob: str
) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE})))["session_id"]
    action = await next_action(service, user_id=alice, session_id=sid)
    assert action is not None
    for call in (
        service.view(user_id=bob, session_id=sid),
        service.terminate(user_id=bob, session_id=sid),
        service.results(user_id=bob, session_id=sid),
        service.stream(user_id=bob, session_id=sid),
        service.respond(
            user_id=bob, session_id=sid, tool_call_id=action["tool_call_id"], response={"index": 1}
        ),
    ):
        with pytest.raises(SessionNotFoundError):
            await call
    assert (await service.view(user_id=alice, session_id=sid))["items_answered"] == 0


async def test_status_conflicts_name_the_status(service: SessionService, alice: str) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE[:1]})))[
        "session_id"
    ]
    with pytest.raises(InvalidActionError, match=r"\(status: pending\)"):
        await service.results(user_id=alice, session_id=sid)
    with pytest.raises(StaleToolCallError):
        await service.respond(
            user_id=alice, session_id=sid, tool_call_id="x", response={"index": 0}
        )
    await service.terminate(user_id=alice, session_id=sid)
    with pytest.raises(InvalidActionError, match=r"\(status: terminated\)"):
        await service.terminate(user_id=alice, session_id=sid)
    evs = await events(service, user_id=alice, session_id=sid)
    assert [n for n, _ in evs] == ["connected", "session_completed"]
    assert evs[-1][1]["status"] == "terminated"


async def test_unknown_blueprint_names_the_field(service: SessionService, alice: str) -> None:
    with pytest.raises(SessionConfigError) as info:
        await service.create(user_id=alice, request=request({"blueprint_id": "NOPE"}))
    assert info.value.field == "config.blueprint_id"
    with pytest.raises(SessionConfigError) as info:
        await service.create(user_id=alice, request=request({"items": INLINE, "driver": "llm"}))
    assert info.value.field == "config.driver"


async def test_time_limit_expires_keeping_answers(
    service: SessionService, alice: str, clock: Clock
) -> None:
    sid = (
        await service.create(
            user_id=alice, request=request({"items": INLINE, "time_limit_minutes": 1})
        )
    )["session_id"]
    a1 = await next_action(service, user_id=alice, session_id=sid)
    assert a1 is not None and a1["time_remaining_s"] == pytest.approx(60.0)
    clock.advance(20)
    await service.respond(
        user_id=alice, session_id=sid, tool_call_id=a1["tool_call_id"], response={"index": 1}
    )
    a2 = await next_action(service, user_id=alice, session_id=sid)
    assert a2 is not None and a2["time_remaining_s"] == pytest.approx(40.0)
    clock.advance(41)
    with pytest.raises(SessionExpiredError):
        await service.respond(
            user_id=alice,
            session_id=sid,
            tool_call_id=a2["tool_call_id"],
            response={"text": "Paris"},
        )
    view = await service.view(user_id=alice, session_id=sid)
    assert view["status"] == "expired" and view["end_reason"] == "time_limit"
    results = await service.results(user_id=alice, session_id=sid)
    assert results["answered"] == 1 and results["correct_count"] == 1
    assert results["items"][0]["time_taken_ms"] == 20_000
    assert results["score"] == pytest.approx(1 / 3)


async def test_expiry_is_enforced_on_stream_and_view(
    service: SessionService, alice: str, clock: Clock
) -> None:
    sid = (
        await service.create(
            user_id=alice, request=request({"items": INLINE, "time_limit_minutes": 0.5})
        )
    )["session_id"]
    assert await next_action(service, user_id=alice, session_id=sid) is not None
    clock.advance(31)
    evs = await events(service, user_id=alice, session_id=sid)
    assert evs[-1] == (
        "session_completed",
        {
            "session_id": sid,
            "status": "expired",
            "end_reason": "time_limit",
            "results_url": f"/api/sessions/{sid}/results",
        },
    )


async def test_time_taken_is_measured_on_the_server(
    service: SessionService, alice: str, clock: Clock
) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE[:1]})))[
        "session_id"
    ]
    action = await next_action(service, user_id=alice, session_id=sid)
    assert action is not None
    clock.advance(7.25)
    await service.respond(
        user_id=alice, session_id=sid, tool_call_id=action["tool_call_id"], response={"index": 1}
    )
    assert await next_action(service, user_id=alice, session_id=sid) is None
    results = await service.results(user_id=alice, session_id=sid)
    assert results["items"][0]["time_taken_ms"] == 7250


async def test_no_key_in_any_payload_before_completion(service: SessionService, alice: str) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE})))["session_id"]
    payloads = []
    answers = iter([{"index": 1}, {"text": "Paris"}, {"code": "def f():\n    return 1"}])
    while True:
        evs = await events(service, user_id=alice, session_id=sid)
        payloads += [d for n, d in evs if n != "session_completed"]
        view = await service.view(user_id=alice, session_id=sid)
        if view["status"] == "completed":
            break
        payloads.append(view)
        action = evs[-2][1]
        payloads.append(
            await service.respond(
                user_id=alice,
                session_id=sid,
                tool_call_id=action["tool_call_id"],
                response=next(answers),
            )
        )
    for p in payloads:
        assert find_key_fields(p) == [], p
        text = str(p)
        assert "Paris" not in text and "return 1" not in text


async def test_two_streams_never_run_the_loop_at_once(service: SessionService, alice: str) -> None:
    sid = (
        await service.create(
            user_id=alice, request=request({"blueprint_id": "MATH-QUIZ-10", "seed": 11})
        )
    )["session_id"]
    results = await asyncio.gather(
        *(events(service, user_id=alice, session_id=sid) for _ in range(4))
    )
    actions = [evs[-2][1] for evs in results]
    assert len({a["tool_call_id"] for a in actions}) == 1
    view = await service.view(user_id=alice, session_id=sid)
    assert view["items_served"] == 1


async def test_transcript_archived_on_completion(
    service: SessionService, alice: str, blobs: object
) -> None:
    sid = (await service.create(user_id=alice, request=request({"items": INLINE[:1]})))[
        "session_id"
    ]
    action = await next_action(service, user_id=alice, session_id=sid)
    assert action is not None
    await service.respond(
        user_id=alice, session_id=sid, tool_call_id=action["tool_call_id"], response={"index": 1}
    )
    assert await next_action(service, user_id=alice, session_id=sid) is None
    import json

    doc = json.loads(await blobs.get(f"sessions/{sid}/transcript.json"))  # type: ignore[attr-defined]
    assert doc["results"]["score"] == 1.0
    assert doc["messages"][0]["role"] == "system"


class ExplodingDriver:
    """Fails on its n-th turn, as a crash between two steps would."""

    name = "script"

    def __init__(self, fail_at: int) -> None:
        from assay.sessions import ScriptDriver

        self.inner = ScriptDriver()
        self.turns = 0
        self.fail_at = fail_at

    async def next_turn(self, context):  # type: ignore[no-untyped-def]
        self.turns += 1
        if self.turns == self.fail_at:
            raise RuntimeError("driver crashed")
        return await self.inner.next_turn(context)


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4, 5])
async def test_a_failing_step_is_an_error_event_and_the_session_resumes(
    make_service: Any, alice: str, fail_at: int
) -> None:
    broken = make_service(drivers={"script": ExplodingDriver(fail_at)})
    healthy = make_service()
    sid = (await broken.create(user_id=alice, request=request({"items": INLINE})))["session_id"]
    answered = 0
    saw_error = False
    for _ in range(12):
        evs = await events(broken, user_id=alice, session_id=sid)
        if evs[-1][0] == "error":
            assert evs[-1][1]["error"] == "loop_failed"
            saw_error = True
            evs = await events(healthy, user_id=alice, session_id=sid)
        if evs[-1][0] == "session_completed":
            break
        action = evs[-2][1]
        assert action["item_number"] == answered + 1
        answer = [{"index": 1}, {"text": "Paris"}, {"code": "def f():\n    return 1"}][answered]
        await broken.respond(
            user_id=alice, session_id=sid, tool_call_id=action["tool_call_id"], response=answer
        )
        answered += 1  # noqa: SIM113
    assert saw_error
    results = await healthy.results(user_id=alice, session_id=sid)
    assert results["answered"] == 3 and results["score"] == 1.0
