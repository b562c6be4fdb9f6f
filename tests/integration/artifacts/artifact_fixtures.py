"""Builders shared by the artifact integration tests: the seed's quiz rubric and registries."""

from __future__ import annotations

from typing import Any

from assay.artifacts import ArtifactRegistry, ArtifactTypeDefinition
from assay.rubrics import (
    FunctionRegistry,
    Rubric,
    RubricCriterion,
    RubricExecutor,
    RubricLevel,
    RubricRegistry,
    ScoringMethod,
    ScoringType,
)
from assay.storage import Database


def check_question_count(content: dict[str, Any]) -> str:
    """The seed's scoring function: >= 5 questions pass."""
    return "pass" if len(content.get("questions", [])) >= 5 else "fail"


def graded_count(content: dict[str, Any]) -> str:
    """Three levels: 0.0 (< 3 questions), 0.75 (3-4), 1.0 (>= 5)."""
    n = len(content.get("questions", []))
    return "excellent" if n >= 5 else ("fair" if n >= 3 else "poor")


def quiz_rubric(rubric_id: str = "quiz_quality", pass_threshold: float = 0.7) -> Rubric:
    return Rubric(
        id=rubric_id,
        name="Quiz Quality",
        description="Validates quiz content",
        version="1.0.0",
        target_type="content",
        criteria=[
            RubricCriterion(
                id="question_count",
                name="Question Count",
                description="Sufficient number of questions",
                weight=1.0,
                levels=[
                    RubricLevel(id="fail", label="Fail", description="Too few", score=0.0),
                    RubricLevel(id="pass", label="Pass", description="Enough", score=1.0),
                ],
                scoring_method=ScoringMethod(
                    type=ScoringType.DETERMINISTIC, function_ref="scoring:check_question_count"
                ),
            )
        ],
        pass_threshold=pass_threshold,
    )


def graded_rubric(rubric_id: str = "graded", pass_threshold: float = 0.7) -> Rubric:
    return Rubric(
        id=rubric_id,
        name="Graded",
        description="Three-level question count",
        version="1.0.0",
        target_type="content",
        criteria=[
            RubricCriterion(
                id="count",
                name="Count",
                description="How many questions",
                weight=1.0,
                levels=[
                    RubricLevel(id="poor", label="Poor", description="< 3", score=0.0),
                    RubricLevel(id="fair", label="Fair", description="3-4", score=0.75),
                    RubricLevel(id="excellent", label="Excellent", description=">= 5", score=1.0),
                ],
                scoring_method=ScoringMethod(
                    type=ScoringType.DETERMINISTIC, function_ref="scoring:graded_count"
                ),
            )
        ],
        pass_threshold=pass_threshold,
    )


def executor() -> RubricExecutor:
    functions = FunctionRegistry()
    functions.register("scoring:check_question_count", check_question_count)
    functions.register("scoring:graded_count", graded_count)
    return RubricExecutor(function_registry=functions)


async def review_registry(
    db: Database,
    types: dict[str, ArtifactTypeDefinition] | None = None,
    rubrics: list[Rubric] | None = None,
) -> ArtifactRegistry:
    """An artifact registry with the quiz and graded rubrics registered on ``db``."""
    rubric_registry = RubricRegistry(db)
    for rubric in rubrics if rubrics is not None else [quiz_rubric(), graded_rubric()]:
        await rubric_registry.register(rubric)
    return ArtifactRegistry(
        db=db, rubric_registry=rubric_registry, rubric_executor=executor(), type_definitions=types
    )


FIVE = {"questions": ["Q1", "Q2", "Q3", "Q4", "Q5"]}
FOUR = {"questions": ["Q1", "Q2", "Q3", "Q4"]}
TWO = {"questions": ["Q1", "Q2"]}
