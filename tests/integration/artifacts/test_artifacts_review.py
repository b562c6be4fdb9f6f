"""submit_for_review with assay.rubrics on SQLite and PostgreSQL: the seed's flow, stored
evaluations, approval_threshold and requires_approval, hooks, setup errors."""

from __future__ import annotations

import pytest
from tests.integration.artifacts.artifact_fixtures import (
    FIVE,
    FOUR,
    TWO,
    executor,
    graded_rubric,
    quiz_rubric,
    review_registry,
)

from assay.artifacts import (
    ApprovalRequiredError,
    Artifact,
    ArtifactRegistry,
    ArtifactStatus,
    ArtifactTypeDefinition,
    InvalidTransitionError,
    ReviewSetupError,
)
from assay.artifacts.provenance import create_provenance
from assay.storage import Database

S = ArtifactStatus
QUIZ = {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])}


async def test_seed_end_to_end_example(db: Database) -> None:
    registry = await review_registry(db, QUIZ)
    artifact = await registry.create(
        artifact_type="quiz",
        name="Biology Quiz",
        content=FIVE,
        provenance=create_provenance("bot:quizbot", "generator"),
    )
    evaluations = await registry.submit_for_review(artifact.id)
    updated = await registry.get(artifact.id)
    assert updated is not None and updated.status.value == "approved"
    assert f"{evaluations[0]['weighted_score']:.0%}" == "100%"
    assert evaluations[0]["rubric_id"] == "quiz_quality"
    assert evaluations[0]["passed"] is True
    assert updated.evaluation_ids == [evaluations[0]["id"]]
    assert updated.provenance.review_history == [evaluations[0]["id"]]


async def test_evaluations_are_stored_and_returned(db: Database) -> None:
    registry = await review_registry(db, QUIZ)
    artifact = await registry.create("quiz", "Short", TWO)
    evaluations = await registry.submit_for_review(artifact.id)
    assert [e["passed"] for e in evaluations] == [False]
    assert (await registry.get(artifact.id)).status is S.NEEDS_REVISION  # type: ignore[union-attr]
    stored = await registry.get_evaluations(artifact.id)
    assert stored == evaluations
    assert stored[0]["artifact_version"] == "1.0.0"
    assert stored[0]["criterion_results"][0]["level_id"] == "fail"
    # A new registry object (another process) reads the same evaluations.
    assert await ArtifactRegistry(db).get_evaluations(artifact.id) == evaluations


async def test_revise_then_review_again_keeps_history(db: Database) -> None:
    registry = await review_registry(db, QUIZ)
    a = await registry.create("quiz", "Q", TWO)
    first = await registry.submit_for_review(a.id)
    revised = await registry.revise(
        a.id, FIVE, "more questions", f"rubric_evaluation:{first[0]['id']}"
    )
    assert revised.evaluation_ids == []
    assert await registry.get_evaluations(a.id) == []  # the new version has none yet
    second = await registry.submit_for_review(a.id)
    assert (await registry.get(a.id)).status is S.APPROVED  # type: ignore[union-attr]
    assert await registry.get_evaluations(a.id) == second
    assert await registry.get_evaluations(a.id, version="1.0.0") == first
    assert await registry.get_evaluations(a.id, all_versions=True) == first + second


async def test_needs_revision_can_be_resubmitted_through_draft(db: Database) -> None:
    registry = await review_registry(db, QUIZ)
    changes: list[str] = []

    async def record(artifact: Artifact) -> None:
        changes.append(artifact.status.value)

    registry.on_status_change(record)
    a = await registry.create("quiz", "Q", TWO)
    await registry.submit_for_review(a.id)
    await registry.submit_for_review(a.id)
    assert changes == [
        "pending_review",
        "in_review",
        "needs_revision",
        "draft",
        "pending_review",
        "in_review",
        "needs_revision",
    ]
    assert len(await registry.get_evaluations(a.id)) == 2


async def test_pending_review_enters_review_directly(db: Database) -> None:
    registry = await review_registry(db, QUIZ)
    a = await registry.create("quiz", "Q", FIVE)
    await registry.set_status(a.id, S.PENDING_REVIEW)
    await registry.submit_for_review(a.id)
    assert (await registry.get(a.id)).status is S.APPROVED  # type: ignore[union-attr]


@pytest.mark.parametrize("status", ["in_review", "approved", "rejected", "archived"])
async def test_unreviewable_status_is_refused(db: Database, status: str) -> None:
    registry = await review_registry(db, QUIZ)
    a = await registry.create("quiz", "Q", FIVE)
    path = {
        "in_review": ["pending_review", "in_review"],
        "approved": ["pending_review", "in_review", "approved"],
        "rejected": ["pending_review", "in_review", "rejected"],
        "archived": ["archived"],
    }[status]
    for step in path:
        await registry.set_status(a.id, S(step))
    with pytest.raises(InvalidTransitionError, match="Invalid transition"):
        await registry.submit_for_review(a.id)
    assert await registry.get_evaluations(a.id) == []


async def test_review_hooks(db: Database) -> None:
    registry = await review_registry(db, QUIZ)
    done: list[tuple[str, bool]] = []

    async def on_review_done(artifact: Artifact) -> None:
        done.append((artifact.status.value, artifact.is_approved))

    registry.on_review_complete(on_review_done)
    good = await registry.create("quiz", "Good", FIVE)
    bad = await registry.create("quiz", "Bad", TWO)
    await registry.submit_for_review(good.id)
    await registry.submit_for_review(bad.id)
    assert done == [("approved", True), ("needs_revision", False)]


async def test_no_rubric_leaves_the_artifact_in_review_for_a_person(db: Database) -> None:
    registry = await review_registry(db)
    done: list[str] = []

    async def hook(artifact: Artifact) -> None:
        done.append(artifact.status.value)

    registry.on_review_complete(hook)
    a = await registry.create("content", "No rubric", FIVE)
    assert await registry.submit_for_review(a.id) == []
    assert (await registry.get(a.id)).status is S.IN_REVIEW  # type: ignore[union-attr]
    await registry.set_status(a.id, S.REJECTED, reason="off topic")
    assert done == ["in_review", "rejected"]


async def test_missing_setup_fails_before_any_change(db: Database) -> None:
    bare = ArtifactRegistry(db, type_definitions=QUIZ)
    a = await bare.create("quiz", "Q", FIVE)
    with pytest.raises(ReviewSetupError, match="rubric_registry"):
        await bare.submit_for_review(a.id)
    assert (await bare.get(a.id)).status is S.DRAFT  # type: ignore[union-attr]
    registry = await review_registry(
        db, {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["nope"])}
    )
    b = await registry.create("quiz", "Q", FIVE)
    with pytest.raises(ReviewSetupError, match="nope"):
        await registry.submit_for_review(b.id)
    assert (await registry.get(b.id)).status is S.DRAFT  # type: ignore[union-attr]


def test_auto_review_without_rubric_setup_is_refused_at_construction() -> None:
    types = {"q": ArtifactTypeDefinition(id="q", rubrics=["quiz_quality"], auto_review=True)}
    with pytest.raises(ReviewSetupError, match="auto_review"):
        ArtifactRegistry(Database.memory(), type_definitions=types)


async def test_auto_review_on_create(db: Database) -> None:
    types = {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"], auto_review=True)}
    registry = await review_registry(db, types)
    created = await registry.create("quiz", "Auto", FIVE)
    assert created.status is S.APPROVED
    assert len(created.evaluation_ids) == 1
    assert await registry.get(created.id) == created


# -- approval_threshold: the stricter of the type's floor and the rubric's pass_threshold --


@pytest.mark.parametrize(
    ("content", "approval_threshold", "rubric_pass", "status", "rubric_passed"),
    [
        (FOUR, 0.7, 0.7, S.APPROVED, True),  # score 0.75 >= max(0.7, 0.7)
        (FOUR, 0.8, 0.7, S.NEEDS_REVISION, True),  # 0.75 < 0.8: the type's floor decides
        (FOUR, 0.5, 0.8, S.NEEDS_REVISION, False),  # 0.75 < 0.8: the rubric decides
        (FIVE, 1.0, 0.7, S.APPROVED, True),  # the seed's bot_config threshold 1.0
        (FOUR, 0.75, 0.7, S.APPROVED, True),  # equality passes
    ],
)
async def test_approval_threshold_combines_with_pass_threshold(
    db: Database,
    content: dict,  # type: ignore[type-arg]
    approval_threshold: float,
    rubric_pass: float,
    status: S,
    rubric_passed: bool,
) -> None:
    types = {
        "t": ArtifactTypeDefinition(
            id="t", rubrics=["graded"], approval_threshold=approval_threshold
        )
    }
    registry = await review_registry(db, types, rubrics=[graded_rubric(pass_threshold=rubric_pass)])
    a = await registry.create("t", "Q", content)
    [evaluation] = await registry.submit_for_review(a.id)
    assert (await registry.get(a.id)).status is status  # type: ignore[union-attr]
    assert evaluation["rubric_passed"] is rubric_passed
    assert evaluation["passed"] is (status is S.APPROVED)
    assert evaluation["approval_threshold"] == approval_threshold


async def test_two_rubrics_all_must_pass(db: Database) -> None:
    types = {"t": ArtifactTypeDefinition(id="t", rubrics=["quiz_quality", "graded"])}
    registry = await review_registry(db, types)
    a = await registry.create("t", "Q", FOUR)  # quiz_quality fails (< 5), graded passes (0.75)
    evaluations = await registry.submit_for_review(a.id)
    assert [(e["rubric_id"], e["passed"]) for e in evaluations] == [
        ("quiz_quality", False),
        ("graded", True),
    ]
    assert (await registry.get(a.id)).status is S.NEEDS_REVISION  # type: ignore[union-attr]


# -- requires_approval ----------------------------------------------------------------------


async def test_requires_approval_blocks_manual_approval_without_passing_evaluation(
    db: Database,
) -> None:
    types = {"t": ArtifactTypeDefinition(id="t", rubrics=["quiz_quality"], requires_approval=True)}
    registry = await review_registry(db, types)
    a = await registry.create("t", "Q", TWO)
    await registry.set_status(a.id, S.PENDING_REVIEW)
    await registry.set_status(a.id, S.IN_REVIEW)
    with pytest.raises(ApprovalRequiredError, match="quiz_quality"):
        await registry.set_status(a.id, S.APPROVED)
    assert (await registry.get(a.id)).status is S.IN_REVIEW  # type: ignore[union-attr]
    await registry.set_status(a.id, S.NEEDS_REVISION)
    await registry.submit_for_review(a.id)  # fails again: a failing evaluation is stored
    fixed = await registry.revise(a.id, FIVE, "more questions", "user:jane")
    assert fixed.version == "1.0.1"
    await registry.submit_for_review(a.id)
    assert (await registry.get(a.id)).status is S.APPROVED  # type: ignore[union-attr]


async def test_without_requires_approval_a_person_may_override(db: Database) -> None:
    registry = await review_registry(
        db, {"t": ArtifactTypeDefinition(id="t", rubrics=["quiz_quality"])}
    )
    a = await registry.create("t", "Q", TWO)
    for step in (S.PENDING_REVIEW, S.IN_REVIEW, S.APPROVED):
        await registry.set_status(a.id, step)
    assert (await registry.get(a.id)).is_approved  # type: ignore[union-attr]


async def test_requires_approval_with_no_rubric_can_never_be_approved(db: Database) -> None:
    registry = ArtifactRegistry(
        db, type_definitions={"t": ArtifactTypeDefinition(id="t", requires_approval=True)}
    )
    a = await registry.create("t", "Q", FIVE)
    for step in (S.PENDING_REVIEW, S.IN_REVIEW):
        await registry.set_status(a.id, step)
    with pytest.raises(ApprovalRequiredError, match="no rubric"):
        await registry.set_status(a.id, S.APPROVED)


async def test_from_config_seed_example(db: Database) -> None:
    config = {
        "artifact_types": {
            "assessment_questions": {
                "description": "Generated quiz questions",
                "rubrics": ["quiz_quality"],
                "auto_review": True,
                "requires_approval": True,
                "approval_threshold": 0.8,
                "tags": ["assessment", "questions"],
            },
            "bot_config": {
                "description": "Bot configuration",
                "rubrics": ["config_validation"],
                "approval_threshold": 1.0,
            },
        }
    }
    plain = await review_registry(db)
    registry = await ArtifactRegistry.from_config(
        config, db=db, rubric_registry=plain.rubric_registry, rubric_executor=executor()
    )
    assert registry.type_definitions["bot_config"].approval_threshold == 1.0
    a = await registry.create("assessment_questions", "Q", FIVE, tags=["bio"])
    assert a.tags == ["bio", "assessment", "questions"]
    assert a.status is S.APPROVED  # auto_review


async def test_quiz_rubric_builder_is_valid() -> None:
    assert quiz_rubric().pass_threshold == 0.7


async def test_seed_001_end_to_end_with_two_memory_databases() -> None:
    """Seed 001's example verbatim but for imports: separate rubric and artifact databases."""
    from assay.rubrics import FunctionRegistry, RubricExecutor, RubricRegistry

    def check_question_count(content: dict) -> str:  # type: ignore[type-arg]
        questions = content.get("questions", [])
        if len(questions) >= 5:
            return "pass"
        return "fail"

    func_registry = FunctionRegistry()
    func_registry.register("scoring:check_question_count", check_question_count)
    rubric_db, artifact_db = Database.memory(), Database.memory()
    try:
        rubric_registry = RubricRegistry(rubric_db)
        await rubric_registry.register(quiz_rubric())
        rubric_executor = RubricExecutor(function_registry=func_registry)
        artifact_registry = ArtifactRegistry(
            db=artifact_db,
            rubric_registry=rubric_registry,
            rubric_executor=rubric_executor,
            type_definitions={"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])},
        )
        artifact = await artifact_registry.create(
            artifact_type="quiz",
            name="Biology Quiz",
            content={"questions": ["Q1", "Q2", "Q3", "Q4", "Q5"]},
            provenance=create_provenance("bot:quizbot", "generator"),
        )
        evaluations = await artifact_registry.submit_for_review(artifact.id)
        updated = await artifact_registry.get(artifact.id)
        assert updated is not None
        assert f"Status: {updated.status.value}" == "Status: approved"
        assert f"Score: {evaluations[0]['weighted_score']:.0%}" == "Score: 100%"
    finally:
        await rubric_db.close()
        await artifact_db.close()


class BrokenExecutor:
    async def evaluate(
        self, rubric: object, target: dict, target_id: str = "", target_type: str = ""
    ) -> object:  # type: ignore[type-arg]
        raise RuntimeError("scorer crashed")


async def test_evaluator_failure_leaves_the_artifact_in_review(db: Database) -> None:
    base = await review_registry(db, QUIZ)
    registry = ArtifactRegistry(db, base.rubric_registry, BrokenExecutor(), QUIZ)
    a = await registry.create("quiz", "Q", FIVE)
    with pytest.raises(RuntimeError, match="scorer crashed"):
        await registry.submit_for_review(a.id)
    assert (await registry.get(a.id)).status is S.IN_REVIEW  # type: ignore[union-attr]
    assert await registry.get_evaluations(a.id) == []
    await registry.set_status(a.id, S.NEEDS_REVISION, reason="scorer down; please resubmit")
    await base.submit_for_review(a.id)
    assert (await base.get(a.id)).status is S.APPROVED  # type: ignore[union-attr]
