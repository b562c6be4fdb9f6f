"""Assembling streamed chat-completion deltas into one response."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.chat import ChatCompletionChunk

from assay.llm import ModelResponse, ToolCall, Usage
from assay.llm.fake_server import _stream_chunks
from assay.llm.openai_compat import StreamAssembler


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": extra.pop("model", "served-model"),
        "choices": []
        if delta is None
        else [{"index": extra.pop("index", 0), "delta": delta, "finish_reason": finish}],
    }
    body.update(extra)
    return ChatCompletionChunk.model_validate(body)


def calls(
    index: int, *, id: str | None = None, name: str | None = None, args: str | None = None
) -> dict[str, Any]:
    """A delta carrying one tool-call fragment."""
    function = {k: v for k, v in {"name": name, "arguments": args}.items() if v is not None}
    fragment: dict[str, Any] = {"index": index, "function": function}
    if id is not None:
        fragment["id"] = id
    return {"tool_calls": [fragment]}


def assemble(chunks: list[Any], model: str = "asked-model") -> ModelResponse:
    assembler = StreamAssembler(model=model)
    for c in chunks:
        assembler.add(c)
    return assembler.build()


def test_interleaved_tool_calls_are_joined_by_index() -> None:
    response = assemble(
        [
            chunk({"role": "assistant", "content": None}),
            chunk(calls(0, id="a", name="f", args="")),
            chunk(calls(1, id="b", name="g", args='{"y')),
            chunk(calls(0, args='{"x": ')),
            chunk(calls(1, args='": 2}')),
            chunk(calls(0, args="1}")),
            chunk({}, "tool_calls"),
            chunk(None, usage={"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}),
        ]
    )
    assert response.tool_calls == [
        ToolCall(id="a", name="f", arguments='{"x": 1}'),
        ToolCall(id="b", name="g", arguments='{"y": 2}'),
    ]
    assert response.content is None
    assert response.finish_reason == "tool_calls"
    assert response.usage == Usage(prompt_tokens=11, completion_tokens=7)
    assert response.model == "served-model"


def test_name_is_kept_from_the_first_delta_and_missing_id_is_generated() -> None:
    response = assemble(
        [
            chunk(calls(0, name="present_choices")),
            chunk(calls(0, name="present_choices", args="{}")),
        ]
    )
    (call,) = response.tool_calls
    assert call.name == "present_choices"
    assert call.arguments == "{}"
    assert call.id.startswith("call_")


def test_text_without_usage_and_other_choices_ignored() -> None:
    response = assemble(
        [
            chunk({"role": "assistant", "content": ""}),
            chunk({"content": "Hel"}),
            chunk({"content": "IGNORED"}, index=1),
            chunk({"content": "lo"}),
            chunk({}, "stop"),
        ]
    )
    assert response.content == "Hello"
    assert response.usage == Usage()
    assert response.finish_reason == "stop"


def test_empty_text_answer_stays_empty_text() -> None:
    assert assemble([chunk({"content": ""}), chunk({}, "stop")]).content == ""


def test_model_falls_back_to_the_requested_name() -> None:
    assert assemble([chunk({"content": "x"}, model="")]).model == "asked-model"


RESPONSES = [
    ModelResponse(content="The answer is 42.", finish_reason="stop"),
    ModelResponse(content="", finish_reason="stop"),
    ModelResponse(
        tool_calls=[
            ToolCall(
                id="call_1",
                name="present_choices",
                arguments='{"prompt": "2+2?", "options": ["3", "4"]}',
            ),
            ToolCall(id="call_2", name="get_next_item", arguments="{}"),
        ],
        finish_reason="tool_calls",
    ),
    ModelResponse(
        content="Let me check.",
        tool_calls=[ToolCall(id="call_9", name="f", arguments='{"broken": ')],
        finish_reason="tool_calls",
    ),
]


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
@pytest.mark.parametrize("response", RESPONSES)
def test_fake_server_chunks_assemble_back_to_the_response(
    response: ModelResponse, chunk_size: int
) -> None:
    """The fake server's streamed chunks and the assembler are inverse of each other."""
    usage = Usage(prompt_tokens=5, completion_tokens=3)
    scripted = response.model_copy(update={"model": "m"})
    chunks = [
        ChatCompletionChunk.model_validate(c)
        for c in _stream_chunks(scripted, completion_id="x", chunk_size=chunk_size, usage=usage)
    ]
    if chunk_size == 1 and response.tool_calls:
        assert len(chunks) > len(response.tool_calls[0].arguments)  # really chunked
    got = assemble(chunks)
    assert got == scripted.model_copy(update={"usage": usage})
