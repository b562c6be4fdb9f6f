"""A session's turns in the conversation store: one ``turn.log`` per answered item and the
timeline, staged in the transaction of the step that records the answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from assay.sessions import store
from assay.storage import iso

if TYPE_CHECKING:
    from assay.sessions.engine import LoopState


async def log_turn(conversations: Any, conn: Any, before: LoopState, after: LoopState) -> list[int]:
    """Stage the turn log of the item ``record_response`` just recorded, and the timeline, in
    the step's transaction (so a replayed step writes them exactly once); returns outbox ids.

    Blocks: the presented item (its presentation, never its key) and the response. The
    evaluation (correctness, score) is never written for an ``evaluation`` session.
    """
    if conversations is None:
        return []
    was = {i.item_number: i.recorded_at for i in before.items}
    done = [i for i in after.items if i.recorded_at is not None]
    new = [i for i in done if was.get(i.item_number) is None]
    if not new:
        return []
    session = after.session
    staged: list[int] = []
    for item in new:
        saved = await conversations.save_turn_log(
            user_id=session.user_id,
            conversation_id=session.id,
            turn_id=f"item-{item.item_number}",
            item_number=item.item_number,
            blocks=turn_blocks(item),
            ts=started(item),
            end_ts=item.responded_at or started(item),
            title=session.title,
            conn=conn,
        )
        staged += saved.outbox_ids
    timeline = [
        {
            "turn_id": f"item-{i.item_number}",
            "item_number": i.item_number,
            "ts": iso(started(i)),
            "blocks": turn_blocks(i),
        }
        for i in done
    ]
    saved = await conversations.save_timeline(
        user_id=session.user_id,
        conversation_id=session.id,
        turns=timeline,
        title=session.title,
        conn=conn,
    )
    return [*staged, *saved.outbox_ids]


def started(item: store.ItemRow) -> datetime:
    """When the turn started: the item's presentation (else its answer, its recording)."""
    when = item.presented_at or item.responded_at or item.recorded_at
    assert when is not None  # a recorded item
    return when


def turn_blocks(item: store.ItemRow) -> list[dict[str, Any]]:
    """The blocks of one answered item: presented item, response (no key, no verdict)."""
    return [
        {
            "type": "item.presented",
            "item_number": item.item_number,
            "presentation": item.item.presentation(),
        },
        {"type": "user.response", "response": item.response, "time_taken_ms": item.time_taken_ms},
    ]


__all__ = ["log_turn", "turn_blocks"]
