"""The five LLM tools against a real registry: the seed's calls and result shapes."""

from __future__ import annotations

import pytest
from tests.integration.artifacts.artifact_fixtures import FIVE, review_registry

from assay.artifacts import ArtifactTypeDefinition
from assay.artifacts.tools import (
    CreateArtifactTool,
    GetArtifactTool,
    QueryArtifactsTool,
    SubmitForReviewTool,
    ToolExecutionContext,
    UpdateArtifactTool,
)
from assay.storage import Database

EMPTY = ToolExecutionContext.empty


async def test_seed_tool_calls(db: Database) -> None:
    registry = await review_registry(
        db, {"content": ArtifactTypeDefinition(id="content", rubrics=["quiz_quality"])}
    )
    created = await CreateArtifactTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(),
        content={"questions": ["Q1", "Q2"]},
        name="Unit 1 Questions",
        artifact_type="content",
        tags=["assessment"],
    )
    assert set(created) == {"artifact_id", "status", "name", "version", "message"}
    assert (created["status"], created["name"], created["version"]) == (
        "draft",
        "Unit 1 Questions",
        "1.0.0",
    )
    artifact_id = created["artifact_id"]
    artifact = await registry.get(artifact_id)
    assert artifact.provenance.creation_method == "tool"  # type: ignore[union-attr]
    assert artifact.provenance.created_by == "system:tool"  # type: ignore[union-attr]

    updated = await UpdateArtifactTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(),
        artifact_id=artifact_id,
        content=FIVE,
        reason="Improved question clarity",
    )
    assert updated == {
        "artifact_id": artifact_id,
        "version": "1.0.1",
        "status": "draft",
        "message": "Updated artifact to version 1.0.1",
    }

    queried = await QueryArtifactsTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(),
        status="draft",
        artifact_type="content",
        tags=["assessment"],
        include_content=False,
    )
    assert queried["count"] == 1 and len(queried["artifacts"]) == 1
    assert queried["filters"] == {
        "status": "draft",
        "artifact_type": "content",
        "tags": ["assessment"],
    }
    item = queried["artifacts"][0]
    assert item["id"] == artifact_id and item["version"] == "1.0.1" and "content" not in item
    with_content = await QueryArtifactsTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(), include_content=True
    )
    assert with_content["artifacts"][0]["content"] == FIVE

    reviewed = await SubmitForReviewTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(), artifact_id=artifact_id
    )
    assert reviewed["status"] == "approved"
    assert reviewed["artifact_id"] == artifact_id
    assert reviewed["evaluations"][0]["passed"] is True
    assert reviewed["message"] == "Review complete, status: approved"

    got = await GetArtifactTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(), artifact_id=artifact_id, include_evaluations=True
    )
    assert got["id"] == artifact_id and got["content"] == FIVE and got["status"] == "approved"
    assert got["provenance"]["creation_method"] == "tool"
    assert got["evaluations"] == reviewed["evaluations"]
    plain = await GetArtifactTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(), artifact_id=artifact_id
    )
    assert "evaluations" not in plain


async def test_tool_errors_are_results(db: Database) -> None:
    registry = await review_registry(db)
    missing = await GetArtifactTool(artifact_registry=registry).execute_with_context(
        context=EMPTY(), artifact_id="art_nope"
    )
    assert missing["error"] == "ArtifactNotFoundError" and "art_nope" in missing["message"]
    created = await CreateArtifactTool(registry).execute(content={}, name="x")
    archive = await registry.set_status(created["artifact_id"], "archived")  # type: ignore[arg-type]
    assert archive.status.value == "archived"
    refused = await UpdateArtifactTool(registry).execute(
        artifact_id=created["artifact_id"], content={"v": 2}
    )
    assert refused["error"] == "InvalidTransitionError"


@pytest.mark.parametrize("tool_cls", [GetArtifactTool, SubmitForReviewTool])
async def test_user_scope_hides_other_users_artifacts(db: Database, tool_cls: type) -> None:
    registry = await review_registry(db)
    alice, bob = ToolExecutionContext(user_id="alice"), ToolExecutionContext(user_id="bob")
    created = await CreateArtifactTool(registry).execute_with_context(
        context=alice, content={}, name="mine"
    )
    artifact = await registry.get(created["artifact_id"])
    assert artifact.owner_id == "alice" and artifact.provenance.created_by == "user:alice"  # type: ignore[union-attr]
    hidden = await tool_cls(registry).execute_with_context(
        context=bob, artifact_id=created["artifact_id"]
    )
    assert hidden["error"] == "ArtifactNotFoundError"
    listed = await QueryArtifactsTool(registry).execute_with_context(context=bob)
    assert listed["count"] == 0
    shared = await registry.create("content", "ownerless", {})
    unscoped = await GetArtifactTool(registry).execute_with_context(
        context=EMPTY(), artifact_id=shared.id
    )
    assert unscoped["id"] == shared.id
    scoped = await GetArtifactTool(registry).execute_with_context(
        context=bob, artifact_id=shared.id
    )
    assert scoped["error"] == "ArtifactNotFoundError"
    assert (await QueryArtifactsTool(registry).execute_with_context(context=alice))["count"] == 1
