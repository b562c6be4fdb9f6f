"""Skill and assessment blueprints: the human-authored, validated data items are generated from.

A :class:`SkillBlueprint` says *what* to assess and how to generate it (seed 002 §13.2, §13.5);
an :class:`AssessmentBlueprint` says how many items of which skills and difficulty bands make up
an assessment (§10.2 ``EvaluationBlueprint``, §13.4). Both validate on construction; rules that
name a field raise :class:`~assay.items.errors.BlueprintError` carrying the field path.
"""

from __future__ import annotations

import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assay.items.difficulty import BAND_NAMES, Band
from assay.items.errors import BlueprintError
from assay.items.generator import get_generator

__all__ = [
    "AssessmentBlueprint",
    "Benchmark",
    "DifficultyFactor",
    "DistractorSpec",
    "Evaluation",
    "ItemSlot",
    "Presentation",
    "SectionSpec",
    "SkillBlueprint",
]

CognitiveLevel = Literal["Remember", "Understand", "Apply", "Analyze", "Evaluate", "Create"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DifficultyFactor(_Frozen):
    """Weight of one difficulty feature (or of ``base``) in the difficulty formula.

    Attributes:
        weight: Added to the difficulty once per unit of the feature (``base``: once).
        constraint: What the feature counts, for people.
    """

    weight: float = Field(ge=-1.0, le=1.0)
    constraint: str = ""


class DistractorSpec(_Frozen):
    """A distractor strategy (``type``) and the error it models (``description``)."""

    type: str
    description: str = ""


class Presentation(_Frozen):
    """How items of a skill are presented.

    Attributes:
        item_type: ``multiple_choice``, ``free_text`` or ``code`` (the seed's ``code_editor``
            is read as ``code``).
        option_count: Options of a multiple-choice item, key included (2-8).
        distractor_strategies: Strategies in preference order.
        stem_templates: ``str.format`` templates over the generator's template fields.
        time_limit_seconds: Suggested time per item, if any.
        language: Language of a code item (``python``).
        starter_code: Code shown in the editor of a code item; ``None``: the generator's
            default (the function's signature and ``pass``).
    """

    item_type: Literal["multiple_choice", "free_text", "code"] = "multiple_choice"
    option_count: int = Field(default=4, ge=2, le=8)
    distractor_strategies: list[DistractorSpec] = Field(default_factory=list)
    stem_templates: list[str] = Field(min_length=1)
    time_limit_seconds: int | None = Field(default=None, gt=0)
    language: Literal["python"] | None = None
    starter_code: str | None = Field(default=None, max_length=20_000)

    @field_validator("item_type", mode="before")
    @classmethod
    def _seed_alias(cls, value: Any) -> Any:
        return "code" if value == "code_editor" else value

    @model_validator(mode="after")
    def _code_fields(self) -> Presentation:
        if self.item_type != "code":
            for name in ("language", "starter_code"):
                if getattr(self, name) is not None:
                    raise BlueprintError(name, "applies to code items only")
        return self


class Evaluation(_Frozen):
    """How responses are scored (seed 002 §13.5 ``evaluation``).

    Attributes:
        method: ``exact_match`` of the computed key, or ``test_execution``: the submission
            runs against the item's generated test cases in the sandbox.
        compute_answer: How the key is computed, for people (``"op1 + op2"``).
        partial_credit: ``test_execution`` only: score = share of tests passed when true,
            else all or nothing.
        test_generator: Name of the test-case generator, for people.
        timeout_seconds: ``test_execution`` only: wall seconds per test case (0 < t <= 60).
    """

    method: Literal["exact_match", "test_execution"] = "exact_match"
    compute_answer: str | None = None
    partial_credit: bool = False
    test_generator: str | None = None
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    @model_validator(mode="after")
    def _credit(self) -> Evaluation:
        if self.method == "exact_match" and self.partial_credit:
            raise BlueprintError("partial_credit", "exact_match has no partial credit")
        return self


class Benchmark(_Frozen):
    """Expected accuracy in [0, 1] and time per item (seconds) at one proficiency level."""

    accuracy: float = Field(ge=0.0, le=1.0)
    time_seconds: float = Field(gt=0)


class SkillBlueprint(_Frozen):
    """One assessable skill and the rules that generate its items (seed 002 §13.5).

    Attributes:
        skill_id: Dotted id, e.g. ``"MATH.ARITH.ADD.2DIGIT"``.
        domain: ``"Mathematics > Arithmetic > Addition"``.
        skill_statement: What a learner who has the skill can do.
        cognitive_level: Bloom's taxonomy level.
        generation_rules: Generator rules; ``operation`` picks the generator
            (:func:`~assay.items.generator.get_generator`), which validates the rest.
        difficulty_factors: Weight overrides of the generator's features and of ``base``.
        presentation: Item type, option count, distractor strategies, stem templates.
        evaluation: Scoring method.
        performance_benchmarks: Level name (``novice``, ``competent``, ``expert``) -> benchmark.
        example_tests: Code skills: ``{"input", "expected"}`` examples for people, checked
            against the generator's specification (seed 002 §13.5 ``example_tests``).

    Raises:
        pydantic.ValidationError: wrapping a :class:`BlueprintError` whose ``path`` names the
            field (unknown generator, bad rules, unknown factor or strategy, bad template).
    """

    skill_id: str = Field(min_length=1, max_length=200)
    domain: str = ""
    skill_statement: str = ""
    cognitive_level: CognitiveLevel = "Apply"
    generation_rules: dict[str, Any]
    difficulty_factors: dict[str, DifficultyFactor] = Field(default_factory=dict)
    presentation: Presentation
    evaluation: Evaluation = Field(default_factory=Evaluation)
    performance_benchmarks: dict[str, Benchmark] = Field(default_factory=dict)
    example_tests: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def operation(self) -> str:
        """The generator key, ``generation_rules["operation"]``."""
        return str(self.generation_rules.get("operation", ""))

    @model_validator(mode="after")
    def _fits_generator(self) -> SkillBlueprint:
        if "operation" not in self.generation_rules:
            raise BlueprintError("generation_rules.operation", "is required")
        try:
            generator = get_generator(self.operation)
        except KeyError as exc:
            raise BlueprintError("generation_rules.operation", str(exc.args[0])) from None
        try:
            rules = generator.parse_rules(self.generation_rules)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in ("generation_rules", *err["loc"]))
            raise BlueprintError(loc, err["msg"]) from None
        known = {"base", *generator.default_weights}
        for name in self.difficulty_factors:
            if name not in known:
                rule = f"unknown factor of {self.operation!r}; known: {', '.join(sorted(known))}"
                raise BlueprintError(f"difficulty_factors.{name}", rule)
        p = self.presentation
        if p.item_type not in generator.item_types:
            raise BlueprintError("presentation.item_type", f"not supported by {self.operation!r}")
        if self.evaluation.method not in generator.evaluation_methods:
            methods = ", ".join(sorted(generator.evaluation_methods))
            rule = f"not supported by {self.operation!r}; supported: {methods}"
            raise BlueprintError("evaluation.method", rule)
        if self.example_tests and p.item_type != "code":
            raise BlueprintError("example_tests", "applies to code items only")
        for i, spec in enumerate(p.distractor_strategies):
            if spec.type not in generator.distractor_names:
                names = ", ".join(sorted(generator.distractor_names))
                rule = f"unknown strategy {spec.type!r}; known: {names}"
                raise BlueprintError(f"presentation.distractor_strategies[{i}].type", rule)
        for i, template in enumerate(p.stem_templates):
            _check_template(
                template, generator.template_fields, f"presentation.stem_templates[{i}]"
            )
        generator.check_skill(rules, self)
        return self


def _check_template(template: str, fields: frozenset[str], path: str) -> None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise BlueprintError(path, f"not a valid format string: {exc}") from None
    for name in names:
        if name not in fields:
            raise BlueprintError(path, f"unknown field {{{name}}}; known: {sorted(fields)}")


class SectionSpec(_Frozen):
    """A section of an assessment (seed 002 §10.2 ``EvaluationSection``, §13.4).

    Attributes:
        section_id: Unique within the assessment, e.g. ``"addition"``.
        title: Display title (defaults to ``domain``, then ``section_id``).
        domain: Skill domain, e.g. ``"Addition"``.
        item_count: Items served from this section (>= 1).
        skill_blueprints: Skill ids the section draws from.
        difficulty_distribution: Band -> item count; the counts sum to ``item_count``.
        band_skills: Band -> the skills of ``skill_blueprints`` able to produce it. Computed
            by the catalog when omitted; when given, restricts the planner's choice.
    """

    section_id: str = Field(min_length=1, max_length=100)
    title: str = ""
    domain: str = ""
    item_count: int = Field(ge=1)
    skill_blueprints: list[str] = Field(min_length=1)
    difficulty_distribution: dict[Band, int]
    band_skills: dict[Band, list[str]] | None = None

    @model_validator(mode="after")
    def _counts(self) -> SectionSpec:
        for band, count in self.difficulty_distribution.items():
            if count < 0:
                raise BlueprintError(f"difficulty_distribution.{band}", "must be >= 0")
        total = sum(self.difficulty_distribution.values())
        if total != self.item_count:
            rule = f"counts must sum to item_count ({self.item_count}), got {total}"
            raise BlueprintError("difficulty_distribution", rule)
        for band, skills in (self.band_skills or {}).items():
            for i, skill_id in enumerate(skills):
                if skill_id not in self.skill_blueprints:
                    rule = f"{skill_id!r} is not one of skill_blueprints"
                    raise BlueprintError(f"band_skills.{band}[{i}]", rule)
        return self

    @property
    def display_title(self) -> str:
        """``title``, else ``domain``, else ``section_id``."""
        return self.title or self.domain or self.section_id

    def bands(self) -> list[Band]:
        """One band per item, easy first: ``{easy: 2, hard: 1}`` -> ``[easy, easy, hard]``."""
        return [b for b in BAND_NAMES for _ in range(self.difficulty_distribution.get(b, 0))]


class AssessmentBlueprint(_Frozen):
    """An assessment: timed, sectioned, with a fixed number of items (seed 002 §10.2, §13.4).

    Attributes:
        assessment_id: e.g. ``"MATH-FUNDAMENTALS-L1"``.
        title: Display title.
        description: For people.
        time_limit_minutes: Whole-assessment time limit, or ``None`` for untimed.
        total_items: Sum of the sections' ``item_count``.
        item_selection_algorithm: ``fixed`` (sections in order, easy to hard within a section),
            ``random_from_pool`` (bands shuffled within a section) or ``adaptive`` (planned as
            ``fixed``; the session engine may reorder by ability).
        sections: At least one; ``section_id`` unique.
    """

    assessment_id: str = Field(min_length=1, max_length=200)
    title: str
    description: str = ""
    time_limit_minutes: int | None = Field(default=None, ge=1)
    total_items: int = Field(ge=1)
    item_selection_algorithm: Literal["fixed", "random_from_pool", "adaptive"] = "fixed"
    sections: list[SectionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _totals(self) -> AssessmentBlueprint:
        seen: set[str] = set()
        for i, section in enumerate(self.sections):
            if section.section_id in seen:
                raise BlueprintError(f"sections[{i}].section_id", "must be unique")
            seen.add(section.section_id)
        total = sum(s.item_count for s in self.sections)
        if total != self.total_items:
            rule = f"must equal the sum of the sections' item_count ({total})"
            raise BlueprintError("total_items", rule)
        return self

    @property
    def time_limit_s(self) -> int | None:
        """``time_limit_minutes`` in seconds."""
        return None if self.time_limit_minutes is None else self.time_limit_minutes * 60

    def section(self, section_id: str) -> SectionSpec:
        """The section with this id.

        Raises:
            KeyError: no such section.
        """
        for section in self.sections:
            if section.section_id == section_id:
                return section
        raise KeyError(f"section_id: {section_id!r} is not a section of {self.assessment_id}")


class ItemSlot(_Frozen):
    """One planned item: which section, skill and band (seed 002 §13.4 ``items_plan``)."""

    section_id: str
    skill_id: str
    band: Band
