"""Contract tests of the conversation store, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conversations.helpers import Clock, invariants, save_turn

from assay.blobs import MemoryBlobStore
from assay.conversations import ConversationInputError, ConversationNotFoundError, ConversationStore
from assay.conversations.tables import conv_message_tags, conv_messages, conv_turns
from assay.storage import Database


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def store(db: Database, blobs: MemoryBlobStore) -> ConversationStore:
    return ConversationStore(db, blobs, clock=Clock())


async def test_turn_log_blob_layout_and_summary(
    store: ConversationStore, blobs: MemoryBlobStore
) -> None:
    await save_turn(store, "c1", 1)
    [row] = await store.rows("c1", kinds=["turn.log"])
    assert row.hosted_uri.startswith(
        "cb/tenants/assay/projects/default/conversation/artifact/u1/c1/item-1/artifact-"
    )
    assert row.hosted_uri.endswith("-turn.log.json")
    assert row.hosted_uri in blobs.data
    assert row.tags == ["kind:turn.log", "artifact:turn.log", "turn:item-1"]
    summary = await store.turn_log_summary("c1", "item-1")
    assert summary["blocks_count"] == 2 and summary["feedback"]["count"] == 0
    await invariants(store, blobs)


async def test_reactions_latest_per_turn_and_timeline_feedback(store: ConversationStore) -> None:
    for n in (1, 2, 3):
        await save_turn(store, "c1", n)
    await store.save_timeline(
        user_id="u1",
        conversation_id="c1",
        turns=[
            {"turn_id": f"item-{n}", "item_number": n, "ts": None, "blocks": [{"type": "x"}]}
            for n in (1, 2)
        ],
    )
    await store.add_reaction("item-1", "ok", "nice", conversation_id="c1", user_id="u1")
    await store.add_reaction("item-1", "not_ok", "too hard", conversation_id="c1")
    await store.add_reaction("item-2", "neutral", origin="machine", conversation_id="c1")
    latest = await store.latest_reactions("c1", ["item-1", "item-2", "item-3"])
    assert (latest["item-1"].count, latest["item-1"].last_reaction) == (2, "not_ok")
    assert latest["item-1"].last_text == "too hard"
    assert (latest["item-2"].last_origin, latest["item-3"].count) == ("machine", 0)
    timeline = await store.load_timeline("c1", user_id="u1")
    turns = {t["turn_id"]: t for t in timeline["turns"]}
    assert list(turns) == ["item-1", "item-2", "item-3"]  # item-3 from the turns table
    assert turns["item-1"]["blocks"][-1]["type"] == "turn.feedback"
    assert turns["item-1"]["feedback"]["last_reaction"] == "not_ok"
    assert turns["item-3"]["feedback"]["count"] == 0
    summary = await store.turn_log_summary("c1", "item-1")
    assert summary["feedback"]["count"] == 2


async def test_owner_only_and_bad_input(store: ConversationStore) -> None:
    await save_turn(store, "c1", 1)
    with pytest.raises(ConversationNotFoundError):
        await store.load_timeline("c1", user_id="someone-else")
    with pytest.raises(ConversationNotFoundError) as exc:
        await store.add_reaction("item-9", "ok", conversation_id="c1")
    assert exc.value.field == "turn_id"
    with pytest.raises(ConversationInputError) as bad:
        await store.add_reaction("item-1", "great", conversation_id="c1")
    assert bad.value.field == "reaction"
    with pytest.raises(ConversationInputError) as path:
        await store.save_turn_log(
            user_id="u1",
            conversation_id="../x",
            turn_id="t",
            blocks=[],
            ts=store.clock(),
            end_ts=store.clock(),
        )
    assert path.value.field == "conversation_id"


async def test_search_hybrid_filters(store: ConversationStore) -> None:
    await store.save_artifact(
        user_id="u1",
        conversation_id="c1",
        kind="conv:sources_pool",
        payload={},
        text="binary search trees",
        embedding=[1.0, 0.0, 0.0],
        turn_id="t1",
        tags=["topic:cs"],
    )
    await store.save_artifact(
        user_id="u1",
        conversation_id="c1",
        kind="conv:sources_pool",
        payload={},
        text="photosynthesis in plants",
        embedding=[0.0, 1.0, 0.0],
        turn_id="t2",
    )
    await store.save_artifact(
        user_id="u2",
        conversation_id="c2",
        kind="conv:sources_pool",
        payload={},
        text="binary numbers",
        embedding=[1.0, 0.0, 0.0],
    )
    hits = await store.search(user_id="u1", q="binary")
    assert [h.row.text for h in hits] == ["binary search trees"]
    hits = await store.search(user_id="u1", embedding=[0.1, 0.9, 0.0])
    assert hits[0].row.text == "photosynthesis in plants"
    hits = await store.search(user_id="u1", q="binary", embedding=[0.0, 1.0, 0.0])
    # binary: text 1, vector 2, recency 2; photosynthesis: vector 1, recency 1
    assert [h.row.text for h in hits] == ["binary search trees", "photosynthesis in plants"]
    assert hits[0].ranks == {"text": 1, "vector": 2, "recency": 2}
    assert hits[0].score == pytest.approx(1 / 61 + 1 / 62 + 0.5 / 62)
    assert await store.search(user_id="u1", tags_all=["topic:cs", "turn:t2"]) == []
    assert len(await store.search(user_id="u1", tags_any=["topic:cs", "turn:t2"])) == 2
    assert len(await store.search(user_id="u1", kinds=["turn.log"])) == 0


async def test_summarize_range_is_index_only(
    store: ConversationStore, blobs: MemoryBlobStore
) -> None:
    for n in (1, 2, 3):
        await save_turn(store, "c1", n)
    await store.add_reaction("item-2", "ok", conversation_id="c1")
    row = await store.summarize_range(
        conversation_id="c1", first_turn_id="item-1", last_turn_id="item-2"
    )
    assert row.hosted_uri == "index_only" and "range:item-1..item-2" in row.tags
    assert row.text == "turn item-1: 2 blocks, no feedback; turn item-2: 2 blocks, feedback ok"
    hits = await store.search(user_id="u1", q="feedback", kinds=["conv.range.summary"])
    assert [h.row.id for h in hits] == [row.id]
    await invariants(store, blobs)


async def test_fetch_synthesizes_thinking_stream(store: ConversationStore) -> None:
    await save_turn(store, "c1", 1)
    await store.save_artifact(
        user_id="u1",
        conversation_id="c1",
        turn_id="item-1",
        kind="conv.artifacts.stream",
        payload={"items": [1]},
        text="s",
    )
    payload = await store.fetch("c1", user_id="u1")
    [turn] = payload["turns"]
    kinds = [a["kind"] for a in turn["artifacts"]]
    assert sorted(kinds) == ["conv.artifacts.stream", "conv.thinking.stream"]
    thinking = next(a for a in turn["artifacts"] if a["kind"] == "conv.thinking.stream")
    assert thinking["data"]["items"][0]["text"] == "thinking 1"
    assert all(r.kind != "conv.thinking.stream" for r in await store.rows("c1"))


async def test_purge_expired_deletes_rows_and_blobs(
    store: ConversationStore, blobs: MemoryBlobStore
) -> None:
    await save_turn(store, "c1", 1, ttl_s=60)
    await save_turn(store, "c1", 2)
    await store.add_reaction("item-1", "ok", conversation_id="c1")
    assert len(blobs.data) == 3
    from datetime import timedelta

    result = await store.purge_expired(now=store.clock() + timedelta(hours=1))
    assert result == {"rows": 2, "turns": 1, "blobs": 2}
    assert len(blobs.data) == 1
    assert [r.turn_id for r in await store.rows("c1")] == ["item-2"]
    await invariants(store, blobs)


@pytest.mark.parametrize("step", ["rows", "outbox", "commit", "blob", "cleared"])
async def test_crash_between_steps_recovers(
    db: Database, blobs: MemoryBlobStore, step: str
) -> None:
    def crash(at: str) -> None:
        if at == step:
            raise RuntimeError(f"crash at {at}")

    good = ConversationStore(db, blobs, clock=Clock())
    await save_turn(good, "c1", 1)
    await good.save_timeline(user_id="u1", conversation_id="c1", turns=[])
    faulty = ConversationStore(db, blobs, clock=Clock(), fault=crash)
    with pytest.raises(RuntimeError):
        await save_turn(faulty, "c1", 2)
    with pytest.raises(RuntimeError):
        await faulty.save_timeline(user_id="u1", conversation_id="c1", turns=[])  # replaces
    blobs.data["cb/tenants/assay/projects/default/conversation/artifact/u1/c1/x/stray.json"] = b"{}"
    await good.recover()
    await invariants(good, blobs)
    committed = step in ("commit", "blob", "cleared")
    assert len(await good.rows("c1", kinds=["turn.log"])) == (2 if committed else 1)
    assert len(await good.rows("c1", kinds=["conv.timeline.v1"])) == 1


async def test_reindex_gives_the_same_search_results(
    store: ConversationStore, blobs: MemoryBlobStore
) -> None:
    for n in range(1, 8):
        await save_turn(store, "c1", n, text="alpha" if n % 2 else "beta")
    await store.add_reaction("item-3", "ok", "alpha good", conversation_id="c1")
    await store.save_artifact(
        user_id="u1",
        conversation_id="c1",
        kind="conv:sources_pool",
        payload={},
        text="alpha pool",
        embedding=[0.5, 0.5],
    )
    await store.summarize_range(conversation_id="c1", first_turn_id="item-1", last_turn_id="item-2")

    async def snapshot() -> list[object]:
        a = await store.search(user_id="u1", q="alpha good")
        b = await store.search(user_id="u1", q="question", embedding=[0.5, 0.4])
        c = await store.search(user_id="u1", tags_any=["turn:item-3"])
        return [
            [(h.row.id, round(h.score, 9), h.row.text, h.row.tags) for h in x] for x in (a, b, c)
        ]

    before = await snapshot()
    feedback = await store.latest_reactions("c1", ["item-3"])
    async with store.db.transaction() as conn:  # lose the index
        await conn.execute(sa.delete(conv_message_tags))
        await conn.execute(
            sa.delete(conv_messages).where(conv_messages.c.kind != "conv.range.summary")
        )
    assert await store.search(user_id="u1", q="alpha good") != before[0]
    await store.reindex()
    assert await snapshot() == before
    assert await store.latest_reactions("c1", ["item-3"]) == feedback
    await invariants(store, blobs)


async def test_row_count_linear_in_turns(store: ConversationStore) -> None:
    async def count() -> int:
        async with store.db.read() as conn:
            total = 0
            for table in (conv_messages, conv_message_tags, conv_turns):
                total += (
                    await conn.execute(sa.select(sa.func.count()).select_from(table))
                ).scalar_one()
            return int(total)

    counts = {}
    turns: list[dict[str, object]] = []
    for n in range(1, 1001):
        turn = await save_turn(store, "c1", n)
        turns.append({"turn_id": turn, "item_number": n, "blocks": []})
        await store.save_timeline(user_id="u1", conversation_id="c1", turns=turns[-3:])
        if n in (500, 1000):
            counts[n] = await count()
    # per turn: one turn.log row + 3 tags + one turn row; one timeline row + 2 tags overall
    assert counts == {500: 500 * 5 + 3, 1000: 1000 * 5 + 3}
