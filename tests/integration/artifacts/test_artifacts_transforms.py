"""Wizard transforms against a real registry (SQLite and PostgreSQL): the seed's examples."""

from __future__ import annotations

from typing import Any

import pytest
from tests.integration.artifacts.artifact_fixtures import review_registry

from assay.artifacts import (
    ArtifactRegistry,
    ArtifactStatus,
    ArtifactTypeDefinition,
    InvalidTransitionError,
    TransformContext,
    approve_artifact,
    create_artifact,
    revise_artifact,
    save_artifact_draft,
    submit_for_review,
)
from assay.storage import Database

S = ArtifactStatus


async def context(db: Database) -> TransformContext:
    types = {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])}
    registry = await review_registry(db, types)
    return TransformContext(
        artifact_registry=registry,
        rubric_registry=registry.rubric_registry,
        rubric_executor=registry.rubric_executor,
        user_id="teacher_jane",
        session_id="sess_abc123",
    )


async def test_seed_create_artifact_example(db: Database) -> None:
    ctx = await context(db)
    data: dict[str, Any] = {"title": "My Quiz", "questions": ["Q1", "Q2"]}
    await create_artifact(
        data,
        ctx,
        config={
            "artifact_type": "quiz",
            "name_template": "Quiz: {{ title }}",
            "content_fields": ["questions"],
            "tags": ["quiz", "auto-generated"],
        },
    )
    assert data["_artifact_id"].startswith("art_")
    artifact = await ctx.artifact_registry.get(data["_artifact_id"])  # type: ignore[union-attr]
    assert artifact.name == "Quiz: My Quiz"
    assert artifact.content == {"questions": ["Q1", "Q2"]}
    assert artifact.tags == ["quiz", "auto-generated"]
    assert artifact.provenance.created_by == "user:teacher_jane"
    assert artifact.owner_id == "teacher_jane"
    assert artifact.provenance.creation_method == "wizard"
    assert artifact.provenance.creation_context == {
        "session_id": "sess_abc123",
        "transform": "create_artifact",
    }


async def test_submit_revise_submit_approve(db: Database) -> None:
    ctx = await context(db)
    data: dict[str, Any] = {"title": "T", "questions": ["Q1", "Q2"]}
    await create_artifact(
        data, ctx, config={"artifact_type": "quiz", "content_fields": ["questions"]}
    )
    await submit_for_review(data, ctx)
    assert data["_review_passed"] is False
    assert data["_evaluation_results"][0]["rubric_id"] == "quiz_quality"
    first_id = data["_artifact_id"]
    data["questions"] = ["Q1", "Q2", "Q3", "Q4", "Q5"]
    data["_revision_reason"] = "Improved clarity after feedback"
    await revise_artifact(data, ctx, config={"content_fields": ["questions"]})
    assert data["_artifact_id"] == first_id
    assert data["_artifact_version"] == "1.0.1"
    revised = await ctx.artifact_registry.get(first_id)  # type: ignore[union-attr]
    assert revised.provenance.revision_history[-1].reason == "Improved clarity after feedback"
    assert revised.provenance.revision_history[-1].triggered_by == "user:teacher_jane"
    await submit_for_review(data, ctx)
    assert data["_review_passed"] is True
    assert (await ctx.artifact_registry.get(first_id)).status is S.APPROVED  # type: ignore[union-attr]


async def test_approve_artifact_from_in_review(db: Database) -> None:
    ctx = await context(db)
    data: dict[str, Any] = {"name": "Plan", "body": "x"}
    await create_artifact(data, ctx)
    with pytest.raises(InvalidTransitionError):
        await approve_artifact(data, ctx)  # draft -> approved is not in the table
    registry: ArtifactRegistry = ctx.artifact_registry  # type: ignore[assignment]
    await registry.set_status(data["_artifact_id"], S.PENDING_REVIEW)
    await registry.set_status(data["_artifact_id"], S.IN_REVIEW)
    await approve_artifact(data, ctx)
    assert (await registry.get(data["_artifact_id"])).is_approved  # type: ignore[union-attr]


async def test_custom_artifact_id_field_and_context_config(db: Database) -> None:
    ctx = await context(db)
    ctx.config = {"submit_for_review": {"artifact_id_field": "quiz_id"}}
    data: dict[str, Any] = {"name": "Q", "questions": ["a"] * 5}
    await create_artifact(data, ctx, config={"artifact_type": "quiz"})
    data["quiz_id"] = data.pop("_artifact_id")
    await submit_for_review(data, ctx)
    assert data["_review_passed"] is True


async def test_save_artifact_draft_creates_then_revises(db: Database) -> None:
    ctx = await context(db)
    config = {
        "artifact_type": "lesson_plan",
        "name_field": "lesson_title",
        "content_fields": ["objectives", "activities", "assessment"],
    }
    data: dict[str, Any] = {"lesson_title": "Cells", "objectives": ["know cells"]}
    await save_artifact_draft(data, ctx, config=config)
    artifact_id = data["_artifact_id"]
    registry: ArtifactRegistry = ctx.artifact_registry  # type: ignore[assignment]
    first = await registry.get(artifact_id)
    assert (first.name, first.version, first.content) == (
        "Cells",
        "1.0.0",
        {"objectives": ["know cells"]},
    )  # type: ignore[union-attr]
    await save_artifact_draft(data, ctx, config=config)  # unchanged: nothing written
    assert (await registry.get(artifact_id)).version == "1.0.0"  # type: ignore[union-attr]
    data["activities"] = ["microscope"]
    await save_artifact_draft(data, ctx, config=config)
    latest = await registry.get(artifact_id)
    assert latest.version == "1.0.1"  # type: ignore[union-attr]
    assert latest.content == {"objectives": ["know cells"], "activities": ["microscope"]}  # type: ignore[union-attr]


async def test_save_artifact_draft_without_registry_does_nothing() -> None:
    data: dict[str, Any] = {"name": "x"}
    await save_artifact_draft(data, TransformContext())
    assert "_artifact_id" not in data
