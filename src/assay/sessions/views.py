"""What clients see of a session: views, final events, results, archived transcripts.

Before a session ends nothing here carries a key, a correctness flag or a score.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from assay.blobs import BlobStore
from assay.sessions import adaptive, store
from assay.sessions.results import compute_results
from assay.storage import Database, iso


def time_remaining_s(session: store.SessionRow, now: datetime) -> float | None:
    """Seconds left before the deadline (>= 0), or ``None`` when there is no time limit."""
    if session.deadline_at is None:
        return (
            None
            if session.time_limit_s is None or session.started_at
            else float(session.time_limit_s)
        )
    return max(0.0, round((session.deadline_at - now).total_seconds(), 3))


def session_view(
    session: store.SessionRow,
    items: list[store.ItemRow],
    events: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """The JSON view of ``GET /api/sessions/{id}`` (no key, no correctness, no score)."""
    answered = sum(1 for i in items if i.response is not None)
    terminal = session.status.is_terminal
    return {
        "session_id": session.id,
        "session_type": session.session_type,
        "status": session.status.value,
        "driver": session.driver,
        "title": session.title,
        "blueprint_id": session.blueprint_id,
        "total_items": session.total_items,
        "items_served": len(items),
        "items_answered": answered,
        "time_limit_s": session.time_limit_s,
        "time_remaining_s": None if terminal else time_remaining_s(session, now),
        "created_at": iso(session.created_at),
        "started_at": iso(session.started_at),
        "deadline_at": iso(session.deadline_at),
        "ended_at": iso(session.ended_at),
        "end_reason": session.end_reason,
        "pending_action": session.pending_action,
        "fidelity_events": [
            {"kind": e["kind"], **e["data"], "created_at": iso(e["created_at"])}
            for e in events
            if e["kind"] == "fidelity"
        ],
        "stream_url": f"/api/sessions/{session.id}/stream",
        "results_url": f"/api/sessions/{session.id}/results" if terminal else None,
    }


def final_event(session: store.SessionRow) -> tuple[str, dict[str, Any]]:
    """The ``session_completed`` SSE event of a session in a terminal status."""
    return "session_completed", {
        "session_id": session.id,
        "status": session.status.value,
        "end_reason": session.end_reason,
        "results_url": f"/api/sessions/{session.id}/results",
    }


def session_results(session: store.SessionRow, items: list[store.ItemRow]) -> dict[str, Any]:
    """Results of a finished session (see :func:`assay.sessions.results.compute_results`).

    An adaptive session's total is the items it answered, per section too, and its results
    add ``stop_reason`` (:func:`assay.sessions.adaptive.stop_reason_of`).
    """
    planned = [slot.get("section_id") for slot in session.plan]
    total, extra = session.total_items, {}
    if adaptive.is_adaptive(session):
        order = list(dict.fromkeys(planned))
        answered = [i.item.section_id for i in items if i.response is not None]
        planned = sorted(answered, key=lambda s: order.index(s) if s in order else len(order))
        total, extra = len(planned), {"stop_reason": adaptive.stop_reason_of(session)}
    results = compute_results(
        items=[i.served() for i in items],
        total_items=total,
        sections=planned,
        calibration=adaptive.calibration_of(session),
    )
    return {
        "session_id": session.id,
        "status": session.status.value,
        "end_reason": session.end_reason,
        "title": session.title,
        "blueprint_id": session.blueprint_id,
        "driver": session.driver,
        "started_at": iso(session.started_at),
        "ended_at": iso(session.ended_at),
        **results,
        **extra,
    }


def transcript_key(session_id: str) -> str:
    return f"sessions/{session_id}/transcript.json"


async def archive_transcript(db: Database, blobs: BlobStore, session_id: str) -> str:
    """Write a finished session's results and message log to ``sessions/<id>/transcript.json``."""
    async with db.read() as conn:
        session = await store.get_session(conn, session_id)
        assert session is not None
        items = await store.get_items(conn, session_id)
        messages = await store.get_messages(conn, session_id)
        events = await store.get_events(conn, session_id)
    doc = {
        "results": session_results(session, items),
        "messages": [m.model_dump(mode="json") for m in messages],
        "events": [{**e, "created_at": iso(e["created_at"])} for e in events],
    }
    key = transcript_key(session_id)
    await blobs.put(key, json.dumps(doc, indent=1, sort_keys=True).encode())
    return key


__all__ = [
    "archive_transcript",
    "final_event",
    "session_results",
    "session_view",
    "time_remaining_s",
    "transcript_key",
]
