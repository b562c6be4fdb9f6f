"""Rubrics from YAML files, validate_rubric_file and the ``assay rubrics validate`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, rubric
from typer.testing import CliRunner

from assay.cli.rubrics import app
from assay.rubrics import (
    FunctionRegistry,
    RubricValidationError,
    load_rubric,
    load_rubrics,
    validate_rubric_file,
)

GOOD_YAML = """
id: content_quality
name: Content Quality
description: Evaluates the quality of generated content
version: 1.0.0
target_type: content
pass_threshold: 0.7
criteria:
  - id: clarity
    name: Clarity
    description: How clear the content is
    weight: 0.6
    levels:
      - {id: fail, label: Fail, description: Unclear, score: 0.0}
      - {id: pass, label: Pass, description: Understandable, score: 0.7}
      - id: excellent
        label: Excellent
        description: Crystal clear
        score: 1.0
        indicators: [Uses concrete examples]
    scoring_method:
      type: deterministic
      function_ref: tests.unit.rubrics.rubric_builders:check_clarity
  - id: structure
    name: Structure
    description: Has questions
    weight: 0.4
    required: false
    levels:
      - {id: fail, label: Fail, description: Missing, score: 0.0}
      - {id: pass, label: Pass, description: Present, score: 1.0}
    scoring_method:
      type: schema
      schema: {type: object, required: [questions]}
"""


def write(tmp_path: Path, text: str, name: str = "rubric.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_yaml_rubric(tmp_path: Path) -> None:
    r = load_rubric(write(tmp_path, GOOD_YAML))
    assert r.id == "content_quality" and r.version == "1.0.0"
    assert r.criteria[1].required is False
    assert r.criteria[0].levels[2].indicators == ["Uses concrete examples"]
    assert r.criteria[1].scoring_method.schema == {"type": "object", "required": ["questions"]}


def test_load_rubrics_list_file_names_the_path(tmp_path: Path) -> None:
    good = yaml.safe_load(GOOD_YAML)
    bad = {**good, "id": "b", "pass_threshold": 2}
    path = write(tmp_path, yaml.safe_dump({"rubrics": [good, bad]}))
    with pytest.raises(RubricValidationError) as info:
        load_rubrics(path)
    assert info.value.field == "rubrics[1].pass_threshold"
    path = write(tmp_path, yaml.safe_dump({"rubrics": [good, {**good, "id": "b"}]}))
    assert [r.id for r in load_rubrics(path)] == ["content_quality", "b"]
    with pytest.raises(RubricValidationError, match="exactly one rubric"):
        load_rubric(path)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("- just\n- a list\n", "file"),
        ("id: [unclosed\n", "file"),
        (GOOD_YAML.replace("weight: 0.6", "weight: heavy"), "criteria[0].weight"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(RubricValidationError) as info:
        load_rubric(write(tmp_path, text))
    assert info.value.field == field


ALLOWED = FunctionRegistry(allowed_modules=["tests.unit.rubrics"])


async def test_validate_rubric_file_good(tmp_path: Path) -> None:
    check = await validate_rubric_file(write(tmp_path, GOOD_YAML), functions=ALLOWED)
    assert check.passed and check.problems == []
    assert check.evaluation.rubric_id == "meta_rubric" and check.evaluation.passed
    assert check.evaluation.target_id == "content_quality"
    assert (
        check.summary() == "Rubric 'Content Quality' (content_quality v1.0.0): PASSED all 6 checks"
    )


async def test_validate_rubric_file_poor(tmp_path: Path) -> None:
    poor = rubric(
        criterion("a", det("x:y"), weight=0.3, spec=THREE, name="Same"),
        criterion("b", det("x:y"), weight=0.3, name="Same"),
    )
    path = write(tmp_path, json.dumps(poor.to_dict()), "poor.json")
    check = await validate_rubric_file(path, functions=ALLOWED)
    assert not check.passed
    messages = [p.message for p in check.problems]
    assert messages == [
        "criterion 'a': function_ref 'x:y' cannot be used: module 'x' is not allowed (allowed: "
        "registered functions, the entry points of 'assay.rubric_functions' and the modules "
        "listed in ASSAY_RUBRIC_FUNCTION_MODULES)",
        "criterion 'b': function_ref 'x:y' cannot be used: module 'x' is not allowed (allowed: "
        "registered functions, the entry points of 'assay.rubric_functions' and the modules "
        "listed in ASSAY_RUBRIC_FUNCTION_MODULES)",
        "criteria 'a' and 'b' have the same name; each criterion should measure something of "
        "its own",
        "weights sum to 0.6; they should sum to 1.0 (±0.01)",
    ]
    assert [p.field for p in check.problems][-2:] == ["criteria[1].name", "criteria"]
    assert "Meta-Rubric" not in check.summary()


def test_cli_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSAY_RUBRIC_FUNCTION_MODULES", "tests.unit.rubrics")
    runner = CliRunner()
    good = runner.invoke(app, ["validate", str(write(tmp_path, GOOD_YAML))])
    assert good.exit_code == 0, good.output
    assert "Rubric 'Content Quality' (content_quality v1.0.0): PASSED" in good.output

    data = yaml.safe_load(GOOD_YAML)
    data["criteria"][0]["weight"] = 0.1
    data["pass_threshold"] = 0.0
    failed = runner.invoke(
        app, ["validate", "--json", str(write(tmp_path, yaml.safe_dump(data), "f.yaml"))]
    )
    assert failed.exit_code == 1
    body = json.loads(failed.output)
    assert body["passed"] is False and body["rubric_id"] == "content_quality"
    assert [p["check"] for p in body["problems"]] == ["weight_distribution", "threshold"]

    invalid = runner.invoke(app, ["validate", str(write(tmp_path, "id: x\n", "i.yaml"))])
    assert invalid.exit_code == 2
    assert "invalid rubric: criteria: is required" in invalid.output

    missing = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
