"""Seed 001 "Meta-Rubric": the five checks as tables, the rubric itself, evaluating with it."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, rubric

from assay.rubrics import FunctionRegistry, RubricExecutor, ScoringType, build_meta_rubric
from assay.rubrics.meta import (
    check_criteria_coverage,
    check_criteria_independence,
    check_level_ordering,
    check_threshold,
    check_weight_distribution,
)


def c(
    name: str = "A", description: str = "", weight: float = 1.0, scores: list[float] | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "weight": weight,
        "levels": [{"score": s} for s in (scores if scores is not None else [0.0, 1.0])],
    }


@pytest.mark.parametrize(
    ("content", "level"),
    [
        ({"criteria": [c()]}, "pass"),
        ({"criteria": []}, "fail"),
        ({}, "fail"),
        ({"criteria": "x"}, "fail"),
    ],
)
def test_criteria_coverage(content: dict[str, Any], level: str) -> None:
    assert check_criteria_coverage(content) == level


@pytest.mark.parametrize(
    ("criteria", "level"),
    [
        ([c("A", "x"), c("B", "y")], "pass"),
        ([c("A", "x")], "pass"),
        ([c("A", "x"), c("A", "y")], "fail"),
        ([c("Clarity", "x"), c(" clarity ", "y")], "fail"),  # case and spacing ignored
        ([c("A", "same"), c("B", "Same")], "partial"),
        ([c("A", ""), c("B", "")], "pass"),  # empty descriptions are not duplicates
        ([c("A", "same"), c("A", "same")], "fail"),
    ],
)
def test_criteria_independence(criteria: list[dict[str, Any]], level: str) -> None:
    assert check_criteria_independence({"criteria": criteria}) == level


@pytest.mark.parametrize(
    ("weights", "level"),
    [
        ([0.5, 0.5], "pass"),
        ([0.2] * 5, "pass"),
        ([0.5, 0.49], "pass"),  # within ±0.01
        ([0.5, 0.51], "pass"),
        ([0.5, 0.48], "fail"),
        ([0.6, 0.6], "fail"),
        ([], "fail"),
    ],
)
def test_weight_distribution(weights: list[float], level: str) -> None:
    assert (
        check_weight_distribution(
            {"criteria": [c(f"n{i}", weight=w) for i, w in enumerate(weights)]}
        )
        == level
    )


@pytest.mark.parametrize(
    ("threshold", "criteria", "level"),
    [
        # docstring example: max = (0.5*1.0 + 0.5*0.6) = 0.8, min = 0
        (0.85, [c("a", weight=0.5), c("b", weight=0.5, scores=[0.0, 0.6])], "too_high"),
        (0.8, [c("a", weight=0.5), c("b", weight=0.5, scores=[0.0, 0.6])], "pass"),
        (0.7, [c("a", weight=0.5), c("b", weight=0.5, scores=[0.0, 0.6])], "pass"),
        (0.0, [c("a", weight=0.5), c("b", weight=0.5, scores=[0.0, 0.6])], "too_low"),
        # min achievable 0.3: a threshold at or below it passes everything
        (0.3, [c("a", scores=[0.3, 1.0])], "too_low"),
        (0.31, [c("a", scores=[0.3, 1.0])], "pass"),
        (1.0, [c("a")], "pass"),
        # no criteria or zero weight: nothing can be achieved
        (0.5, [], "too_high"),
        (0.0, [], "too_low"),
        (0.5, [c("a", weight=0.0)], "too_high"),
    ],
)
def test_threshold(threshold: float, criteria: list[dict[str, Any]], level: str) -> None:
    assert check_threshold({"pass_threshold": threshold, "criteria": criteria}) == level


@pytest.mark.parametrize(
    ("score_lists", "level"),
    [
        ([[0.0, 0.7, 1.0]], "pass"),
        ([[1.0, 0.7, 0.0]], "pass"),  # descending is consistent too
        ([[0.0, 0.5, 0.5, 1.0]], "pass"),
        ([[0.0, 1.0, 0.7]], "fail"),
        ([[0.0, 1.0], [1.0, 0.0]], "fail"),  # directions differ between criteria
        ([[0.0, 1.0], [0.5, 0.5], [0.2]], "pass"),  # constant and single-level criteria fit both
        ([], "pass"),
    ],
)
def test_level_ordering(score_lists: list[list[float]], level: str) -> None:
    criteria = [c(f"n{i}", scores=s) for i, s in enumerate(score_lists)]
    assert check_level_ordering({"criteria": criteria}) == level


def test_meta_rubric_shape() -> None:
    meta = build_meta_rubric()
    assert (meta.id, meta.version, meta.target_type, meta.pass_threshold) == (
        "meta_rubric",
        "1.0.0",
        "rubric",
        0.7,
    )
    assert [(x.name, x.weight) for x in meta.criteria] == [
        ("Criteria Coverage", 0.2),
        ("Criteria Independence", 0.2),
        ("Weight Distribution", 0.2),
        ("Threshold Reasonableness", 0.2),
        ("Level Ordering", 0.2),
    ]
    assert [[lv.id for lv in x.levels] for x in meta.criteria] == [
        ["fail", "pass"],
        ["fail", "partial", "pass"],
        ["fail", "pass"],
        ["too_low", "too_high", "pass"],
        ["fail", "pass"],
    ]
    assert all(x.scoring_method.type is ScoringType.DETERMINISTIC for x in meta.criteria)
    assert all(
        (x.scoring_method.function_ref or "").startswith("assay.rubrics.meta:check_")
        for x in meta.criteria
    )


async def test_meta_rubric_passes_itself_and_a_good_rubric() -> None:
    executor = RubricExecutor(function_registry=FunctionRegistry())
    meta = build_meta_rubric()
    ev = await executor.evaluate(meta, meta.to_dict(), target_id=meta.id, target_type="rubric")
    assert ev.passed and ev.weighted_score == pytest.approx(1.0)
    good = rubric(
        criterion("a", det("x:y"), weight=0.5, spec=THREE),
        criterion("b", det("x:y"), weight=0.5, spec=THREE),
    )
    ev = await executor.evaluate(meta, good.to_dict(), target_id=good.id, target_type="rubric")
    assert ev.passed and all(r.level_id == "pass" for r in ev.criterion_results)


async def test_meta_rubric_fails_a_poor_rubric() -> None:
    poor = rubric(
        criterion(
            "a", det("x:y"), weight=0.9, name="Same", spec=[("hi", 1.0), ("lo", 0.0), ("mid", 0.5)]
        ),
        criterion("b", det("x:y"), weight=0.9, name="Same"),
        threshold=0.0,
    )
    ev = await RubricExecutor().evaluate(
        build_meta_rubric(), poor.to_dict(), target_id=poor.id, target_type="rubric"
    )
    levels = {r.criterion_id: r.level_id for r in ev.criterion_results}
    assert levels == {
        "criteria_coverage": "pass",
        "criteria_independence": "fail",
        "weight_distribution": "fail",
        "threshold": "too_low",
        "level_ordering": "fail",
    }
    assert ev.weighted_score == pytest.approx(0.2)
    assert not ev.passed
