"""Checking a rubric before it is used: its references resolve and its structure is sound.

:func:`reference_problems` resolves every ``function_ref`` (through the guarded
:class:`~assay.rubrics.functions.FunctionRegistry`, so nothing outside the allow-list is
imported) and every ``schema_ref``; ``POST /api/rubrics`` refuses a rubric with any (422).
:func:`check_rubric` adds the meta-rubric's structural checks (:mod:`assay.rubrics.meta`)
and words every failed one in the rubric's own terms::

    weights sum to 1.3; they should sum to 1.0

A rubric passes the check only when every reference resolves and every meta-rubric check
is at its best level (``rubrics validate`` exits 1 otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assay.rubrics.errors import FunctionResolutionError, SchemaResolutionError
from assay.rubrics.executor import RubricExecutor
from assay.rubrics.functions import FunctionRegistry
from assay.rubrics.meta import (
    WEIGHT_SUM_TOLERANCE,
    build_meta_rubric,
    level_direction,
    score_bounds,
    weight_sum,
)
from assay.rubrics.models import Rubric, ScoringType
from assay.rubrics.results import RubricEvaluation
from assay.rubrics.schemas import SchemaRegistry


@dataclass(frozen=True)
class RubricProblem:
    """One failed check of a rubric.

    Attributes:
        field: Path of the field at fault, e.g. ``"criteria[0].scoring_method.function_ref"``.
        rule: What is wrong and what it should be, in the rubric's terms.
        check: ``"function_ref"``, ``"schema_ref"`` or the meta-rubric criterion id
            (``"weight_distribution"``...).
        criterion_id: The criterion at fault, if one is.
        ref: The reference that did not resolve, for reference checks.
        reason: :attr:`FunctionResolutionError.reason` (or ``"schema_not_found"``).
    """

    field: str
    rule: str
    check: str
    criterion_id: str | None = None
    ref: str | None = None
    reason: str | None = None

    @property
    def message(self) -> str:
        """``criterion 'x': <rule>`` (or the rule alone for rubric-wide checks)."""
        if self.criterion_id is None:
            return self.rule
        return f"criterion {self.criterion_id!r}: {self.rule}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "rule": self.rule,
            "message": self.message,
            "check": self.check,
            "criterion_id": self.criterion_id,
            "ref": self.ref,
            "reason": self.reason,
        }


def reference_problems(
    rubric: Rubric, *, functions: FunctionRegistry, schemas: SchemaRegistry | None = None
) -> list[RubricProblem]:
    """Every ``function_ref`` and ``schema_ref`` of ``rubric`` that does not resolve.

    Args:
        rubric: The rubric.
        functions: The registry the rubric will be evaluated with (its guard applies: a
            reference outside its allow-list is reported, never imported).
        schemas: The schema registry it will be evaluated with (an empty one by default).

    Returns:
        One problem per unresolved reference, in criterion order.
    """
    schemas = schemas if schemas is not None else SchemaRegistry()
    out: list[RubricProblem] = []
    for i, criterion in enumerate(rubric.criteria):
        method = criterion.scoring_method
        prefix = f"criteria[{i}].scoring_method"
        if method.function_ref is not None:
            try:
                functions.check(method.function_ref)
            except FunctionResolutionError as exc:
                out.append(
                    RubricProblem(
                        f"{prefix}.function_ref",
                        f"function_ref {method.function_ref!r} cannot be used: "
                        + _after_ref(str(exc), "function_ref", method.function_ref),
                        "function_ref",
                        criterion.id,
                        method.function_ref,
                        exc.reason,
                    )
                )
        if method.schema_ref is not None and not (
            method.type is ScoringType.SCHEMA and method.schema is not None
        ):
            try:
                schemas.get(method.schema_ref)
            except SchemaResolutionError as exc:
                out.append(
                    RubricProblem(
                        f"{prefix}.schema_ref",
                        f"schema_ref {method.schema_ref!r} cannot be used: "
                        + _after_ref(str(exc), "schema_ref", method.schema_ref),
                        "schema_ref",
                        criterion.id,
                        method.schema_ref,
                        "schema_not_found",
                    )
                )
    return out


def _after_ref(message: str, name: str, ref: str) -> str:
    """``"function_ref 'x': no module named 'x'"`` -> ``"no module named 'x'"``."""
    prefix = f"{name} {ref!r}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def structure_problems(rubric: Rubric, evaluation: RubricEvaluation) -> list[RubricProblem]:
    """The meta-rubric checks ``evaluation`` failed, worded for ``rubric``.

    Args:
        rubric: The rubric that was checked.
        evaluation: The meta-rubric's evaluation of ``rubric.to_dict()``.
    """
    content = rubric.to_dict()
    meta = build_meta_rubric()
    out: list[RubricProblem] = []
    for result in evaluation.criterion_results:
        criterion = meta.criterion(result.criterion_id)
        if criterion is None or result.level_id == criterion.highest_level.id:
            continue
        out.append(_explain(result.criterion_id, result.level_id, content, rubric))
    return out


def _explain(check: str, level_id: str, content: dict[str, Any], rubric: Rubric) -> RubricProblem:
    criteria = rubric.criteria
    if check == "criteria_coverage":
        return RubricProblem("criteria", "the rubric has no criteria; add at least one", check)
    if check == "criteria_independence":
        key = "name" if level_id == "fail" else "description"
        pair = _duplicate([" ".join(getattr(c, key).split()).casefold() for c in criteria])
        if pair is not None:
            a, b = criteria[pair[0]], criteria[pair[1]]
            return RubricProblem(
                f"criteria[{pair[1]}].{key}",
                f"criteria {a.id!r} and {b.id!r} have the same {key}; "
                "each criterion should measure something of its own",
                check,
            )
    if check == "weight_distribution":
        return RubricProblem(
            "criteria",
            f"weights sum to {weight_sum(content):g}; they should sum to 1.0 "
            f"(±{WEIGHT_SUM_TOLERANCE:g})",
            check,
        )
    if check == "threshold":
        low, high = score_bounds(content)
        threshold = rubric.pass_threshold
        rule = (
            f"pass_threshold {threshold:g} can never be met: the best possible score is {high:g}"
            if level_id == "too_high"
            else f"pass_threshold {threshold:g} is met by anything: the lowest possible score "
            f"is {low:g}; it should be above that"
        )
        return RubricProblem("pass_threshold", rule, check)
    if check == "level_ordering":
        directions = [level_direction(c.to_dict()) for c in criteria]
        for i, direction in enumerate(directions):
            if direction is None:
                scores = ", ".join(f"{lv.score:g}" for lv in criteria[i].levels)
                return RubricProblem(
                    f"criteria[{i}].levels",
                    f"level scores {scores} are out of order; list the levels from the lowest "
                    "score to the highest",
                    check,
                    criteria[i].id,
                )
        return RubricProblem(
            "criteria",
            "some criteria list their levels lowest score first and others highest first; "
            "use one order throughout",
            check,
        )
    level = build_meta_rubric().criterion(check)
    label = level.level(level_id) if level is not None else None
    return RubricProblem("body", label.description if label else level_id, check)


def _duplicate(values: Sequence[str]) -> tuple[int, int] | None:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value and value in seen:
            return seen[value], i
        seen.setdefault(value, i)
    return None


@dataclass
class RubricCheck:
    """The outcome of :func:`check_rubric`.

    Attributes:
        rubric: The rubric that was checked.
        evaluation: The meta-rubric's evaluation of it.
        problems: Every failed check (references first), empty when it passed.
    """

    rubric: Rubric
    evaluation: RubricEvaluation
    problems: list[RubricProblem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every reference resolves and every structural check is at its best."""
        return not self.problems

    def summary(self) -> str:
        """Text naming the rubric, the verdict and one line per problem."""
        head = f"Rubric {self.rubric.name!r} ({self.rubric.id} v{self.rubric.version})"
        checks = len(build_meta_rubric().criteria) + 1
        if self.passed:
            return f"{head}: PASSED all {checks} checks"
        lines = [f"{head}: FAILED {len(self.problems)} check(s)"]
        lines += [f"  ✗ {p.message}  [{p.field}]" for p in self.problems]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rubric_id": self.rubric.id,
            "rubric_version": self.rubric.version,
            "passed": self.passed,
            "summary": self.summary(),
            "problems": [p.to_dict() for p in self.problems],
            "evaluation": self.evaluation.to_dict(),
        }


async def check_rubric(
    rubric: Rubric, *, functions: FunctionRegistry, schemas: SchemaRegistry | None = None
) -> RubricCheck:
    """Resolve the references of ``rubric`` and run the meta-rubric on it.

    Args:
        rubric: The rubric to check.
        functions: The registry the rubric will be evaluated with.
        schemas: The schema registry it will be evaluated with.

    Returns:
        A :class:`RubricCheck` (nothing is stored; no scoring function of ``rubric`` runs).
    """
    meta = build_meta_rubric()
    executor = RubricExecutor(function_registry=FunctionRegistry(), llm_feedback=False)
    evaluation = await executor.evaluate(
        meta, rubric.to_dict(), target_id=rubric.id, target_type="rubric"
    )
    problems = reference_problems(rubric, functions=functions, schemas=schemas)
    problems += structure_problems(rubric, evaluation)
    return RubricCheck(rubric, evaluation, problems)


__all__ = [
    "RubricCheck",
    "RubricProblem",
    "check_rubric",
    "reference_problems",
    "structure_problems",
]
