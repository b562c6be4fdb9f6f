"""Seed 001 "End-to-End Example", as written.

Changed from the seed: the imports (``dataknobs_bots`` -> ``assay``), the two database lines
(``AsyncMemoryDatabase()`` -> ``Database.memory()``), and the body is indented into a test
function (the seed uses top-level ``await``). Its printed output is then checked.
"""

from __future__ import annotations

import pytest

from assay.artifacts import ArtifactRegistry, ArtifactTypeDefinition
from assay.artifacts.provenance import create_provenance
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


async def test_seed_end_to_end_example(capsys: pytest.CaptureFixture[str]) -> None:
    # 1. Define a scoring function
    def check_question_count(content: dict) -> str:
        questions = content.get("questions", [])
        if len(questions) >= 5:
            return "pass"
        return "fail"

    # 2. Set up the rubric system
    func_registry = FunctionRegistry()
    func_registry.register("scoring:check_question_count", check_question_count)

    rubric = Rubric(
        id="quiz_quality",
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
                    type=ScoringType.DETERMINISTIC,
                    function_ref="scoring:check_question_count",
                ),
            ),
        ],
        pass_threshold=0.7,
    )

    rubric_db = Database.memory()
    rubric_registry = RubricRegistry(rubric_db)
    await rubric_registry.register(rubric)

    rubric_executor = RubricExecutor(function_registry=func_registry)

    # 3. Set up the artifact registry with rubric integration
    artifact_db = Database.memory()
    artifact_registry = ArtifactRegistry(
        db=artifact_db,
        rubric_registry=rubric_registry,
        rubric_executor=rubric_executor,
        type_definitions={
            "quiz": ArtifactTypeDefinition(
                id="quiz",
                rubrics=["quiz_quality"],
            ),
        },
    )

    # 4. Create and evaluate an artifact
    artifact = await artifact_registry.create(
        artifact_type="quiz",
        name="Biology Quiz",
        content={"questions": ["Q1", "Q2", "Q3", "Q4", "Q5"]},
        provenance=create_provenance("bot:quizbot", "generator"),
    )

    evaluations = await artifact_registry.submit_for_review(artifact.id)

    # Check results
    updated = await artifact_registry.get(artifact.id)
    print(f"Status: {updated.status.value}")  # "approved"
    print(f"Score: {evaluations[0]['weighted_score']:.0%}")  # "100%"

    # -- what the seed's comments promise -------------------------------------------------
    assert capsys.readouterr().out == "Status: approved\nScore: 100%\n"
    assert evaluations[0]["rubric_id"] == "quiz_quality"
    assert evaluations[0]["rubric_version"] == "1.0.0"
    assert evaluations[0]["passed"] is True
    assert evaluations[0]["target_id"] == artifact.id
    await rubric_db.close()
    await artifact_db.close()


def quiz_rubric(function_ref: str) -> Rubric:
    return Rubric(
        id="quiz_quality",
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
                    type=ScoringType.DETERMINISTIC, function_ref=function_ref
                ),
            )
        ],
        pass_threshold=0.7,
    )


def count_questions(content: dict) -> str:
    return "pass" if len(content.get("questions", [])) >= 5 else "fail"


def crash(content: dict) -> str:
    raise RuntimeError("scorer unavailable")


@pytest.mark.parametrize(
    ("function", "questions", "status", "passed"),
    [
        (count_questions, 5, "approved", True),
        (count_questions, 3, "needs_revision", False),
        # a required criterion that errors: incomplete, the artifact waits for a human
        (crash, 5, "in_review", False),
    ],
)
async def test_review_flow_on_one_database(
    db: Database, function: object, questions: int, status: str, passed: bool
) -> None:
    functions = FunctionRegistry()
    functions.register("scoring:fn", function)  # type: ignore[arg-type]
    rubric_registry = RubricRegistry(db)
    await rubric_registry.register(quiz_rubric("scoring:fn"))
    artifacts = ArtifactRegistry(
        db=db,
        rubric_registry=rubric_registry,
        rubric_executor=RubricExecutor(function_registry=functions),
        type_definitions={"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])},
    )
    artifact = await artifacts.create(
        artifact_type="quiz",
        name="Quiz",
        content={"questions": [f"Q{i}" for i in range(questions)]},
        provenance=create_provenance("bot:quizbot", "generator"),
    )
    [evaluation] = await artifacts.submit_for_review(artifact.id)
    assert evaluation["passed"] is passed
    updated = await artifacts.get(artifact.id)
    assert updated is not None and updated.status.value == status
    if function is crash:
        assert evaluation["status"] == "incomplete"
        assert "scorer unavailable" in evaluation["criterion_results"][0]["notes"]
