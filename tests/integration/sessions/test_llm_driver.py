"""The LLM driver in the session loop, on SQLite and PostgreSQL.

Scripted models (no network) deviate in every way the issue lists; each deviation is
corrected to the canonical call and recorded, and the session scores as if nothing happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.integration.sessions.helpers import next_action, request
from tests.integration.sessions.llm_scripts import (
    MUTATIONS,
    assistant_metas,
    deviating,
    faithful,
    recording_model,
)

from assay.llm import ScriptedModel
from assay.sessions import ScriptDriver, SessionService, store
from assay.sessions.llm_driver import LLMDriver
from assay.storage import Database

ITEMS = [
    {
        "stem": "What is 47 + 38?",
        "options": ["75", "85", "86", "95"],
        "correct": 1,
        "section": "arith",
    },
    {
        "stem": "Name the capital of France.",
        "item_type": "free_text",
        "answer": "Paris",
        "section": "geo",
    },
    {
        "stem": "Which is a prime?",
        "options": ["4", "6", "7", "9"],
        "correct": 2,
        "section": "arith",
    },
    {
        "stem": "Write f returning 1",
        "item_type": "code",
        "answer": "def f():\n    return 1",
        "starter_code": "def f():\n",
    },
]
# One answer per item: right, wrong, wrong, right.
ANSWERS = [{"index": 1}, {"text": "Lyon"}, {"index": 0}, {"code": "def f():\n    return 1\n"}]
EXPECTED_CORRECT = [True, False, False, True]


def canonical_props(item: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {"prompt": item["stem"]}
    if "options" in item:
        props["options"] = item["options"]
    if item.get("item_type") == "code":
        props["language"] = "python"
        props["starter_code"] = item["starter_code"]
    return props


def llm_service(
    make_service: Callable[..., SessionService], model: ScriptedModel, **options: Any
) -> SessionService:
    drivers = {"script": ScriptDriver(), "llm": LLMDriver(model, **options)}
    return make_service(drivers=drivers)


async def take(service: SessionService, user_id: str, session_id: str) -> list[dict[str, Any]]:
    """Answer every item with :data:`ANSWERS`; returns the client actions seen."""
    actions = []
    while (
        action := await next_action(service, user_id=user_id, session_id=session_id)
    ) is not None:
        actions.append(action)
        await service.respond(
            user_id=user_id,
            session_id=session_id,
            tool_call_id=action["tool_call_id"],
            response=ANSWERS[action["item_number"] - 1],
        )
    return actions


async def run_checked(
    service: SessionService, user_id: str, db: Database
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Take a session of :data:`ITEMS` through the llm driver and check what the student got.

    Every item is presented verbatim (none skipped, repeated or invented) and the session is
    scored from the keys. Returns the session view, the client actions and the assistant
    messages' meta.
    """
    request_ = request({"items": ITEMS, "driver": "llm"})
    sid = (await service.create(user_id=user_id, request=request_))["session_id"]
    actions = await take(service, user_id, sid)
    assert [a["item_number"] for a in actions] == [1, 2, 3, 4]
    assert [a["props"] for a in actions] == [canonical_props(i) for i in ITEMS]
    results = await service.results(user_id=user_id, session_id=sid)
    assert results["status"] == "completed" and results["answered"] == 4
    assert [i["correct"] for i in results["items"]] == EXPECTED_CORRECT
    assert results["correct_count"] == 2 and results["score"] == pytest.approx(0.5)
    view = await service.view(user_id=user_id, session_id=sid)
    return view, actions, await assistant_metas(db, sid)


async def test_faithful_model_runs_the_session_with_no_event(
    make_service: Callable[..., SessionService], alice: str, db: Database
) -> None:
    model = recording_model(faithful)
    view, actions, metas = await run_checked(llm_service(make_service, model), alice, db)
    assert view["driver"] == "llm" and view["fidelity_events"] == []
    # 4 items x (get_next_item, present, record_response), then get_next_item, complete_session
    assert len(metas) == len(model.calls) == 4 * 3 + 2
    assert all(m["driver"] == "llm" and m["accepted"] for m in metas)
    assert all(m["usage"]["prompt_tokens"] > 0 and "latency_ms" in m for m in metas)
    # The model's own tool-call ids are kept (well formed and unused).
    said = {m["response"]["tool_calls"][0]["id"] for m in metas}
    assert {a["tool_call_id"] for a in actions} <= said


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
async def test_every_deviation_is_corrected_and_recorded(
    make_service: Callable[..., SessionService], alice: str, db: Database, kind: str
) -> None:
    model = recording_model(deviating(MUTATIONS[kind]))
    service = llm_service(make_service, model, max_deviations=1000)
    view, _, metas = await run_checked(service, alice, db)
    events = view["fidelity_events"]
    rejected = [m for m in metas if not m["accepted"]]
    assert events and len(events) == len(rejected)  # one event per deviating turn, no more
    assert view["driver"] == "llm"
    for event, meta in zip(events, rejected, strict=True):
        assert event["problem"]
        assert event["expected"] == meta["request"]["tool_choice"]["function"]["name"]
        assert event["tool_call_id"]
        said = meta["response"]
        if said["tool_calls"]:
            assert event["model_call"]["name"] == said["tool_calls"][0]["function"]["name"]
        else:
            assert event["model_call"] == {"content": said["content"]}


async def test_a_model_that_keeps_deviating_is_replaced_by_the_script_driver(
    make_service: Callable[..., SessionService], alice: str, db: Database
) -> None:
    model = recording_model(deviating(MUTATIONS["paraphrase"]))
    view, _, metas = await run_checked(
        llm_service(make_service, model, max_deviations=3), alice, db
    )
    assert view["driver"] == "script"
    assert [e["problem"] for e in view["fidelity_events"]] == ["stem changed"] * 3
    assert [e["item_number"] for e in view["fidelity_events"]] == [1, 2, 3]
    # The model was asked until the third deviation (item 3's presentation), never after.
    switched = next(i for i, m in enumerate(metas) if m["driver"] == "script")
    assert len(model.calls) == switched == 3 * 3 - 1
    assert all(m["driver"] == "script" for m in metas[switched:])
    async with db.read() as conn:
        kinds = [e["kind"] for e in await store.get_events(conn, view["session_id"])]
    assert kinds.count("driver_fallback") == 1


async def test_the_guard_counts_deviations_across_streams(
    make_service: Callable[..., SessionService], alice: str
) -> None:
    """The count comes from stored events: a fresh loop (a restarted process) keeps counting."""
    sid = None
    for _ in range(3):  # a new service (and driver) for every answer
        model = recording_model(deviating(MUTATIONS["paraphrase"]))
        service = llm_service(make_service, model, max_deviations=2)
        if sid is None:
            sid = (
                await service.create(
                    user_id=alice, request=request({"items": ITEMS, "driver": "llm"})
                )
            )["session_id"]
        action = await next_action(service, user_id=alice, session_id=sid)
        assert action is not None
        await service.respond(
            user_id=alice,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response=ANSWERS[action["item_number"] - 1],
        )
    assert sid is not None
    view = await service.view(user_id=alice, session_id=sid)
    assert view["driver"] == "script" and len(view["fidelity_events"]) == 2


async def test_default_driver_and_choice_per_session(
    make_service: Callable[..., SessionService], alice: str
) -> None:
    model = recording_model(faithful)
    service = llm_service(make_service, model)
    service.default_driver = "llm"
    default = (await service.create(user_id=alice, request=request({"items": ITEMS[:1]})))[
        "session_id"
    ]
    chosen = (
        await service.create(
            user_id=alice, request=request({"items": ITEMS[:1], "driver": "script"})
        )
    )["session_id"]
    for sid in (default, chosen):
        await take(service, alice, sid)
    assert (await service.view(user_id=alice, session_id=default))["driver"] == "llm"
    assert (await service.view(user_id=alice, session_id=chosen))["driver"] == "script"
    assert len(model.calls) == 1 * 3 + 2  # only the llm session asked the model
