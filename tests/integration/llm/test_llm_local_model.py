"""The adapter against a real model: llama.cpp's server on SmolLM2-135M-Instruct, offline.

Runs where the ``local-llm`` extra is installed (``llama_cpp`` importable) and fails with the
install command when the model file is missing. Decoding is greedy (temperature 0), so the
answers are the same on every run of one build.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import jsonschema
import pytest

pytest.importorskip("llama_cpp")

from assay.llm import Message, ModelResponse, OpenAICompatibleModel, ToolCall
from assay.llm.local import LocalLLMServer, local_llm_server
from assay.sessions.tools import PRESENT_CHOICES

pytestmark = pytest.mark.slow

ITEM = {
    "prompt": "Which planet is known as the Red Planet?",
    "options": ["Venus", "Mars", "Jupiter", "Saturn"],
}
FORCED = {"type": "function", "function": {"name": "present_choices"}}
START = [
    Message.system(
        "You are a tutor. Call present_choices with this item, copied exactly: " + json.dumps(ITEM)
    ),
    Message.user("Start."),
]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalLLMServer]:
    with local_llm_server() as running:
        yield running


def complete(server: LocalLLMServer, messages: list[Message], **options: object) -> ModelResponse:
    stream = bool(options.pop("stream", False))

    async def call() -> ModelResponse:
        async with OpenAICompatibleModel(
            base_url=server.base_url, model=server.model, stream=stream, timeout_s=120
        ) as model:
            return await model.complete(messages, temperature=0.0, **options)  # type: ignore[arg-type]

    return asyncio.run(call())


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_forced_present_choices_copies_the_item(server: LocalLLMServer, stream: bool) -> None:
    response = complete(
        server, START, tools=[PRESENT_CHOICES], tool_choice=FORCED, max_tokens=200, stream=stream
    )
    (call,) = response.tool_calls
    assert call.name == "present_choices"
    assert call.id
    arguments = call.parsed_arguments()  # the grammar makes it valid JSON ...
    jsonschema.validate(arguments, PRESENT_CHOICES.parameters)  # ... of the tool's schema
    assert arguments["prompt"] == ITEM["prompt"]
    assert arguments["options"] == ITEM["options"]
    assert response.model == server.model
    if not stream:  # llama-cpp-python sends no usage chunk when streaming
        assert response.usage.prompt_tokens > 0
        assert response.usage.completion_tokens > 0


def test_transcript_with_a_tool_result_is_accepted(server: LocalLLMServer) -> None:
    """An assistant turn with only tool calls and a tool result go through (no HTTP 500)."""
    call = ToolCall(id="call_1", name="present_choices", arguments=json.dumps(ITEM))
    transcript = [
        *START,
        Message.assistant(None, [call]),
        Message.tool_result("call_1", "present_choices", {"selected": "Mars"}),
        Message.user("Was I right? Answer in one sentence."),
    ]
    response = complete(server, transcript, max_tokens=32)
    assert response.tool_calls == []
    assert response.content
    assert response.usage.completion_tokens > 0
