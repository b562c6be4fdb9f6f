"""Seed 001 "Feedback Generation": the deterministic format, criterion lines, LLM summaries."""

from __future__ import annotations

from typing import Any

from assay.llm import LLMServerError, Message, ScriptedModel, ToolDefinition
from assay.rubrics import (
    CriterionResult,
    EvaluationStatus,
    Rubric,
    RubricCriterion,
    RubricEvaluation,
    RubricLevel,
    ScoringMethod,
    ScoringType,
    generate_criterion_feedback,
    generate_deterministic_summary,
    generate_feedback_summary,
)


def content_quality() -> Rubric:
    def crit(cid: str, name: str, top: str) -> RubricCriterion:
        return RubricCriterion(
            id=cid,
            name=name,
            description=f"{name} of the content",
            weight=0.5,
            levels=[
                RubricLevel(id="fail", label="Fail", description="Not there", score=0.0),
                RubricLevel(id="pass", label="Pass", description="Adequate", score=0.7),
                RubricLevel(id="excellent", label="Excellent", description=top, score=1.0),
            ],
            scoring_method=ScoringMethod(type=ScoringType.DETERMINISTIC, function_ref="x:y"),
        )

    return Rubric(
        id="content_quality",
        name="Content Quality",
        description="Evaluates the quality of generated content",
        version="1.0.0",
        target_type="content",
        criteria=[
            crit("clarity", "Clarity", "Crystal clear with good examples"),
            crit("completeness", "Completeness", "Covers all required topics with depth"),
        ],
        pass_threshold=0.7,
    )


def evaluation(
    *results: CriterionResult, score: float, passed: bool, **kw: Any
) -> RubricEvaluation:
    return RubricEvaluation(
        rubric_id="content_quality",
        rubric_version="1.0.0",
        criterion_results=list(results),
        weighted_score=score,
        passed=passed,
        **kw,
    )


SEED_OUTPUT = """Evaluation PASSED for rubric 'Content Quality'.
Overall score: 85%

- Clarity: excellent (score: 1.00)
- Completeness: pass (score: 0.70)

Suggestions for improvement:
  - Completeness: aim for 'Excellent' — Covers all required topics with depth"""


def test_seed_deterministic_summary_format() -> None:
    ev = evaluation(
        CriterionResult("clarity", "excellent", 1.0),
        CriterionResult("completeness", "pass", 0.7),
        score=0.85,
        passed=True,
    )
    assert generate_deterministic_summary(content_quality(), ev) == SEED_OUTPUT


def test_failed_summary_suggests_the_next_level_up() -> None:
    ev = evaluation(
        CriterionResult("clarity", "fail", 0.0),
        CriterionResult("completeness", "excellent", 1.0),
        score=0.5,
        passed=False,
    )
    assert generate_deterministic_summary(content_quality(), ev) == (
        "Evaluation FAILED for rubric 'Content Quality'.\n"
        "Overall score: 50%\n"
        "\n"
        "- Clarity: fail (score: 0.00)\n"
        "- Completeness: excellent (score: 1.00)\n"
        "\n"
        "Suggestions for improvement:\n"
        "  - Clarity: aim for 'Pass' — Adequate"
    )


def test_incomplete_summary_names_what_needs_a_human() -> None:
    ev = evaluation(
        CriterionResult("clarity", "excellent", 1.0),
        CriterionResult("completeness", "unable_to_evaluate", 0.0, notes="no level could be read"),
        score=1.0,
        passed=False,
        status=EvaluationStatus.INCOMPLETE,
    )
    text = generate_deterministic_summary(content_quality(), ev)
    assert text.splitlines()[:3] == [
        "Evaluation INCOMPLETE for rubric 'Content Quality'.",
        "Overall score: 100%",
        "Needs human review: required criteria not evaluated: Completeness",
    ]
    assert "- Completeness: unable_to_evaluate (score: 0.00) [no level could be read]" in text
    assert "  - Completeness: not evaluated — no level could be read" in text


def test_seed_criterion_feedback() -> None:
    criterion = content_quality().criteria[0]
    assert generate_criterion_feedback(criterion, CriterionResult("clarity", "excellent", 1.0)) == (
        "Clarity: excellent (score: 1.00)"
    )
    assert (
        generate_criterion_feedback(
            criterion, CriterionResult("clarity", "error", 0.0, notes="Evaluation error: boom")
        )
        == "Clarity: error (score: 0.00) [Evaluation error: boom]"
    )


async def test_feedback_without_llm_is_deterministic() -> None:
    ev = evaluation(
        CriterionResult("clarity", "excellent", 1.0),
        CriterionResult("completeness", "pass", 0.7),
        score=0.85,
        passed=True,
    )
    assert await generate_feedback_summary(content_quality(), ev) == SEED_OUTPUT


async def test_feedback_with_llm_sends_the_structured_evaluation() -> None:
    model = ScriptedModel(["  Clear content. Add depth to completeness.  "])
    ev = evaluation(
        CriterionResult("clarity", "excellent", 1.0, evidence=["uses examples"]),
        CriterionResult("completeness", "pass", 0.7),
        score=0.85,
        passed=True,
    )
    assert (
        await generate_feedback_summary(content_quality(), ev, llm=model)
        == "Clear content. Add depth to completeness."
    )
    system, user = model.calls[0][0]
    assert "3-5 sentences" in (system.content or "")
    prompt = user.content or ""
    for fragment in [
        "Rubric: Content Quality",
        "Overall: PASSED (score: 85%, pass threshold: 70%)",
        "- Clarity (weight: 50%): level=excellent, score=1.00",
        "Evidence: uses examples",
        "Next step: Completeness: aim for 'Excellent'",
    ]:
        assert fragment in prompt


async def test_feedback_falls_back_when_llm_fails_or_is_empty() -> None:
    def boom(messages: list[Message], tools: list[ToolDefinition]) -> str:
        raise LLMServerError("503")

    ev = evaluation(
        CriterionResult("clarity", "excellent", 1.0),
        CriterionResult("completeness", "pass", 0.7),
        score=0.85,
        passed=True,
    )
    assert (
        await generate_feedback_summary(content_quality(), ev, llm=ScriptedModel(boom))
        == SEED_OUTPUT
    )
    assert (
        await generate_feedback_summary(content_quality(), ev, llm=ScriptedModel(["   "]))
        == SEED_OUTPUT
    )
