"""The LLM driver's decisions: what counts as a deviation, which id is kept, when it gives up."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assay.llm import LLMRequestError, LLMTimeoutError, ModelResponse, ScriptedModel, ToolCall
from assay.llm.messages import Message
from assay.sessions.driver import DriverContext, Progress
from assay.sessions.llm_driver import (
    TOOL_CALL_ID,
    LLMDriver,
    call_problem,
    committed_call_id,
    new_call_id,
    options_problem,
    used_tool_call_ids,
)
from assay.sessions.projection import requested_call
from assay.sessions.tools import EVALUATION_TOOLS

ITEM = {
    "item_type": "multiple_choice",
    "stem": "What is 47 + 38?",
    "options": ["75", "85", "86", "95"],
    "present_using": "present_choices",
}
CANONICAL_ARGS = {"prompt": ITEM["stem"], "options": ITEM["options"]}
TOOL_NAMES = [t.name for t in EVALUATION_TOOLS]
PROGRESS = Progress(
    session_type="evaluation",
    item_number=1,
    total_items=3,
    items_remaining=3,
    time_remaining_s=None,
)
START = [Message.system("You are proctoring."), Message.user("Start the evaluation session.")]
SERVED = [
    *START,
    Message.assistant(None, [ToolCall(id="call_g1", name="get_next_item")]),
    Message.tool_result("call_g1", "get_next_item", {"item": ITEM, "has_more": True}),
]
ANSWERED = [
    *SERVED,
    Message.assistant(
        None, [ToolCall(id="call_p1", name="present_choices", arguments=json.dumps(CANONICAL_ARGS))]
    ),
    Message.tool_result("call_p1", "present_choices", {"response": {"index": 2}}),
]


def call(name: str, arguments: Any, call_id: str = "call_m1") -> ModelResponse:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return ModelResponse(tool_calls=[ToolCall(id=call_id, name=name, arguments=text)])


def present(**changes: Any) -> ModelResponse:
    return call("present_choices", {**CANONICAL_ARGS, **changes})


CANONICAL_PRESENT = ToolCall(id="c", name="present_choices", arguments=json.dumps(CANONICAL_ARGS))
CANONICAL_RECORD = ToolCall(id="c", name="record_response", arguments='{"tool_call_id": "call_p1"}')
CANONICAL_NEXT = ToolCall(id="c", name="get_next_item", arguments="{}")


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        (["75", "85", "86", "95"], None),
        (["75", "85", "86"], "option dropped"),
        (["75", "85", "86", "95", "105"], "option added"),
        (["85", "75", "86", "95"], "options reordered"),
        (["75", "85", "86", "96"], "options changed"),
        (["75", "85", "86", "95", "95"], "options changed"),
        ("75, 85, 86, 95", "options changed"),
        (None, "options changed"),
        ([75, 85, 86, 95], "options changed"),
    ],
)
def test_options_problem(given: Any, problem: str | None) -> None:
    assert options_problem(given, ITEM["options"]) == problem


@pytest.mark.parametrize(
    ("response", "canonical", "problem"),
    [
        (present(), CANONICAL_PRESENT, None),
        (
            call("present_choices", {"options": ITEM["options"], "prompt": ITEM["stem"]}),
            CANONICAL_PRESENT,
            None,
        ),
        (present(prompt="Please answer: What is 47 + 38?"), CANONICAL_PRESENT, "stem changed"),
        (present(prompt="What is 47+38?"), CANONICAL_PRESENT, "stem changed"),
        (present(options=["75", "85", "86"]), CANONICAL_PRESENT, "option dropped"),
        (present(options=["95", "86", "85", "75"]), CANONICAL_PRESENT, "options reordered"),
        (present(context="Hint: carry the one"), CANONICAL_PRESENT, "argument 'context' added"),
        (
            present(prompt="What is the capital of Peru?", options=["Lima", "Quito"]),
            CANONICAL_PRESENT,
            "stem changed",
        ),
        (
            call("present_choices", '{"prompt": "What is 47 + 38?", "options": ['),
            CANONICAL_PRESENT,
            "malformed tool arguments",
        ),
        (call("present_choices", "[1, 2]"), CANONICAL_PRESENT, "malformed tool arguments"),
        (
            call("request_free_text", {"prompt": ITEM["stem"]}),
            CANONICAL_PRESENT,
            "called request_free_text out of order (expected present_choices)",
        ),
        (
            call("get_next_item", {}),
            CANONICAL_PRESENT,
            "called get_next_item out of order (expected present_choices)",
        ),
        (call("reveal_answer", {}), CANONICAL_PRESENT, "unknown tool 'reveal_answer'"),
        (
            ModelResponse(content="Here is your question: What is 47 + 38?"),
            CANONICAL_PRESENT,
            "text with no tool call",
        ),
        (ModelResponse(content="  "), CANONICAL_PRESENT, "empty answer"),
        (
            ModelResponse(
                tool_calls=[*present().tool_calls, ToolCall(id="x", name="get_next_item")]
            ),
            CANONICAL_PRESENT,
            "2 tool calls in one turn (one expected)",
        ),
        (call("record_response", {"tool_call_id": "call_p1"}), CANONICAL_RECORD, None),
        (
            call("record_response", {"tool_call_id": "call_zz"}),
            CANONICAL_RECORD,
            "record_response for the wrong tool call",
        ),
        (call("record_response", {}), CANONICAL_RECORD, "record_response for the wrong tool call"),
        (call("get_next_item", {"section": "any"}), CANONICAL_NEXT, None),
        (
            call("complete_session", {"reason": "done"}),
            CANONICAL_NEXT,
            "called complete_session out of order (expected get_next_item)",
        ),
    ],
)
def test_call_problem(response: ModelResponse, canonical: ToolCall, problem: str | None) -> None:
    assert call_problem(response, canonical, tool_names=TOOL_NAMES) == problem


@pytest.mark.parametrize(
    ("model_id", "kept"),
    [
        ("call_abc123", True),
        ("call__0_present_choices_cmpl-5f0e", True),
        ("call_p1", False),  # already used in the transcript
        ("call_g1", False),
        ("", False),
        ("call with spaces", False),
        ("x" * 101, False),
    ],
)
def test_committed_call_id(model_id: str, kept: bool) -> None:
    used = used_tool_call_ids(ANSWERED)
    assert used == {"call_g1", "call_p1"}
    chosen = committed_call_id(call("get_next_item", {}, model_id), used)
    assert chosen == (model_id if kept else "call_3")
    assert TOOL_CALL_ID.fullmatch(chosen) and chosen not in used


@pytest.mark.parametrize(
    ("used", "fresh"),
    [
        (set(), "call_1"),
        ({"a", "b"}, "call_3"),
        ({"call_2", "call_3"}, "call_4"),
        ({"x", "call_2"}, "call_3"),
    ],
)
def test_new_call_id_is_short_and_unused(used: set[str], fresh: str) -> None:
    assert new_call_id(used) == fresh


def context(messages: list[Message], deviations: int = 0) -> DriverContext:
    return DriverContext(
        session_id="sess_1",
        messages=messages,
        tools=EVALUATION_TOOLS,
        progress=PROGRESS,
        deviations=deviations,
    )


async def test_faithful_call_is_committed_with_its_id_and_logged() -> None:
    model = ScriptedModel([present()])
    turn = await LLMDriver(model).next_turn(context(SERVED))
    (committed,) = turn.message.tool_calls
    assert committed.id == "call_m1" and committed.name == "present_choices"
    assert json.loads(committed.arguments) == CANONICAL_ARGS
    assert turn.events == [] and turn.switch_to is None
    meta = turn.meta
    assert meta["driver"] == "llm" and meta["model"] == "scripted" and meta["accepted"] is True
    assert meta["request"]["tools"] == TOOL_NAMES
    assert meta["request"]["tool_choice"] == {
        "type": "function",
        "function": {"name": "present_choices"},
    }
    system, user = meta["request"]["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert user["content"].endswith(json.dumps(CANONICAL_ARGS, ensure_ascii=False))
    assert meta["request"]["temperature"] == 0.0 and meta["request"]["max_tokens"] > 64
    assert meta["response"]["tool_calls"][0]["function"]["name"] == "present_choices"
    assert meta["usage"]["prompt_tokens"] > 0 and meta["latency_ms"] >= 0


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (present(options=["75", "85"]), "option dropped"),
        (ModelResponse(content="Sure! What is 47 + 38?"), "text with no tool call"),
        (call("present_choices", "{not json"), "malformed tool arguments"),
    ],
)
async def test_deviation_is_replaced_by_the_canonical_call(
    response: ModelResponse, problem: str
) -> None:
    turn = await LLMDriver(ScriptedModel([response])).next_turn(context(SERVED))
    (committed,) = turn.message.tool_calls
    assert committed.name == "present_choices"
    assert json.loads(committed.arguments) == CANONICAL_ARGS
    (event,) = turn.events
    assert event["kind"] == "fidelity" and event["problem"] == problem
    assert event["expected"] == "present_choices" and event["tool_call_id"] == committed.id
    assert event["item_number"] == 1
    assert turn.meta["accepted"] is False and turn.switch_to is None


@pytest.mark.parametrize(("before", "switch"), [(0, None), (1, None), (2, "script"), (7, "script")])
async def test_switches_to_script_at_max_deviations(before: int, switch: str | None) -> None:
    model = ScriptedModel([present(prompt="Reworded")])
    turn = await LLMDriver(model, max_deviations=3).next_turn(context(SERVED, deviations=before))
    assert turn.switch_to == switch


async def test_a_faithful_call_never_switches() -> None:
    turn = await LLMDriver(ScriptedModel([present()]), max_deviations=1).next_turn(
        context(SERVED, 5)
    )
    assert turn.switch_to is None and turn.events == []


async def test_a_failed_model_call_is_a_recorded_deviation() -> None:
    class Down:
        name = "down"

        async def complete(self, *args: Any, **kwargs: Any) -> ModelResponse:
            raise LLMTimeoutError("http://x/v1 did not answer within 60 s")

    turn = await LLMDriver(Down()).next_turn(context(ANSWERED))
    (committed,) = turn.message.tool_calls
    assert committed.name == "record_response"
    assert json.loads(committed.arguments) == {"tool_call_id": "call_p1"}
    (event,) = turn.events
    assert (
        event["problem"]
        == "model call failed: LLMTimeoutError: http://x/v1 did not answer within 60 s"
    )
    assert event["model_call"] is None and turn.meta["error"] == event["problem"]


class Picky:
    """Refuses some requests with HTTP 400, like servers without named tool choice or
    reasoning models without temperature; answers the others faithfully."""

    name = "picky"

    def __init__(self, refuses: Any) -> None:
        self.refuses = refuses
        self.options: list[dict[str, Any]] = []

    async def complete(self, messages: Any, *, tools: Any = None, **options: Any) -> ModelResponse:
        self.options.append(options)
        if self.refuses(options):
            raise LLMRequestError("unsupported parameter", status_code=400)
        return ModelResponse(tool_calls=[requested_call(messages)])


FORCED_PRESENT = {"type": "function", "function": {"name": "present_choices"}}


@pytest.mark.parametrize(
    ("refuses", "mode"),
    [
        (lambda o: isinstance(o["tool_choice"], dict), "forced"),  # llama-server: no named choice
        (lambda o: "temperature" in o, "forced"),  # reasoning models: no temperature
        (lambda o: "temperature" in o, "auto"),
    ],
)
async def test_a_refused_request_is_retried_plain_and_plain_stays(refuses: Any, mode: Any) -> None:
    model = Picky(refuses)
    driver = LLMDriver(model, tool_choice=mode)
    first = await driver.next_turn(context(SERVED))
    second = await driver.next_turn(context(ANSWERED))
    plain = {"tool_choice": "required" if mode == "forced" else "auto"}
    assert model.options[1:] == [plain, plain]
    assert model.options[0]["temperature"] == 0.0
    assert first.events == [] and second.events == [] and driver.plain
    assert first.meta["request"]["tool_choice"] == plain["tool_choice"]


async def test_requests_are_not_plain_when_the_plain_retry_fails_too() -> None:
    model = Picky(lambda o: True)
    driver = LLMDriver(model)
    turn = await driver.next_turn(context(START))
    assert len(model.options) == 2 and not driver.plain
    assert turn.events[0]["problem"] == "model call failed: LLMRequestError: unsupported parameter"
    assert turn.message.tool_calls[0].name == "get_next_item"


@pytest.mark.parametrize(
    ("max_tokens", "temperature", "expected"),
    [
        ("auto", 0.0, {"tool_choice": FORCED_PRESENT, "temperature": 0.0, "max_tokens": 64 + 67}),
        (500, None, {"tool_choice": FORCED_PRESENT, "max_tokens": 500}),
        (None, 0.7, {"tool_choice": FORCED_PRESENT, "temperature": 0.7}),
    ],
)
def test_request_options(max_tokens: Any, temperature: Any, expected: dict[str, Any]) -> None:
    canonical = ToolCall(id="c", name="present_choices", arguments=json.dumps(CANONICAL_ARGS))
    assert len(canonical.arguments) == 67
    driver = LLMDriver(ScriptedModel([]), max_tokens=max_tokens, temperature=temperature)
    assert driver.options(canonical) == expected
    assert driver.options(canonical, plain=True) == {"tool_choice": "required"}


def test_max_deviations_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_deviations must be >= 1"):
        LLMDriver(ScriptedModel([]), max_deviations=0)
