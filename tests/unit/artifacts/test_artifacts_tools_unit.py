"""The five tools' names and JSON Schemas as documented, and argument checking."""

from __future__ import annotations

from typing import Any

import pytest

from assay.artifacts import ArtifactRegistry, ArtifactStatus
from assay.artifacts.tools import (
    CreateArtifactTool,
    GetArtifactTool,
    QueryArtifactsTool,
    SubmitForReviewTool,
    ToolExecutionContext,
    UpdateArtifactTool,
)
from assay.storage import Database


def registry() -> ArtifactRegistry:
    return ArtifactRegistry(Database.memory())


def props(tool: Any) -> dict[str, str]:
    return {k: v["type"] for k, v in tool.schema["properties"].items()}


def test_create_schema() -> None:
    tool = CreateArtifactTool(artifact_registry=registry())
    assert tool.name == "create_artifact"
    assert props(tool) == {
        "content": "object",
        "name": "string",
        "artifact_type": "string",
        "tags": "array",
    }
    assert tool.schema["properties"]["tags"]["items"] == {"type": "string"}
    assert tool.schema["required"] == ["content", "name"]


def test_update_schema() -> None:
    tool = UpdateArtifactTool(artifact_registry=registry())
    assert tool.name == "update_artifact"
    assert props(tool) == {"artifact_id": "string", "content": "object", "reason": "string"}
    assert tool.schema["required"] == ["artifact_id", "content"]


def test_query_schema() -> None:
    tool = QueryArtifactsTool(artifact_registry=registry())
    assert tool.name == "query_artifacts"
    assert props(tool) == {
        "status": "string",
        "artifact_type": "string",
        "tags": "array",
        "include_content": "boolean",
    }
    assert tool.schema["properties"]["status"]["enum"] == [s.value for s in ArtifactStatus]
    assert tool.schema["properties"]["include_content"]["default"] is False
    assert "required" not in tool.schema


def test_submit_and_get_schemas() -> None:
    submit = SubmitForReviewTool(artifact_registry=registry())
    assert submit.name == "submit_for_review"
    assert props(submit) == {"artifact_id": "string"} and submit.schema["required"] == [
        "artifact_id"
    ]
    get = GetArtifactTool(artifact_registry=registry())
    assert get.name == "get_artifact"
    assert props(get) == {"artifact_id": "string", "include_evaluations": "boolean"}
    assert get.schema["properties"]["include_evaluations"]["default"] is False
    assert get.schema["required"] == ["artifact_id"]


def test_definition_for_a_model() -> None:
    tool = CreateArtifactTool(artifact_registry=registry())
    d = tool.definition().to_openai()
    assert d["function"]["name"] == "create_artifact"
    assert d["function"]["parameters"] == tool.schema


@pytest.mark.parametrize(
    ("tool_cls", "arguments", "field"),
    [
        (CreateArtifactTool, {"name": "x"}, "content"),
        (CreateArtifactTool, {"content": {}}, "name"),
        (CreateArtifactTool, {"content": "text", "name": "x"}, "content"),
        (CreateArtifactTool, {"content": {}, "name": "x", "tags": ["a", 1]}, "tags.1"),
        (UpdateArtifactTool, {"content": {}}, "artifact_id"),
        (QueryArtifactsTool, {"status": "done"}, "status"),
        (QueryArtifactsTool, {"include_content": "yes"}, "include_content"),
        (GetArtifactTool, {}, "artifact_id"),
        (SubmitForReviewTool, {"artifact_id": 3}, "artifact_id"),
    ],
)
async def test_bad_arguments_answer_an_error_naming_the_field(
    tool_cls: Any, arguments: dict[str, Any], field: str
) -> None:
    tool = tool_cls(artifact_registry=registry())
    result = await tool.execute_with_context(context=ToolExecutionContext.empty(), **arguments)
    assert result["error"] == "invalid_arguments"
    assert result["field"] == field
    assert field.split(".")[0] in result["message"]
