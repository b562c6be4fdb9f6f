"""Evaluation cache keyed by (rubric id, version, content hash, model settings)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.rubrics.rubric_builders import THREE, criterion, llm, rubric

from assay.llm import ScriptedModel
from assay.rubrics import (
    InMemoryEvaluationCache,
    RubricEvaluation,
    RubricExecutor,
    evaluation_cache_key,
)


def llm_rubric(**kw: Any) -> Any:
    return rubric(criterion("quality", llm(), spec=THREE), **kw)


async def test_same_input_is_served_from_cache() -> None:
    model = ScriptedModel(["pass", "pass"])
    ex = RubricExecutor(llm=model, llm_feedback=False, cache=InMemoryEvaluationCache())
    first = await ex.evaluate(llm_rubric(), {"text": "a"}, target_id="art_1")
    second = await ex.evaluate(llm_rubric(), {"text": "a"}, target_id="art_2", target_type="quiz")
    assert len(model.calls) == 1
    assert second.id != first.id
    assert (second.target_id, second.target_type) == ("art_2", "quiz")
    assert [r.to_dict() for r in second.criterion_results] == [
        r.to_dict() for r in first.criterion_results
    ]
    assert second.evaluated_at == first.evaluated_at


@pytest.mark.parametrize(
    ("change", "target"),
    [
        ({"version": "1.0.1"}, {"text": "a"}),
        ({}, {"text": "b"}),
        ({"pass_threshold": 0.5}, {"text": "a"}),  # same id and version, other content
    ],
)
async def test_a_different_rubric_or_content_misses(
    change: dict[str, Any], target: dict[str, Any]
) -> None:
    model = ScriptedModel(["pass", "pass"])
    ex = RubricExecutor(llm=model, llm_feedback=False, cache=InMemoryEvaluationCache())
    await ex.evaluate(llm_rubric(), {"text": "a"})
    r = llm_rubric()
    if "version" in change:
        r.version = change["version"]
    if "pass_threshold" in change:
        r.pass_threshold = change["pass_threshold"]
    await ex.evaluate(r, target)
    assert len(model.calls) == 2


def test_key_covers_model_settings() -> None:
    r = llm_rubric()
    base = RubricExecutor(llm=ScriptedModel([]), llm_feedback=False)
    keys = {
        evaluation_cache_key(rubric=r, target={"t": 1}, model_settings=ex.model_settings())
        for ex in [
            base,
            RubricExecutor(llm=ScriptedModel([], name="other"), llm_feedback=False),
            RubricExecutor(llm=ScriptedModel([]), llm_feedback=False, samples=3),
            RubricExecutor(llm=ScriptedModel([]), llm_feedback=False, temperature=0.2),
            RubricExecutor(llm=ScriptedModel([]), llm_feedback=True),
            RubricExecutor(llm=ScriptedModel([]), llm_feedback=False, batch_llm_criteria=True),
        ]
    }
    assert len(keys) == 6
    # key order inside the target does not matter
    assert evaluation_cache_key(
        rubric=r, target={"a": 1, "b": 2}, model_settings={}
    ) == evaluation_cache_key(rubric=r, target={"b": 2, "a": 1}, model_settings={})


async def test_incomplete_evaluations_are_not_cached() -> None:
    model = ScriptedModel(["no idea", "pass"])
    cache = InMemoryEvaluationCache()
    ex = RubricExecutor(llm=model, llm_feedback=False, cache=cache)
    first = await ex.evaluate(llm_rubric(), {"text": "a"})
    assert first.status.value == "incomplete" and len(cache) == 0
    second = await ex.evaluate(llm_rubric(), {"text": "a"})
    assert second.criterion_results[0].level_id == "pass"
    assert len(model.calls) == 2 and len(cache) == 1


async def test_lru_drops_least_recently_used() -> None:
    cache = InMemoryEvaluationCache(max_entries=2)
    for key in ("a", "b"):
        await cache.put(key, RubricEvaluation(rubric_id=key))
    assert (await cache.get("a")) is not None  # a is now most recent
    await cache.put("c", RubricEvaluation(rubric_id="c"))
    assert await cache.get("b") is None
    assert (await cache.get("a")).rubric_id == "a"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="max_entries"):
        InMemoryEvaluationCache(max_entries=0)
