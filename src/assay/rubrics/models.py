"""Rubric definitions: :class:`Rubric`, :class:`RubricCriterion`, :class:`RubricLevel`,
:class:`ScoringMethod` and :class:`ScoringType` (seed 001, "Core Models").

Every model is a mutable dataclass with ``to_dict()`` / ``from_dict()``. Construction checks the
documented rules and raises :class:`~assay.rubrics.errors.RubricValidationError` naming the field
(``from_dict`` names the full path, e.g. ``"criteria[0].levels[1].score"``); call
:meth:`Rubric.validate` again after mutating a rubric.

Rules beyond the seed's types: ids are non-empty; scores and ``pass_threshold`` lie in
[0.0, 1.0]; weights are finite and >= 0; criterion ids are unique in a rubric and level ids
unique in a criterion; a criterion has at least one level; the level ids ``"error"`` and
``"unable_to_evaluate"`` are reserved for results; ``version`` is a semantic version; a
rubric ``id`` and ``target_type`` have at most 200 characters, ``name`` 300, ``version`` 64; a
``DETERMINISTIC`` method names a ``function_ref``, a ``SCHEMA`` method a ``schema`` or
``schema_ref``; inline schemas are valid JSON Schemas and decode prompts valid Jinja2.
"""

from __future__ import annotations

import hashlib
import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from assay.rubrics.errors import RubricValidationError
from assay.rubrics.versioning import is_semver

#: Level id of a criterion whose scoring raised (bad function, bad schema...).
ERROR_LEVEL = "error"
#: Level id of a criterion the LLM could not classify (no answer, no parseable answer).
UNABLE_LEVEL = "unable_to_evaluate"
RESERVED_LEVEL_IDS = frozenset({ERROR_LEVEL, UNABLE_LEVEL})
#: Longest rubric ``id`` and ``target_type`` (the storage columns' width).
MAX_ID_LENGTH = 200
#: Longest rubric ``name``.
MAX_NAME_LENGTH = 300
#: Longest rubric ``version``.
MAX_VERSION_LENGTH = 64


class ScoringType(StrEnum):
    """How a criterion is evaluated."""

    DETERMINISTIC = "deterministic"
    """A Python function ``(dict) -> level_id``."""
    SCHEMA = "schema"
    """JSON Schema validation: valid -> highest level, invalid -> lowest level."""
    LLM_DECODE = "llm_decode"
    """Narrowly scoped LLM classification into one of the criterion's levels."""


def coerce_scoring_type(value: Any) -> ScoringType:
    """A :class:`ScoringType` from itself, its value (``"llm_decode"``) or its name."""
    if isinstance(value, ScoringType):
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    try:
        return ScoringType(value)
    except ValueError:
        return ScoringType[value.upper()]


# -- field checks ---------------------------------------------------------------------------


def _text(name: str, value: Any, *, empty: bool = True, max_len: int | None = None) -> str:
    if not isinstance(value, str):
        raise RubricValidationError(name, "must be a string")
    if not empty and not value.strip():
        raise RubricValidationError(name, "must be a non-empty string")
    if max_len is not None and len(value) > max_len:
        raise RubricValidationError(name, f"must be at most {max_len} characters")
    return value


def _number(name: str, value: Any, *, low: float, high: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RubricValidationError(name, "must be a finite number")
    if value < low or (high is not None and value > high):
        rule = f"must be >= {low}" if high is None else f"must be between {low} and {high}"
        raise RubricValidationError(name, rule)
    return float(value)


def _opt_text(name: str, value: Any) -> str | None:
    return None if value is None else _text(name, value, empty=False)


def _opt_mapping(name: str, value: Any) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise RubricValidationError(name, "must be an object (mapping)")
    return value


def _json_mapping(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RubricValidationError(name, "must be an object (mapping)")
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise RubricValidationError(name, f"must be JSON-serializable ({exc})") from None
    return value


def _list_of(name: str, value: Any, kind: type) -> list[Any]:
    if not isinstance(value, list):
        raise RubricValidationError(name, "must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, kind):
            raise RubricValidationError(f"{name}[{i}]", f"must be a {kind.__name__}")
    return value


def _require(data: Any, key: str) -> Any:
    if not isinstance(data, dict):
        raise RubricValidationError("", "must be an object (mapping)")
    if key not in data:
        raise RubricValidationError(key, "is required")
    return data[key]


def _nested(prefix: str, items: Any, build: Any) -> list[Any]:
    if not isinstance(items, list):
        raise RubricValidationError(prefix, "must be a list")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(build(item))
        except RubricValidationError as exc:
            raise exc.prefixed(f"{prefix}[{i}]") from None
    return out


def _unique(name: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise RubricValidationError(f"{name}[{i}].id", f"duplicate id {value!r}")
        seen.add(value)


def _validate_each(name: str, items: list[Any]) -> None:
    for i, item in enumerate(items):
        try:
            item.validate()
        except RubricValidationError as exc:
            raise exc.prefixed(f"{name}[{i}]") from None


def _identity(obj: Any, name_field: str) -> None:
    _text("id", obj.id, empty=False)
    _text(name_field, getattr(obj, name_field))
    _text("description", obj.description)


@lru_cache(maxsize=1024)
def _check_schema_text(text: str) -> None:
    """Check a JSON Schema (as canonical JSON) against its metaschema, once per distinct schema."""
    schema = json.loads(text)
    validator_for(schema).check_schema(schema)


class _Checked(ABC):
    """Dataclass mixin: construction runs :meth:`validate`."""

    def __post_init__(self) -> None:
        self.validate()

    @abstractmethod
    def validate(self) -> None:
        """Raise ``RubricValidationError`` naming the field if the model is invalid."""


# -- models -----------------------------------------------------------------------------------


@dataclass
class RubricLevel(_Checked):
    """A quality tier within a criterion.

    Attributes:
        id: Level identifier (``"fail"``, ``"pass"``, ``"excellent"``).
        label: Human-readable display label.
        description: What qualifies content for this level.
        score: Numeric score in [0.0, 1.0].
        indicators: Observable indicators for this level.
    """

    id: str
    label: str
    description: str
    score: float
    indicators: list[str] = field(default_factory=list)

    def validate(self) -> None:
        """Check the rules (see the module docstring).

        Raises:
            RubricValidationError: Naming the field and the rule.
        """
        _identity(self, "label")
        if self.id in RESERVED_LEVEL_IDS:
            raise RubricValidationError("id", f"{self.id!r} is reserved for evaluation results")
        self.score = _number("score", self.score, low=0.0, high=1.0)
        _list_of("indicators", self.indicators, str)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "score": self.score,
            "indicators": list(self.indicators),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RubricLevel:
        """Build from :meth:`to_dict` output. Raises :class:`RubricValidationError`."""
        return cls(
            id=_require(data, "id"),
            label=_require(data, "label"),
            description=_require(data, "description"),
            score=_require(data, "score"),
            indicators=data.get("indicators", []),
        )


@dataclass
class ScoringMethod(_Checked):
    """How one criterion is scored.

    Attributes:
        type: The scoring approach.
        function_ref: For ``DETERMINISTIC``: ``"module.path:function"``.
        schema_ref: For ``SCHEMA``: name of a schema in the executor's schema registry.
        schema: For ``SCHEMA``: an inline JSON Schema (wins over ``schema_ref``).
        decode_prompt: For ``LLM_DECODE``: a Jinja2 template rendered with the target's keys
            (and the whole target as ``target``); without one the target is sent as JSON.
        decode_output_schema: For ``LLM_DECODE``: the expected answer shape, shown to the model.
    """

    type: ScoringType
    function_ref: str | None = None
    schema_ref: str | None = None
    schema: dict[str, Any] | None = None
    decode_prompt: str | None = None
    decode_output_schema: dict[str, Any] | None = None

    def validate(self) -> None:
        """Check the rules (see the module docstring).

        Raises:
            RubricValidationError: Naming the field and the rule.
        """
        try:
            self.type = coerce_scoring_type(self.type)
        except (ValueError, KeyError):
            allowed = ", ".join(t.value for t in ScoringType)
            raise RubricValidationError("type", f"must be one of: {allowed}") from None
        _opt_text("function_ref", self.function_ref)
        _opt_text("schema_ref", self.schema_ref)
        _opt_mapping("schema", self.schema)
        _opt_mapping("decode_output_schema", self.decode_output_schema)
        if self.decode_prompt is not None:
            _text("decode_prompt", self.decode_prompt)
        if self.type is ScoringType.DETERMINISTIC and self.function_ref is None:
            raise RubricValidationError("function_ref", "is required for deterministic scoring")
        if self.type is ScoringType.SCHEMA and self.schema is None and self.schema_ref is None:
            raise RubricValidationError(
                "schema", "schema or schema_ref is required for schema scoring"
            )
        for name in ("schema", "decode_output_schema"):
            value = getattr(self, name)
            if value is not None:
                try:
                    _check_schema_text(canonical_json(value))
                except SchemaError as exc:
                    raise RubricValidationError(
                        name, f"must be a valid JSON Schema ({exc.message})"
                    ) from None
        if self.decode_prompt is not None:
            from assay.rubrics.decode import template_environment

            try:
                template_environment().parse(self.decode_prompt)
            except TemplateSyntaxError as exc:
                raise RubricValidationError(
                    "decode_prompt",
                    f"must be a valid Jinja2 template (line {exc.lineno}: {exc.message})",
                ) from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "function_ref": self.function_ref,
            "schema_ref": self.schema_ref,
            "schema": self.schema,
            "decode_prompt": self.decode_prompt,
            "decode_output_schema": self.decode_output_schema,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoringMethod:
        """Build from :meth:`to_dict` output. Raises :class:`RubricValidationError`."""
        return cls(
            type=_require(data, "type"),
            function_ref=data.get("function_ref"),
            schema_ref=data.get("schema_ref"),
            schema=data.get("schema"),
            decode_prompt=data.get("decode_prompt"),
            decode_output_schema=data.get("decode_output_schema"),
        )


@dataclass
class RubricCriterion(_Checked):
    """One dimension of evaluation within a rubric.

    Attributes:
        id: Criterion identifier, unique within the rubric.
        name: Human-readable name.
        description: What this criterion measures.
        weight: Relative importance (>= 0; weights should sum to 1.0).
        levels: Quality levels, lowest to highest score.
        scoring_method: How to evaluate.
        required: When ``True`` (the default) a result that could not be evaluated makes the
            whole evaluation ``incomplete`` and not passed; an optional criterion that could
            not be evaluated is left out of the weighted score (see :mod:`assay.rubrics.scoring`).
    """

    id: str
    name: str
    description: str
    weight: float
    levels: list[RubricLevel]
    scoring_method: ScoringMethod
    required: bool = True

    def validate(self) -> None:
        """Check the rules (see the module docstring).

        Raises:
            RubricValidationError: Naming the field and the rule.
        """
        _identity(self, "name")
        self.weight = _number("weight", self.weight, low=0.0, high=None)
        _list_of("levels", self.levels, RubricLevel)
        if not self.levels:
            raise RubricValidationError("levels", "must list at least one level")
        _validate_each("levels", self.levels)
        _unique("levels", [level.id for level in self.levels])
        if not isinstance(self.scoring_method, ScoringMethod):
            raise RubricValidationError("scoring_method", "must be a ScoringMethod")
        try:
            self.scoring_method.validate()
        except RubricValidationError as exc:
            raise exc.prefixed("scoring_method") from None
        if not isinstance(self.required, bool):
            raise RubricValidationError("required", "must be a boolean")

    def level(self, level_id: str) -> RubricLevel | None:
        """The level with this id, or ``None``."""
        return next((lv for lv in self.levels if lv.id == level_id), None)

    @property
    def lowest_level(self) -> RubricLevel:
        """The level with the lowest score (the first such level on ties)."""
        return min(self.levels, key=lambda lv: lv.score)

    @property
    def highest_level(self) -> RubricLevel:
        """The level with the highest score (the last such level on ties)."""
        return max(reversed(self.levels), key=lambda lv: lv.score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "weight": self.weight,
            "levels": [lv.to_dict() for lv in self.levels],
            "scoring_method": self.scoring_method.to_dict(),
            "required": self.required,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RubricCriterion:
        """Build from :meth:`to_dict` output. Raises :class:`RubricValidationError`."""
        levels = _nested("levels", _require(data, "levels"), RubricLevel.from_dict)
        raw_method = _require(data, "scoring_method")
        try:
            method = ScoringMethod.from_dict(raw_method)
        except RubricValidationError as exc:
            raise exc.prefixed("scoring_method") from None
        return cls(
            id=_require(data, "id"),
            name=_require(data, "name"),
            description=_require(data, "description"),
            weight=_require(data, "weight"),
            levels=levels,
            scoring_method=method,
            required=data.get("required", True),
        )


@dataclass
class Rubric(_Checked):
    """A structured evaluation instrument.

    Attributes:
        id: Unique rubric identifier.
        name: Human-readable name.
        description: What this rubric evaluates.
        version: Semantic version, e.g. ``"1.0.0"``. A registered version is immutable.
        target_type: Target type (``"content"``, ``"rubric"``, ``"assessment"``...).
        criteria: Evaluation criteria (ids unique).
        pass_threshold: Minimum weighted score to pass, in [0.0, 1.0].
        metadata: Additional JSON-serializable metadata.
    """

    id: str
    name: str
    description: str
    version: str
    target_type: str
    criteria: list[RubricCriterion]
    pass_threshold: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        """Check the rules (see the module docstring); call again after mutating the rubric.

        Raises:
            RubricValidationError: Naming the field and the rule.
        """
        _identity(self, "name")
        _text("id", self.id, max_len=MAX_ID_LENGTH)
        _text("name", self.name, max_len=MAX_NAME_LENGTH)
        _text("version", self.version, empty=False, max_len=MAX_VERSION_LENGTH)
        if not is_semver(self.version):
            raise RubricValidationError("version", "must be a semantic version such as '1.0.0'")
        _text("target_type", self.target_type, max_len=MAX_ID_LENGTH)
        self.pass_threshold = _number("pass_threshold", self.pass_threshold, low=0.0, high=1.0)
        _list_of("criteria", self.criteria, RubricCriterion)
        _validate_each("criteria", self.criteria)
        _unique("criteria", [c.id for c in self.criteria])
        _json_mapping("metadata", self.metadata)

    def criterion(self, criterion_id: str) -> RubricCriterion | None:
        """The criterion with this id, or ``None``."""
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "version": self.version,
            "target_type": self.target_type,
            "criteria": [c.to_dict() for c in self.criteria],
            "pass_threshold": self.pass_threshold,
            "metadata": dict(self.metadata),
        }

    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of :meth:`to_dict` (sorted keys, no spaces)."""
        return canonical_hash(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rubric:
        """Build from :meth:`to_dict` output (or a config/YAML mapping of the same shape).

        Raises:
            RubricValidationError: Naming the full path of the field, e.g.
                ``"criteria[0].levels[1].score"``.
        """
        criteria = _nested("criteria", _require(data, "criteria"), RubricCriterion.from_dict)
        return cls(
            id=_require(data, "id"),
            name=_require(data, "name"),
            description=_require(data, "description"),
            version=_require(data, "version"),
            target_type=_require(data, "target_type"),
            criteria=criteria,
            pass_threshold=_require(data, "pass_threshold"),
            metadata=data.get("metadata") or {},
        )


def canonical_json(value: Any) -> str:
    """JSON text with sorted keys and no whitespace: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_hash(value: Any) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of ``value``."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


__all__ = [
    "ERROR_LEVEL",
    "RESERVED_LEVEL_IDS",
    "UNABLE_LEVEL",
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "ScoringMethod",
    "ScoringType",
    "canonical_hash",
    "canonical_json",
    "coerce_scoring_type",
]
