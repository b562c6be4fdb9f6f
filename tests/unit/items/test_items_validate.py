"""Shipped demo assessments, ``check_blueprint_file`` and ``assay blueprints validate FILE``."""

import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from assay.cli.main import app
from assay.items import (
    SHIPPED_DATA_DIR,
    BlueprintError,
    check_blueprint_file,
    generate_item,
    load_catalog,
    plan_assessment,
)

CATALOG = load_catalog()


@pytest.mark.parametrize(
    ("assessment_id", "items", "minutes", "algorithm", "sections"),
    [
        ("NET-SUBNET-L1", 12, 25, "fixed", ["masks", "network", "broadcast", "hosts"]),
        ("PY-FUNCTIONS-L1", 5, 40, "fixed", ["strings", "collections"]),
        (
            "MATH-CAT",
            60,
            45,
            "adaptive",
            ["addition", "subtraction", "multiplication", "division"],
        ),
    ],
)
def test_demo_assessments_plan_and_generate(
    assessment_id: str, items: int, minutes: int, algorithm: str, sections: list[str]
) -> None:
    assessment = CATALOG.assessment(assessment_id)
    assert (assessment.total_items, assessment.time_limit_minutes) == (items, minutes)
    assert assessment.item_selection_algorithm == algorithm
    assert [s.section_id for s in assessment.sections] == sections
    rng = random.Random(3)
    slots = plan_assessment(assessment, rng=rng)
    assert len(slots) == items
    for slot in slots:
        item = generate_item(CATALOG.skill(slot.skill_id), band=slot.band, rng=rng)
        assert item.difficulty_band == slot.band


def test_net_subnet_mixes_typed_and_chosen_answers() -> None:
    types = {
        CATALOG.skill(skill_id).presentation.item_type
        for section in CATALOG.assessment("NET-SUBNET-L1").sections
        for skill_id in section.skill_blueprints
    }
    assert types == {"multiple_choice", "free_text"}


def write(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


QUIZ = {
    "skills": [
        {
            "skill_id": "USER.NET",
            "generation_rules": {"operation": "subnet_network_address", "address_class": ["C"]},
            "presentation": {"item_type": "free_text", "stem_templates": ["{ip}/{cidr}?"]},
        }
    ],
    "assessments": [
        {
            "assessment_id": "USER-NET",
            "title": "Mine",
            "total_items": 2,
            "sections": [
                {
                    "section_id": "s",
                    "item_count": 2,
                    "skill_blueprints": ["USER.NET", "NET.IP.SUBNET.CALC"],
                    "difficulty_distribution": {"easy": 1, "hard": 1},
                }
            ],
        }
    ],
}


def test_check_blueprint_file_layers_the_file_over_the_shipped_catalog(tmp_path: Path) -> None:
    checked = check_blueprint_file(write(tmp_path / "quiz.yaml", QUIZ))
    assert (checked.skills, checked.assessments) == (["USER.NET"], ["USER-NET"])
    assert "MATH-QUIZ-10" in checked.catalog.assessments
    section = checked.catalog.assessment("USER-NET").sections[0]
    assert section.band_skills == {
        "easy": ["USER.NET", "NET.IP.SUBNET.CALC"],
        "hard": ["USER.NET", "NET.IP.SUBNET.CALC"],
    }


def test_a_shipped_file_validates_against_itself() -> None:
    checked = check_blueprint_file(SHIPPED_DATA_DIR / "python.yaml")
    assert len(checked.skills) == 5 and checked.assessments == []


def test_check_blueprint_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="is not a file"):
        check_blueprint_file(tmp_path)
    bad = (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe")
    assert bad
    with pytest.raises(BlueprintError, match="cannot be read as UTF-8") as caught:
        check_blueprint_file(tmp_path / "bad.yaml")
    assert caught.value.source == str(tmp_path / "bad.yaml")


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["blueprints", "validate", *args])


def test_cli_validate_ok(tmp_path: Path) -> None:
    result = run(str(write(tmp_path / "quiz.yaml", QUIZ)))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 1 skills, 1 assessments"


def test_cli_validate_invalid_names_the_file_and_the_field(tmp_path: Path) -> None:
    broken = yaml.safe_load(yaml.safe_dump(QUIZ))
    broken["assessments"][0]["sections"][0]["difficulty_distribution"] = {"easy": 3}
    file = write(tmp_path / "quiz.yaml", broken)
    result = run(str(file))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"{file}: assessments[0].sections[0].difficulty_distribution" in message
    assert "counts must sum to item_count (2), got 3" in message


def test_cli_validate_missing_file_exits_2_saying_it_does_not_exist(tmp_path: Path) -> None:
    result = run(str(tmp_path / "absent.yaml"))
    assert result.exit_code == 2
    assert "absent.yaml does not exist" in result.stderr
