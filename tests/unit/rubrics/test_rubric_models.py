"""Seed 001 "Core Models" and "Evaluation Results": fields, defaults, round trips, rules."""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

import pytest

from assay.rubrics import (
    CriterionResult,
    EvaluationStatus,
    Rubric,
    RubricCriterion,
    RubricEvaluation,
    RubricLevel,
    RubricValidationError,
    ScoringMethod,
    ScoringType,
)


def seed_criterion() -> RubricCriterion:
    """The RubricCriterion example of seed 001, verbatim."""
    return RubricCriterion(
        id="clarity",
        name="Clarity",
        description="How clear and understandable the content is",
        weight=0.4,
        levels=[
            RubricLevel(id="fail", label="Fail", description="Unclear", score=0.0),
            RubricLevel(id="pass", label="Pass", description="Understandable", score=0.7),
            RubricLevel(
                id="excellent",
                label="Excellent",
                description="Crystal clear with good examples",
                score=1.0,
                indicators=["Uses concrete examples", "Logical flow", "No jargon"],
            ),
        ],
        scoring_method=ScoringMethod(
            type=ScoringType.DETERMINISTIC,
            function_ref="myapp.scoring:check_clarity",
        ),
        required=True,
    )


def seed_rubric() -> Rubric:
    """The Rubric example of seed 001 (its ``criteria=[...]`` filled with the criterion example)."""
    return Rubric(
        id="content_quality",
        name="Content Quality",
        description="Evaluates the quality of generated content",
        version="1.0.0",
        target_type="content",
        criteria=[seed_criterion()],
        pass_threshold=0.7,
        metadata={"author": "system", "domain": "education"},
    )


def defaults(cls: type) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = "factory"
        else:
            out[f.name] = "required"
    return out


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (
            Rubric,
            {
                "id": "required",
                "name": "required",
                "description": "required",
                "version": "required",
                "target_type": "required",
                "criteria": "required",
                "pass_threshold": "required",
                "metadata": "factory",
            },
        ),
        (
            RubricCriterion,
            {
                "id": "required",
                "name": "required",
                "description": "required",
                "weight": "required",
                "levels": "required",
                "scoring_method": "required",
                "required": True,
            },
        ),
        (
            RubricLevel,
            {
                "id": "required",
                "label": "required",
                "description": "required",
                "score": "required",
                "indicators": "factory",
            },
        ),
        (
            ScoringMethod,
            {
                "type": "required",
                "function_ref": None,
                "schema_ref": None,
                "schema": None,
                "decode_prompt": None,
                "decode_output_schema": None,
            },
        ),
        (
            CriterionResult,
            {
                "criterion_id": "required",
                "level_id": "required",
                "score": "required",
                "evidence": "factory",
                "notes": "",
                "scoring_method_used": ScoringType.DETERMINISTIC,
                "llm_invocation": None,
                "agreement": None,
            },
        ),
    ],
)
def test_seed_field_tables(cls: type, expected: dict[str, Any]) -> None:
    assert defaults(cls) == expected


def test_scoring_type_values() -> None:
    assert {t.name: t.value for t in ScoringType} == {
        "DETERMINISTIC": "deterministic",
        "SCHEMA": "schema",
        "LLM_DECODE": "llm_decode",
    }


def test_rubric_evaluation_defaults() -> None:
    ev = RubricEvaluation()
    assert re.fullmatch(r"eval_[0-9a-f]{32}", ev.id)
    assert (ev.rubric_id, ev.rubric_version, ev.target_id, ev.target_type) == ("", "", "", "")
    assert ev.criterion_results == [] and ev.weighted_score == 0.0 and ev.passed is False
    assert ev.feedback_summary == "" and ev.evaluated_by == "system"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", ev.evaluated_at)
    assert ev.status is EvaluationStatus.COMPLETE
    assert RubricEvaluation().id != ev.id


def test_defaults_are_fresh_per_instance() -> None:
    a = RubricLevel(id="a", label="A", description="", score=0.5)
    b = RubricLevel(id="b", label="B", description="", score=0.5)
    a.indicators.append("x")
    assert b.indicators == []


def test_seed_examples_round_trip() -> None:
    rubric = seed_rubric()
    data = rubric.to_dict()
    assert data["criteria"][0]["scoring_method"]["type"] == "deterministic"
    assert data["criteria"][0]["levels"][2]["indicators"] == [
        "Uses concrete examples",
        "Logical flow",
        "No jargon",
    ]
    assert Rubric.from_dict(data) == rubric
    assert Rubric.from_dict(copy.deepcopy(data)).to_dict() == data


def test_results_round_trip() -> None:
    result = CriterionResult(
        criterion_id="clarity",
        level_id="pass",
        score=0.7,
        evidence=["e"],
        notes="n",
        scoring_method_used=ScoringType.LLM_DECODE,
        llm_invocation={"model": "m"},
        agreement=0.75,
    )
    ev = RubricEvaluation(
        rubric_id="r",
        rubric_version="1.0.0",
        criterion_results=[result],
        weighted_score=0.7,
        passed=True,
        status=EvaluationStatus.INCOMPLETE,
    )
    data = ev.to_dict()
    assert data["criterion_results"][0]["scoring_method_used"] == "llm_decode"
    assert data["status"] == "incomplete"
    assert RubricEvaluation.from_dict(data) == ev


def test_content_hash_follows_content() -> None:
    a, b = seed_rubric(), seed_rubric()
    assert a.content_hash() == b.content_hash()
    b.criteria[0].levels[1].description = "Mostly understandable"
    assert a.content_hash() != b.content_hash()


def test_scoring_type_accepts_value_or_name() -> None:
    assert ScoringMethod(type="llm_decode").type is ScoringType.LLM_DECODE  # type: ignore[arg-type]
    assert ScoringMethod(type="LLM_DECODE").type is ScoringType.LLM_DECODE  # type: ignore[arg-type]


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    keys = re.findall(r"[^.\[\]]+", path)
    node: Any = data
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        ("id", "", "id", "non-empty"),
        ("version", "1.0", "version", "semantic version"),
        ("pass_threshold", 1.5, "pass_threshold", "between 0.0 and 1.0"),
        ("pass_threshold", "high", "pass_threshold", "finite number"),
        ("pass_threshold", _DELETE, "pass_threshold", "is required"),
        ("metadata", [1], "metadata", "mapping"),
        ("criteria", {}, "criteria", "must be a list"),
        ("criteria.0.weight", -0.1, "criteria[0].weight", ">= 0.0"),
        ("criteria.0.weight", True, "criteria[0].weight", "finite number"),
        ("criteria.0.levels", [], "criteria[0].levels", "at least one level"),
        ("criteria.0.levels.1.score", 1.2, "criteria[0].levels[1].score", "between 0.0 and 1.0"),
        ("criteria.0.levels.1.id", "fail", "criteria[0].levels[1].id", "duplicate id"),
        ("criteria.0.levels.1.id", "error", "criteria[0].levels[1].id", "reserved"),
        ("criteria.0.levels.1.id", "unable_to_evaluate", "criteria[0].levels[1].id", "reserved"),
        ("criteria.0.levels.2.indicators", "x", "criteria[0].levels[2].indicators", "list"),
        ("criteria.0.required", "yes", "criteria[0].required", "boolean"),
        ("criteria.0.scoring_method.type", "magic", "criteria[0].scoring_method.type", "one of"),
        (
            "criteria.0.scoring_method.function_ref",
            None,
            "criteria[0].scoring_method.function_ref",
            "is required for deterministic",
        ),
        ("criteria.0.scoring_method", _DELETE, "criteria[0].scoring_method", "is required"),
        ("criteria.0.levels.0", "fail", "criteria[0].levels[0]", "mapping"),
    ],
)
def test_from_dict_names_the_field_and_rule(path: str, value: Any, field: str, rule: str) -> None:
    data = _set(seed_rubric().to_dict(), path, value)
    with pytest.raises(RubricValidationError) as info:
        Rubric.from_dict(data)
    assert info.value.field == field
    assert rule in info.value.rule


@pytest.mark.parametrize(
    ("method", "field", "rule"),
    [
        ({"type": "schema"}, "schema", "schema or schema_ref is required"),
        ({"type": "schema", "schema": {"type": "nope"}}, "schema", "valid JSON Schema"),
        ({"type": "llm_decode", "decode_prompt": "{% for x in %}"}, "decode_prompt", "Jinja2"),
        (
            {"type": "llm_decode", "decode_output_schema": {"required": "x"}},
            "decode_output_schema",
            "valid JSON Schema",
        ),
    ],
)
def test_scoring_method_rules(method: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(RubricValidationError) as info:
        ScoringMethod.from_dict(method)
    assert info.value.field == field
    assert rule in info.value.rule


def test_duplicate_criterion_ids_rejected() -> None:
    with pytest.raises(RubricValidationError) as info:
        Rubric(**{**seed_rubric().__dict__, "criteria": [seed_criterion(), seed_criterion()]})
    assert info.value.field == "criteria[1].id"


def test_validate_after_mutation() -> None:
    rubric = seed_rubric()
    rubric.version = "1.1.0"
    rubric.validate()
    rubric.criteria[0].weight = float("nan")
    with pytest.raises(RubricValidationError, match=r"criteria\[0\]\.weight"):
        rubric.validate()


def test_schema_ref_alone_is_enough() -> None:
    method = ScoringMethod(type=ScoringType.SCHEMA, schema_ref="quiz.v1")
    assert method.to_dict()["schema_ref"] == "quiz.v1"


def test_criterion_level_helpers() -> None:
    c = seed_criterion()
    assert c.lowest_level.id == "fail" and c.highest_level.id == "excellent"
    assert c.level("pass") is c.levels[1] and c.level("nope") is None
