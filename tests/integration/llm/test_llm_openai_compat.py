"""The OpenAI-compatible adapter against the shipped fake server, over real HTTP."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assay.llm import (
    ChatModel,
    LLMConnectionError,
    LLMRateLimitError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
    Message,
    ModelResponse,
    ToolCall,
    Usage,
)
from assay.llm.backoff import BackoffPolicy
from assay.llm.fake_server import Delayed, FakeError, FakeOpenAIServer, FakeScript
from assay.llm.openai_compat import NO_KEY, OpenAICompatibleModel, from_settings
from assay.sessions.tools import PRESENT_CHOICES

TINY = BackoffPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.05)
Serve = Callable[..., tuple[FakeOpenAIServer, str]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start a fake server in a thread: ``server, base_url = serve(script, **options)``."""
    with contextlib.ExitStack() as stack:

        def start(script: FakeScript, **options: Any) -> tuple[FakeOpenAIServer, str]:
            server = FakeOpenAIServer(script, **options)
            return server, stack.enter_context(server.run_in_thread())

        yield start


class SleepRecorder:
    """Records the waits between attempts instead of sleeping."""

    def __init__(self) -> None:
        self.delays_s: list[float] = []

    async def __call__(self, delay_s: float) -> None:
        self.delays_s.append(delay_s)


@contextlib.asynccontextmanager
async def adapter(base_url: str, **options: Any) -> Any:
    options.setdefault("backoff", TINY)
    async with OpenAICompatibleModel(base_url=base_url, model="test-model", **options) as model:
        yield model


STREAMING = pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
USAGE = Usage(prompt_tokens=123, completion_tokens=45)


@STREAMING
async def test_text_answer(serve: Serve, stream: bool) -> None:
    server, url = serve([ModelResponse(content="Paris is the capital.", usage=USAGE)], chunk_size=4)
    async with adapter(url, stream=stream, api_key="sk-test") as model:
        assert isinstance(model, ChatModel)
        response = await model.complete(
            [Message.system("Be brief."), Message.user("Capital of France?")]
        )
    assert response.content == "Paris is the capital."
    assert response.tool_calls == []
    assert response.usage == USAGE
    assert response.model == "test-model"
    assert response.finish_reason == "stop"
    assert response.latency_ms > 0
    (request,) = server.requests
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.body["model"] == "test-model"
    assert request.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of France?"},
    ]
    assert "tools" not in request.body
    assert "tool_choice" not in request.body
    assert "temperature" not in request.body
    assert bool(request.body.get("stream")) is stream


async def test_streaming_asks_for_usage_and_can_be_told_not_to(serve: Serve) -> None:
    server, url = serve([ModelResponse(content="a", usage=USAGE)] * 2)
    async with adapter(url, stream=True) as model:
        with_usage = await model.complete([Message.user("q")])
    async with adapter(url, stream=True, stream_usage=False) as model:
        without_usage = await model.complete([Message.user("q")])
    first, second = server.chat_requests
    assert first["stream_options"] == {"include_usage": True}
    assert "stream_options" not in second
    assert with_usage.usage == USAGE
    assert without_usage.usage == Usage()  # the server sent none
    assert without_usage.content == "a"


@STREAMING
async def test_tool_calls_with_chunked_arguments(serve: Serve, stream: bool) -> None:
    choices = {"prompt": "Which is a prime? — «quoted»", "options": ["4", "6", "7", "9"]}
    calls = [
        ToolCall(id="call_a", name="present_choices", arguments=json.dumps(choices)),
        ToolCall(id="call_b", name="get_next_item", arguments="{}"),
    ]
    server, url = serve([calls], chunk_size=3)
    forced = {"type": "function", "function": {"name": "present_choices"}}
    async with adapter(url, stream=stream) as model:
        response = await model.complete(
            [Message.user("Start")],
            tools=[PRESENT_CHOICES],
            tool_choice=forced,
            temperature=0.0,
            max_tokens=256,
        )
    assert response.tool_calls == calls
    assert response.tool_calls[0].parsed_arguments() == choices
    assert response.content is None
    assert response.finish_reason == "tool_calls"
    assert response.usage.prompt_tokens > 0  # estimated by the server from the request
    body = server.chat_requests[0]
    assert body["tools"] == [PRESENT_CHOICES.to_openai()]
    assert body["tool_choice"] == forced
    assert body["temperature"] == 0.0
    assert body["max_tokens"] == 256


@STREAMING
async def test_malformed_tool_arguments_pass_through_verbatim(serve: Serve, stream: bool) -> None:
    broken = '{"prompt": "2+2?", "options": ["3", "4"'
    _, url = serve([ToolCall(id="c1", name="present_choices", arguments=broken)])
    async with adapter(url, stream=stream) as model:
        response = await model.complete([Message.user("q")], tools=[PRESENT_CHOICES])
    (call,) = response.tool_calls
    assert call.arguments == broken
    with pytest.raises(ValueError):
        call.parsed_arguments()


async def test_transcript_with_tool_results_is_sent_in_wire_shape(serve: Serve) -> None:
    server, url = serve(["Well done."])
    call = ToolCall(id="call_1", name="present_choices", arguments='{"prompt": "p"}')
    transcript = [
        Message.user("Start"),
        Message.assistant(None, [call]),
        Message.tool_result("call_1", "present_choices", {"selected": "4"}),
    ]
    async with adapter(url) as model:
        await model.complete(transcript, tools=[PRESENT_CHOICES])
    sent = server.chat_requests[0]["messages"]
    assert sent[0] == {"role": "user", "content": "Start"}
    assert sent[1] == {  # no text: "" rather than null, which llama-cpp-python refuses
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "present_choices", "arguments": '{"prompt": "p"}'},
            }
        ],
    }
    assert sent[2] == {
        "role": "tool",
        "content": '{"selected": "4"}',
        "tool_call_id": "call_1",
        "name": "present_choices",
    }


async def test_response_format_and_extra_body_are_forwarded(serve: Serve) -> None:
    server, url = serve(['{"ok": true}'])
    fmt = {"type": "json_object"}
    async with adapter(url, extra_body={"top_k": 5}) as model:
        response = await model.complete([Message.user("json")], response_format=fmt)
    assert response.content == '{"ok": true}'
    assert server.chat_requests[0]["response_format"] == fmt
    assert server.chat_requests[0]["top_k"] == 5


@STREAMING
async def test_429_then_success_backs_off(serve: Serve, stream: bool) -> None:
    server, url = serve([FakeError(429), FakeError(429), "finally"])
    sleep = SleepRecorder()
    async with adapter(url, stream=stream, sleep=sleep, uniform=lambda: 0.5) as model:
        response = await model.complete([Message.user("q")])
    assert response.content == "finally"
    assert sleep.delays_s == pytest.approx([0.001, 0.002])  # base, then base * 2
    assert len(server.chat_requests) == 3


async def test_retry_after_header_sets_the_wait(serve: Serve) -> None:
    _, url = serve([FakeError(429, retry_after_s=0.03), "ok"])
    sleep = SleepRecorder()
    async with adapter(url, sleep=sleep) as model:
        assert (await model.complete([Message.user("q")])).content == "ok"
    assert sleep.delays_s == [pytest.approx(0.03)]


async def test_real_sleep_between_retries(serve: Serve) -> None:
    _, url = serve([FakeError(503), FakeError(502), "up again"])
    async with adapter(url) as model:
        assert (await model.complete([Message.user("q")])).content == "up again"


@pytest.mark.parametrize(
    ("status_code", "error_type"),
    [(500, LLMServerError), (503, LLMServerError), (429, LLMRateLimitError)],
)
@STREAMING
async def test_persistent_failure_exhausts_attempts(
    serve: Serve, stream: bool, status_code: int, error_type: type[Exception]
) -> None:
    server, url = serve([FakeError(status_code, "overloaded, try later")] * 5)
    async with adapter(url, stream=stream, sleep=SleepRecorder()) as model:
        with pytest.raises(error_type, match="overloaded, try later") as info:
            await model.complete([Message.user("q")])
    assert len(server.chat_requests) == TINY.max_attempts
    assert info.value.status_code == status_code  # type: ignore[attr-defined]
    assert info.value.attempts == TINY.max_attempts  # type: ignore[attr-defined]


@pytest.mark.parametrize("status_code", [400, 401, 404, 422])
@STREAMING
async def test_client_errors_are_not_retried(serve: Serve, stream: bool, status_code: int) -> None:
    server, url = serve([FakeError(status_code, "tool_choice names an unknown tool"), "unused"])
    sleep = SleepRecorder()
    async with adapter(url, stream=stream, sleep=sleep) as model:
        with pytest.raises(LLMRequestError, match="unknown tool") as info:
            await model.complete([Message.user("q")])
    assert info.value.status_code == status_code
    assert info.value.attempts == 1
    assert len(server.chat_requests) == 1
    assert sleep.delays_s == []


@STREAMING
async def test_timeout(serve: Serve, stream: bool) -> None:
    server, url = serve([Delayed(30.0, "too late"), "unused"])
    async with adapter(url, stream=stream, timeout_s=0.2) as model:
        with pytest.raises(LLMTimeoutError, match=r"0\.2 s"):
            await model.complete([Message.user("q")])
    assert len(server.chat_requests) == 1  # a timeout is not retried


async def test_unreachable_server(serve: Serve) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleep = SleepRecorder()
    async with adapter(f"http://127.0.0.1:{port}/v1", sleep=sleep) as model:
        with pytest.raises(LLMConnectionError, match="cannot reach") as info:
            await model.complete([Message.user("q")])
    assert isinstance(info.value, LLMServerError)
    assert info.value.status_code is None
    assert len(sleep.delays_s) == TINY.max_attempts - 1


async def test_exhausted_fake_script_is_a_request_error(serve: Serve) -> None:
    _, url = serve(["only one"])
    async with adapter(url) as model:
        await model.complete([Message.user("q")])
        with pytest.raises(LLMRequestError, match="exhausted after 1 steps"):
            await model.complete([Message.user("q")])


async def test_script_function_sees_the_request(serve: Serve) -> None:
    def echo(body: dict[str, Any]) -> str:
        return f"you said {body['messages'][-1]['content']}"

    _, url = serve(echo)
    async with adapter(url, stream=True) as model:
        response = await model.complete([Message.user("hi")])
    assert response.content == "you said hi"


def test_models_endpoint_and_no_key(serve: Serve) -> None:
    import httpx

    server, url = serve([], model="smol")
    listing = httpx.get(f"{url}/models").json()
    assert [m["id"] for m in listing["data"]] == ["smol"]
    assert server.requests[0].path == "/v1/models"
    assert NO_KEY  # servers that need no key still get some text


async def test_from_settings(serve: Serve) -> None:
    server, url = serve(["hi"])
    model = from_settings(base_url=url, model="m1", api_key=None, timeout_s=5.0)
    async with model:
        assert model.name == "m1"
        assert model.timeout_s == 5.0
        await model.complete([Message.user("q")])
    assert server.requests[0].headers["authorization"] == f"Bearer {NO_KEY}"


@pytest.mark.parametrize(
    ("kwargs", "variable"),
    [
        ({"base_url": None, "model": "m"}, "ASSAY_LLM_BASE_URL"),
        ({"base_url": "", "model": "m"}, "ASSAY_LLM_BASE_URL"),
        ({"base_url": "http://x/v1", "model": None}, "ASSAY_LLM_MODEL"),
    ],
)
def test_from_settings_names_the_missing_setting(kwargs: dict[str, Any], variable: str) -> None:
    with pytest.raises(ValueError, match=variable):
        from_settings(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base_url": "", "model": "m"}, "base_url"),
        ({"base_url": "http://x/v1", "model": ""}, "model"),
        ({"base_url": "http://x/v1", "model": "m", "timeout_s": 0}, "timeout_s"),
    ],
)
def test_adapter_rejects_bad_arguments(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        OpenAICompatibleModel(**kwargs)
