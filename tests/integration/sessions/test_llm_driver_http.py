"""A whole session driven over real HTTP: Assay -> OpenAICompatibleModel -> FakeOpenAIServer.

The fake server on 127.0.0.1 answers every chat-completions request with the call its step
instruction asks for (a faithful model), as JSON or as streamed server-sent events.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.integration.sessions.helpers import next_action, request
from tests.integration.sessions.llm_scripts import assistant_metas

from assay.blobs import MemoryBlobStore
from assay.config import Settings
from assay.llm import Message, OpenAICompatibleModel
from assay.llm.fake_server import FakeOpenAIServer, FakeStep
from assay.services import build_drivers, build_services
from assay.sessions import ScriptDriver, SessionService
from assay.sessions.llm_driver import LLMDriver
from assay.sessions.projection import requested_call
from assay.storage import Database

ITEMS = [
    {"stem": "What is 6 × 7?", "options": ["42", "43", "24"], "correct": 0},
    {"stem": 'Type "yes"', "item_type": "free_text", "answer": "yes"},
]
ANSWERS = [{"index": 0}, {"text": "no"}]


def faithful_step(body: dict[str, Any]) -> FakeStep:
    """The call the request's instruction asks for."""
    messages = [Message(role=m["role"], content=m.get("content")) for m in body["messages"]]
    return requested_call(messages)


async def take(service: SessionService, user_id: str) -> str:
    sid = (await service.create(user_id=user_id, request=request({"items": ITEMS})))["session_id"]
    while (action := await next_action(service, user_id=user_id, session_id=sid)) is not None:
        assert action["props"]["prompt"] == ITEMS[action["item_number"] - 1]["stem"]
        await service.respond(
            user_id=user_id,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response=ANSWERS[action["item_number"] - 1],
        )
    return sid


def assert_wire(server: FakeOpenAIServer, *, stream: bool) -> None:
    bodies = server.chat_requests
    assert len(bodies) == 2 * 3 + 2  # 2 items x 3 steps, then get_next_item, complete_session
    names = [b["tool_choice"]["function"]["name"] for b in bodies]
    item_steps = ["get_next_item", "present_choices", "record_response"]
    item_steps += ["get_next_item", "request_free_text", "record_response"]
    assert names == [*item_steps, "get_next_item", "complete_session"]
    for body in bodies:
        assert body["model"] == "fake-model" and body["temperature"] == 0.0
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        assert {t["function"]["name"] for t in body["tools"]} >= {
            "present_choices",
            "record_response",
        }
        assert bool(body.get("stream")) is stream
    present = bodies[1]
    assert "6 × 7" in present["messages"][1]["content"]  # sent as UTF-8 text, not \\u escapes


async def assert_completed(
    service: SessionService, db: Database, user_id: str, session_id: str
) -> None:
    metas = await assistant_metas(db, session_id)
    assert len(metas) == 8 and all(m["accepted"] for m in metas)
    assert all(m["model"] == "fake-model" and m["usage"]["prompt_tokens"] > 0 for m in metas)
    view = await service.view(user_id=user_id, session_id=session_id)
    assert view["status"] == "completed" and view["driver"] == "llm"
    assert view["fidelity_events"] == []
    results = await service.results(user_id=user_id, session_id=session_id)
    assert [i["correct"] for i in results["items"]] == [True, False]


async def test_build_services_drives_sessions_with_the_configured_llm(
    db: Database, alice: str, tmp_path: Path
) -> None:
    server = FakeOpenAIServer(faithful_step, model="fake-model")
    with server.run_in_thread() as base_url:
        settings = Settings(
            database_url="sqlite://",
            llm_base_url=base_url,
            llm_model="fake-model",
            blob_dir=tmp_path,
        )
        services = await build_services(settings, db=db, blobs=MemoryBlobStore())
        driver = services.sessions.loop.drivers["llm"]
        assert isinstance(driver, LLMDriver) and services.sessions.default_driver == "llm"
        try:
            sid = await take(services.sessions, alice)
        finally:
            assert isinstance(driver.model, OpenAICompatibleModel)
            await driver.model.aclose()
    assert_wire(server, stream=False)
    await assert_completed(services.sessions, db, alice, sid)


@pytest.mark.parametrize("chunk_size", [3, 64])
async def test_streamed_completions_drive_a_whole_session(
    make_service: Callable[..., SessionService], db: Database, alice: str, chunk_size: int
) -> None:
    server = FakeOpenAIServer(faithful_step, model="fake-model", chunk_size=chunk_size)
    with server.run_in_thread() as base_url:
        async with OpenAICompatibleModel(
            base_url=base_url, model="fake-model", stream=True
        ) as model:
            service = make_service(drivers={"script": ScriptDriver(), "llm": LLMDriver(model)})
            service.default_driver = "llm"
            sid = await take(service, alice)
    assert_wire(server, stream=True)
    await assert_completed(service, db, alice, sid)


def test_without_an_llm_only_the_script_driver_exists() -> None:
    assert set(build_drivers(Settings(llm_base_url=None, llm_model=None))) == {"script"}
    assert set(build_drivers(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model=None))) == {
        "script"
    }
