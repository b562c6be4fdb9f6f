"""Artifact type definitions: per-type defaults and approval rules, from dicts or YAML.

A type definition gives every artifact of its type default ``rubrics`` and ``tags``, may
review it on creation (``auto_review``) and sets how strict approval is:

- ``approval_threshold`` is a floor on every rubric's weighted score; it combines with each
  rubric's own ``pass_threshold`` as the stricter of the two (see :mod:`assay.artifacts.review`).
- ``requires_approval`` forbids reaching ``APPROVED`` (by review or by ``set_status``)
  without a passing evaluation of the current version for each of its rubrics.

YAML shape (the same as :meth:`ArtifactRegistry.from_config`'s dict)::

    artifact_types:
      assessment_questions:
        description: Generated quiz questions
        rubrics: [content_quality, pedagogical_value]
        auto_review: true
        requires_approval: true
        approval_threshold: 0.8
        tags: [assessment, questions]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assay.artifacts import fields as f
from assay.artifacts.errors import ArtifactValidationError

_CONFIG_KEYS = frozenset(
    {
        "id",
        "description",
        "content_schema",
        "rubrics",
        "auto_review",
        "requires_approval",
        "approval_threshold",
        "tags",
    }
)


@dataclass
class ArtifactTypeDefinition:
    """Defaults and approval rules of one artifact type.

    Attributes:
        id: Type identifier (``"assessment_questions"``).
        description: Human-readable description.
        content_schema: JSON Schema reference for the content.
        rubrics: Rubric ids applied to every artifact of the type.
        auto_review: Run ``submit_for_review`` right after ``create``.
        requires_approval: ``APPROVED`` only with a passing evaluation for each rubric.
        approval_threshold: Minimum weighted score of every rubric for approval, in [0, 1].
        tags: Tags added to every artifact of the type.

    Raises:
        ArtifactValidationError: On a wrong type or a threshold outside [0, 1].
    """

    id: str
    description: str = ""
    content_schema: str | None = None
    rubrics: list[str] = field(default_factory=list)
    auto_review: bool = False
    requires_approval: bool = False
    approval_threshold: float = 0.7
    tags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        f.text("id", self.id, empty=False)
        f.text("description", self.description)
        f.opt_text("content_schema", self.content_schema)
        f.text_list("rubrics", self.rubrics)
        f.flag("auto_review", self.auto_review)
        f.flag("requires_approval", self.requires_approval)
        self.approval_threshold = f.number(
            "approval_threshold", self.approval_threshold, low=0.0, high=1.0
        )
        f.text_list("tags", self.tags)

    @classmethod
    def from_config(cls, type_id: str, config: dict[str, Any] | None) -> ArtifactTypeDefinition:
        """Build a definition from a config dict (keys: the attribute names; all optional).

        Raises:
            ArtifactValidationError: For an unknown key or a bad value, naming it.
        """
        config = {} if config is None else config
        if not isinstance(config, dict):
            raise ArtifactValidationError(type_id, "must be an object (mapping)")
        f.reject_unknown(config, _CONFIG_KEYS)
        if "id" in config and config["id"] != type_id:
            raise ArtifactValidationError("id", f"must equal the type key {type_id!r}")
        return cls(
            id=type_id,
            description=config.get("description", ""),
            content_schema=config.get("content_schema"),
            rubrics=_listed(config.get("rubrics")),
            auto_review=config.get("auto_review", False),
            requires_approval=config.get("requires_approval", False),
            approval_threshold=config.get("approval_threshold", 0.7),
            tags=_listed(config.get("tags")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "content_schema": self.content_schema,
            "rubrics": list(self.rubrics),
            "auto_review": self.auto_review,
            "requires_approval": self.requires_approval,
            "approval_threshold": self.approval_threshold,
            "tags": list(self.tags),
        }


def _listed(value: Any) -> Any:
    """A copy of a list, ``[]`` for ``None``, anything else as is (validation judges it)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else value


def type_definitions_from_config(config: dict[str, Any]) -> dict[str, ArtifactTypeDefinition]:
    """The definitions of ``config["artifact_types"]`` (a mapping of type id -> config dict).

    Raises:
        ArtifactValidationError: Naming the field as ``artifact_types.<type>.<key>``.
    """
    if not isinstance(config, dict):
        raise ArtifactValidationError("config", "must be an object (mapping)")
    types = config.get("artifact_types") or {}
    if not isinstance(types, dict):
        raise ArtifactValidationError("artifact_types", "must be a mapping of type id -> config")
    out: dict[str, ArtifactTypeDefinition] = {}
    for type_id, type_config in types.items():
        if not isinstance(type_id, str) or not type_id.strip():
            raise ArtifactValidationError("artifact_types", "keys must be non-empty strings")
        try:
            out[type_id] = ArtifactTypeDefinition.from_config(type_id, type_config)
        except ArtifactValidationError as exc:
            raise exc.prefixed(f"artifact_types.{type_id}") from None
    return out


def load_type_definitions(source: str | Path) -> dict[str, ArtifactTypeDefinition]:
    """Load type definitions from a YAML file (a :class:`~pathlib.Path`) or YAML text.

    Raises:
        OSError: If the file cannot be read.
        ArtifactValidationError: For malformed YAML (field ``"yaml"``) or a bad definition.
    """
    raw = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    try:
        config = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ArtifactValidationError("yaml", f"must be valid YAML ({exc})") from None
    return type_definitions_from_config(config or {})


__all__ = ["ArtifactTypeDefinition", "load_type_definitions", "type_definitions_from_config"]
