"""The blueprint catalog: shipped YAML (``assay/items/data/*.yaml``) plus a user directory.

A YAML file holds a mapping with ``skills`` and/or ``assessments``, each a list of blueprints::

    skills:
      - skill_id: MATH.ARITH.ADD.2DIGIT
        generation_rules: {operation: addition, operand_range: {min: 10, max: 99}}
        presentation: {stem_templates: ["What is {op1} + {op2}?"]}
    assessments:
      - assessment_id: MATH-QUIZ-10
        ...

User files (``<user_dir>/*.yaml``, ``*.yml``) override shipped blueprints with the same id. On
load every blueprint is validated, assessment sections must name existing skills, and every band
of a section's ``difficulty_distribution`` must be producible by one of its skills; the catalog
then fills each section's ``band_skills``. Any failure raises
:class:`~assay.items.errors.BlueprintError` naming the file and the field path, e.g.
``quiz.yaml: assessments[0].sections[1].difficulty_distribution: counts must sum to ...``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import ValidationError

from assay.items.blueprints import AssessmentBlueprint, SectionSpec, SkillBlueprint
from assay.items.difficulty import BAND_NAMES, Band
from assay.items.errors import (
    BlueprintError,
    BlueprintErrors,
    GenerationError,
    UnknownBlueprintError,
)
from assay.items.targeting import compile_skill

__all__ = [
    "SHIPPED_DATA_DIR",
    "BlueprintFileCheck",
    "BlueprintKind",
    "Catalog",
    "check_blueprint_file",
    "load_catalog",
]

#: Directory of the blueprints shipped with the package.
SHIPPED_DATA_DIR = Path(__file__).parent / "data"

_T = TypeVar("_T")
#: What a blueprint id can name.
BlueprintKind = Literal["assessment", "skill"]
#: libyaml's safe loader when PyYAML was built with it (about 10x faster), else the Python one.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class _Origin:
    source: str | None
    path: str


class Catalog:
    """Skill and assessment blueprints by id, cross-checked.

    Attributes:
        skills: ``skill_id -> SkillBlueprint``.
        assessments: ``assessment_id -> AssessmentBlueprint`` (sections' ``band_skills`` filled).
    """

    def __init__(
        self,
        *,
        skills: Mapping[str, SkillBlueprint],
        assessments: Mapping[str, AssessmentBlueprint],
    ) -> None:
        self.skills: dict[str, SkillBlueprint] = dict(skills)
        self.assessments: dict[str, AssessmentBlueprint] = dict(assessments)

    @classmethod
    def build(
        cls,
        skills: Iterable[SkillBlueprint],
        assessments: Iterable[AssessmentBlueprint] = (),
    ) -> Catalog:
        """A catalog of blueprints built in code, cross-checked like a loaded one.

        Raises:
            BlueprintError: duplicate id, unknown skill in a section, or a band no skill of the
                section can produce (``path`` like ``"assessments[0].sections[1]..."``).
        """
        skill_map: dict[str, SkillBlueprint] = {}
        origins: dict[str, _Origin] = {}
        errors: list[BlueprintError] = []
        for i, skill in enumerate(skills):
            origin = _Origin(None, f"skills[{i}]")
            _put(skill_map, origins, skill.skill_id, skill, origin, errors)
        assessment_map: dict[str, AssessmentBlueprint] = {}
        for i, assessment in enumerate(assessments):
            origin = _Origin(None, f"assessments[{i}]")
            _put(assessment_map, origins, assessment.assessment_id, assessment, origin, errors)
        catalog = _link(skill_map, assessment_map, origins, errors)
        if errors:
            raise BlueprintErrors(errors)
        return catalog

    def skill(self, skill_id: str) -> SkillBlueprint:
        """The skill blueprint ``skill_id``.

        Raises:
            UnknownBlueprintError: no such skill.
        """
        return _lookup(self.skills, skill_id, "skill")

    def assessment(self, assessment_id: str) -> AssessmentBlueprint:
        """The assessment blueprint ``assessment_id``.

        Raises:
            UnknownBlueprintError: no such assessment.
        """
        return _lookup(self.assessments, assessment_id, "assessment")

    def find(
        self,
        blueprint_id: str,
        *,
        kinds: tuple[BlueprintKind, ...] = ("assessment", "skill"),
    ) -> tuple[BlueprintKind, str]:
        """The kind and exact id of the blueprint ``blueprint_id`` names, ignoring case.

        An exact id wins; otherwise the id must match one blueprint case-insensitively
        (``math-quiz-10`` -> ``("assessment", "MATH-QUIZ-10")``). Assessments are searched
        before skills.

        Args:
            blueprint_id: The id as a person typed it.
            kinds: Which kinds to search, in order.

        Raises:
            UnknownBlueprintError: nothing matches; ``suggestions`` holds up to three close ids
                (:func:`difflib.get_close_matches` on case-folded ids, cutoff 0.6).
        """
        tables: dict[BlueprintKind, Mapping[str, object]] = {
            "assessment": self.assessments,
            "skill": self.skills,
        }
        for kind in kinds:
            if blueprint_id in tables[kind]:
                return kind, blueprint_id
        folded = blueprint_id.casefold()
        by_folded: dict[str, tuple[BlueprintKind, str]] = {}
        for kind in kinds:
            for known in tables[kind]:
                by_folded.setdefault(known.casefold(), (kind, known))
        if folded in by_folded:
            return by_folded[folded]
        close = difflib.get_close_matches(folded, list(by_folded), n=3, cutoff=0.6)
        raise UnknownBlueprintError(
            blueprint_id,
            kind=kinds[0] if len(kinds) == 1 else "",
            known=[known for _, known in by_folded.values()],
            suggestions=[by_folded[c][1] for c in close],
        )

    def skill_bands(self, skill_id: str) -> list[Band]:
        """Bands the skill can produce, easy first.

        Raises:
            UnknownBlueprintError: no such skill.
        """
        return compile_skill(self.skill(skill_id)).bands()


def _lookup(blueprints: Mapping[str, _T], blueprint_id: str, kind: str) -> _T:
    try:
        return blueprints[blueprint_id]
    except KeyError:
        raise UnknownBlueprintError(blueprint_id, kind=kind, known=list(blueprints)) from None


def load_catalog(user_dir: str | Path | None = None) -> Catalog:
    """Load the shipped blueprints, then ``*.yaml``/``*.yml`` of ``user_dir`` over them.

    Args:
        user_dir: Directory of user blueprints; a user blueprint replaces the shipped one with
            the same id. ``None``: shipped blueprints only.

    Raises:
        BlueprintErrors: invalid YAML or blueprint, duplicate id within one layer, unknown
            skill, or an unproducible band: every error found, each naming the file, the field
            path and (where the YAML parser gives one) the line.
        FileNotFoundError: ``user_dir`` is not a directory.
    """
    layers = [_yaml_files(SHIPPED_DATA_DIR)]
    if user_dir is not None:
        directory = Path(user_dir)
        if not directory.is_dir():
            raise FileNotFoundError(f"user_dir: {directory} is not a directory")
        layers.append(_yaml_files(directory))
    return _load_layers(layers).catalog


@dataclass(frozen=True)
class BlueprintFileCheck:
    """A blueprint file that loaded cleanly on top of the shipped catalog.

    Attributes:
        skills: Ids of the file's skill blueprints, in file order.
        assessments: Ids of the file's assessment blueprints, in file order.
        catalog: The shipped catalog with the file's blueprints over it.
    """

    skills: list[str]
    assessments: list[str]
    catalog: Catalog


def check_blueprint_file(path: str | Path) -> BlueprintFileCheck:
    """Validate one YAML blueprint file together with the shipped catalog.

    The file is one layer over the shipped blueprints, as a user directory would be: its
    blueprints replace shipped ones with the same id, its assessments may use shipped skills.
    Unlike a user directory, the file must define at least one blueprint (an empty file or
    ``{}`` is an error).

    Raises:
        FileNotFoundError: ``path`` does not exist (message ``"<path> does not exist"``) or is
            not a file.
        BlueprintErrors: every error of the file, each naming the file, the field path and
            (where the YAML parser gives one) the line.
    """
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"{file} does not exist")
    if not file.is_file():
        raise FileNotFoundError(f"path: {file} is not a file")
    loaded = _load_layers([_yaml_files(SHIPPED_DATA_DIR), [file]], require_blueprints=True)
    return BlueprintFileCheck(list(loaded.top_skills), list(loaded.top_assessments), loaded.catalog)


@dataclass(frozen=True)
class _Loaded:
    catalog: Catalog
    top_skills: list[str]
    top_assessments: list[str]


def _load_layers(layers: list[list[Path]], *, require_blueprints: bool = False) -> _Loaded:
    """Load file layers in order (a later layer replaces ids of earlier ones), then link.

    Every error of every file is collected; the lines of their paths are looked up in the
    files' YAML node trees, and all of them are raised together as one :class:`BlueprintErrors`.
    ``require_blueprints``: a file of the last layer that defines no blueprint is an error.
    """
    skills: dict[str, SkillBlueprint] = {}
    assessments: dict[str, AssessmentBlueprint] = {}
    origins: dict[str, _Origin] = {}
    layer_skills: dict[str, SkillBlueprint] = {}
    layer_assessments: dict[str, AssessmentBlueprint] = {}
    errors: list[BlueprintError] = []
    texts: dict[str, str] = {}
    for files in layers:
        layer_skills, layer_assessments = {}, {}
        for file in files:
            found = _load_file(file, layer_skills, layer_assessments, origins, errors, texts)
            if require_blueprints and files is layers[-1] and found == 0 and not errors:
                rule = "defines no blueprints: expected a non-empty 'skills' or 'assessments' list"
                errors.append(BlueprintError("", rule, source=str(file)))
        skills.update(layer_skills)
        assessments.update(layer_assessments)
    catalog = _link(skills, assessments, origins, errors)
    if errors:
        raise BlueprintErrors(_with_lines(errors, texts))
    return _Loaded(catalog, list(layer_skills), list(layer_assessments))


def _with_lines(errors: list[BlueprintError], texts: dict[str, str]) -> list[BlueprintError]:
    """The errors with the line of their path, where the file's YAML parses into nodes."""
    lines: dict[str, dict[str, int]] = {}
    located = []
    for error in errors:
        if error.line is not None or error.source not in texts or not error.path:
            located.append(error)
            continue
        if error.source not in lines:
            lines[error.source] = _node_lines(texts[error.source])
        located.append(error.at_line(_line_of(error.path, lines[error.source])))
    return located


def _node_lines(text: str) -> dict[str, int]:
    """Field path -> 1-based line of every mapping key and list entry of a YAML document.

    Paths are spelled like :class:`BlueprintError` paths: ``skills[0].presentation.option_count``.
    A document that does not parse gives ``{}``.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    out: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                out.setdefault(child, key.start_mark.line + 1)
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                child = f"{path}[{i}]"
                out.setdefault(child, value.start_mark.line + 1)
                walk(value, child)

    if root is not None:
        walk(root, "")
    return out


def _line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of ``path``, else of its nearest enclosing field (``a.b[2].c`` -> ``a.b[2]``)."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _load_file(
    file: Path,
    skills: dict[str, SkillBlueprint],
    assessments: dict[str, AssessmentBlueprint],
    origins: dict[str, _Origin],
    errors: list[BlueprintError],
    texts: dict[str, str],
) -> int:
    """Validate the file's blueprints into ``skills``/``assessments``; returns how many it has.

    Errors are appended to ``errors``; the file's text is kept in ``texts`` for their lines.
    """
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(BlueprintError("", f"cannot be read as UTF-8 text: {exc}", source=source))
        return 0
    texts[source] = text
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        errors.append(BlueprintError("", f"not valid YAML: {exc}", source=source))
        return 0
    if document is None:
        return 0
    if not isinstance(document, dict):
        rule = "must be a mapping with 'skills' and/or 'assessments'"
        errors.append(BlueprintError("", rule, source=source))
        return 0
    for key in document:
        if key not in ("skills", "assessments"):
            rule = "unknown key; expected skills or assessments"
            errors.append(BlueprintError(str(key), rule, source=source))
    count = 0
    for key, model, target in (
        ("skills", SkillBlueprint, skills),
        ("assessments", AssessmentBlueprint, assessments),
    ):
        entries = document.get(key) or []
        if not isinstance(entries, list):
            errors.append(BlueprintError(key, "must be a list", source=source))
            continue
        for i, entry in enumerate(entries):
            count += 1
            prefix = f"{key}[{i}]"
            try:
                blueprint: Any = model.model_validate(entry)
            except ValidationError as exc:
                errors.extend(_blueprint_errors(exc, source, prefix))
                continue
            blueprint_id = blueprint.skill_id if key == "skills" else blueprint.assessment_id
            _put(target, origins, blueprint_id, blueprint, _Origin(source, prefix), errors)
    return count


def _put(
    target: dict[str, Any],
    origins: dict[str, _Origin],
    blueprint_id: str,
    value: Any,
    at: _Origin,
    errors: list[BlueprintError],
) -> None:
    kind = "skill" if isinstance(value, SkillBlueprint) else "assessment"
    if blueprint_id in target:
        first = origins[f"{kind}:{blueprint_id}"]
        where = f"{first.source}: {first.path}" if first.source else first.path
        errors.append(
            BlueprintError(
                f"{at.path}.{kind}_id",
                f"duplicate id {blueprint_id!r}, also at {where}",
                source=at.source,
            )
        )
        return
    target[blueprint_id] = value
    origins[f"{kind}:{blueprint_id}"] = at


def _blueprint_errors(
    exc: ValidationError, source: str | None, prefix: str
) -> list[BlueprintError]:
    """One :class:`BlueprintError` per error pydantic found in the blueprint."""
    out = []
    for err in exc.errors():
        loc = ""
        for part in err["loc"]:
            if part == "[key]":  # pydantic's marker of a dict key: the key itself is the path
                continue
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, BlueprintError):
            path = ".".join(p for p in (prefix, loc, cause.path) if p)
            out.append(BlueprintError(path, cause.rule, source=source))
        else:
            path = ".".join(p for p in (prefix, loc) if p)
            out.append(BlueprintError(path, err["msg"], source=source))
    return out


def _link(
    skills: dict[str, SkillBlueprint],
    assessments: dict[str, AssessmentBlueprint],
    origins: dict[str, _Origin],
    errors: list[BlueprintError],
) -> Catalog:
    """Check the assessments against the skills and fill their sections' ``band_skills``.

    Errors are appended to ``errors``; the catalog returned is complete only when none are.
    """
    bands_of: dict[str, list[Band]] = {}

    def bands(skill_id: str) -> list[Band]:
        if skill_id not in bands_of:
            origin = origins[f"skill:{skill_id}"]
            try:
                bands_of[skill_id] = compile_skill(skills[skill_id]).bands()
            except GenerationError as exc:
                path = f"{origin.path}.generation_rules"
                errors.append(BlueprintError(path, str(exc), source=origin.source))
                bands_of[skill_id] = []
        return bands_of[skill_id]

    linked: dict[str, AssessmentBlueprint] = {}
    for assessment_id, assessment in assessments.items():
        origin = origins[f"assessment:{assessment_id}"]

        def fail(path: str, rule: str, source: str | None = origin.source) -> None:
            errors.append(BlueprintError(path, rule, source=source))

        sections: list[SectionSpec] = []
        for j, section in enumerate(assessment.sections):
            at = f"{origin.path}.sections[{j}]"
            unknown = False
            for k, skill_id in enumerate(section.skill_blueprints):
                if skill_id not in skills:
                    fail(f"{at}.skill_blueprints[{k}]", f"unknown skill blueprint {skill_id!r}")
                    unknown = True
            if unknown:
                continue
            band_skills: dict[Band, list[str]] = {}
            for band in BAND_NAMES:
                if not section.difficulty_distribution.get(band):
                    continue
                given = (section.band_skills or {}).get(band)
                for k, skill_id in enumerate(given or []):
                    if band not in bands(skill_id):
                        rule = (
                            f"{skill_id} cannot produce a {band!r} item (it can: {bands(skill_id)})"
                        )
                        fail(f"{at}.band_skills.{band}[{k}]", rule)
                able = given or [s for s in section.skill_blueprints if band in bands(s)]
                if not able:
                    rule = f"no skill of {section.skill_blueprints} can produce a {band!r} item"
                    fail(f"{at}.difficulty_distribution.{band}", rule)
                band_skills[band] = able
            sections.append(section.model_copy(update={"band_skills": band_skills}))
        linked[assessment_id] = assessment.model_copy(update={"sections": sections})
    return Catalog(skills=skills, assessments=linked)
