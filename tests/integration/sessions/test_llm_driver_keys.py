"""1,000 evaluation sessions through the LLM driver: what reaches the model (seed 002 §10.4, D2).

A recording model sees every request. None may carry a key (the ``correct_index`` or
``correct_answer`` fields, or the value of a free-text or code key), a field revealing which
option is right, a student's answer (the current one included), or an item other than the one
being presented.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from typing import Any

import pytest
from tests.integration.sessions.helpers import find_key_fields, next_action, request
from tests.integration.sessions.llm_scripts import faithful, recording_model

from assay.sessions import ScriptDriver, SessionService
from assay.sessions.llm_driver import LLMDriver
from assay.sessions.projection import CONTEXT_HEADING, requested_call
from assay.storage import Database
from assay.users import create_user

SESSIONS = 1000
CONCURRENCY = 20
STEM = re.compile(r"Session \d+: [a-z ]+[?.]")
CONTEXT_FIELDS = {"item_number", "total_items", "items_remaining", "time_remaining_s"}
STEP_ARGUMENTS = {"prompt", "options", "language", "starter_code", "tool_call_id", "reason"}
WORDS = ["amber", "basalt", "cobalt", "dune", "ember", "fjord", "garnet", "heath", "iris", "jade"]


def items_for(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Two items, keys unique to session ``n``: multiple choice, then free text or code."""
    choice = {
        "stem": f"Session {n}: which word is listed first?",
        "options": rng.sample(WORDS, 4),
        "correct": rng.randrange(4),
    }
    if n % 2 == 0:
        typed = {"stem": f"Session {n}: type the secret word.", "item_type": "free_text"}
        return [choice, {**typed, "answer": f"keyword{n}q"}]
    coded = {"stem": f"Session {n}: write g.", "item_type": "code", "starter_code": "def g():\n"}
    return [choice, {**coded, "answer": f"def g():\n    return 'zzcode{n}'"}]


def answer_for(action: dict[str, Any], n: int, rng: random.Random) -> dict[str, Any]:
    if action["widget_type"] == "multiple_choice":
        return {"index": rng.randrange(len(action["props"]["options"]))}
    if action["widget_type"] == "free_text":
        return {"text": f"studentreply{n}z"}
    return {"code": f"def g():\n    return 'yyreply{n}'"}


async def one_session(service: SessionService, user_id: str, n: int) -> dict[str, Any]:
    rng = random.Random(n)
    items = items_for(n, rng)
    sid = (
        await service.create(user_id=user_id, request=request({"items": items, "driver": "llm"}))
    )["session_id"]
    while (action := await next_action(service, user_id=user_id, session_id=sid)) is not None:
        await service.respond(
            user_id=user_id,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response=answer_for(action, n, rng),
        )
    return {
        "n": n,
        "items": items,
        "results": await service.results(user_id=user_id, session_id=sid),
    }


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])  # a file; PostgreSQL runs this code elsewhere
async def test_no_key_answer_or_earlier_item_reaches_the_model(
    db: Database, make_service: Any
) -> None:
    model = recording_model(faithful)
    service: SessionService = make_service(
        drivers={"script": ScriptDriver(), "llm": LLMDriver(model)}
    )
    user, _ = await create_user(db, name="keys")
    sem = asyncio.Semaphore(CONCURRENCY)

    async def run(n: int) -> dict[str, Any]:
        async with sem:
            return await one_session(service, user.id, n)

    outcomes = await asyncio.gather(*(run(n) for n in range(SESSIONS)))
    assert all(o["results"]["status"] == "completed" for o in outcomes)
    assert len(model.calls) == SESSIONS * (2 * 3 + 2)

    for messages, _tools in model.calls:
        system, user = messages  # the system prompt with the context, and the step
        context = json.loads((system.content or "").rsplit(CONTEXT_HEADING, 1)[1])
        assert set(context) == CONTEXT_FIELDS
        arguments = requested_call(messages).parsed_arguments()
        assert set(arguments) <= STEP_ARGUMENTS, arguments
        assert find_key_fields(context) == [] and find_key_fields(arguments) == []
        text = f"{system.content}\n{user.content}"
        # No key and no student's answer, of any session, in any shape.
        for secret in (
            "correct_index",
            "correct_answer",
            "keyword",
            "zzcode",
            "studentreply",
            "yyreply",
        ):
            assert secret not in text, (secret, text)
        assert '"response"' not in text and '"index"' not in text
        # At most one item is visible: the one of the current step.
        assert len(STEM.findall(text)) <= 1, text
    # Scoring is the backend's: every session scored from its own keys.
    for outcome in outcomes:
        items, graded = outcome["items"], outcome["results"]["items"]
        assert graded[1]["correct"] is False
        assert graded[0]["correct"] == (graded[0]["response"]["index"] == items[0]["correct"])
