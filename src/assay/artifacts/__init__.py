"""Artifacts: versioned, provenance-tracked work products with a reviewed lifecycle.

Implements seed 000 (artifact system) and the artifact side of seed 001 (review flow) on
Assay's storage layer::

    from assay.storage import Database
    from assay.artifacts import ArtifactRegistry
    from assay.artifacts.provenance import create_provenance

    registry = ArtifactRegistry(Database.memory())
    artifact = await registry.create(
        artifact_type="content", name="Unit 1 Questions",
        content={"questions": ["What is 2+2?"]},
        provenance=create_provenance("bot:edubot", "generator"),
    )

Modules: :mod:`~assay.artifacts.status` (lifecycle), :mod:`~assay.artifacts.models`,
:mod:`~assay.artifacts.provenance`, :mod:`~assay.artifacts.definitions` (types, YAML),
:mod:`~assay.artifacts.registry`, :mod:`~assay.artifacts.review` (approval rules),
:mod:`~assay.artifacts.transforms`, :mod:`~assay.artifacts.tools`,
:mod:`~assay.artifacts.display`, :mod:`~assay.artifacts.assessment`,
:mod:`~assay.artifacts.show`, :mod:`~assay.artifacts.errors`.
"""

from assay.artifacts.assessment import (
    AssessmentSession,
    CumulativePerformance,
    StudentResponse,
    finalize_assessment,
    record_response,
    start_assessment_session,
)
from assay.artifacts.definitions import (
    ArtifactTypeDefinition,
    load_type_definitions,
    type_definitions_from_config,
)
from assay.artifacts.display import (
    format_comparison,
    format_criterion_detail,
    format_evaluation_summary,
    format_provenance_chain,
)
from assay.artifacts.errors import (
    ApprovalRequiredError,
    ArtifactConflictError,
    ArtifactError,
    ArtifactNotFoundError,
    ArtifactValidationError,
    InvalidTransitionError,
    ReviewSetupError,
)
from assay.artifacts.models import Artifact
from assay.artifacts.provenance import (
    LLMInvocation,
    ProvenanceRecord,
    RevisionRecord,
    SourceReference,
    ToolInvocation,
    create_provenance,
)
from assay.artifacts.registry import ArtifactRegistry, LifecycleHook
from assay.artifacts.show import artifact_report
from assay.artifacts.status import ARTIFACT_TRANSITIONS, ArtifactStatus, validate_transition
from assay.artifacts.transforms import (
    TransformContext,
    approve_artifact,
    create_artifact,
    revise_artifact,
    save_artifact_draft,
    submit_for_review,
)

__all__ = [
    "ARTIFACT_TRANSITIONS",
    "ApprovalRequiredError",
    "Artifact",
    "ArtifactConflictError",
    "ArtifactError",
    "ArtifactNotFoundError",
    "ArtifactRegistry",
    "ArtifactStatus",
    "ArtifactTypeDefinition",
    "ArtifactValidationError",
    "AssessmentSession",
    "CumulativePerformance",
    "InvalidTransitionError",
    "LLMInvocation",
    "LifecycleHook",
    "ProvenanceRecord",
    "ReviewSetupError",
    "RevisionRecord",
    "SourceReference",
    "StudentResponse",
    "ToolInvocation",
    "TransformContext",
    "approve_artifact",
    "artifact_report",
    "create_artifact",
    "create_provenance",
    "finalize_assessment",
    "format_comparison",
    "format_criterion_detail",
    "format_evaluation_summary",
    "format_provenance_chain",
    "load_type_definitions",
    "record_response",
    "revise_artifact",
    "save_artifact_draft",
    "start_assessment_session",
    "submit_for_review",
    "type_definitions_from_config",
    "validate_transition",
]
