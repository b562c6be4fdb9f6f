"""LLM_DECODE through RubricExecutor with Assay's ScriptedModel (no network)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, llm, rubric

from assay.llm import LLMTimeoutError, Message, ModelResponse, ScriptedModel, ToolDefinition, Usage
from assay.rubrics import FunctionRegistry, RubricExecutor, ScoringType
from assay.rubrics.decode import prompt_hash, sha256_text


def one_llm_rubric(**kw: Any) -> Any:
    return rubric(criterion("quality", llm("Rate: {{ text }}"), spec=THREE, **kw))


class Recording:
    """A ChatModel that records every call's keyword arguments around a ScriptedModel."""

    def __init__(self, script: Any) -> None:
        self.inner = ScriptedModel(script, name="rec-model")
        self.kwargs: list[dict[str, Any]] = []

    @property
    def name(self) -> str:
        return self.inner.name

    async def complete(self, messages: Sequence[Message], **kwargs: Any) -> ModelResponse:
        self.kwargs.append(kwargs)
        return await self.inner.complete(messages, **kwargs)


@pytest.mark.parametrize(
    ("answer", "level", "score"),
    [
        ('{"level_id": "pass"}', "pass", 0.7),
        ('```json\n{"level_id": "excellent", "reasoning": "vivid"}\n```', "excellent", 1.0),
        ("pass", "pass", 0.7),
        ("fail", "fail", 0.0),
    ],
)
async def test_decode_levels(answer: str, level: str, score: float) -> None:
    model = ScriptedModel([answer])
    ev = await RubricExecutor(llm=model, llm_feedback=False).evaluate(
        one_llm_rubric(), {"text": "hello"}
    )
    [result] = ev.criterion_results
    assert (result.level_id, result.score) == (level, score)
    assert result.scoring_method_used is ScoringType.LLM_DECODE
    assert result.agreement == 1.0
    assert ev.status.value == "complete"
    system, user = model.calls[0][0]
    assert system.role == "system" and user.content == "Rate: hello"


async def test_invocation_record_hashes_what_was_sent() -> None:
    answer = ModelResponse(
        content='{"level_id": "pass"}',
        model="llama-x",
        usage=Usage(prompt_tokens=40, completion_tokens=5),
    )
    model = ScriptedModel([answer])
    ex = RubricExecutor(llm=model, llm_feedback=False, temperature=0.0, max_tokens=50)
    [result] = (await ex.evaluate(one_llm_rubric(), {"text": "hi"})).criterion_results
    record = result.llm_invocation
    assert record is not None
    system, user = model.calls[0][0]
    params = {"temperature": 0.0, "max_tokens": 50, "response_format": None}
    assert record["model"] == "llama-x"
    assert record["prompt_hash"] == prompt_hash(system.content or "", user.content or "", params)
    assert record["response_hash"] == sha256_text('{"level_id": "pass"}')
    assert record["usage"] == {"prompt_tokens": 40, "completion_tokens": 5, "total_tokens": 45}
    assert record["timestamp"].endswith("Z")


async def test_reasoning_becomes_evidence() -> None:
    model = ScriptedModel(['{"level_id": "fail", "reasoning": "off topic"}'])
    [result] = (
        await RubricExecutor(llm=model, llm_feedback=False).evaluate(one_llm_rubric(), {"text": ""})
    ).criterion_results
    assert result.evidence == ["off topic"]


@pytest.mark.parametrize(
    ("script", "note"),
    [
        (["I am not sure."], "no level could be read"),
        (['{"level_id": "superb"}'], "no level could be read"),
        ([], "LLM call failed"),  # the scripted model raises LLMRequestError when exhausted
    ],
)
async def test_failed_decode_is_unable_to_evaluate(script: list[str], note: str) -> None:
    ev = await RubricExecutor(llm=ScriptedModel(script), llm_feedback=False).evaluate(
        one_llm_rubric(), {"text": "x"}
    )
    [result] = ev.criterion_results
    assert result.level_id == "unable_to_evaluate" and result.score == 0.0
    assert note in result.notes
    assert ev.passed is False and ev.status.value == "incomplete" and ev.needs_human_review


async def test_timeout_of_optional_llm_criterion_is_left_out() -> None:
    def script(messages: list[Message], tools: list[ToolDefinition]) -> Any:
        raise LLMTimeoutError("took too long")

    r = rubric(
        criterion(
            "count",
            det("tests.unit.rubrics.test_rubric_executor:check_question_count"),
            spec=THREE,
            weight=0.5,
        ),
        criterion("quality", llm(), spec=THREE, weight=0.5, required=False),
    )
    functions = FunctionRegistry(allowed_modules=["tests.unit.rubrics"])
    ev = await RubricExecutor(
        function_registry=functions, llm=ScriptedModel(script), llm_feedback=False
    ).evaluate(r, {"questions": ["q"] * 10, "text": "t"})
    assert ev.criterion_results[1].level_id == "unable_to_evaluate"
    assert "took too long" in ev.criterion_results[1].notes
    assert ev.status.value == "complete" and ev.passed and ev.weighted_score == 1.0


async def test_no_llm_configured() -> None:
    [result] = (await RubricExecutor().evaluate(one_llm_rubric(), {"text": "x"})).criterion_results
    assert result.level_id == "unable_to_evaluate"
    assert "No LLM configured" in result.notes


async def test_sandbox_violation_is_an_error_level() -> None:
    r = rubric(criterion("q", llm("{{ text.__class__.__mro__ }}"), spec=THREE))
    model = ScriptedModel(['{"level_id": "pass"}'])
    [result] = (
        await RubricExecutor(llm=model, llm_feedback=False).evaluate(r, {"text": "x"})
    ).criterion_results
    assert result.level_id == "error" and "SecurityError" in result.notes
    assert model.calls == []


async def test_self_consistency_majority_and_agreement() -> None:
    model = ScriptedModel(['{"level_id": "pass"}', "excellent", "pass"])
    ex = RubricExecutor(llm=model, llm_feedback=False, samples=3, temperature=0.7)
    [result] = (await ex.evaluate(one_llm_rubric(), {"text": "x"})).criterion_results
    assert len(model.calls) == 3
    assert result.level_id == "pass"
    assert result.agreement == pytest.approx(2 / 3)
    assert result.llm_invocation is not None
    assert result.llm_invocation["votes"] == {"pass": 2, "excellent": 1}
    assert result.llm_invocation["samples"] == 3
    assert "2/3 samples" in result.notes


async def test_low_agreement_is_unable_to_evaluate() -> None:
    model = ScriptedModel(["pass", "excellent", "fail"])
    ex = RubricExecutor(llm=model, llm_feedback=False, samples=3, min_agreement=0.6)
    [result] = (await ex.evaluate(one_llm_rubric(), {"text": "x"})).criterion_results
    assert result.level_id == "unable_to_evaluate"
    assert result.agreement == pytest.approx(1 / 3)
    assert "agreement 0.33 < min_agreement 0.60" in result.notes


def two_llm_rubric() -> Any:
    return rubric(
        criterion("clarity", llm("Clarity of: {{ text }}"), spec=THREE, weight=0.5),
        criterion("accuracy", llm("Accuracy of: {{ text }}"), weight=0.5),
    )


async def test_batch_scores_all_llm_criteria_in_one_call() -> None:
    model = Recording(['{"clarity": {"level_id": "excellent"}, "accuracy": {"level_id": "pass"}}'])
    ex = RubricExecutor(llm=model, llm_feedback=False, batch_llm_criteria=True)
    ev = await ex.evaluate(two_llm_rubric(), {"text": "x"})
    assert [(r.criterion_id, r.level_id) for r in ev.criterion_results] == [
        ("clarity", "excellent"),
        ("accuracy", "pass"),
    ]
    assert len(model.kwargs) == 1
    rf = model.kwargs[0]["response_format"]
    assert rf["type"] == "json_schema"
    assert rf["json_schema"]["schema"]["properties"]["accuracy"]["properties"]["level_id"][
        "enum"
    ] == ["fail", "pass"]
    record = ev.criterion_results[0].llm_invocation
    assert record is not None and record["criteria"] == ["clarity", "accuracy"]
    assert ev.weighted_score == 1.0 and ev.passed


async def test_batch_falls_back_per_criterion_for_missing_or_invalid() -> None:
    def script(messages: list[Message], tools: list[ToolDefinition]) -> str:
        user = messages[1].content or ""
        if "## Criterion" in user:  # the batch call: accuracy invalid
            return (
                '```json\n{"clarity": {"level_id": "pass"}, "accuracy": {"level_id": "maybe"}}\n```'
            )
        assert user.startswith("Accuracy of:")
        return '{"level_id": "fail"}'

    model = ScriptedModel(script)
    ev = await RubricExecutor(llm=model, llm_feedback=False, batch_llm_criteria=True).evaluate(
        two_llm_rubric(), {"text": "x"}
    )
    assert [(r.criterion_id, r.level_id) for r in ev.criterion_results] == [
        ("clarity", "pass"),
        ("accuracy", "fail"),
    ]
    assert len(model.calls) == 2
    assert ev.criterion_results[0].notes.startswith("LLM decode (batch)")
    assert ev.criterion_results[1].notes == "LLM decode (json)"


async def test_batch_unparseable_answer_falls_back_for_every_criterion() -> None:
    def script(messages: list[Message], tools: list[ToolDefinition]) -> str:
        user = messages[1].content or ""
        return "no idea" if "## Criterion" in user else "pass"

    model = ScriptedModel(script)
    ev = await RubricExecutor(llm=model, llm_feedback=False, batch_llm_criteria=True).evaluate(
        two_llm_rubric(), {"text": "x"}
    )
    assert [r.level_id for r in ev.criterion_results] == ["pass", "pass"]
    assert len(model.calls) == 3


async def test_batch_with_samples_votes_per_criterion() -> None:
    answers = [
        '{"clarity": {"level_id": "pass"}, "accuracy": {"level_id": "pass"}}',
        '{"clarity": {"level_id": "pass"}, "accuracy": {"level_id": "fail"}}',
        '{"clarity": {"level_id": "excellent"}, "accuracy": {"level_id": "pass"}}',
    ]
    model = ScriptedModel(answers)
    ex = RubricExecutor(llm=model, llm_feedback=False, batch_llm_criteria=True, samples=3)
    ev = await ex.evaluate(two_llm_rubric(), {"text": "x"})
    clarity, accuracy = ev.criterion_results
    assert (clarity.level_id, clarity.agreement) == ("pass", pytest.approx(2 / 3))
    assert (accuracy.level_id, accuracy.agreement) == ("pass", pytest.approx(2 / 3))
    assert len(model.calls) == 3


@dataclass
class SeedStyleResponse:
    content: str
    model: str = "llama3.2"
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 10, "completion_tokens": 2}
    )


class SeedStyleProvider:
    """The shape of the seed's AsyncLLMProvider: complete(messages) -> response."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.seen: list[list[tuple[str, str]]] = []

    async def complete(self, messages: list[Any]) -> SeedStyleResponse:
        self.seen.append([(m.role, m.content) for m in messages])
        if not self.answers:
            raise ConnectionError("provider down")
        return SeedStyleResponse(self.answers.pop(0))


async def test_seed_style_provider_is_adapted() -> None:
    provider = SeedStyleProvider(['{"level_id": "excellent"}', "Nice work overall."])
    ev = await RubricExecutor(llm=provider).evaluate(one_llm_rubric(), {"text": "x"})
    [result] = ev.criterion_results
    assert result.level_id == "excellent"
    assert result.llm_invocation is not None
    assert result.llm_invocation["model"] == "llama3.2"
    assert result.llm_invocation["usage"]["total_tokens"] == 12
    assert provider.seen[0][0][0] == "system"
    assert ev.feedback_summary == "Nice work overall."


async def test_seed_style_provider_errors_become_unable_and_deterministic_feedback() -> None:
    ev = await RubricExecutor(llm=SeedStyleProvider([])).evaluate(one_llm_rubric(), {"text": "x"})
    assert ev.criterion_results[0].level_id == "unable_to_evaluate"
    assert "provider down" in ev.criterion_results[0].notes
    assert ev.feedback_summary.startswith("Evaluation INCOMPLETE for rubric 'R One'.")


async def test_async_function_as_llm() -> None:
    async def fn(messages: list[Message]) -> str:
        return "pass"

    [result] = (
        await RubricExecutor(llm=fn, llm_feedback=False).evaluate(one_llm_rubric(), {"text": "x"})
    ).criterion_results
    assert result.level_id == "pass"
