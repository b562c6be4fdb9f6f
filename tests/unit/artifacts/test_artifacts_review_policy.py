"""The approval rules: combined threshold, review outcome, requires_approval gaps."""

from __future__ import annotations

from typing import Any

import pytest

from assay.artifacts import ArtifactStatus
from assay.artifacts.review import (
    apply_approval_threshold,
    meets_threshold,
    missing_approvals,
    review_outcome,
)

S = ArtifactStatus


@pytest.mark.parametrize(
    ("score", "rubric_passed", "approval_threshold", "passed"),
    [
        # rubric pass_threshold 0.7 -> rubric_passed = score >= 0.7
        (0.75, True, 0.8, False),  # the module's worked example: the type's floor is stricter
        (0.85, True, 0.8, True),
        (0.8, True, 0.8, True),  # equality passes
        (0.8 - 1e-12, True, 0.8, True),  # float rounding tolerance
        (0.79, True, 0.8, False),
        (0.65, False, 0.5, False),  # rubric stricter than the type: rubric verdict stands
        (0.95, True, None, True),  # no type definition: rubric verdict alone
        (0.5, False, None, False),
        (1.0, True, 1.0, True),  # bot_config of the seed: approval_threshold 1.0
        (0.99, True, 1.0, False),
    ],
)
def test_combined_threshold(
    score: float, rubric_passed: bool, approval_threshold: float | None, passed: bool
) -> None:
    out = apply_approval_threshold(
        {"id": "eval_1", "weighted_score": score, "passed": rubric_passed}, approval_threshold
    )
    assert out["passed"] is passed
    assert out["rubric_passed"] is rubric_passed
    assert out["approval_threshold"] == approval_threshold
    assert out["id"] == "eval_1"


def test_apply_does_not_mutate_input() -> None:
    source = {"weighted_score": 0.75, "passed": True}
    apply_approval_threshold(source, 0.8)
    assert source == {"weighted_score": 0.75, "passed": True}


def ev(passed: bool, status: str = "complete") -> dict[str, Any]:
    return {"passed": passed, "status": status}


@pytest.mark.parametrize(
    ("evaluations", "outcome"),
    [
        ([], None),
        ([ev(True)], S.APPROVED),
        ([ev(True), ev(True)], S.APPROVED),
        ([ev(True), ev(False)], S.NEEDS_REVISION),
        ([ev(False)], S.NEEDS_REVISION),
        ([ev(False, "incomplete")], None),
        ([ev(True), ev(False, "incomplete")], None),
        ([ev(False), ev(False, "incomplete")], S.NEEDS_REVISION),
        ([{"passed": True}], S.APPROVED),  # no status key: complete
    ],
)
def test_review_outcome(evaluations: list[dict[str, Any]], outcome: S | None) -> None:
    assert review_outcome(evaluations) is outcome


@pytest.mark.parametrize(
    ("rubric_ids", "evaluations", "missing"),
    [
        (["a"], [], ["a"]),
        (["a"], [{"rubric_id": "a", "passed": True}], []),
        (["a"], [{"rubric_id": "a", "passed": True}, {"rubric_id": "a", "passed": False}], ["a"]),
        (["a"], [{"rubric_id": "a", "passed": False}, {"rubric_id": "a", "passed": True}], []),
        (["a", "b"], [{"rubric_id": "a", "passed": True}], ["b"]),
        (["a", "a"], [], ["a"]),
        ([], [], []),
    ],
)
def test_missing_approvals(
    rubric_ids: list[str], evaluations: list[dict[str, Any]], missing: list[str]
) -> None:
    assert missing_approvals(rubric_ids, evaluations) == missing


@pytest.mark.parametrize(
    ("score", "threshold", "ok"),
    [(0.7, 0.7, True), (0.69999999, 0.7, False), (0.7 - 1e-10, 0.7, True), (1.0, 0.0, True)],
)
def test_meets_threshold(score: float, threshold: float, ok: bool) -> None:
    assert meets_threshold(score, threshold) is ok
