"""Catalog loading: shipped blueprints, user overrides, errors naming the file and field."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from assay.items import (
    AssessmentBlueprint,
    BlueprintError,
    Catalog,
    SkillBlueprint,
    UnknownBlueprintError,
    load_catalog,
)

ONE_DIGIT = {"operation": "addition", "operand_range": {"min": 1, "max": 9}}


def skill(skill_id: str = "USER.ADD", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "skill_id": skill_id,
        "domain": "Mathematics > Arithmetic > Addition",
        "generation_rules": {"operation": "addition", "operand_range": {"min": 10, "max": 99}},
        "presentation": {
            "option_count": 4,
            "distractor_strategies": [{"type": "off_by_10"}],
            "stem_templates": ["What is {op1} + {op2}?"],
        },
    }
    data.update(changes)
    return data


def assessment(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "assessment_id": "USER-QUIZ",
        "title": "User quiz",
        "time_limit_minutes": 5,
        "total_items": 3,
        "sections": [
            {
                "section_id": "addition",
                "title": "Addition",
                "item_count": 3,
                "skill_blueprints": ["USER.ADD"],
                "difficulty_distribution": {"easy": 1, "medium": 1, "hard": 1},
            }
        ],
    }
    data.update(changes)
    return data


def write(directory: Path, name: str, document: Any) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_catalog() -> None:
    catalog = load_catalog()
    fundamentals = catalog.assessment("MATH-FUNDAMENTALS-L1")
    assert (fundamentals.total_items, fundamentals.time_limit_minutes) == (20, 30)
    assert fundamentals.time_limit_s == 1800
    assert [s.display_title for s in fundamentals.sections] == [
        "Addition",
        "Subtraction",
        "Multiplication",
        "Division",
    ]
    for section in fundamentals.sections:
        assert section.item_count == 5
        assert section.difficulty_distribution == {"easy": 2, "medium": 2, "hard": 1}
        assert section.band_skills is not None and set(section.band_skills) == {
            "easy",
            "medium",
            "hard",
        }
    quiz = catalog.assessment("MATH-QUIZ-10")
    assert (quiz.total_items, quiz.time_limit_minutes) == (10, 15)
    assert catalog.skill("MATH.ARITH.ADD.2DIGIT").presentation.option_count == 4


def test_band_skills_list_only_skills_that_can_produce_the_band() -> None:
    catalog = load_catalog()
    addition = catalog.assessment("MATH-FUNDAMENTALS-L1").section("addition")
    assert addition.band_skills == {
        "easy": ["MATH.ARITH.ADD.1DIGIT", "MATH.ARITH.ADD.2DIGIT"],
        "medium": ["MATH.ARITH.ADD.2DIGIT", "MATH.ARITH.ADD.3DIGIT"],
        "hard": ["MATH.ARITH.ADD.2DIGIT", "MATH.ARITH.ADD.3DIGIT"],
    }


def test_unknown_ids_raise_unknown_blueprint_error() -> None:
    catalog = load_catalog()
    with pytest.raises(UnknownBlueprintError) as caught:
        catalog.assessment("NOPE")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, LookupError)
    assert caught.value.blueprint_id == "NOPE"
    assert "MATH-QUIZ-10" in str(caught.value)
    with pytest.raises(UnknownBlueprintError, match=r"unknown skill blueprint 'X\.Y'"):
        catalog.skill("X.Y")


def test_user_dir_adds_and_overrides_by_id(tmp_path: Path) -> None:
    shipped = load_catalog().skill("MATH.ARITH.ADD.2DIGIT")
    override = shipped.model_dump()
    override["presentation"]["option_count"] = 5
    write(tmp_path, "override.yaml", {"skills": [override]})
    write(tmp_path, "mine.yml", {"skills": [skill()], "assessments": [assessment()]})
    catalog = load_catalog(tmp_path)
    assert catalog.skill("MATH.ARITH.ADD.2DIGIT").presentation.option_count == 5
    assert catalog.skill("USER.ADD").domain.endswith("Addition")
    assert catalog.assessment("USER-QUIZ").total_items == 3
    assert "MATH-FUNDAMENTALS-L1" in catalog.assessments  # shipped ones stay


def test_user_assessment_may_reference_shipped_skills(tmp_path: Path) -> None:
    quiz = assessment()
    quiz["sections"][0]["skill_blueprints"] = ["MATH.ARITH.ADD.2DIGIT"]
    write(tmp_path, "quiz.yaml", {"assessments": [quiz]})
    assert load_catalog(tmp_path).assessment("USER-QUIZ").sections[0].band_skills == {
        "easy": ["MATH.ARITH.ADD.2DIGIT"],
        "medium": ["MATH.ARITH.ADD.2DIGIT"],
        "hard": ["MATH.ARITH.ADD.2DIGIT"],
    }


def section_change(**changes: Any) -> dict[str, Any]:
    quiz = assessment()
    quiz["sections"][0].update(changes)
    return quiz


@pytest.mark.parametrize(
    ("document", "path", "rule"),
    [
        (
            {"skills": [skill()], "assessments": [assessment(total_items=4)]},
            "assessments[0].total_items",
            "must equal the sum of the sections' item_count (3)",
        ),
        (
            {
                "skills": [skill()],
                "assessments": [section_change(difficulty_distribution={"easy": 1, "medium": 1})],
            },
            "assessments[0].sections[0].difficulty_distribution",
            "counts must sum to item_count (3), got 2",
        ),
        (
            {"skills": [skill()], "assessments": [section_change(skill_blueprints=["NOPE"])]},
            "assessments[0].sections[0].skill_blueprints[0]",
            "unknown skill blueprint 'NOPE'",
        ),
        (
            {"skills": [skill(generation_rules={"operation": "integration"})]},
            "skills[0].generation_rules.operation",
            "unknown generator 'integration'",
        ),
        (
            {
                "skills": [
                    skill(
                        generation_rules={
                            "operation": "addition",
                            "operand_range": {"min": 50, "max": 10},
                        }
                    )
                ]
            },
            "skills[0].generation_rules.operand_range",
            "min (50) must be <= max (10)",
        ),
        (
            {"skills": [skill(difficulty_factors={"no_carry": {"weight": 0.3}})]},
            "skills[0].difficulty_factors.no_carry",
            "unknown factor of 'addition'",
        ),
        (
            {
                "skills": [
                    skill(
                        presentation={
                            "stem_templates": ["ok {op1}", "What is {a} + {b}?"],
                        }
                    )
                ]
            },
            "skills[0].presentation.stem_templates[1]",
            "unknown field {a}",
        ),
        (
            {
                "skills": [
                    skill(
                        presentation={
                            "distractor_strategies": [{"type": "off_by_1"}, {"type": "psychic"}],
                            "stem_templates": ["{op1} + {op2}"],
                        }
                    )
                ]
            },
            "skills[0].presentation.distractor_strategies[1].type",
            "unknown strategy 'psychic'",
        ),
        (
            {"skills": [skill(presentation={"option_count": 9, "stem_templates": ["x"]})]},
            "skills[0].presentation.option_count",
            "less than or equal to 8",
        ),
        (
            {
                "skills": [
                    skill(
                        generation_rules={
                            "operation": "addition",
                            "operand_range": {"min": 1, "max": 9},
                        }
                    )
                ],
                "assessments": [assessment()],
            },
            "assessments[0].sections[0].difficulty_distribution.medium",
            "no skill of ['USER.ADD'] can produce a 'medium' item",
        ),
        (
            {"skills": [skill(), skill()]},
            "skills[1].skill_id",
            "duplicate id 'USER.ADD'",
        ),
        (
            {
                "skills": [skill()],
                "assessments": [section_change(difficulty_distribution={"extreme": 3})],
            },
            "assessments[0].sections[0].difficulty_distribution.extreme",
            "Input should be 'easy', 'medium' or 'hard'",
        ),
        ({"skill": []}, "skill", "unknown key; expected skills or assessments"),
        ({"skills": {"a": 1}}, "skills", "must be a list"),
    ],
)
def test_load_errors_name_the_file_and_the_field(
    tmp_path: Path, document: Any, path: str, rule: str
) -> None:
    file = write(tmp_path, "bad.yaml", document)
    with pytest.raises(BlueprintError) as caught:
        load_catalog(tmp_path)
    error = caught.value
    assert error.source == str(file)
    assert error.path == path
    assert rule in error.rule
    assert str(error).startswith(f"{file}: {path}: ")


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text("skills: [\n", encoding="utf-8")
    with pytest.raises(BlueprintError, match="not valid YAML") as caught:
        load_catalog(tmp_path)
    assert caught.value.source == str(file)


def test_missing_user_dir(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="user_dir"):
        load_catalog(tmp_path / "absent")


def test_empty_and_non_yaml_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("skills: nonsense", encoding="utf-8")
    assert set(load_catalog(tmp_path).skills) == set(load_catalog().skills)


def test_explicit_band_skills_are_checked(tmp_path: Path) -> None:
    one_digit = skill(
        "USER.ADD1",
        generation_rules={"operation": "addition", "operand_range": {"min": 1, "max": 9}},
    )
    quiz = section_change(
        skill_blueprints=["USER.ADD", "USER.ADD1"],
        band_skills={"hard": ["USER.ADD1"]},
    )
    write(tmp_path, "q.yaml", {"skills": [skill(), one_digit], "assessments": [quiz]})
    with pytest.raises(BlueprintError) as caught:
        load_catalog(tmp_path)
    assert caught.value.path == "assessments[0].sections[0].band_skills.hard[0]"
    assert "USER.ADD1 cannot produce a 'hard' item" in caught.value.rule


def test_catalog_build_from_code_is_cross_checked() -> None:
    add = SkillBlueprint.model_validate(skill())
    quiz = AssessmentBlueprint.model_validate(assessment())
    catalog = Catalog.build([add], [quiz])
    assert catalog.assessment("USER-QUIZ").sections[0].band_skills == {
        "easy": ["USER.ADD"],
        "medium": ["USER.ADD"],
        "hard": ["USER.ADD"],
    }
    with pytest.raises(
        BlueprintError, match=r"assessments\[0\]\.sections\[0\]\.skill_blueprints\[0\]"
    ):
        Catalog.build([], [quiz])
