"""Rubric errors.

Exception tree::

    RubricError
    ├── RubricValidationError      bad rubric input; names the field and the rule (also ValueError)
    ├── RubricNotFoundError        no such rubric (or version) for this owner (also LookupError
    │                              and ValueError, as the reference library raises)
    ├── FunctionResolutionError    a ``function_ref`` names no allowed function (see ``.reason``)
    ├── SchemaResolutionError      a ``schema_ref`` names no registered schema
    └── RubricConflictError        another writer changed the rubric first (HTTP 409)
        └── RubricVersionExistsError   that id and version already hold different content
"""

from __future__ import annotations


class RubricError(Exception):
    """Base class of every rubric error."""


class RubricValidationError(RubricError, ValueError):
    """A rubric, criterion, level or scoring method breaks a rule.

    Attributes:
        field: Dotted path of the offending field, e.g. ``"criteria[0].levels[1].score"``.
        rule: The rule it broke, e.g. ``"must be a number between 0.0 and 1.0"``.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule

    def prefixed(self, prefix: str) -> RubricValidationError:
        """The same error with ``prefix`` put in front of its field (``"criteria[0]"`` + ``.``)."""
        if not self.field:
            return RubricValidationError(prefix, self.rule)
        sep = "" if self.field.startswith("[") else "."
        return RubricValidationError(f"{prefix}{sep}{self.field}", self.rule)


class RubricNotFoundError(RubricError, LookupError, ValueError):
    """No rubric with that id (or that version) is visible to this registry.

    Both a ``LookupError`` and a ``ValueError`` (what code written against the reference
    library catches).
    """


class FunctionResolutionError(RubricError, LookupError):
    """A scoring ``function_ref`` could not be resolved to a callable.

    Attributes:
        reason: Why, machine-readable: ``"bad_ref"`` (not ``module:function`` or
            ``module.function``), ``"not_allowed"`` (outside the registered functions, the
            entry points and the allowed modules; nothing was imported),
            ``"module_not_found"``, ``"import_failed"`` (the module raised on import),
            ``"attribute_not_found"`` or ``"not_callable"``.
        function_ref: The reference that failed (``""`` when not given).
    """

    def __init__(self, message: str, *, reason: str = "bad_ref", function_ref: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.function_ref = function_ref


class SchemaResolutionError(RubricError, LookupError):
    """A ``schema_ref`` could not be resolved to a JSON Schema."""


class RubricConflictError(RubricError):
    """The write lost a race or was based on a stale version; re-read and retry."""


class RubricVersionExistsError(RubricConflictError):
    """Versions are immutable: this id and version already hold different content."""


__all__ = [
    "FunctionResolutionError",
    "RubricConflictError",
    "RubricError",
    "RubricNotFoundError",
    "RubricValidationError",
    "RubricVersionExistsError",
    "SchemaResolutionError",
]
