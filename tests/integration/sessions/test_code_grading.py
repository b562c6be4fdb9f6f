"""Code items in sessions are graded by running the submission in the sandbox."""

from __future__ import annotations

import sqlalchemy as sa
from tests.integration.sessions.helpers import find_key_fields, next_action, request

from assay.sessions import SessionService
from assay.sessions.tables import session_items
from assay.storage import Database


async def reference(db: Database, session_id: str, number: int) -> str:
    async with db.read() as conn:
        item = (
            await conn.execute(
                sa.select(session_items.c.item).where(
                    session_items.c.session_id == session_id,
                    session_items.c.item_number == number,
                )
            )
        ).scalar_one()
    return str(item["correct_answer"])


async def test_python_items_are_graded_by_their_tests(
    service: SessionService, alice: str, db: Database
) -> None:
    sid = (
        await service.create(
            user_id=alice, request=request({"blueprint_id": "PY-FUNCTIONS-L1", "seed": 5})
        )
    )["session_id"]
    submitted = []
    while (action := await next_action(service, user_id=alice, session_id=sid)) is not None:
        assert action["widget_type"] == "code_editor"
        assert find_key_fields(action) == []
        assert "tests" not in str(action["props"]) and "expected" not in str(action["props"])
        n = action["item_number"]
        if n % 2:
            code = await reference(db, sid, n)
        else:
            code = action["props"].get("starter_code", "")  # the untouched starter: fails
        submitted.append(n % 2 == 1)
        await service.respond(
            user_id=alice,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response={"code": code},
        )
    results = await service.results(user_id=alice, session_id=sid)
    assert [i["correct"] for i in results["items"]] == submitted
    for item, good in zip(results["items"], submitted, strict=True):
        assert (item["score"] == 1.0) if good else (item["score"] < 1.0)
    assert results["score"] == sum(i["score"] for i in results["items"]) / results["total"]
