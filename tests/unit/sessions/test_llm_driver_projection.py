"""What the model is sent: two messages, the context and the current step, nothing earlier."""

from __future__ import annotations

import json

import pytest

from assay.llm.messages import Message, ToolCall
from assay.sessions.driver import Progress, script_next_call
from assay.sessions.projection import (
    CONTEXT_HEADING,
    FREE_TEXT_FIELDS,
    evaluation_tools,
    project,
    requested_call,
    session_context,
    step_instruction,
)
from assay.sessions.prompts import EVALUATION_SYSTEM_PROMPT
from assay.sessions.tools import BACKEND_TOOLS, CLIENT_TOOLS, EVALUATION_TOOLS

PROGRESS = Progress(
    session_type="evaluation",
    item_number=3,
    total_items=20,
    items_remaining=18,
    time_remaining_s=912.5,
)
STEMS = ["What is 6 × 7?", 'Say "hi": then stop', "Find the sum: 77 + 45"]
OPTIONS = [["42", "43"], ["hi", "bye"], ["122", "121"]]


def transcript(items_answered: int, *, served_next: bool) -> list[Message]:
    """A log with ``items_answered`` items answered and recorded, and maybe one more served."""
    log = [Message.system(EVALUATION_SYSTEM_PROMPT), Message.user("Start the evaluation session.")]
    for n in range(items_answered + served_next):
        item = {
            "item_type": "multiple_choice",
            "stem": STEMS[n],
            "options": OPTIONS[n],
            "present_using": "present_choices",
        }
        log += [
            Message.assistant(None, [ToolCall(id=f"g{n}", name="get_next_item")]),
            Message.tool_result(
                f"g{n}", "get_next_item", {"item": item, "has_more": True, "item_number": n + 1}
            ),
        ]
        if n == items_answered:
            break
        args = json.dumps({"prompt": STEMS[n], "options": OPTIONS[n]})
        log += [
            Message.assistant(None, [ToolCall(id=f"p{n}", name="present_choices", arguments=args)]),
            Message.tool_result(f"p{n}", "present_choices", {"response": {"index": n % 2}}),
            Message.assistant(
                None,
                [
                    ToolCall(
                        id=f"r{n}",
                        name="record_response",
                        arguments=json.dumps({"tool_call_id": f"p{n}"}),
                    )
                ],
            ),
            Message.tool_result(f"r{n}", "record_response", {"recorded": True}),
        ]
    return log


@pytest.mark.parametrize(
    ("call", "instruction"),
    [
        (ToolCall(id="c", name="get_next_item"), "Call get_next_item."),
        (
            ToolCall(
                id="c",
                name="present_choices",
                arguments=json.dumps({"prompt": "What is 6 × 7?", "options": ["42", "43"]}),
            ),
            "Present the item with present_choices. Pass exactly these arguments, copied verbatim: "
            '{"prompt": "What is 6 × 7?", "options": ["42", "43"]}',
        ),
        (
            ToolCall(
                id="c", name="request_free_text", arguments='{"prompt": "Capital of France?"}'
            ),
            "Present the item with request_free_text. Pass exactly these arguments, copied "
            "verbatim: "
            '{"prompt": "Capital of France?"}',
        ),
        (
            ToolCall(id="c", name="record_response", arguments='{"tool_call_id": "call_5f0e1a2b"}'),
            "The user answered. Call record_response with exactly these arguments: "
            '{"tool_call_id": "call_5f0e1a2b"}',
        ),
        (
            ToolCall(
                id="c", name="complete_session", arguments='{"reason": "all_items_completed"}'
            ),
            "No items remain. Call complete_session with exactly these arguments: "
            '{"reason": "all_items_completed"}',
        ),
    ],
)
def test_step_instruction_and_its_inverse(call: ToolCall, instruction: str) -> None:
    assert step_instruction(call) == instruction
    back = requested_call([Message.system("s"), Message.user(instruction)])
    assert back.name == call.name
    assert json.loads(back.arguments) == json.loads(call.arguments)


def test_instruction_arguments_follow_the_schema_order() -> None:
    arguments = {"starter_code": "def f():\n", "prompt": "Write f", "language": "python", "zz": 1}
    call = ToolCall(
        id="c", name="present_code_editor", arguments=json.dumps(arguments, sort_keys=True)
    )
    text = step_instruction(call)
    assert text.endswith(
        '{"prompt": "Write f", "language": "python", "starter_code": "def f():\\n", "zz": 1}'
    )


def test_requested_call_needs_an_instruction() -> None:
    with pytest.raises(ValueError, match="not a step instruction"):
        requested_call([Message.user("Hello there")])


@pytest.mark.parametrize(
    ("answered", "served_next"), [(0, False), (0, True), (1, False), (1, True), (2, True)]
)
def test_projection_holds_the_context_and_the_current_step_only(
    answered: int, served_next: bool
) -> None:
    log = transcript(answered, served_next=served_next)
    step = script_next_call(log)
    system, user = project(log, PROGRESS, step)
    assert system.role == "system" and user.role == "user"
    assert system.content == f"{EVALUATION_SYSTEM_PROMPT}\n\n{CONTEXT_HEADING} " + json.dumps(
        session_context(PROGRESS), sort_keys=True
    )
    assert user.content == step_instruction(step)
    shown = [stem for stem in STEMS if json.dumps(stem, ensure_ascii=False) in (user.content or "")]
    assert shown == ([STEMS[answered]] if served_next else [])  # the current item, or none
    text = f"{system.content}\n{user.content}"
    assert '"index"' not in text and '"response"' not in text  # no answer in any shape


def test_projection_size_does_not_grow_with_the_log() -> None:
    sizes = []
    for answered in range(3):
        log = transcript(answered, served_next=True)
        messages = project(log, PROGRESS, script_next_call(log))
        sizes.append(
            sum(len(m.content or "") for m in messages)
            - len(STEMS[answered])
            - len("".join(OPTIONS[answered]))
        )
    assert len(set(sizes)) <= 2  # differs by escaped quotes at most, never by the log's length


def test_session_context_has_progress_only() -> None:
    assert session_context(PROGRESS) == {
        "item_number": 3,
        "total_items": 20,
        "items_remaining": 18,
        "time_remaining_s": 912.5,
    }


def test_evaluation_tools_drop_free_text_fields() -> None:
    offered = {t.name: t for t in evaluation_tools(EVALUATION_TOOLS)}
    assert list(offered) == [t.name for t in EVALUATION_TOOLS]
    for name, tool in offered.items():
        if name in CLIENT_TOOLS:
            assert not FREE_TEXT_FIELDS & set(tool.parameters["properties"])
            assert tool.parameters["additionalProperties"] is False
            assert tool.parameters["required"] == CLIENT_TOOLS[name].parameters["required"]
        else:
            assert tool == BACKEND_TOOLS[name]
    assert set(offered["present_choices"].parameters["properties"]) == {"prompt", "options"}
    assert set(offered["present_code_editor"].parameters["properties"]) == {
        "prompt",
        "language",
        "starter_code",
    }
    assert (
        "context" in CLIENT_TOOLS["present_choices"].parameters["properties"]
    )  # the originals stay
