"""Session results: score, per-item detail and per-section accuracy (a pure function).

Formula: ``score = Σ item scores / total_items`` with unanswered items scoring 0, so a session
that expired after 7 of 10 answers scores at most 0.7. ``correct_count`` counts items whose
score is 1. Per section: ``accuracy = correct / planned items of that section``.

Ability: ``theta`` and ``se`` are the EAP estimate over the answered items, overall and per
section, with the items' IRT parameters (:mod:`assay.sessions.ability`: IRT-lite from the
computed difficulty, or the calibrated parameters of the session's calibration snapshot).

Worked example: 10 planned items, 8 answered, 6 of them correct -> ``score = 0.6``,
``correct_count = 6``, ``answered = 8``, ``total = 10``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from assay.items.instance import ItemInstance
from assay.sessions.ability import ItemCalibration, ability


class ServedItem(BaseModel):
    """A served item with the student's response, as stored (key included: server-side only)."""

    model_config = ConfigDict(frozen=True)

    item_number: int
    item: ItemInstance
    response: dict[str, Any] | None = None
    correct: bool | None = None
    score: float | None = None
    time_taken_ms: int | None = None


def compute_results(
    *,
    items: Sequence[ServedItem],
    total_items: int,
    sections: Sequence[str | None],
    calibration: ItemCalibration | None = None,
) -> dict[str, Any]:
    """Results of a finished session.

    Args:
        items: Served items in order.
        total_items: Items planned for the session.
        sections: Section id of each planned item (``None`` when unsectioned), in order.
        calibration: The session's calibration snapshot, or None (IRT-lite parameters).

    Returns:
        ``{"score", "correct_count", "answered", "total", "theta", "se", "calibration_id",
        "items": [...], "sections": [...], "section_ability": [...]}`` where each item has
        ``item_number``, ``prompt``, ``options``, ``response``, ``response_text``,
        ``correct``, ``correct_answer``, ``time_taken_ms``, ``section_id`` and ``skill_id``;
        each section ``section_id``, ``correct``, ``answered``, ``total``, ``accuracy``; each
        section ability (same order) ``section_id``, ``theta``, ``se`` (None for a section
        with no answer) and ``n_items``. ``theta`` and ``se`` are in logits.
    """
    total_score = sum(i.score or 0.0 for i in items)
    per_item = [
        {
            "item_number": i.item_number,
            "prompt": i.item.stem,
            "options": i.item.options,
            "item_type": i.item.item_type,
            "response": i.response,
            "response_text": None if i.response is None else i.item.answer_text(i.response),
            "correct": bool(i.correct),
            "score": i.score or 0.0,
            "correct_answer": i.item.correct_answer,
            "correct_index": i.item.correct_index,
            "time_taken_ms": i.time_taken_ms,
            "section_id": i.item.section_id,
            "skill_id": i.item.skill_id,
            "difficulty": i.item.difficulty,
        }
        for i in items
    ]
    overall, by_section = ability(
        ((i.item, bool(i.correct)) for i in items if i.response is not None),
        calibration=calibration,
    )
    order: list[str | None] = []
    for s in sections:
        if s not in order:
            order.append(s)
    section_rows = []
    for sid in order:
        planned = sum(1 for s in sections if s == sid)
        mine = [i for i in items if i.item.section_id == sid]
        correct = sum(1 for i in mine if i.correct)
        section_rows.append(
            {
                "section_id": sid,
                "correct": correct,
                "answered": sum(1 for i in mine if i.response is not None),
                "total": planned,
                "accuracy": correct / planned if planned else 0.0,
            }
        )
    return {
        "score": total_score / total_items if total_items else 0.0,
        "correct_count": sum(1 for i in items if i.correct),
        "answered": sum(1 for i in items if i.response is not None),
        "total": total_items,
        "theta": overall.theta,
        "se": overall.se,
        "calibration_id": None if calibration is None else calibration.calibration_id,
        "items": per_item,
        "sections": section_rows,
        "section_ability": [
            {
                "section_id": sid,
                "theta": est.theta if est is not None else None,
                "se": est.se if est is not None else None,
                "n_items": est.n_items if est is not None else 0,
            }
            for sid in order
            for est in [by_section.get(sid)]
        ],
    }


__all__ = ["ServedItem", "compute_results"]
