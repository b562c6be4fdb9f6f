"""Results formula: the worked example of assay.sessions.results."""

import pytest

from assay.items.instance import ItemInstance
from assay.sessions.results import ServedItem, compute_results


def served(n: int, *, section: str, answered: bool, correct: bool) -> ServedItem:
    item = ItemInstance(
        item_id=f"i{n}",
        skill_id="s",
        section_id=section,
        stem=f"q{n}",
        options=["a", "b"],
        correct_index=0,
        correct_answer="a",
    )
    return ServedItem(
        item_number=n,
        item=item,
        response={"index": 0 if correct else 1} if answered else None,
        correct=correct if answered else None,
        score=(1.0 if correct else 0.0) if answered else None,
        time_taken_ms=1000 if answered else None,
    )


def test_worked_example_unanswered_count_as_zero() -> None:
    # 10 planned, 8 answered, 6 correct -> 0.6
    items = [
        served(n, section="A" if n <= 5 else "B", answered=n <= 8, correct=n <= 6)
        for n in range(1, 9)
    ]
    sections = ["A"] * 5 + ["B"] * 5
    r = compute_results(items=items, total_items=10, sections=sections)
    assert r["score"] == pytest.approx(0.6)
    assert (r["correct_count"], r["answered"], r["total"]) == (6, 8, 10)
    by = {s["section_id"]: s for s in r["sections"]}
    assert by["A"] == {"section_id": "A", "correct": 5, "answered": 5, "total": 5, "accuracy": 1.0}
    assert (
        by["B"]["correct"] == 1
        and by["B"]["answered"] == 3
        and by["B"]["accuracy"] == pytest.approx(0.2)
    )
    assert r["items"][6]["response_text"] == "b" and r["items"][0]["correct_answer"] == "a"


def test_empty_session_scores_zero() -> None:
    r = compute_results(items=[], total_items=0, sections=[])
    assert r["score"] == 0.0 and r["items"] == [] and r["sections"] == []
