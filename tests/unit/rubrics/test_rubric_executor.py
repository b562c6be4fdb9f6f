"""RubricExecutor with deterministic and JSON Schema criteria; FunctionRegistry; SchemaRegistry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, rubric

from assay.rubrics import (
    FunctionRegistry,
    FunctionResolutionError,
    RubricExecutor,
    RubricValidationError,
    SchemaRegistry,
    SchemaResolutionError,
    ScoringMethod,
    ScoringType,
)


# -- the seed's scoring function, verbatim ------------------------------------------------
def check_question_count(content: dict[str, Any]) -> str:
    """Check that content has enough questions."""
    questions = content.get("questions", [])
    if len(questions) >= 10:
        return "excellent"
    elif len(questions) >= 5:
        return "pass"
    return "fail"


def explode(content: dict[str, Any]) -> str:
    raise RuntimeError("scorer crashed")


async def async_scorer(content: dict[str, Any]) -> str:
    return "pass" if content.get("ok") else "fail"


def returns_unknown(content: dict[str, Any]) -> str:
    return "great"


def registry() -> FunctionRegistry:
    reg = FunctionRegistry(allowed_modules=["tests.unit.rubrics", "no_such_module_xyz"])
    reg.register("myapp.scoring:check_question_count", check_question_count)
    reg.register("t:explode", explode)
    reg.register("t:async", async_scorer)
    reg.register("t:unknown", returns_unknown)
    return reg


@pytest.mark.parametrize(
    ("count", "level", "score"),
    [
        (0, "fail", 0.0),
        (4, "fail", 0.0),
        (5, "pass", 0.7),
        (9, "pass", 0.7),
        (10, "excellent", 1.0),
    ],
)
async def test_seed_question_count_table(count: int, level: str, score: float) -> None:
    r = rubric(criterion("count", det("myapp.scoring:check_question_count"), spec=THREE))
    ev = await RubricExecutor(function_registry=registry()).evaluate(
        r, {"questions": [f"Q{i}" for i in range(count)]}, target_id="art_1"
    )
    [result] = ev.criterion_results
    assert (result.level_id, result.score) == (level, score)
    assert result.scoring_method_used is ScoringType.DETERMINISTIC
    assert ev.weighted_score == score
    assert ev.passed is (score >= 0.7)
    assert (ev.rubric_id, ev.rubric_version, ev.target_id, ev.target_type) == (
        "r1",
        "1.0.0",
        "art_1",
        "content",
    )


async def test_target_type_argument_overrides_rubric() -> None:
    r = rubric(criterion("count", det("myapp.scoring:check_question_count"), spec=THREE))
    ev = await RubricExecutor(function_registry=registry()).evaluate(r, {}, target_type="quiz")
    assert ev.target_type == "quiz"


async def test_async_scoring_function() -> None:
    r = rubric(criterion("ok", det("t:async")))
    ex = RubricExecutor(function_registry=registry())
    assert (await ex.evaluate(r, {"ok": True})).criterion_results[0].level_id == "pass"
    assert (await ex.evaluate(r, {"ok": False})).criterion_results[0].level_id == "fail"


@pytest.mark.parametrize(
    ("ref", "note"),
    [
        ("t:explode", "scorer crashed"),
        ("t:unknown", "'great', which is not a level"),
        ("no_such_module_xyz:f", "no module named 'no_such_module_xyz'"),
        ("subprocess:run", "module 'subprocess' is not allowed"),
        ("tests.unit.rubrics.test_rubric_executor:nope", "has no function 'nope'"),
        ("not-a-ref", "module.path:function"),
        ("tests.unit.rubrics.test_rubric_executor:FunctionRegistry", "is not an allowed module"),
    ],
)
async def test_failing_function_gives_error_level(ref: str, note: str) -> None:
    r = rubric(criterion("c", det(ref)))
    ev = await RubricExecutor(function_registry=registry()).evaluate(r, {})
    [result] = ev.criterion_results
    assert result.level_id == "error" and result.score == 0.0
    assert note in result.notes
    assert ev.passed is False and ev.needs_human_review


async def test_required_error_is_incomplete_but_optional_error_is_left_out() -> None:
    ok = criterion("ok", det("myapp.scoring:check_question_count"), spec=THREE, weight=0.6)
    broken_required = criterion("broken", det("t:explode"), weight=0.4)
    ev = await RubricExecutor(function_registry=registry()).evaluate(
        rubric(ok, broken_required), {"questions": ["q"] * 10}
    )
    assert ev.status.value == "incomplete" and ev.passed is False
    assert ev.weighted_score == 1.0  # renormalized over the evaluated criterion

    broken_optional = criterion("broken", det("t:explode"), weight=0.4, required=False)
    ev = await RubricExecutor(function_registry=registry()).evaluate(
        rubric(ok, broken_optional), {"questions": ["q"] * 10}
    )
    assert ev.status.value == "complete" and ev.passed is True and ev.weighted_score == 1.0


async def test_dynamic_import_of_function_ref() -> None:
    ref = "tests.unit.rubrics.test_rubric_executor:check_question_count"
    reg = FunctionRegistry.importing()
    assert ref not in reg
    ev = await RubricExecutor(function_registry=reg).evaluate(
        rubric(criterion("c", det(ref), spec=THREE)), {"questions": ["q"] * 5}
    )
    assert ev.criterion_results[0].level_id == "pass"
    assert reg.get(ref) is check_question_count


def test_registered_function_wins_over_import() -> None:
    reg = FunctionRegistry()
    ref = "tests.unit.rubrics.test_rubric_executor:check_question_count"
    reg.register(ref, returns_unknown)
    assert reg.get(ref) is returns_unknown


@pytest.mark.parametrize(
    ("allowed", "ref", "ok"),
    [
        (["tests.unit.rubrics"], "tests.unit.rubrics.test_rubric_executor:explode", True),
        (
            ["tests.unit.rubrics.test_rubric_executor"],
            "tests.unit.rubrics.test_rubric_executor:explode",
            True,
        ),
        (["tests.unit.rubrics"], "tests.unit.rubrics.test_rubric_executor.explode", True),
        (["tests.unit.rub"], "tests.unit.rubrics.test_rubric_executor:explode", False),
        ([], "os:getcwd", False),
        ([], "tests.unit.rubrics.test_rubric_executor:explode", False),
        (["tests.unit.rubrics"], "tests.unit.rubrics.test_rubric_executor:_private", False),
    ],
)
def test_allowed_modules(allowed: list[str], ref: str, ok: bool) -> None:
    reg = FunctionRegistry(allowed_modules=allowed)
    if ok:
        assert reg.get(ref) is explode
    else:
        with pytest.raises(FunctionResolutionError, match="not allowed") as info:
            reg.get(ref)
        assert info.value.reason == "not_allowed" and info.value.function_ref == ref


def test_register_needs_a_callable() -> None:
    with pytest.raises(TypeError):
        FunctionRegistry().register("x:y", "not callable")  # type: ignore[arg-type]


# -- schema scoring -----------------------------------------------------------------------
SEED_SCHEMA = {
    "type": "object",
    "required": ["questions"],
    "properties": {
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string"},
        }
    },
}


def schema_rubric(method: ScoringMethod) -> Any:
    return rubric(criterion("structure", method, spec=THREE))


@pytest.mark.parametrize(
    ("target", "level", "evidence"),
    [
        ({"questions": ["Q1"]}, "excellent", ["Schema validation passed"]),
        ({}, "fail", ["$: 'questions' is a required property"]),
        ({"questions": []}, "fail", ["$.questions: [] should be non-empty"]),
        (
            {"questions": [1, "ok", None]},
            "fail",
            [
                "$.questions[0]: 1 is not of type 'string'",
                "$.questions[2]: None is not of type 'string'",
            ],
        ),
    ],
)
async def test_seed_schema_scoring(target: dict[str, Any], level: str, evidence: list[str]) -> None:
    method = ScoringMethod(type=ScoringType.SCHEMA, schema=SEED_SCHEMA)
    ev = await RubricExecutor().evaluate(schema_rubric(method), target)
    [result] = ev.criterion_results
    assert result.level_id == level
    assert result.evidence == evidence
    assert result.scoring_method_used is ScoringType.SCHEMA


async def test_schema_ref_resolved_from_registry() -> None:
    schemas = SchemaRegistry({"quiz.v1": SEED_SCHEMA})
    method = ScoringMethod(type=ScoringType.SCHEMA, schema_ref="quiz.v1")
    ex = RubricExecutor(schema_registry=schemas)
    assert (await ex.evaluate(schema_rubric(method), {"questions": ["a"]})).criterion_results[
        0
    ].level_id == "excellent"
    assert (await ex.evaluate(schema_rubric(method), {"questions": 3})).criterion_results[
        0
    ].level_id == "fail"


async def test_unknown_schema_ref_is_an_error_level() -> None:
    method = ScoringMethod(type=ScoringType.SCHEMA, schema_ref="missing")
    [result] = (await RubricExecutor().evaluate(schema_rubric(method), {})).criterion_results
    assert result.level_id == "error" and "no schema registered" in result.notes


async def test_registered_schemas_can_ref_each_other() -> None:
    schemas = SchemaRegistry(
        {
            "question": {"type": "string", "minLength": 3},
            "quiz": {
                "type": "object",
                "properties": {"questions": {"type": "array", "items": {"$ref": "question"}}},
            },
        }
    )
    method = ScoringMethod(type=ScoringType.SCHEMA, schema_ref="quiz")
    [result] = (
        await RubricExecutor(schema_registry=schemas).evaluate(
            schema_rubric(method), {"questions": ["Why?", "No"]}
        )
    ).criterion_results
    assert result.level_id == "fail"
    assert result.evidence == ["$.questions[1]: 'No' is too short"]


def test_schema_registry_files(tmp_path: Path) -> None:
    (tmp_path / "quiz.json").write_text('{"type": "object"}')
    (tmp_path / "bad.json").write_text('{"type": 5}')
    schemas = SchemaRegistry(base_dir=tmp_path)
    assert schemas.get("quiz") == {"type": "object"}
    with pytest.raises(SchemaResolutionError, match="valid JSON Schema"):
        schemas.get("bad")
    with pytest.raises(SchemaResolutionError):
        schemas.get("../quiz")


def test_schema_registry_rejects_invalid_schema() -> None:
    with pytest.raises(RubricValidationError, match="schema"):
        SchemaRegistry().register("x", {"type": "nonsense"})


async def test_target_must_be_a_mapping() -> None:
    with pytest.raises(RubricValidationError) as info:
        await RubricExecutor().evaluate(
            schema_rubric(ScoringMethod(type=ScoringType.SCHEMA, schema={})), []
        )  # type: ignore[arg-type]
    assert info.value.field == "target"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"samples": 0}, "samples"),
        ({"min_agreement": 1.5}, "min_agreement"),
        ({"max_concurrency": 0}, "max_concurrency"),
    ],
)
def test_executor_arguments_checked(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        RubricExecutor(**kwargs)


async def test_results_in_rubric_order_and_feedback_summary() -> None:
    r = rubric(
        criterion("count", det("myapp.scoring:check_question_count"), spec=THREE, weight=0.5),
        criterion(
            "structure",
            ScoringMethod(type=ScoringType.SCHEMA, schema=SEED_SCHEMA),
            spec=THREE,
            weight=0.5,
        ),
    )
    ev = await RubricExecutor(function_registry=registry()).evaluate(r, {"questions": ["a"] * 6})
    assert [c.criterion_id for c in ev.criterion_results] == ["count", "structure"]
    assert ev.weighted_score == pytest.approx(0.85)
    assert ev.feedback_summary.startswith(
        "Evaluation PASSED for rubric 'R One'.\nOverall score: 85%"
    )
