"""Review decisions: how rubric results and a type's approval rules make a status.

Pure functions, no I/O; :class:`~assay.artifacts.registry.ArtifactRegistry` applies them.

**Combined threshold.** A rubric evaluation carries the rubric's own verdict
``rubric_passed = s >= pass_threshold`` (seed 001, "Weighted Scoring", where ``s`` is the
weighted score). An artifact type's ``approval_threshold`` (seed 000,
"ArtifactTypeDefinition": "minimum score for approval") is a floor on ``s`` that applies on
top of it, so the evaluation passes for the artifact iff::

    passed = rubric_passed and s >= approval_threshold - 1e-9
           = s >= max(pass_threshold, approval_threshold)       (up to the 1e-9 tolerance)

The stricter threshold wins: a type cannot make a rubric more lenient than its author set it,
and a rubric cannot approve below the bar its artifact type demands. Artifacts without a type
definition use the rubric's verdict alone. The 1e-9 tolerance absorbs float rounding of
weighted means (``0.4 * 1.0 + 0.6 * 0.7 = 0.82`` may land a hair below ``0.82``).

Worked example: ``pass_threshold = 0.7``, ``approval_threshold = 0.8``, ``s = 0.75`` gives
``rubric_passed = True`` and ``passed = False``, so the review ends in ``NEEDS_REVISION``.

**Outcome.** ``NEEDS_REVISION`` if any complete evaluation failed; else, if any evaluation is
``incomplete`` (a required criterion could not be evaluated, e.g. the LLM gave no usable
answer: it needs human review), the artifact stays ``IN_REVIEW``; else ``APPROVED``. With no
evaluation at all (the artifact names no rubric) the automatic review has nothing to decide,
and the artifact also stays ``IN_REVIEW`` for a person to approve, reject or send back.

**requires_approval.** ``APPROVED`` additionally needs, for each of the artifact's rubric ids,
that the most recent evaluation of the current version by that rubric passed. An artifact
with no rubric can then never be approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from assay.artifacts.status import ArtifactStatus

#: ``RubricEvaluation.status`` of an evaluation a person must finish.
INCOMPLETE = "incomplete"

#: Tolerance of the approval-threshold comparison (absorbs float rounding).
SCORE_TOLERANCE = 1e-9


def meets_threshold(score: float, threshold: float) -> bool:
    """``score >= threshold`` up to :data:`SCORE_TOLERANCE`.

    >>> meets_threshold(0.7999999999999999, 0.8), meets_threshold(0.79, 0.8)
    (True, False)
    """
    return score >= threshold - SCORE_TOLERANCE


def apply_approval_threshold(
    evaluation: dict[str, Any], approval_threshold: float | None
) -> dict[str, Any]:
    """The evaluation dict with the artifact's verdict added.

    Args:
        evaluation: A ``RubricEvaluation.to_dict()`` (needs ``weighted_score`` and ``passed``).
        approval_threshold: The type's floor, or ``None`` (no type definition).

    Returns:
        A new dict: ``rubric_passed`` (the rubric's own verdict), ``approval_threshold``
        (as given) and ``passed`` (the combined verdict, see the module docstring).
    """
    rubric_passed = bool(evaluation.get("passed", False))
    score = float(evaluation.get("weighted_score", 0.0))
    passed = rubric_passed and (
        approval_threshold is None or meets_threshold(score, approval_threshold)
    )
    return {
        **evaluation,
        "rubric_passed": rubric_passed,
        "approval_threshold": approval_threshold,
        "passed": passed,
    }


def review_outcome(evaluations: Sequence[dict[str, Any]]) -> ArtifactStatus | None:
    """The status a review ends in: ``APPROVED``, ``NEEDS_REVISION``, or ``None`` (stay
    ``IN_REVIEW``). See the module docstring.

    >>> review_outcome([{"passed": True}, {"passed": False}]).value
    'needs_revision'
    >>> review_outcome([{"passed": True}, {"passed": False, "status": "incomplete"}]) is None
    True
    >>> review_outcome([]) is None
    True
    """
    if not evaluations:
        return None
    incomplete = [e for e in evaluations if e.get("status") == INCOMPLETE]
    if any(e.get("passed") is not True for e in evaluations if e.get("status") != INCOMPLETE):
        return ArtifactStatus.NEEDS_REVISION
    if incomplete:
        return None
    return ArtifactStatus.APPROVED


def missing_approvals(
    rubric_ids: Iterable[str], evaluations: Sequence[dict[str, Any]]
) -> list[str]:
    """Rubric ids whose most recent evaluation is absent or failed (``requires_approval``).

    Args:
        rubric_ids: The artifact's rubric ids.
        evaluations: Evaluations of the current version, oldest first.

    >>> missing_approvals(["a", "b"], [{"rubric_id": "a", "passed": False},
    ...                                {"rubric_id": "a", "passed": True}])
    ['b']
    """
    latest: dict[str, bool] = {}
    for evaluation in evaluations:
        latest[str(evaluation.get("rubric_id"))] = evaluation.get("passed") is True
    return [rid for rid in dict.fromkeys(rubric_ids) if not latest.get(rid, False)]


__all__ = [
    "INCOMPLETE",
    "SCORE_TOLERANCE",
    "apply_approval_threshold",
    "meets_threshold",
    "missing_approvals",
    "review_outcome",
]
