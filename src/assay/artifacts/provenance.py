"""Provenance records: where an artifact came from and how it changed (seed 000, "Provenance").

:class:`ProvenanceRecord` holds who created an artifact and how, the sources, tools and LLM
calls used, the ids of the evaluations it went through (``review_history``) and one
:class:`RevisionRecord` per revision. All timestamps are UTC ISO-8601 text.

Example:
    >>> p = create_provenance("bot:edubot", "generator", creation_context={"topic": "biology"})
    >>> p.sources.append(SourceReference(source_id="doc_123", source_type="document"))
    >>> ProvenanceRecord.from_dict(p.to_dict()) == p
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assay.artifacts import fields as f
from assay.artifacts.errors import ArtifactValidationError
from assay.storage.base import new_id


@dataclass
class SourceReference:
    """A source used to create an artifact.

    Attributes:
        source_id: Id of the source artifact, document or external reference.
        source_type: ``"artifact"``, ``"document"``, ``"vector_result"``, ``"user_input"``,
            ``"external"`` (free text).
        source_location: URI, file path or vector store reference.
        relevance: Why the source was used.
        excerpt: The relevant portion of the source.
        confidence: Relevance confidence in [0.0, 1.0].

    Raises:
        ArtifactValidationError: On a wrong type or a confidence outside [0, 1].
    """

    source_id: str
    source_type: str
    source_location: str | None = None
    relevance: str = ""
    excerpt: str | None = None
    confidence: float = 1.0

    def __post_init__(self) -> None:
        f.text("source_id", self.source_id, empty=False)
        f.text("source_type", self.source_type, empty=False)
        f.opt_text("source_location", self.source_location)
        f.text("relevance", self.relevance)
        f.opt_text("excerpt", self.excerpt)
        self.confidence = f.number("confidence", self.confidence, low=0.0, high=1.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "source_type": self.source_type,
            "source_location": self.source_location,
            "relevance": self.relevance,
            "excerpt": self.excerpt,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceReference:
        return cls(
            source_id=f.require(data, "source_id"),
            source_type=f.require(data, "source_type"),
            source_location=data.get("source_location"),
            relevance=data.get("relevance", ""),
            excerpt=data.get("excerpt"),
            confidence=data.get("confidence", 1.0),
        )


@dataclass
class ToolInvocation:
    """A tool used while creating an artifact.

    Attributes:
        tool_name: Function or tool identifier.
        tool_version: Version, if applicable.
        parameters: Input parameters (JSON object).
        timestamp: Invocation time, UTC ISO-8601 (defaults to now).
    """

    tool_name: str
    tool_version: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    timestamp: str = field(default_factory=f.now_iso)

    def __post_init__(self) -> None:
        f.text("tool_name", self.tool_name, empty=False)
        f.opt_text("tool_version", self.tool_version)
        f.json_object("parameters", self.parameters)
        f.text("timestamp", self.timestamp)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool_name": self.tool_name,
            "tool_version": self.tool_version,
            "parameters": self.parameters,
            "timestamp": self.timestamp,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolInvocation:
        return cls(
            tool_name=f.require(data, "tool_name"),
            tool_version=data.get("tool_version"),
            parameters=data.get("parameters", {}),
            timestamp=data.get("timestamp", ""),
        )


@dataclass
class LLMInvocation:
    """An LLM call made while creating an artifact (the prompt's hash, never the prompt).

    Attributes:
        purpose: ``"decode_intent"``, ``"encode_feedback"``, ``"generate_context"``...
        model: Model identifier.
        prompt_hash: Hash of the prompt, for reproducibility.
        timestamp: Invocation time, UTC ISO-8601 (defaults to now).
    """

    purpose: str
    model: str = ""
    prompt_hash: str = ""
    timestamp: str = field(default_factory=f.now_iso)

    def __post_init__(self) -> None:
        f.text("purpose", self.purpose, empty=False)
        f.text("model", self.model)
        f.text("prompt_hash", self.prompt_hash)
        f.text("timestamp", self.timestamp)

    def to_dict(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "model": self.model,
            "prompt_hash": self.prompt_hash,
            "timestamp": self.timestamp,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LLMInvocation:
        return cls(
            purpose=f.require(data, "purpose"),
            model=data.get("model", ""),
            prompt_hash=data.get("prompt_hash", ""),
            timestamp=data.get("timestamp", ""),
        )


@dataclass
class RevisionRecord:
    """One revision of an artifact.

    Attributes:
        revision_id: Unique id, ``rev_`` prefix (auto).
        previous_version: The version that was revised.
        reason: Why.
        changes_summary: What changed.
        triggered_by: Who or what triggered it (``"rubric_evaluation:eval_123"``,
            ``"user:jane"``).
        timestamp: UTC ISO-8601 (defaults to now).
    """

    revision_id: str = field(default_factory=lambda: new_id("rev"))
    previous_version: str = ""
    reason: str = ""
    changes_summary: str = ""
    triggered_by: str = ""
    timestamp: str = field(default_factory=f.now_iso)

    def __post_init__(self) -> None:
        for name in ("revision_id", "previous_version", "reason", "changes_summary"):
            f.text(name, getattr(self, name))
        f.text("triggered_by", self.triggered_by)
        f.text("timestamp", self.timestamp)

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision_id": self.revision_id,
            "previous_version": self.previous_version,
            "reason": self.reason,
            "changes_summary": self.changes_summary,
            "triggered_by": self.triggered_by,
            "timestamp": self.timestamp,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RevisionRecord:
        return cls(
            revision_id=data.get("revision_id") or new_id("rev"),
            previous_version=data.get("previous_version", ""),
            reason=data.get("reason", ""),
            changes_summary=data.get("changes_summary", ""),
            triggered_by=data.get("triggered_by", ""),
            timestamp=data.get("timestamp", ""),
        )


@dataclass
class ProvenanceRecord:
    """The full creation and revision history of an artifact.

    Attributes:
        created_by: Who or what created it (``"system:generator:quiz_gen_v1"``,
            ``"user:jane"``, ``"bot:configbot"``).
        created_at: Creation time, UTC ISO-8601 (defaults to now).
        creation_method: ``"generator"``, ``"wizard"``, ``"manual"``, ``"derived"``,
            ``"llm_assisted"``, ``"tool"``.
        creation_context: Parameters, configuration and other context (JSON object).
        sources: Source materials used.
        tool_chain: Tools used.
        llm_invocations: LLM calls made.
        review_history: Ids of the ``RubricEvaluation`` results the artifact went through
            (appended by ``ArtifactRegistry.submit_for_review``).
        revision_history: One record per revision (appended by ``ArtifactRegistry.revise``).
    """

    created_by: str = ""
    created_at: str = field(default_factory=f.now_iso)
    creation_method: str = ""
    creation_context: dict[str, Any] = field(default_factory=dict)
    sources: list[SourceReference] = field(default_factory=list)
    tool_chain: list[ToolInvocation] = field(default_factory=list)
    llm_invocations: list[LLMInvocation] = field(default_factory=list)
    review_history: list[str] = field(default_factory=list)
    revision_history: list[RevisionRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        f.text("created_by", self.created_by)
        f.text("created_at", self.created_at)
        f.text("creation_method", self.creation_method)
        f.json_object("creation_context", self.creation_context)
        self.sources = f.records(
            "sources", self.sources, SourceReference, SourceReference.from_dict
        )
        self.tool_chain = f.records(
            "tool_chain", self.tool_chain, ToolInvocation, ToolInvocation.from_dict
        )
        self.llm_invocations = f.records(
            "llm_invocations", self.llm_invocations, LLMInvocation, LLMInvocation.from_dict
        )
        f.text_list("review_history", self.review_history)
        self.revision_history = f.records(
            "revision_history", self.revision_history, RevisionRecord, RevisionRecord.from_dict
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "created_by": self.created_by,
            "created_at": self.created_at,
            "creation_method": self.creation_method,
            "creation_context": self.creation_context,
            "sources": [s.to_dict() for s in self.sources],
            "tool_chain": [t.to_dict() for t in self.tool_chain],
            "llm_invocations": [i.to_dict() for i in self.llm_invocations],
            "review_history": list(self.review_history),
            "revision_history": [r.to_dict() for r in self.revision_history],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProvenanceRecord:
        """Rebuild a record from :meth:`to_dict` output (missing keys take their defaults).

        Raises:
            ArtifactValidationError: Naming the field, e.g. ``"sources[0].confidence"``.
        """
        if not isinstance(data, dict):
            raise ArtifactValidationError("provenance", "must be an object (mapping)")
        return cls(
            created_by=data.get("created_by", ""),
            created_at=data.get("created_at", ""),
            creation_method=data.get("creation_method", ""),
            creation_context=data.get("creation_context", {}),
            sources=list(data.get("sources", [])),
            tool_chain=list(data.get("tool_chain", [])),
            llm_invocations=list(data.get("llm_invocations", [])),
            review_history=list(data.get("review_history", [])),
            revision_history=list(data.get("revision_history", [])),
        )

    def copy(self) -> ProvenanceRecord:
        """A deep copy (lists and records are not shared)."""
        return ProvenanceRecord.from_dict(self.to_dict())


def create_provenance(created_by: str, creation_method: str, **kwargs: Any) -> ProvenanceRecord:
    """Build a :class:`ProvenanceRecord`.

    Args:
        created_by: Who or what created the artifact.
        creation_method: How (``"generator"``, ``"wizard"``, ``"manual"``...).
        **kwargs: Any other :class:`ProvenanceRecord` field (``creation_context=...``).

    Raises:
        TypeError: For a keyword that is not a field.
        ArtifactValidationError: For a field of the wrong type.
    """
    return ProvenanceRecord(created_by=created_by, creation_method=creation_method, **kwargs)


__all__ = [
    "LLMInvocation",
    "ProvenanceRecord",
    "RevisionRecord",
    "SourceReference",
    "ToolInvocation",
    "create_provenance",
]
