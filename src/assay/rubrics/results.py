"""Evaluation results: :class:`CriterionResult` and :class:`RubricEvaluation` (seed 001,
"Evaluation Results"), plus Assay's :class:`EvaluationStatus`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assay.rubrics.models import ERROR_LEVEL, UNABLE_LEVEL, ScoringType, coerce_scoring_type
from assay.storage.base import iso, new_id, utcnow


class EvaluationStatus(StrEnum):
    """Whether every required criterion was evaluated (not in the reference library)."""

    COMPLETE = "complete"
    """Every required criterion has a level; ``passed`` is the threshold verdict."""
    INCOMPLETE = "incomplete"
    """A required criterion errored or could not be evaluated: not passed, needs a human."""


def _now() -> str:
    return iso(utcnow()) or ""


@dataclass
class CriterionResult:
    """The result of evaluating one criterion.

    Attributes:
        criterion_id: Criterion that was evaluated.
        level_id: Assigned level, or ``"error"`` (scoring raised) or ``"unable_to_evaluate"``
            (the LLM gave no usable answer).
        score: The level's score (0.0 when not evaluated).
        evidence: Supporting evidence, e.g. each JSON Schema validation error.
        notes: Additional context (the error text when not evaluated).
        scoring_method_used: Scoring approach used.
        llm_invocation: For ``LLM_DECODE``: ``model``, ``prompt_hash``, ``response_hash``,
            ``timestamp`` (UTC ISO-8601), ``usage`` and, with self-consistency, ``samples``,
            ``votes`` and ``response_hashes``.
        agreement: For ``LLM_DECODE``: the share of samples that chose ``level_id``
            (1.0 with one sample); ``None`` for other methods.
    """

    criterion_id: str
    level_id: str
    score: float
    evidence: list[str] = field(default_factory=list)
    notes: str = ""
    scoring_method_used: ScoringType = ScoringType.DETERMINISTIC
    llm_invocation: dict[str, Any] | None = None
    agreement: float | None = None

    @property
    def evaluated(self) -> bool:
        """False for the ``"error"`` and ``"unable_to_evaluate"`` levels."""
        return self.level_id not in (ERROR_LEVEL, UNABLE_LEVEL)

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion_id": self.criterion_id,
            "level_id": self.level_id,
            "score": self.score,
            "evidence": list(self.evidence),
            "notes": self.notes,
            "scoring_method_used": self.scoring_method_used.value,
            "llm_invocation": self.llm_invocation,
            "agreement": self.agreement,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CriterionResult:
        return cls(
            criterion_id=data["criterion_id"],
            level_id=data["level_id"],
            score=float(data["score"]),
            evidence=list(data.get("evidence", [])),
            notes=data.get("notes", ""),
            scoring_method_used=coerce_scoring_type(
                data.get("scoring_method_used", "deterministic")
            ),
            llm_invocation=data.get("llm_invocation"),
            agreement=data.get("agreement"),
        )


@dataclass
class RubricEvaluation:
    """The complete result of evaluating a target against a rubric.

    Attributes:
        id: Unique id with the ``eval_`` prefix.
        rubric_id: Rubric used.
        rubric_version: Rubric version used.
        target_id: Evaluated target's id.
        target_type: Evaluated target's type.
        criterion_results: One result per criterion, in rubric order.
        weighted_score: ``Σ w·s / Σ w`` over the evaluated criteria (see
            :func:`assay.rubrics.scoring.decide_score`).
        passed: Whether the threshold was met and the evaluation is complete.
        feedback_summary: Human-readable summary.
        evaluated_at: UTC ISO-8601 timestamp.
        evaluated_by: Who performed the evaluation (``"system"``).
        status: ``complete``, or ``incomplete`` when a required criterion was not evaluated.
    """

    id: str = field(default_factory=lambda: new_id("eval"))
    rubric_id: str = ""
    rubric_version: str = ""
    target_id: str = ""
    target_type: str = ""
    criterion_results: list[CriterionResult] = field(default_factory=list)
    weighted_score: float = 0.0
    passed: bool = False
    feedback_summary: str = ""
    evaluated_at: str = field(default_factory=_now)
    evaluated_by: str = "system"
    status: EvaluationStatus = EvaluationStatus.COMPLETE

    @property
    def needs_human_review(self) -> bool:
        """True when the evaluation is incomplete (a required criterion was not evaluated)."""
        return self.status is EvaluationStatus.INCOMPLETE

    def result_for(self, criterion_id: str) -> CriterionResult | None:
        """The result of one criterion, or ``None``."""
        return next((r for r in self.criterion_results if r.criterion_id == criterion_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rubric_id": self.rubric_id,
            "rubric_version": self.rubric_version,
            "target_id": self.target_id,
            "target_type": self.target_type,
            "criterion_results": [r.to_dict() for r in self.criterion_results],
            "weighted_score": self.weighted_score,
            "passed": self.passed,
            "feedback_summary": self.feedback_summary,
            "evaluated_at": self.evaluated_at,
            "evaluated_by": self.evaluated_by,
            "status": self.status.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RubricEvaluation:
        return cls(
            id=data.get("id") or new_id("eval"),
            rubric_id=data.get("rubric_id", ""),
            rubric_version=data.get("rubric_version", ""),
            target_id=data.get("target_id", ""),
            target_type=data.get("target_type", ""),
            criterion_results=[
                CriterionResult.from_dict(r) for r in data.get("criterion_results", [])
            ],
            weighted_score=float(data.get("weighted_score", 0.0)),
            passed=bool(data.get("passed", False)),
            feedback_summary=data.get("feedback_summary", ""),
            evaluated_at=data.get("evaluated_at") or _now(),
            evaluated_by=data.get("evaluated_by", "system"),
            status=EvaluationStatus(data.get("status", "complete")),
        )


__all__ = ["CriterionResult", "EvaluationStatus", "RubricEvaluation"]
