"""The four markdown helpers: the documented layouts, exactly."""

from __future__ import annotations

from assay.artifacts import (
    format_comparison,
    format_criterion_detail,
    format_evaluation_summary,
    format_provenance_chain,
)
from assay.artifacts.provenance import (
    LLMInvocation,
    RevisionRecord,
    SourceReference,
    ToolInvocation,
    create_provenance,
)
from assay.rubrics import (
    CriterionResult,
    RubricCriterion,
    RubricEvaluation,
    RubricLevel,
    ScoringMethod,
    ScoringType,
)

FEEDBACK = "The content meets quality standards with strong clarity..."


def seed_evaluation() -> RubricEvaluation:
    return RubricEvaluation(
        rubric_id="content_quality",
        rubric_version="1.0.0",
        criterion_results=[
            CriterionResult(criterion_id="clarity", level_id="excellent", score=0.9),
            CriterionResult(criterion_id="completeness", level_id="pass", score=0.8),
        ],
        weighted_score=0.85,
        passed=True,
        feedback_summary=FEEDBACK,
    )


SEED_SUMMARY = f"""## Evaluation Summary

**Rubric:** content_quality (v1.0.0)
**Score:** 85.0%
**Result:** PASSED

### Criteria Results

| Criterion | Level | Score |
|-----------|-------|-------|
| clarity | excellent | 90.0% |
| completeness | pass | 80.0% |

### Feedback

{FEEDBACK}
"""


def test_evaluation_summary_matches_seed_output() -> None:
    assert format_evaluation_summary(seed_evaluation()) == SEED_SUMMARY


def test_evaluation_summary_accepts_the_dict_form() -> None:
    assert format_evaluation_summary(seed_evaluation().to_dict()) == SEED_SUMMARY


def test_failed_summary_without_criteria_or_feedback() -> None:
    text = format_evaluation_summary(
        {"rubric_id": "r", "rubric_version": "2.0.0", "weighted_score": 0.333, "passed": False}
    )
    assert (
        text
        == "## Evaluation Summary\n\n**Rubric:** r (v2.0.0)\n**Score:** 33.3%\n**Result:** FAILED\n"
    )


def test_pipe_in_cell_is_escaped() -> None:
    text = format_evaluation_summary(
        {
            "rubric_id": "r",
            "rubric_version": "1.0.0",
            "weighted_score": 1,
            "passed": True,
            "criterion_results": [{"criterion_id": "a|b", "level_id": "x", "score": 1.0}],
        }
    )
    assert "| a\\|b | x | 100.0% |" in text


def clarity() -> RubricCriterion:
    return RubricCriterion(
        id="clarity",
        name="Clarity",
        description="How clear",
        weight=1.0,
        levels=[
            RubricLevel(id="fail", label="Fail", description="Unclear", score=0.0),
            RubricLevel(
                id="excellent",
                label="Excellent",
                description="Crystal clear with good examples",
                score=1.0,
                indicators=["Uses concrete examples", "Logical flow"],
            ),
        ],
        scoring_method=ScoringMethod(type=ScoringType.DETERMINISTIC, function_ref="m:f"),
    )


def test_criterion_detail_with_definition() -> None:
    result = CriterionResult(
        criterion_id="clarity",
        level_id="excellent",
        score=1.0,
        evidence=["defines every term"],
        notes="strong",
    )
    assert format_criterion_detail(result, criterion=clarity()) == (
        "### Clarity\n\n**Level:** excellent\n**Score:** 100.0%\n\n"
        "*Crystal clear with good examples*\n\n"
        "**Indicators:**\n- Uses concrete examples\n- Logical flow\n\n"
        "**Evidence:**\n- defines every term\n\n**Notes:** strong\n"
    )


def test_criterion_detail_without_definition() -> None:
    result = CriterionResult(criterion_id="clarity", level_id="fail", score=0.0)
    assert format_criterion_detail(result) == "### clarity\n\n**Level:** fail\n**Score:** 0.0%\n"


def test_comparison_of_two_has_change_column() -> None:
    v1 = {
        "weighted_score": 0.6,
        "passed": False,
        "criterion_results": [
            {"criterion_id": "clarity", "score": 0.5},
            {"criterion_id": "depth", "score": 0.7},
        ],
    }
    v2 = {
        "weighted_score": 0.8,
        "passed": True,
        "criterion_results": [
            {"criterion_id": "clarity", "score": 0.9},
            {"criterion_id": "depth", "score": 0.7},
            {"criterion_id": "style", "score": 1.0},
        ],
    }
    assert format_comparison([v1, v2]) == (
        "## Evaluation Comparison\n\n### Overall Scores\n\n"
        "| Metric | v1 | v2 | Change |\n|--------|------|------|--------|\n"
        "| Score | 60.0% | 80.0% | +20.0% |\n| Result | Fail | Pass | |\n\n"
        "### Per-Criterion Scores\n\n"
        "| Criterion | v1 | v2 | Change |\n|-----------|------|------|--------|\n"
        "| clarity | 50.0% | 90.0% | +40.0% |\n| depth | 70.0% | 70.0% | = |\n"
        "| style | - | 100.0% | - |\n"
    )


def test_comparison_score_drop_and_three_columns() -> None:
    a = {
        "weighted_score": 0.9,
        "passed": True,
        "criterion_results": [{"criterion_id": "c", "score": 0.9}],
    }
    b = {
        "weighted_score": 0.4,
        "passed": False,
        "criterion_results": [{"criterion_id": "c", "score": 0.4}],
    }
    assert "| c | 90.0% | 40.0% | -50.0% |" in format_comparison([a, b])
    three = format_comparison([a, b, a])
    assert "Change" not in three
    assert "| Score | 90.0% | 40.0% | 90.0% |" in three


def test_comparison_edge_cases() -> None:
    assert format_comparison([]) == "No evaluations to compare."
    assert format_comparison([seed_evaluation()]) == SEED_SUMMARY


def test_provenance_chain_timeline() -> None:
    p = create_provenance("bot:edubot", "generator", creation_context={"topic": "biology"})
    p.created_at = "2026-01-01T00:00:00Z"
    p.sources.append(
        SourceReference(
            source_id="doc_123",
            source_type="document",
            source_location="/docs/biology.md",
            relevance="basis",
            excerpt="Cells divide",
            confidence=0.95,
        )
    )
    p.tool_chain.append(
        ToolInvocation(
            tool_name="quiz_generator", tool_version="2.1.0", timestamp="2026-01-01T00:00:01Z"
        )
    )
    p.llm_invocations.append(
        LLMInvocation(
            purpose="generate_context",
            model="llama3.2",
            prompt_hash="a1b2",
            timestamp="2026-01-01T00:00:02Z",
        )
    )
    p.review_history.append("eval_1")
    p.revision_history.append(
        RevisionRecord(
            revision_id="rev_1",
            previous_version="1.0.0",
            reason="clarity",
            changes_summary="changed: q",
            triggered_by="user:jane",
            timestamp="2026-01-01T00:00:03Z",
        )
    )
    assert format_provenance_chain(p) == (
        "## Provenance\n\n**Created by:** bot:edubot\n**Method:** generator\n"
        "**Created at:** 2026-01-01T00:00:00Z\n\n"
        "### Creation Context\n\n- **topic:** biology\n\n"
        "### Sources\n\n- **document:** doc_123 (/docs/biology.md) (confidence 95%)\n"
        "  Relevance: basis\n  > Cells divide\n\n"
        "### Tool Chain\n\n- 2026-01-01T00:00:01Z **quiz_generator** v2.1.0\n\n"
        "### LLM Invocations\n\n"
        "- 2026-01-01T00:00:02Z **generate_context** (llama3.2) prompt a1b2\n\n"
        "### Reviews\n\n- eval_1\n\n"
        "### Revision History\n\n- 2026-01-01T00:00:03Z **v1.0.0** revised (rev_1)\n"
        "  Reason: clarity\n  Changes: changed: q\n  Triggered by: user:jane\n"
    )


def test_provenance_chain_minimal() -> None:
    p = create_provenance("user:jane", "manual")
    p.created_at = "T"
    assert format_provenance_chain(p) == (
        "## Provenance\n\n**Created by:** user:jane\n**Method:** manual\n**Created at:** T\n"
    )
