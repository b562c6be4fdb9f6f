"""The weighted score and the pass decision: a pure policy over criterion results.

Formula (seed 001, "Weighted Scoring"), over the set ``E`` of *evaluated* criteria::

    weighted_score = Σ_{c ∈ E} w_c · s_c / Σ_{c ∈ E} w_c        (0.0 when Σ w_c = 0)
    passed         = complete and weighted_score >= pass_threshold - 1e-9

Assay's rule for criteria that were not evaluated (level ``"error"`` or
``"unable_to_evaluate"``, or no result at all) - the reference library scores them 0 and can
still pass the rubric:

* a **required** criterion that was not evaluated makes the evaluation ``incomplete``:
  ``passed`` is ``False`` whatever the score (a human must decide); the score reported is the
  renormalized score of the criteria that were evaluated;
* an **optional** criterion (``required=False``) that was not evaluated is left out, and the
  weights are renormalized over the evaluated criteria;
* if no criterion of a non-empty rubric was evaluated the evaluation is ``incomplete``.

Worked example: weights 0.5 / 0.3 / 0.2, scores 1.0 / 0.7 / (error).

* third criterion optional: ``(0.5·1.0 + 0.3·0.7) / (0.5 + 0.3) = 0.71 / 0.8 = 0.8875``;
  with ``pass_threshold = 0.7`` -> ``complete``, passed.
* third criterion required: same score 0.8875, ``incomplete``, not passed.
* reference behaviour (error counted as 0): ``0.71 / 1.0 = 0.71`` -> passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assay.rubrics.models import RubricCriterion
from assay.rubrics.results import CriterionResult, EvaluationStatus

#: Tolerance of the threshold comparison, so that 0.1·7 (0.7000000000000001 or 0.6999999999999998)
#: meets a 0.7 threshold.
SCORE_EPSILON = 1e-9


@dataclass(frozen=True)
class ScoreDecision:
    """The outcome of :func:`decide_score`.

    Attributes:
        weighted_score: Renormalized weighted score over the evaluated criteria, in [0, 1].
        passed: ``status is COMPLETE and weighted_score >= pass_threshold``.
        status: ``complete`` or ``incomplete``.
        missing_required: Ids of required criteria that were not evaluated.
        excluded_optional: Ids of optional criteria left out of the score.
    """

    weighted_score: float
    passed: bool
    status: EvaluationStatus
    missing_required: tuple[str, ...] = ()
    excluded_optional: tuple[str, ...] = ()


def decide_score(
    criteria: Sequence[RubricCriterion],
    results: Sequence[CriterionResult],
    *,
    pass_threshold: float,
) -> ScoreDecision:
    """Compute the weighted score, status and pass verdict (formula in the module docstring).

    Args:
        criteria: The rubric's criteria (weights, ``required`` flags).
        results: Criterion results, matched to criteria by ``criterion_id``; a criterion with
            no result counts as not evaluated.
        pass_threshold: Minimum weighted score to pass, in [0, 1].

    Returns:
        A :class:`ScoreDecision`.
    """
    by_id = {r.criterion_id: r for r in results}
    weighted_sum = 0.0
    total_weight = 0.0
    missing: list[str] = []
    excluded: list[str] = []
    for criterion in criteria:
        result = by_id.get(criterion.id)
        if result is None or not result.evaluated:
            (missing if criterion.required else excluded).append(criterion.id)
            continue
        weighted_sum += criterion.weight * result.score
        total_weight += criterion.weight
    score = weighted_sum / total_weight if total_weight > 0 else 0.0
    nothing_scored = bool(criteria) and len(missing) + len(excluded) == len(criteria)
    status = EvaluationStatus.INCOMPLETE if missing or nothing_scored else EvaluationStatus.COMPLETE
    passed = status is EvaluationStatus.COMPLETE and score >= pass_threshold - SCORE_EPSILON
    return ScoreDecision(score, passed, status, tuple(missing), tuple(excluded))


__all__ = ["SCORE_EPSILON", "ScoreDecision", "decide_score"]
