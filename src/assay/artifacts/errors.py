"""Artifact errors.

Exception tree::

    ArtifactError
    ├── ArtifactValidationError    bad input; names the field and the rule (also ValueError)
    ├── ArtifactNotFoundError      no artifact (or version) with that id (also LookupError
    │                              and ValueError: the reference library raises ValueError)
    ├── InvalidTransitionError     the status graph forbids the change (also ValueError)
    │   └── ApprovalRequiredError  the type requires a passing evaluation before APPROVED
    ├── ArtifactConflictError      another writer changed the artifact first (HTTP 409)
    └── ReviewSetupError           a review cannot run: no rubric registry/executor, unknown rubric
"""

from __future__ import annotations


class ArtifactError(Exception):
    """Base class of every artifact error."""


class ArtifactValidationError(ArtifactError, ValueError):
    """An artifact, provenance record or type definition breaks a rule.

    Attributes:
        field: Dotted path of the offending field, e.g. ``"provenance.sources[0].confidence"``.
        rule: The rule it broke, e.g. ``"must be a number between 0.0 and 1.0"``.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule

    def prefixed(self, prefix: str) -> ArtifactValidationError:
        """The same error with ``prefix`` in front of its field (``"sources[0]"`` + ``.``)."""
        sep = "" if self.field.startswith("[") else "."
        return ArtifactValidationError(f"{prefix}{sep}{self.field}", self.rule)


class ArtifactNotFoundError(ArtifactError, LookupError, ValueError):
    """No artifact with that id (or no such version of it).

    Both a ``LookupError`` and a ``ValueError``: code written against the reference library
    (seed 000's ``ArtifactRegistry``, which raises ``ValueError("Artifact '<id>' not found")``
    from ``revise``, ``set_status`` and ``submit_for_review``) catches it unchanged.

    Attributes:
        artifact_id: The id looked up.
        version: The version looked up, or ``None`` for the latest.
    """

    def __init__(self, artifact_id: str, version: str | None = None) -> None:
        what = f"artifact '{artifact_id}'" + (f" version '{version}'" if version else "")
        super().__init__(f"{what} not found")
        self.artifact_id = artifact_id
        self.version = version


class InvalidTransitionError(ArtifactError, ValueError):
    """A status change the transition table does not allow.

    Attributes:
        entity: Name of the transition graph (``"artifact_status"``).
        current_status: Status being left (its value, e.g. ``"draft"``).
        target_status: Status that was refused.
        allowed: Values of the statuses reachable from ``current_status`` (empty: terminal).
    """

    def __init__(
        self,
        current_status: str,
        target_status: str,
        allowed: frozenset[str],
        *,
        entity: str = "artifact_status",
        detail: str | None = None,
    ) -> None:
        allowed_text = ", ".join(sorted(allowed)) if allowed else "none (terminal)"
        message = detail or (
            f"Invalid transition for {entity}: '{current_status}' -> '{target_status}'. "
            f"Allowed targets: {allowed_text}"
        )
        super().__init__(message)
        self.entity = entity
        self.current_status = current_status
        self.target_status = target_status
        self.allowed = allowed


class ApprovalRequiredError(InvalidTransitionError):
    """The artifact's type has ``requires_approval``: APPROVED needs a passing evaluation.

    Raised by ``set_status(..., APPROVED)`` when the current version lacks a passing
    evaluation (at the combined threshold) for each of its rubrics.
    """


class ArtifactConflictError(ArtifactError):
    """Another writer changed the artifact between this caller's read and its write.

    The write was rolled back; re-read the artifact and decide again.

    Attributes:
        artifact_id: The artifact.
        expected: What this writer had read (a row version or a semantic version).
        actual: What the database holds now (``None`` when unknown).
    """

    def __init__(self, artifact_id: str, *, expected: str, actual: str | None = None) -> None:
        now = f"; it is now {actual}" if actual is not None else ""
        super().__init__(
            f"artifact '{artifact_id}' was changed by another writer (this write expected "
            f"{expected}{now}); re-read it and retry"
        )
        self.artifact_id = artifact_id
        self.expected = expected
        self.actual = actual


class ReviewSetupError(ArtifactError):
    """A review cannot run: no rubric registry or executor, or an unknown rubric id."""


__all__ = [
    "ApprovalRequiredError",
    "ArtifactConflictError",
    "ArtifactError",
    "ArtifactNotFoundError",
    "ArtifactValidationError",
    "InvalidTransitionError",
    "ReviewSetupError",
]
