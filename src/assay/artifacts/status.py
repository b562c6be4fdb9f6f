"""Artifact lifecycle: :class:`ArtifactStatus` and the transition table (seed 000, "Status
Transitions").

| From             | Allowed targets                          |
|------------------|------------------------------------------|
| ``draft``          | ``pending_review``, ``archived``, ``superseded`` |
| ``pending_review`` | ``in_review``, ``draft``, ``archived``             |
| ``in_review``      | ``approved``, ``needs_revision``, ``rejected``     |
| ``needs_revision`` | ``draft``, ``archived``, ``superseded``            |
| ``approved``       | ``superseded``, ``archived``                     |
| ``rejected``       | ``archived``                                   |
| ``superseded``     | ``archived``                                   |
| ``archived``       | none (terminal)                                |

Example:
    >>> validate_transition(ArtifactStatus.DRAFT, ArtifactStatus.PENDING_REVIEW)
    >>> validate_transition(ArtifactStatus.DRAFT, ArtifactStatus.APPROVED)
    Traceback (most recent call last):
    ...
    assay.artifacts.errors.InvalidTransitionError: Invalid transition for artifact_status: \
'draft' -> 'approved'. Allowed targets: archived, pending_review, superseded
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from assay.artifacts.errors import ArtifactValidationError, InvalidTransitionError


class ArtifactStatus(StrEnum):
    """The eight lifecycle states of an artifact."""

    DRAFT = "draft"
    """Initial creation, work in progress."""
    PENDING_REVIEW = "pending_review"
    """Submitted, awaiting review."""
    IN_REVIEW = "in_review"
    """Review in progress."""
    NEEDS_REVISION = "needs_revision"
    """Review found issues."""
    APPROVED = "approved"
    """Passed all required reviews."""
    REJECTED = "rejected"
    """Failed review, won't proceed."""
    SUPERSEDED = "superseded"
    """Replaced by a newer version."""
    ARCHIVED = "archived"
    """No longer active (terminal)."""


_S = ArtifactStatus

#: Allowed targets of each status, exactly the seed's table.
ARTIFACT_TRANSITIONS: Mapping[ArtifactStatus, frozenset[ArtifactStatus]] = {
    _S.DRAFT: frozenset({_S.PENDING_REVIEW, _S.ARCHIVED, _S.SUPERSEDED}),
    _S.PENDING_REVIEW: frozenset({_S.IN_REVIEW, _S.DRAFT, _S.ARCHIVED}),
    _S.IN_REVIEW: frozenset({_S.APPROVED, _S.NEEDS_REVISION, _S.REJECTED}),
    _S.NEEDS_REVISION: frozenset({_S.DRAFT, _S.ARCHIVED, _S.SUPERSEDED}),
    _S.APPROVED: frozenset({_S.SUPERSEDED, _S.ARCHIVED}),
    _S.REJECTED: frozenset({_S.ARCHIVED}),
    _S.SUPERSEDED: frozenset({_S.ARCHIVED}),
    _S.ARCHIVED: frozenset(),
}

#: The statuses from which ``submit_for_review`` starts (``Artifact.is_reviewable``).
REVIEWABLE_STATUSES = frozenset({_S.DRAFT, _S.PENDING_REVIEW, _S.NEEDS_REVISION})

#: The path ``submit_for_review`` walks from each reviewable status to ``IN_REVIEW``.
REVIEW_ENTRY_PATHS: Mapping[ArtifactStatus, tuple[ArtifactStatus, ...]] = {
    _S.DRAFT: (_S.PENDING_REVIEW, _S.IN_REVIEW),
    _S.PENDING_REVIEW: (_S.IN_REVIEW,),
    _S.NEEDS_REVISION: (_S.DRAFT, _S.PENDING_REVIEW, _S.IN_REVIEW),
}


def coerce_status(value: Any, *, field: str = "status") -> ArtifactStatus:
    """An :class:`ArtifactStatus` from itself or its value (``"pending_review"``).

    Raises:
        ArtifactValidationError: For anything else, naming ``field``.
    """
    if isinstance(value, ArtifactStatus):
        return value
    try:
        return ArtifactStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ArtifactStatus)
        raise ArtifactValidationError(field, f"must be one of: {allowed}") from None


def allowed_targets(current: ArtifactStatus) -> frozenset[ArtifactStatus]:
    """The statuses reachable in one step from ``current``."""
    return ARTIFACT_TRANSITIONS[current]


def validate_transition(current: ArtifactStatus, target: ArtifactStatus) -> None:
    """Check one status change against the table.

    Args:
        current: The status being left.
        target: The status wanted.

    Raises:
        InvalidTransitionError: If ``target`` is not an allowed target of ``current``
            (message starts with ``"Invalid transition"``).
    """
    current = coerce_status(current, field="current")
    target = coerce_status(target, field="target")
    allowed = ARTIFACT_TRANSITIONS[current]
    if target not in allowed:
        raise InvalidTransitionError(
            current.value, target.value, frozenset(s.value for s in allowed)
        )


__all__ = [
    "ARTIFACT_TRANSITIONS",
    "REVIEWABLE_STATUSES",
    "REVIEW_ENTRY_PATHS",
    "ArtifactStatus",
    "allowed_targets",
    "coerce_status",
    "validate_transition",
]
