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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from assay.items.blueprints import AssessmentBlueprint, SectionSpec, SkillBlueprint
from assay.items.difficulty import BAND_NAMES, Band
from assay.items.errors import BlueprintError, GenerationError, UnknownBlueprintError
from assay.items.targeting import compile_skill

__all__ = [
    "SHIPPED_DATA_DIR",
    "BlueprintFileCheck",
    "Catalog",
    "check_blueprint_file",
    "load_catalog",
]

#: Directory of the blueprints shipped with the package.
SHIPPED_DATA_DIR = Path(__file__).parent / "data"

_T = TypeVar("_T")
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
        for i, skill in enumerate(skills):
            _put(skill_map, origins, skill.skill_id, skill, _Origin(None, f"skills[{i}]"))
        assessment_map: dict[str, AssessmentBlueprint] = {}
        for i, assessment in enumerate(assessments):
            origin = _Origin(None, f"assessments[{i}]")
            _put(assessment_map, origins, assessment.assessment_id, assessment, origin)
        return _link(skill_map, assessment_map, origins)

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
        BlueprintError: invalid YAML or blueprint, duplicate id within one layer, unknown skill,
            or an unproducible band; the message names the file and the field path.
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

    Raises:
        FileNotFoundError: ``path`` is not a file.
        BlueprintError: as :func:`load_catalog`, naming the file and the field path.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"path: {file} is not a file")
    loaded = _load_layers([_yaml_files(SHIPPED_DATA_DIR), [file]])
    return BlueprintFileCheck(list(loaded.top_skills), list(loaded.top_assessments), loaded.catalog)


@dataclass(frozen=True)
class _Loaded:
    catalog: Catalog
    top_skills: list[str]
    top_assessments: list[str]


def _load_layers(layers: list[list[Path]]) -> _Loaded:
    """Load file layers in order (a later layer replaces ids of earlier ones), then link."""
    skills: dict[str, SkillBlueprint] = {}
    assessments: dict[str, AssessmentBlueprint] = {}
    origins: dict[str, _Origin] = {}
    layer_skills: dict[str, SkillBlueprint] = {}
    layer_assessments: dict[str, AssessmentBlueprint] = {}
    for files in layers:
        layer_skills, layer_assessments = {}, {}
        for file in files:
            _load_file(file, layer_skills, layer_assessments, origins)
        skills.update(layer_skills)
        assessments.update(layer_assessments)
    catalog = _link(skills, assessments, origins)
    return _Loaded(catalog, list(layer_skills), list(layer_assessments))


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _load_file(
    file: Path,
    skills: dict[str, SkillBlueprint],
    assessments: dict[str, AssessmentBlueprint],
    origins: dict[str, _Origin],
) -> None:
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BlueprintError("", f"cannot be read as UTF-8 text: {exc}", source=source) from None
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise BlueprintError("", f"not valid YAML: {exc}", source=source) from None
    if document is None:
        return
    if not isinstance(document, dict):
        raise BlueprintError(
            "", "must be a mapping with 'skills' and/or 'assessments'", source=source
        )
    for key in document:
        if key not in ("skills", "assessments"):
            raise BlueprintError(
                str(key), "unknown key; expected skills or assessments", source=source
            )
    for key, model, target in (
        ("skills", SkillBlueprint, skills),
        ("assessments", AssessmentBlueprint, assessments),
    ):
        entries = document.get(key) or []
        if not isinstance(entries, list):
            raise BlueprintError(key, "must be a list", source=source)
        for i, entry in enumerate(entries):
            prefix = f"{key}[{i}]"
            try:
                blueprint: Any = model.model_validate(entry)
            except ValidationError as exc:
                raise _blueprint_error(exc, source, prefix) from None
            blueprint_id = blueprint.skill_id if key == "skills" else blueprint.assessment_id
            _put(target, origins, blueprint_id, blueprint, _Origin(source, prefix))


def _put(
    target: dict[str, Any], origins: dict[str, _Origin], blueprint_id: str, value: Any, at: _Origin
) -> None:
    kind = "skill" if isinstance(value, SkillBlueprint) else "assessment"
    if blueprint_id in target:
        first = origins[f"{kind}:{blueprint_id}"]
        where = f"{first.source}: {first.path}" if first.source else first.path
        raise BlueprintError(
            f"{at.path}.{kind}_id",
            f"duplicate id {blueprint_id!r}, also at {where}",
            source=at.source,
        )
    target[blueprint_id] = value
    origins[f"{kind}:{blueprint_id}"] = at


def _blueprint_error(exc: ValidationError, source: str | None, prefix: str) -> BlueprintError:
    err = exc.errors()[0]
    loc = ""
    for part in err["loc"]:
        if part == "[key]":  # pydantic's marker of a dict key: the key itself is the path
            continue
        loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, BlueprintError):
        path = ".".join(p for p in (prefix, loc, cause.path) if p)
        return BlueprintError(path, cause.rule, source=source)
    return BlueprintError(".".join(p for p in (prefix, loc) if p), err["msg"], source=source)


def _link(
    skills: dict[str, SkillBlueprint],
    assessments: dict[str, AssessmentBlueprint],
    origins: dict[str, _Origin],
) -> Catalog:
    bands_of: dict[str, list[Band]] = {}

    def bands(skill_id: str) -> list[Band]:
        if skill_id not in bands_of:
            origin = origins[f"skill:{skill_id}"]
            try:
                bands_of[skill_id] = compile_skill(skills[skill_id]).bands()
            except GenerationError as exc:
                path = f"{origin.path}.generation_rules"
                raise BlueprintError(path, str(exc), source=origin.source) from None
        return bands_of[skill_id]

    linked: dict[str, AssessmentBlueprint] = {}
    for assessment_id, assessment in assessments.items():
        origin = origins[f"assessment:{assessment_id}"]
        sections: list[SectionSpec] = []
        for j, section in enumerate(assessment.sections):
            at = f"{origin.path}.sections[{j}]"
            for k, skill_id in enumerate(section.skill_blueprints):
                if skill_id not in skills:
                    rule = f"unknown skill blueprint {skill_id!r}"
                    raise BlueprintError(f"{at}.skill_blueprints[{k}]", rule, source=origin.source)
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
                        raise BlueprintError(
                            f"{at}.band_skills.{band}[{k}]", rule, source=origin.source
                        )
                able = given or [s for s in section.skill_blueprints if band in bands(s)]
                if not able:
                    rule = f"no skill of {section.skill_blueprints} can produce a {band!r} item"
                    path = f"{at}.difficulty_distribution.{band}"
                    raise BlueprintError(path, rule, source=origin.source)
                band_skills[band] = able
            sections.append(section.model_copy(update={"band_skills": band_skills}))
        linked[assessment_id] = assessment.model_copy(update={"sections": sections})
    return Catalog(skills=skills, assessments=linked)
