"""The meta-rubric: a built-in rubric that checks the structure of other rubrics (seed 001).

Five deterministic checks, each ``(rubric_dict) -> level_id``, weight 0.2, pass threshold 0.7:

============================  ================================  ==========================
Criterion                     Function                          Levels
============================  ================================  ==========================
Criteria Coverage             ``check_criteria_coverage``       pass / fail
Criteria Independence         ``check_criteria_independence``   pass / partial / fail
Weight Distribution           ``check_weight_distribution``     pass / fail
Threshold Reasonableness      ``check_threshold``               pass / too_high / too_low
Level Ordering                ``check_level_ordering``          pass / fail
============================  ================================  ==========================

The function refs point at this module (``"assay.rubrics.meta:check_..."``); every
:class:`~assay.rubrics.functions.FunctionRegistry` has them built in (nothing is imported).

Example:
    >>> check_weight_distribution({"criteria": [{"weight": 0.5}, {"weight": 0.495}]})
    'pass'
    >>> check_threshold({"pass_threshold": 0.9, "criteria": [
    ...     {"weight": 1.0, "levels": [{"score": 0.0}, {"score": 0.8}]}]})
    'too_high'
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from assay.rubrics.models import Rubric, RubricCriterion, RubricLevel, ScoringMethod, ScoringType

#: Allowed distance of the weight sum from 1.0.
WEIGHT_SUM_TOLERANCE = 0.01

_MODULE = "assay.rubrics.meta"


def _criteria(content: dict[str, Any]) -> list[dict[str, Any]]:
    criteria = content.get("criteria", [])
    return [c for c in criteria if isinstance(c, dict)] if isinstance(criteria, list) else []


def _num(value: Any) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else 0.0


def _scores(criterion: dict[str, Any]) -> list[float]:
    levels = criterion.get("levels", [])
    if not isinstance(levels, list):
        return []
    return [_num(level.get("score")) for level in levels if isinstance(level, dict)]


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def check_criteria_coverage(content: dict[str, Any]) -> str:
    """``"pass"`` if the rubric has at least one criterion, else ``"fail"``."""
    return "pass" if _criteria(content) else "fail"


def check_criteria_independence(content: dict[str, Any]) -> str:
    """No two criteria share a name or a description (compared ignoring case and spacing).

    Returns:
        ``"fail"`` if two criteria share a name; ``"partial"`` if names are unique but two
        non-empty descriptions are equal; ``"pass"`` otherwise.
    """
    criteria = _criteria(content)
    names = [_norm(c.get("name", "")) for c in criteria]
    if len(names) != len(set(names)):
        return "fail"
    descriptions = [d for d in (_norm(c.get("description", "")) for c in criteria) if d]
    if len(descriptions) != len(set(descriptions)):
        return "partial"
    return "pass"


def check_weight_distribution(content: dict[str, Any]) -> str:
    """``"pass"`` if the weights sum to 1.0 within ±0.01, else ``"fail"`` (and with no criteria)."""
    if not _criteria(content):
        return "fail"
    return "pass" if abs(weight_sum(content) - 1.0) <= WEIGHT_SUM_TOLERANCE + 1e-12 else "fail"


def weight_sum(content: dict[str, Any]) -> float:
    """``Σ w`` over the criteria (a missing or non-numeric weight counts as 0)."""
    return sum(_num(c.get("weight")) for c in _criteria(content))


def score_bounds(content: dict[str, Any]) -> tuple[float, float]:
    """``(min_score, max_score)``: the weighted score with every criterion at its worst level,
    and at its best (formulas under :func:`check_threshold`; ``(0.0, 0.0)`` when ``Σ w = 0``)."""
    total = max_sum = min_sum = 0.0
    for criterion in _criteria(content):
        weight, scores = _num(criterion.get("weight")), _scores(criterion)
        total += weight
        if scores:
            max_sum += weight * max(scores)
            min_sum += weight * min(scores)
    if total <= 0:
        return 0.0, 0.0
    return min_sum / total, max_sum / total


def check_threshold(content: dict[str, Any]) -> str:
    """Is ``pass_threshold`` achievable and non-trivial?

    With ``W = Σ w``: ``max_score = Σ w·max(level scores) / W`` (every criterion at its best
    level) and ``min_score = Σ w·min(level scores) / W`` (every criterion at its worst);
    both are 0 when ``W = 0``.

    Returns:
        ``"too_high"`` if ``pass_threshold > max_score`` (nothing can pass), ``"too_low"`` if
        ``pass_threshold <= min_score`` (everything passes), else ``"pass"``.

    Example: weights 0.5 / 0.5, levels 0.0-1.0 and 0.0-0.6: ``max_score = 0.8``, so a
    threshold of 0.85 is ``too_high``, 0.0 is ``too_low`` and 0.7 is ``pass``.
    """
    threshold = _num(content.get("pass_threshold"))
    min_score, max_score = score_bounds(content)
    if threshold > max_score + 1e-12:
        return "too_high"
    if threshold <= min_score:
        return "too_low"
    return "pass"


def check_level_ordering(content: dict[str, Any]) -> str:
    """Levels are ordered by score within each criterion, in one direction across the rubric.

    Returns:
        ``"pass"`` if every criterion's level scores are monotonic (non-decreasing, or
        non-increasing) and all non-constant criteria share the direction, else ``"fail"``.
    """
    directions: set[str] = set()
    for criterion in _criteria(content):
        direction = level_direction(criterion)
        if direction is None:
            return "fail"
        if direction != "flat":
            directions.add(direction)
    return "pass" if len(directions) <= 1 else "fail"


def level_direction(criterion: dict[str, Any]) -> str | None:
    """How a criterion's level scores run: ``"up"``, ``"down"``, ``"flat"`` (all equal or
    fewer than two levels) or ``None`` (not monotonic, e.g. 0.0, 1.0, 0.5)."""
    scores = _scores(criterion)
    up = all(a <= b for a, b in pairwise(scores))
    down = all(a >= b for a, b in pairwise(scores))
    if up and down:
        return "flat"
    if up or down:
        return "up" if up else "down"
    return None


def _pass_fail() -> list[RubricLevel]:
    return [
        RubricLevel(id="fail", label="Fail", description="Does not meet the check", score=0.0),
        RubricLevel(id="pass", label="Pass", description="Meets the check", score=1.0),
    ]


def _criterion(cid: str, name: str, description: str, levels: list[RubricLevel]) -> RubricCriterion:
    return RubricCriterion(
        id=cid,
        name=name,
        description=description,
        weight=0.2,
        levels=levels,
        scoring_method=ScoringMethod(
            type=ScoringType.DETERMINISTIC, function_ref=f"{_MODULE}:check_{cid}"
        ),
    )


def build_meta_rubric() -> Rubric:
    """The meta-rubric (``id="meta_rubric"``, ``target_type="rubric"``, threshold 0.7)."""
    return Rubric(
        id="meta_rubric",
        name="Meta-Rubric",
        description="Validates the structural quality of rubric definitions",
        version="1.0.0",
        target_type="rubric",
        criteria=[
            _criterion(
                "criteria_coverage",
                "Criteria Coverage",
                "The rubric has at least one criterion",
                _pass_fail(),
            ),
            _criterion(
                "criteria_independence",
                "Criteria Independence",
                "No two criteria share a name or a description",
                [
                    RubricLevel(
                        id="fail", label="Fail", description="Duplicate criterion names", score=0.0
                    ),
                    RubricLevel(
                        id="partial",
                        label="Partial",
                        description="Unique names but duplicate descriptions",
                        score=0.5,
                    ),
                    RubricLevel(
                        id="pass", label="Pass", description="All criteria distinct", score=1.0
                    ),
                ],
            ),
            _criterion(
                "weight_distribution",
                "Weight Distribution",
                "Criterion weights sum to 1.0 (±0.01)",
                _pass_fail(),
            ),
            _criterion(
                "threshold",
                "Threshold Reasonableness",
                "The pass threshold is achievable and non-trivial",
                [
                    RubricLevel(
                        id="too_low", label="Too Low", description="Everything passes", score=0.0
                    ),
                    RubricLevel(
                        id="too_high", label="Too High", description="Nothing can pass", score=0.0
                    ),
                    RubricLevel(
                        id="pass", label="Pass", description="A reasonable threshold", score=1.0
                    ),
                ],
            ),
            _criterion(
                "level_ordering",
                "Level Ordering",
                "Levels within each criterion are consistently ordered by score",
                _pass_fail(),
            ),
        ],
        pass_threshold=0.7,
        metadata={"type": "meta", "built_in": True},
    )


__all__ = [
    "WEIGHT_SUM_TOLERANCE",
    "build_meta_rubric",
    "check_criteria_coverage",
    "check_criteria_independence",
    "check_level_ordering",
    "check_threshold",
    "check_weight_distribution",
    "level_direction",
    "score_bounds",
    "weight_sum",
]
