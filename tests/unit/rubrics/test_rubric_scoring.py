"""The weighted score, the required/optional rule and semantic-version ordering."""

from __future__ import annotations

import pytest
from tests.unit.rubrics.rubric_builders import criterion, det

from assay.rubrics import CriterionResult, EvaluationStatus, decide_score
from assay.rubrics.versioning import is_semver, semver_key


def crits(weights: list[float], required: list[bool]) -> list:
    return [
        criterion(f"c{i}", det("x:y"), weight=w, required=r)
        for i, (w, r) in enumerate(zip(weights, required, strict=True))
    ]


def results(levels: list[str | None], scores: list[float]) -> list[CriterionResult]:
    return [
        CriterionResult(f"c{i}", lid, s)
        for i, (lid, s) in enumerate(zip(levels, scores, strict=True))
        if lid is not None
    ]


@pytest.mark.parametrize(
    ("weights", "required", "levels", "scores", "threshold", "score", "passed", "status"),
    [
        # seed formula: Σ(w·s)/Σw, pass iff >= threshold
        ([0.5, 0.5], [True, True], ["a", "b"], [1.0, 0.7], 0.7, 0.85, True, "complete"),
        ([0.4, 0.6], [True, True], ["a", "b"], [1.0, 0.0], 0.7, 0.4, False, "complete"),
        # weights need not sum to 1: the total weight is the divisor
        (
            [2.0, 1.0, 1.0],
            [True] * 3,
            ["a", "b", "c"],
            [1.0, 0.5, 0.0],
            0.6,
            0.625,
            True,
            "complete",
        ),
        # exactly at the threshold passes; float noise of 0.1*7 does not fail it
        ([1.0], [True], ["a"], [0.7], 0.7, 0.7, True, "complete"),
        ([0.1] * 7 + [0.3], [True] * 8, ["a"] * 8, [1.0] * 7 + [0.0], 0.7, 0.7, True, "complete"),
        # docstring worked example, third criterion optional: renormalized, passes
        (
            [0.5, 0.3, 0.2],
            [True, True, False],
            ["a", "b", "error"],
            [1.0, 0.7, 0.0],
            0.7,
            0.8875,
            True,
            "complete",
        ),
        # same, third criterion required: incomplete, not passed (reference: 0.71, passed)
        (
            [0.5, 0.3, 0.2],
            [True, True, True],
            ["a", "b", "error"],
            [1.0, 0.7, 0.0],
            0.7,
            0.8875,
            False,
            "incomplete",
        ),
        # unable_to_evaluate counts like error
        (
            [0.5, 0.5],
            [True, False],
            ["a", "unable_to_evaluate"],
            [0.8, 0.0],
            0.7,
            0.8,
            True,
            "complete",
        ),
        (
            [0.5, 0.5],
            [False, True],
            ["a", "unable_to_evaluate"],
            [0.8, 0.0],
            0.7,
            0.8,
            False,
            "incomplete",
        ),
        # a criterion with no result at all counts as not evaluated
        ([0.5, 0.5], [True, True], ["a", None], [1.0, 0.0], 0.5, 1.0, False, "incomplete"),
        # nothing evaluated, all optional: incomplete
        ([1.0], [False], ["error"], [0.0], 0.0, 0.0, False, "incomplete"),
        # zero total weight: score 0
        ([0.0, 0.0], [True, True], ["a", "b"], [1.0, 1.0], 0.0, 0.0, True, "complete"),
        ([0.0], [True], ["a"], [1.0], 0.1, 0.0, False, "complete"),
    ],
)
def test_decide_score(
    weights: list[float],
    required: list[bool],
    levels: list[str | None],
    scores: list[float],
    threshold: float,
    score: float,
    passed: bool,
    status: str,
) -> None:
    decision = decide_score(
        crits(weights, required), results(levels, scores), pass_threshold=threshold
    )
    assert decision.weighted_score == pytest.approx(score)
    assert decision.passed is passed
    assert decision.status is EvaluationStatus(status)


def test_decision_names_missing_and_excluded() -> None:
    decision = decide_score(
        crits([1, 1, 1], [True, False, True]),
        results(["error", "unable_to_evaluate", "a"], [0, 0, 1]),
        pass_threshold=0.5,
    )
    assert decision.missing_required == ("c0",)
    assert decision.excluded_optional == ("c1",)


def test_empty_rubric_is_complete_with_zero_score() -> None:
    decision = decide_score([], [], pass_threshold=0.0)
    assert (decision.weighted_score, decision.passed, decision.status) == (
        0.0,
        True,
        EvaluationStatus.COMPLETE,
    )


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.0", "1.0.1"),
        ("1.0.9", "1.1.0"),
        ("1.9.0", "1.10.0"),
        ("1.0.0-alpha", "1.0.0"),
        ("1.0.0-alpha", "1.0.0-alpha.1"),
        ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
        ("1.0.0-beta.2", "1.0.0-beta.11"),
        ("1.0.0-rc.1", "1.0.0"),
        ("0.9.9", "1.0.0"),
    ],
)
def test_semver_precedence(lower: str, higher: str) -> None:
    assert semver_key(lower) < semver_key(higher)


@pytest.mark.parametrize(
    ("version", "ok"),
    [
        ("1.0.0", True),
        ("1.0.0+build.5", True),
        ("2.1.0-rc.1", True),
        ("1.0", False),
        ("01.0.0", False),
        ("v1.0.0", False),
    ],
)
def test_is_semver(version: str, ok: bool) -> None:
    assert is_semver(version) is ok
    if not ok:
        with pytest.raises(ValueError, match="semantic version"):
            semver_key(version)


def test_build_metadata_ignored_in_precedence() -> None:
    assert semver_key("1.0.0+a") == semver_key("1.0.0+b")
