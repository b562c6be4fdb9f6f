"""JSON Schemas referenced by ``ScoringMethod.schema_ref``.

A :class:`SchemaRegistry` maps a reference (any string: ``"quiz.v1"``,
``"https://example.org/quiz.json"``) to a schema. The executor validates a target against the
inline ``schema`` when there is one, else against ``schema_registry.get(schema_ref)``. Registered
schemas can also ``$ref`` each other by their reference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from assay.rubrics.errors import RubricValidationError, SchemaResolutionError


class SchemaRegistry:
    """Named JSON Schemas, optionally backed by a directory of ``*.json`` files.

    Args:
        schemas: Initial ``{ref: schema}`` entries.
        base_dir: A directory searched for ``<ref>`` or ``<ref>.json`` when ``ref`` is not
            registered (a plain relative path: no ``..``, no absolute paths).

    Example:
        >>> registry = SchemaRegistry({"quiz": {"type": "object", "required": ["questions"]}})
        >>> registry.get("quiz")["required"]
        ['questions']
    """

    def __init__(
        self, schemas: Mapping[str, dict[str, Any]] | None = None, *, base_dir: Path | None = None
    ) -> None:
        self._schemas: dict[str, dict[str, Any]] = {}
        self._base_dir = base_dir
        self._referencing: Registry[Any] | None = None
        for ref, schema in (schemas or {}).items():
            self.register(ref, schema)

    def register(self, ref: str, schema: dict[str, Any]) -> None:
        """Register ``schema`` under ``ref``.

        Raises:
            RubricValidationError: If ``schema`` is not a valid JSON Schema (field ``schema``).
        """
        if not isinstance(schema, dict):
            raise RubricValidationError("schema", "must be an object (mapping)")
        try:
            validator_for(schema).check_schema(schema)
        except SchemaError as exc:
            raise RubricValidationError(
                "schema", f"must be a valid JSON Schema ({exc.message})"
            ) from None
        self._schemas[ref] = schema
        self._referencing = None

    def get(self, ref: str) -> dict[str, Any]:
        """The schema registered (or stored in ``base_dir``) under ``ref``.

        Raises:
            SchemaResolutionError: If there is no such schema.
        """
        if ref in self._schemas:
            return self._schemas[ref]
        path = self._file_for(ref)
        if path is None:
            raise SchemaResolutionError(f"schema_ref {ref!r}: no schema registered under that name")
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SchemaResolutionError(f"schema_ref {ref!r}: cannot read {path}: {exc}") from exc
        try:
            self.register(ref, schema)
        except RubricValidationError as exc:
            raise SchemaResolutionError(f"schema_ref {ref!r}: {exc.rule}") from exc
        return self._schemas[ref]

    def referencing_registry(self) -> Registry[Any]:
        """A :mod:`referencing` registry so that schemas can ``$ref`` each other by name."""
        if self._referencing is None:
            resources = [
                (ref, Resource.from_contents(schema, default_specification=DRAFT202012))
                for ref, schema in self._schemas.items()
            ]
            self._referencing = Registry().with_resources(resources)
        return self._referencing

    def _file_for(self, ref: str) -> Path | None:
        if self._base_dir is None:
            return None
        rel = Path(ref)
        if rel.is_absolute() or ".." in rel.parts:
            return None
        for candidate in (self._base_dir / rel, self._base_dir / f"{ref}.json"):
            if candidate.is_file():
                return candidate
        return None


__all__ = ["SchemaRegistry"]
