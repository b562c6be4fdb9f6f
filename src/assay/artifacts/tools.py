"""Five LLM tools over an :class:`~assay.artifacts.registry.ArtifactRegistry`.

- :class:`CreateArtifactTool` (``create_artifact``): ``content`` object*, ``name`` string*,
  ``artifact_type`` string, ``tags`` string[] -> ``artifact_id``, ``status``, ``name``,
  ``version``, ``message``.
- :class:`UpdateArtifactTool` (``update_artifact``): ``artifact_id`` string*, ``content``
  object*, ``reason`` string -> ``artifact_id``, ``version``, ``status``, ``message``.
- :class:`QueryArtifactsTool` (``query_artifacts``): ``status`` (enum of the status values),
  ``artifact_type`` string, ``tags`` string[], ``include_content`` boolean (default false)
  -> ``artifacts``, ``count``, ``filters``.
- :class:`SubmitForReviewTool` (``submit_for_review``): ``artifact_id`` string* ->
  ``artifact_id``, ``status``, ``evaluations``, ``message``.
- :class:`GetArtifactTool` (``get_artifact``): ``artifact_id`` string*,
  ``include_evaluations`` boolean (default false) -> the artifact's fields, a ``provenance``
  summary, and ``evaluations`` when asked.

(* required.) Failures answer ``{"error", "message"}`` (plus ``field``/``rule`` for a bad
argument) instead of raising. When the context has a ``user_id``, artifacts are created with
that owner and only that user's artifacts are visible (others answer as not found); with no
``user_id`` every artifact is visible.
"""

from __future__ import annotations

from typing import Any

from assay.artifacts.errors import ArtifactError, ArtifactNotFoundError
from assay.artifacts.models import Artifact
from assay.artifacts.provenance import create_provenance
from assay.artifacts.registry import ArtifactRegistry
from assay.artifacts.status import ArtifactStatus
from assay.artifacts.tool_base import ContextAwareTool, ToolExecutionContext

_STRINGS = {"type": "array", "items": {"type": "string"}}


class _ArtifactTool(ContextAwareTool):
    def __init__(self, artifact_registry: ArtifactRegistry, name: str, description: str) -> None:
        super().__init__(name=name, description=description)
        self.registry = artifact_registry

    async def _visible(self, context: ToolExecutionContext, artifact_id: str) -> Artifact:
        artifact = await self.registry.get(artifact_id)
        if artifact is None or (context.user_id and artifact.owner_id != context.user_id):
            raise ArtifactNotFoundError(artifact_id)
        return artifact

    async def execute_with_context(
        self, context: ToolExecutionContext, **arguments: Any
    ) -> dict[str, Any]:
        try:
            return await super().execute_with_context(context, **arguments)
        except ArtifactError as exc:
            return {"error": type(exc).__name__, "message": f"{self.name} failed: {exc}"}


def _actor(context: ToolExecutionContext) -> str:
    return f"user:{context.user_id}" if context.user_id else "system:tool"


class CreateArtifactTool(_ArtifactTool):
    """Create an artifact; provenance ``creation_method="tool"``."""

    def __init__(self, artifact_registry: ArtifactRegistry) -> None:
        super().__init__(
            artifact_registry,
            "create_artifact",
            "Create a new artifact (document, configuration, or content) that will be tracked "
            "and optionally reviewed. Use this for outputs that should be preserved and validated.",
        )

    @property
    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "content": {
                    "type": "object",
                    "description": "The artifact content as structured data",
                },
                "name": {"type": "string", "description": "Human-readable name for the artifact"},
                "artifact_type": {
                    "type": "string",
                    "description": "Type of artifact (e.g. 'content', 'config')",
                    "default": "content",
                },
                "tags": {**_STRINGS, "description": "Tags for categorization and search"},
            },
            "required": ["content", "name"],
        }

    async def run(self, context: ToolExecutionContext, args: dict[str, Any]) -> dict[str, Any]:
        content, name, tags = args["content"], args["name"], args.get("tags")
        artifact_type = args.get("artifact_type", "content")
        artifact = await self.registry.create(
            artifact_type=artifact_type,
            name=name,
            content=content,
            provenance=create_provenance(
                _actor(context),
                "tool",
                creation_context={"tool": self.name, "conversation_id": context.conversation_id},
            ),
            tags=tags,
            owner_id=context.user_id,
        )
        return {
            "artifact_id": artifact.id,
            "status": artifact.status.value,
            "name": artifact.name,
            "version": artifact.version,
            "message": f"Created artifact '{artifact.name}'",
        }


class UpdateArtifactTool(_ArtifactTool):
    """Revise an artifact (a new patch version; the old one becomes superseded)."""

    def __init__(self, artifact_registry: ArtifactRegistry) -> None:
        super().__init__(
            artifact_registry,
            "update_artifact",
            "Update an existing artifact with new content. This creates a new version while "
            "preserving the original.",
        )

    @property
    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "artifact_id": {"type": "string", "description": "ID of the artifact to update"},
                "content": {"type": "object", "description": "New content for the artifact"},
                "reason": {"type": "string", "description": "Reason for the update (audit trail)"},
            },
            "required": ["artifact_id", "content"],
        }

    async def run(self, context: ToolExecutionContext, args: dict[str, Any]) -> dict[str, Any]:
        artifact_id, content, reason = args["artifact_id"], args["content"], args.get("reason")
        await self._visible(context, artifact_id)
        updated = await self.registry.revise(
            artifact_id=artifact_id,
            new_content=content,
            reason=reason or "Updated via tool",
            triggered_by=_actor(context),
        )
        return {
            "artifact_id": updated.id,
            "version": updated.version,
            "status": updated.status.value,
            "message": f"Updated artifact to version {updated.version}",
        }


class QueryArtifactsTool(_ArtifactTool):
    """Find artifacts by status, type and tags."""

    def __init__(self, artifact_registry: ArtifactRegistry) -> None:
        super().__init__(
            artifact_registry,
            "query_artifacts",
            "Query artifacts by status, type, or tags. Use this to find artifacts that need "
            "review, are pending, or match other criteria.",
        )

    @property
    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "status": {
                    "type": "string",
                    "enum": [s.value for s in ArtifactStatus],
                    "description": "Filter by artifact status",
                },
                "artifact_type": {"type": "string", "description": "Filter by artifact type"},
                "tags": {**_STRINGS, "description": "Filter by tags (artifact must have all)"},
                "include_content": {
                    "type": "boolean",
                    "description": "Whether to include artifact content in results",
                    "default": False,
                },
            },
        }

    async def run(self, context: ToolExecutionContext, args: dict[str, Any]) -> dict[str, Any]:
        status, artifact_type, tags = (
            args.get("status"),
            args.get("artifact_type"),
            args.get("tags"),
        )
        include_content = bool(args.get("include_content", False))
        found = await self.registry.query(
            artifact_type=artifact_type,
            status=ArtifactStatus(status) if status else None,
            tags=tags,
            owner_id=context.user_id or None,
        )
        artifacts = []
        for artifact in found:
            item: dict[str, Any] = {
                "id": artifact.id,
                "name": artifact.name,
                "status": artifact.status.value,
                "type": artifact.type,
                "version": artifact.version,
                "tags": artifact.tags,
                "created_at": artifact.created_at,
            }
            if include_content:
                item["content"] = artifact.content
            artifacts.append(item)
        return {
            "artifacts": artifacts,
            "count": len(artifacts),
            "filters": {"status": status, "artifact_type": artifact_type, "tags": tags},
        }


class SubmitForReviewTool(_ArtifactTool):
    """Run an artifact's rubrics and move it to approved or needs_revision."""

    def __init__(self, artifact_registry: ArtifactRegistry) -> None:
        super().__init__(
            artifact_registry,
            "submit_for_review",
            "Submit an artifact for review. This triggers rubric-based evaluation and updates "
            "the artifact status based on results.",
        )

    @property
    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "artifact_id": {
                    "type": "string",
                    "description": "ID of the artifact to submit for review",
                },
            },
            "required": ["artifact_id"],
        }

    async def run(self, context: ToolExecutionContext, args: dict[str, Any]) -> dict[str, Any]:
        artifact_id = args["artifact_id"]
        await self._visible(context, artifact_id)
        evaluations = await self.registry.submit_for_review(artifact_id)
        artifact = await self.registry.get(artifact_id)
        status = artifact.status.value if artifact else "unknown"
        return {
            "artifact_id": artifact_id,
            "status": status,
            "evaluations": evaluations,
            "message": f"Review complete, status: {status}",
        }


class GetArtifactTool(_ArtifactTool):
    """Read an artifact with its content, provenance summary and optionally evaluations."""

    def __init__(self, artifact_registry: ArtifactRegistry) -> None:
        super().__init__(
            artifact_registry,
            "get_artifact",
            "Get a specific artifact by ID, including its content, status, and provenance "
            "information.",
        )

    @property
    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "artifact_id": {"type": "string", "description": "ID of the artifact to retrieve"},
                "include_evaluations": {
                    "type": "boolean",
                    "description": "Whether to include evaluation results",
                    "default": False,
                },
            },
            "required": ["artifact_id"],
        }

    async def run(self, context: ToolExecutionContext, args: dict[str, Any]) -> dict[str, Any]:
        artifact_id, include_evaluations = (
            args["artifact_id"],
            bool(args.get("include_evaluations")),
        )
        artifact = await self._visible(context, artifact_id)
        result: dict[str, Any] = {
            "id": artifact.id,
            "name": artifact.name,
            "status": artifact.status.value,
            "type": artifact.type,
            "version": artifact.version,
            "content": artifact.content,
            "tags": artifact.tags,
            "created_at": artifact.created_at,
            "updated_at": artifact.updated_at,
            "provenance": {
                "created_by": artifact.provenance.created_by,
                "creation_method": artifact.provenance.creation_method,
                "created_at": artifact.provenance.created_at,
            },
        }
        if include_evaluations:
            result["evaluations"] = await self.registry.get_evaluations(artifact_id)
        return result


__all__ = [
    "ContextAwareTool",
    "CreateArtifactTool",
    "GetArtifactTool",
    "QueryArtifactsTool",
    "SubmitForReviewTool",
    "ToolExecutionContext",
    "UpdateArtifactTool",
]
