"""Wizard transforms: artifact lifecycle steps that read and write a wizard's data dict.

Each transform is ``async (data, context, config=None) -> None``. ``config`` defaults to
``context.config[<transform name>]`` (then to ``{}``). Keys set in ``data``:

| Transform | Sets |
|---|---|
| :func:`create_artifact` | ``_artifact_id`` |
| :func:`submit_for_review` | ``_evaluation_results``, ``_review_passed`` |
| :func:`revise_artifact` | ``_artifact_id`` (same id, new version), ``_artifact_version`` |
| :func:`approve_artifact` | nothing |
| :func:`save_artifact_draft` | as create or revise |

``name_template`` is rendered by a sandboxed Jinja2 environment
(:class:`jinja2.sandbox.SandboxedEnvironment`): templates cannot reach attributes such as
``__class__`` or call unsafe methods, and an undefined variable is an error
(:class:`jinja2.StrictUndefined`). A template that fails to render, or renders blank, falls
back to ``name_field``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from assay.artifacts.errors import ArtifactValidationError
from assay.artifacts.provenance import create_provenance
from assay.artifacts.status import ArtifactStatus

logger = logging.getLogger(__name__)

_ENV = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


@dataclass
class TransformContext:
    """What a transform may use besides the wizard data.

    Attributes:
        artifact_registry: Registry for artifact CRUD (an ``ArtifactRegistry``).
        rubric_registry: Registry for rubric lookups.
        rubric_executor: Executor for evaluations.
        generator_registry: Registry for content generation.
        config: Per-transform config, keyed by transform name.
        user_id: Current user identifier: owner of created artifacts and provenance
            ``created_by = "user:<id>"``.
        session_id: Current session identifier (recorded in the creation context).
    """

    artifact_registry: Any | None = None
    rubric_registry: Any | None = None
    rubric_executor: Any | None = None
    generator_registry: Any | None = None
    config: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    session_id: str | None = None


async def create_artifact(
    data: dict[str, Any], context: TransformContext, config: dict[str, Any] | None = None
) -> None:
    """Create an artifact from wizard data and set ``data["_artifact_id"]``.

    Config keys: ``artifact_type`` (default ``"content"``), ``name_template`` (Jinja2,
    rendered with ``data``), ``name_field`` (default ``"name"``; used when there is no
    template or it fails; ``"Untitled"`` when absent), ``content_fields`` (keys copied into
    the content; default all keys not starting with ``_``), ``tags`` (default ``[]``).

    Raises:
        ArtifactValidationError: No ``artifact_registry`` in the context.
    """
    registry = _registry(context, "create_artifact")
    cfg = _config(context, "create_artifact", config)
    artifact = await registry.create(
        artifact_type=cfg.get("artifact_type", "content"),
        name=resolve_name(data, cfg),
        content=extract_content(data, cfg),
        provenance=create_provenance(
            created_by=_actor(context),
            creation_method="wizard",
            creation_context={"session_id": context.session_id, "transform": "create_artifact"},
        ),
        tags=list(cfg.get("tags", [])),
        owner_id=context.user_id,
    )
    data["_artifact_id"] = artifact.id
    data["_artifact_version"] = artifact.version


async def submit_for_review(
    data: dict[str, Any], context: TransformContext, config: dict[str, Any] | None = None
) -> None:
    """Review the artifact of ``data[artifact_id_field]``.

    Sets ``data["_evaluation_results"]`` (the evaluation dicts) and ``data["_review_passed"]``
    (``True`` iff the artifact ended ``APPROVED``; with no rubric to run it stays
    ``IN_REVIEW`` and this is ``False``).

    Config keys: ``artifact_id_field`` (default ``"_artifact_id"``).

    Raises:
        ArtifactValidationError: No registry, or no artifact id in ``data``.
    """
    registry = _registry(context, "submit_for_review")
    cfg = _config(context, "submit_for_review", config)
    artifact_id = _artifact_id(data, cfg)
    evaluations = await registry.submit_for_review(artifact_id)
    data["_evaluation_results"] = evaluations
    data["_review_passed"] = bool(evaluations) and all(e.get("passed") is True for e in evaluations)


async def revise_artifact(
    data: dict[str, Any], context: TransformContext, config: dict[str, Any] | None = None
) -> None:
    """Create the next version from wizard data; updates ``data["_artifact_id"]``.

    Config keys: ``artifact_id_field`` (default ``"_artifact_id"``), ``content_fields``,
    ``reason_field`` (default ``"_revision_reason"``; reason ``"Revised via wizard"`` when
    absent).

    Raises:
        ArtifactValidationError: No registry, or no artifact id in ``data``.
    """
    registry = _registry(context, "revise_artifact")
    cfg = _config(context, "revise_artifact", config)
    artifact_id = _artifact_id(data, cfg)
    revised = await registry.revise(
        artifact_id=artifact_id,
        new_content=extract_content(data, cfg),
        reason=str(data.get(cfg.get("reason_field", "_revision_reason")) or "Revised via wizard"),
        triggered_by=_actor(context),
    )
    data[cfg.get("artifact_id_field", "_artifact_id")] = revised.id
    data["_artifact_version"] = revised.version


async def approve_artifact(
    data: dict[str, Any], context: TransformContext, config: dict[str, Any] | None = None
) -> None:
    """Set the artifact's status to ``APPROVED`` (from ``IN_REVIEW``, per the table).

    Config keys: ``artifact_id_field`` (default ``"_artifact_id"``).

    Raises:
        ArtifactValidationError: No registry, or no artifact id in ``data``.
        InvalidTransitionError: The artifact is not ``IN_REVIEW``.
        ApprovalRequiredError: Its type requires a passing evaluation it lacks.
    """
    registry = _registry(context, "approve_artifact")
    cfg = _config(context, "approve_artifact", config)
    await registry.set_status(
        _artifact_id(data, cfg),
        ArtifactStatus.APPROVED,
        reason=f"approved via wizard by {_actor(context)}",
    )


async def save_artifact_draft(
    data: dict[str, Any], context: TransformContext, config: dict[str, Any] | None = None
) -> None:
    """Save wizard data as a draft: create it the first time, revise it afterwards.

    Revises when ``data["_artifact_id"]`` is set and the content differs from the latest
    version (an unchanged save writes nothing). Without a registry it does nothing.
    Config keys: those of :func:`create_artifact`.
    """
    if context.artifact_registry is None:
        return
    cfg = _config(context, "save_artifact_draft", config)
    artifact_id = data.get("_artifact_id")
    if not artifact_id:
        await create_artifact(data, context, cfg)
        return
    current = await context.artifact_registry.get(artifact_id)
    if current is not None and current.content == extract_content(data, cfg):
        return
    await revise_artifact(
        data, context, {**cfg, "reason_field": cfg.get("reason_field", "_revision_reason")}
    )


def resolve_name(data: dict[str, Any], config: dict[str, Any]) -> str:
    """The artifact name: the rendered ``name_template``, else ``data[name_field]``.

    >>> resolve_name({"title": "Cells"}, {"name_template": "Quiz: {{ title }}"})
    'Quiz: Cells'
    >>> resolve_name({}, {"name_template": "{{ ''.__class__ }}"})
    'Untitled'
    """
    template = config.get("name_template")
    if template:
        try:
            rendered = _ENV.from_string(str(template)).render(**data).strip()
        except TemplateError as exc:
            logger.warning("name_template failed (%s); falling back to name_field", exc)
        else:
            if rendered:
                return rendered
    value = data.get(config.get("name_field", "name"))
    return str(value) if value not in (None, "") else "Untitled"


def extract_content(data: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """``data`` restricted to ``content_fields`` (present ones), else all non-``_`` keys."""
    fields = config.get("content_fields")
    if fields:
        return {k: data[k] for k in fields if k in data}
    return {k: v for k, v in data.items() if not str(k).startswith("_")}


def _registry(context: TransformContext, name: str) -> Any:
    if context.artifact_registry is None:
        raise ArtifactValidationError("context.artifact_registry", f"is required by {name}")
    return context.artifact_registry


def _config(context: TransformContext, name: str, config: dict[str, Any] | None) -> dict[str, Any]:
    if config is not None:
        return config
    value = context.config.get(name, {})
    return value if isinstance(value, dict) else {}


def _artifact_id(data: dict[str, Any], cfg: dict[str, Any]) -> str:
    id_field = cfg.get("artifact_id_field", "_artifact_id")
    artifact_id = data.get(id_field)
    if not artifact_id or not isinstance(artifact_id, str):
        raise ArtifactValidationError(f"data.{id_field}", "must hold the artifact id")
    return artifact_id


def _actor(context: TransformContext) -> str:
    return f"user:{context.user_id}" if context.user_id else "system:wizard"


__all__ = [
    "TransformContext",
    "approve_artifact",
    "create_artifact",
    "extract_content",
    "resolve_name",
    "revise_artifact",
    "save_artifact_draft",
    "submit_for_review",
]
