"""1,000 simulated students with random answers: every score is recomputed from the stems.

The recomputation is independent of the generators: it parses the arithmetic out of each
stem as the student saw it, computes the answer itself and marks the chosen option.
"""

from __future__ import annotations

import asyncio
import random
import re
from fractions import Fraction
from typing import Any

import pytest
from tests.integration.sessions.helpers import next_action, request

from assay.sessions import SessionService
from assay.storage import Database
from assay.users import create_user

SESSIONS = 1000
CONCURRENCY = 25
EXPR = re.compile(r"(\d[\d,]*)\s*([+\-−×x*÷/])\s*(\d[\d,]*)")


def solve(stem: str) -> int:
    """The answer of an arithmetic stem, computed from its text alone."""
    match = EXPR.search(stem)
    assert match is not None, f"no arithmetic in stem {stem!r}"
    a, op, b = int(match[1].replace(",", "")), match[2], int(match[3].replace(",", ""))
    value = {
        "+": Fraction(a + b),
        "-": Fraction(a - b),
        "−": Fraction(a - b),
        "×": Fraction(a * b),
        "x": Fraction(a * b),
        "*": Fraction(a * b),
        "÷": Fraction(a, b),
        "/": Fraction(a, b),
    }[op]
    assert value.denominator == 1, f"inexact division in {stem!r}"
    return int(value)


async def one_student(service: SessionService, user_id: str, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    created = await service.create(
        user_id=user_id, request=request({"blueprint_id": "MATH-QUIZ-10"})
    )
    sid = created["session_id"]
    expected_correct = 0
    stems: list[str] = []
    while (action := await next_action(service, user_id=user_id, session_id=sid)) is not None:
        props = action["props"]
        stems.append(props["prompt"])
        options = props["options"]
        answer = str(solve(props["prompt"]))
        assert options.count(answer) == 1, (props, answer)
        choice = rng.randrange(len(options))
        expected_correct += options[choice] == answer
        await service.respond(
            user_id=user_id,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response={"index": choice},
        )
    results = await service.results(user_id=user_id, session_id=sid)
    return {"stems": stems, "expected": expected_correct, "results": results}


@pytest.mark.slow
async def test_thousand_sessions_scored_exactly(service: SessionService, db: Database) -> None:
    user, _ = await create_user(db, name="sim")
    sem = asyncio.Semaphore(CONCURRENCY)

    async def run(i: int) -> dict[str, Any]:
        async with sem:
            return await one_student(service, user.id, i)

    outcomes = await asyncio.gather(*(run(i) for i in range(SESSIONS)))
    mismatches = 0
    for out in outcomes:
        results = out["results"]
        assert len(out["stems"]) == 10
        assert len(set(out["stems"])) == 10, "an item repeated within a session"
        assert results["total"] == 10
        mismatches += results["correct_count"] != out["expected"]
        assert results["score"] == pytest.approx(out["expected"] / 10)
        for item in results["items"]:
            assert item["correct"] == (item["response_text"] == str(solve(item["prompt"])))
    assert mismatches == 0
    assert len(outcomes) == SESSIONS
