"""Human-readable feedback for rubric evaluations (seed 001, "Feedback Generation").

Deterministic summary format::

    Evaluation PASSED for rubric 'Content Quality'.
    Overall score: 85%

    - Clarity: excellent (score: 1.00)
    - Completeness: pass (score: 0.70)

    Suggestions for improvement:
      - Completeness: aim for 'Excellent' — Covers all required topics with depth

The status word is ``PASSED``, ``FAILED`` or ``INCOMPLETE`` (a required criterion was not
evaluated; a line ``Needs human review: ...`` follows the score). Every evaluated criterion
below its highest level gets a suggestion naming the next level up; a criterion that was not
evaluated gets ``<name>: not evaluated — <reason>``.
"""

from __future__ import annotations

import logging
from typing import Any

from assay.llm import LLMError, Message
from assay.rubrics.llm_adapter import as_chat_model
from assay.rubrics.models import ERROR_LEVEL, UNABLE_LEVEL, Rubric, RubricCriterion
from assay.rubrics.results import CriterionResult, RubricEvaluation

logger = logging.getLogger(__name__)

FEEDBACK_SYSTEM_PROMPT = (
    "You summarize rubric evaluations for the author of the evaluated content. Given structured "
    "results, write a concise summary of 3-5 sentences in plain language, focused on actionable "
    "feedback: what to keep and what to change first. Do not invent criteria or scores."
)


def generate_criterion_feedback(criterion: RubricCriterion, result: CriterionResult) -> str:
    """One line for one criterion, e.g. ``"Clarity: excellent (score: 1.00)"``.

    A criterion that was not evaluated gets its reason in brackets:
    ``"Clarity: error (score: 0.00) [function_ref ...: cannot import ...]"``.
    """
    line = f"{criterion.name}: {result.level_id} (score: {result.score:.2f})"
    if result.level_id == ERROR_LEVEL:
        line += f" [{result.notes or 'evaluation error'}]"
    elif result.level_id == UNABLE_LEVEL:
        line += f" [{result.notes or 'LLM evaluation inconclusive'}]"
    return line


def _suggestion(criterion: RubricCriterion, result: CriterionResult) -> str | None:
    if not result.evaluated:
        return f"{criterion.name}: not evaluated — {result.notes or 'needs a human reviewer'}"
    ranked = sorted(criterion.levels, key=lambda level: level.score)
    current = next((i for i, level in enumerate(ranked) if level.id == result.level_id), None)
    if current is None:
        return None
    better = [level for level in ranked[current + 1 :] if level.score > result.score]
    if not better:
        return None
    target = better[0]
    return f"{criterion.name}: aim for '{target.label}' — {target.description}"


def _status_word(evaluation: RubricEvaluation) -> str:
    if evaluation.needs_human_review:
        return "INCOMPLETE"
    return "PASSED" if evaluation.passed else "FAILED"


def generate_deterministic_summary(rubric: Rubric, evaluation: RubricEvaluation) -> str:
    """The template summary (format in the module docstring); needs no LLM."""
    lines = [
        f"Evaluation {_status_word(evaluation)} for rubric '{rubric.name}'.",
        f"Overall score: {evaluation.weighted_score:.0%}",
    ]
    results = {r.criterion_id: r for r in evaluation.criterion_results}
    missing = [
        c.name
        for c in rubric.criteria
        if c.required and (c.id not in results or not results[c.id].evaluated)
    ]
    if evaluation.needs_human_review and missing:
        lines.append("Needs human review: required criteria not evaluated: " + ", ".join(missing))
    lines.append("")
    suggestions: list[str] = []
    for criterion in rubric.criteria:
        result = results.get(criterion.id)
        if result is None:
            continue
        lines.append(f"- {generate_criterion_feedback(criterion, result)}")
        suggestion = _suggestion(criterion, result)
        if suggestion is not None:
            suggestions.append(suggestion)
    if suggestions:
        lines += ["", "Suggestions for improvement:", *(f"  - {s}" for s in suggestions)]
    return "\n".join(lines)


def build_feedback_prompt(rubric: Rubric, evaluation: RubricEvaluation) -> str:
    """The user message of an LLM summary: the rubric, the verdict and every criterion result."""
    results = {r.criterion_id: r for r in evaluation.criterion_results}
    lines = [
        f"Rubric: {rubric.name}",
        f"Description: {rubric.description}",
        f"Overall: {_status_word(evaluation)} (score: {evaluation.weighted_score:.0%}, "
        f"pass threshold: {rubric.pass_threshold:.0%})",
        "",
        "Criteria results:",
    ]
    for criterion in rubric.criteria:
        result = results.get(criterion.id)
        if result is None:
            continue
        level = criterion.level(result.level_id)
        lines.append(
            f"- {criterion.name} (weight: {criterion.weight:.0%}): level={result.level_id}, "
            f"score={result.score:.2f}" + (f" — {level.description}" if level else "")
        )
        lines += [f"  Evidence: {e[:200]}" for e in result.evidence[:3]]
        suggestion = _suggestion(criterion, result)
        if suggestion:
            lines.append(f"  Next step: {suggestion}")
    return "\n".join(lines)


async def generate_feedback_summary(
    rubric: Rubric, evaluation: RubricEvaluation, llm: Any | None = None
) -> str:
    """A feedback summary: the LLM's 3-5 sentences when ``llm`` is given, else deterministic.

    Falls back to :func:`generate_deterministic_summary` when the LLM call fails
    (:class:`~assay.llm.LLMError`) or returns no text.

    Args:
        rubric: The rubric used.
        evaluation: The evaluation to summarize.
        llm: An :class:`~assay.llm.ChatModel` or a seed-style provider (see
            :mod:`assay.rubrics.llm_adapter`).
    """
    model = as_chat_model(llm)
    if model is not None:
        try:
            response = await model.complete(
                [
                    Message.system(FEEDBACK_SYSTEM_PROMPT),
                    Message.user(build_feedback_prompt(rubric, evaluation)),
                ]
            )
            if response.content and response.content.strip():
                return response.content.strip()
            logger.warning("LLM feedback summary was empty; using the deterministic summary")
        except LLMError as exc:
            logger.warning("LLM feedback summary failed (%s); using the deterministic summary", exc)
    return generate_deterministic_summary(rubric, evaluation)


__all__ = [
    "FEEDBACK_SYSTEM_PROMPT",
    "build_feedback_prompt",
    "generate_criterion_feedback",
    "generate_deterministic_summary",
    "generate_feedback_summary",
]
