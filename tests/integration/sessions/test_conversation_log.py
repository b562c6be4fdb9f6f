"""Sessions write the conversation store: a turn log per answered item, the timeline, no keys."""

from __future__ import annotations

import json
import random

import sqlalchemy as sa
from tests.integration.sessions.helpers import find_key_fields, next_action, request

from assay.blobs import MemoryBlobStore
from assay.conversations import ConversationStore
from assay.conversations.tables import conv_messages
from assay.sessions import SessionService
from assay.storage import Database


async def scan(db: Database, blobs: MemoryBlobStore) -> list[str]:
    """Key or verdict fields anywhere in the conversation blobs and index rows."""
    found = []
    for key, data in blobs.data.items():
        if key.startswith("cb/"):
            found += [f"{key}:{p}" for p in find_key_fields(json.loads(data))]
    async with db.read() as conn:
        for text in (await conn.execute(sa.select(conv_messages.c.text))).scalars():
            found += find_key_fields(json.loads(text))
    return found


async def test_session_writes_turn_logs_and_timeline_without_keys(
    service: SessionService, alice: str, bob: str, db: Database, blobs: MemoryBlobStore
) -> None:
    store = ConversationStore(db, blobs)
    service.loop.conversations = store
    sid = (
        await service.create(
            user_id=alice, request=request({"blueprint_id": "MATH-QUIZ-10", "seed": 7})
        )
    )["session_id"]
    rng = random.Random(1)
    answered = 0
    while (action := await next_action(service, user_id=alice, session_id=sid)) is not None:
        assert await scan(db, blobs) == []  # keys stay out before the evaluation ends
        await service.respond(
            user_id=alice,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response={"index": rng.randrange(len(action["props"]["options"]))},
        )
        answered += 1
    assert answered == 10
    logs = await store.rows(sid, kinds=["turn.log"])
    assert sorted(r.turn_id or "" for r in logs) == sorted(f"item-{n}" for n in range(1, 11))
    assert len(await store.rows(sid, kinds=["conv.timeline.v1"])) == 1
    timeline = await store.load_timeline(sid, user_id=alice)
    assert [t["item_number"] for t in timeline["turns"]] == list(range(1, 11))
    first = timeline["turns"][0]["blocks"]
    assert [b["type"] for b in first] == ["item.presented", "user.response"]
    assert "stem" in first[0]["presentation"]
    assert await scan(db, blobs) == []
    assert await store.recover() == {"applied": 0, "orphans_deleted": 0}
