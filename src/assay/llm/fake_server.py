"""A small OpenAI-compatible HTTP server that replays scripted completions.

The network-level twin of :class:`~assay.llm.scripted.ScriptedModel`: it speaks the
chat-completions wire protocol (JSON and streamed server-sent events), so an adapter, a CLI
or a whole deployment can be exercised end to end with no model. Every request is recorded.

Endpoints: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Example:
    >>> server = FakeOpenAIServer(["hello"])
    >>> with server.run_in_thread() as base_url:  # doctest: +SKIP
    ...     ...  # point an OpenAI client at base_url ("http://127.0.0.1:<port>/v1")
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from assay.llm.messages import ModelResponse, ToolCall, Usage
from assay.llm.scripted import ScriptStep, _to_response


@dataclass(frozen=True)
class FakeError:
    """A scripted HTTP error in the OpenAI error shape ``{"error": {"message", "type"}}``.

    Attributes:
        status_code: HTTP status to answer with (e.g. 429, 500, 400).
        message: The error message.
        retry_after_s: If set, sent as the ``Retry-After`` header, in seconds.
    """

    status_code: int
    message: str = "scripted error"
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Delayed:
    """Answer with ``step`` after ``delay_s`` seconds (to provoke client timeouts)."""

    delay_s: float
    step: FakeStep


FakeStep = ScriptStep | FakeError | Delayed
FakeScript = Sequence[FakeStep] | Callable[[dict[str, Any]], FakeStep]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received.

    Attributes:
        method: HTTP method.
        path: URL path, e.g. ``/v1/chat/completions``.
        headers: Request headers, names lower-cased.
        body: The decoded JSON body (empty for a GET).
    """

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeOpenAIServer:
    """An OpenAI-compatible chat-completions server replaying a script.

    Args:
        script: Steps replayed in order, one per chat-completions request, or a function of
            the request body returning the step. A step is anything
            :class:`~assay.llm.scripted.ScriptedModel` accepts (text, a :class:`ToolCall`,
            a list of them, a :class:`ModelResponse`), a :class:`FakeError` or a
            :class:`Delayed` step.
        model: Model name reported when neither the step nor the request names one.
        chunk_size: Characters per streamed delta of content and of tool-call arguments.

    When a list script is exhausted the server answers 400 with a message saying so. Usage
    is the step's own when it sets ``prompt_tokens``, otherwise characters / 4. Streamed
    responses end with a usage chunk only when the request asks for it with
    ``stream_options: {"include_usage": true}``, as OpenAI does.

    Attributes:
        requests: Every request received, in order (:class:`RecordedRequest`).
        app: The Starlette application, to mount or serve yourself.
    """

    def __init__(
        self, script: FakeScript, *, model: str = "fake-model", chunk_size: int = 8
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self._function: Callable[[dict[str, Any]], FakeStep] | None = None
        self._steps: list[FakeStep] = []
        if callable(script):
            self._function = script
        else:
            self._steps = list(script)
        self._index = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.model = model
        self.chunk_size = chunk_size
        self.requests: list[RecordedRequest] = []
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat_completions, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat-completions requests received, in order."""
        return [r.body for r in self.requests if r.path.endswith("/chat/completions")]

    @contextlib.contextmanager
    def run_in_thread(self, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve on ``host:port`` in a background thread (port 0: a free one).

        Yields:
            The base URL to give an OpenAI client, e.g. ``"http://127.0.0.1:53117/v1"``.

        Raises:
            RuntimeError: If the server does not start within 10 seconds.
        """
        import uvicorn

        config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="fake-openai-server", daemon=True)
        self._stopping.clear()
        thread.start()
        try:
            deadline = time.monotonic() + 10.0
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("fake OpenAI server did not start")
                time.sleep(0.005)
            bound_port = server.servers[0].sockets[0].getsockname()[1]
            yield f"http://{host}:{bound_port}/v1"
        finally:
            self._stopping.set()
            server.should_exit = True
            thread.join(timeout=10.0)

    async def _record(self, request: Request) -> dict[str, Any]:
        body: dict[str, Any] = {}
        raw = await request.body()
        if raw:
            decoded = json.loads(raw)
            body = decoded if isinstance(decoded, dict) else {"_": decoded}
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(request.method, request.url.path, headers, body))
        return body

    async def _models(self, request: Request) -> Response:
        await self._record(request)
        return JSONResponse(
            {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "assay"}]}
        )

    def _next_step(self, body: dict[str, Any]) -> FakeStep:
        if self._function is not None:
            return self._function(body)
        with self._lock:
            if self._index >= len(self._steps):
                exhausted = f"fake server script exhausted after {len(self._steps)} steps"
                return FakeError(400, exhausted)
            step = self._steps[self._index]
            self._index += 1
        return step

    async def _chat_completions(self, request: Request) -> Response:
        body = await self._record(request)
        step = self._next_step(body)
        while isinstance(step, Delayed):
            await self._sleep(step.delay_s)
            step = step.step
        if isinstance(step, FakeError):
            headers = {}
            if step.retry_after_s is not None:
                headers["retry-after"] = f"{step.retry_after_s:g}"
            error = {"message": step.message, "type": "scripted_error", "code": None}
            return JSONResponse({"error": error}, status_code=step.status_code, headers=headers)
        model = str(body.get("model") or self.model)
        response = _to_response(step, model)
        usage = _usage(body, response)
        completion_id = f"chatcmpl-fake-{len(self.requests)}"
        if body.get("stream"):
            options = body.get("stream_options") or {}
            chunks = _stream_chunks(
                response,
                completion_id=completion_id,
                chunk_size=self.chunk_size,
                usage=usage if options.get("include_usage") else None,
            )
            return StreamingResponse(_sse(chunks), media_type="text/event-stream")
        return JSONResponse(_completion(response, completion_id=completion_id, usage=usage))

    async def _sleep(self, delay_s: float) -> None:
        """Sleep, but wake early when the server stops, so shutdown never waits on a delay."""
        await asyncio.to_thread(self._stopping.wait, delay_s)


def _usage(body: dict[str, Any], response: ModelResponse) -> Usage:
    if response.usage.prompt_tokens:
        return response.usage
    prompt = [body.get("messages", []), body.get("tools", [])]
    prompt_chars = sum(len(json.dumps(part)) for part in prompt)
    completion_chars = len(response.content or "") + sum(
        len(tc.name) + len(tc.arguments) for tc in response.tool_calls
    )
    return Usage(prompt_tokens=prompt_chars // 4, completion_tokens=completion_chars // 4)


def _usage_json(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def _completion(response: ModelResponse, *, completion_id: str, usage: Usage) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": response.content}
    if response.tool_calls:
        message["tool_calls"] = [tc.to_openai() for tc in response.tool_calls]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": response.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": response.finish_reason or "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage_json(usage),
    }


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _stream_chunks(
    response: ModelResponse, *, completion_id: str, chunk_size: int, usage: Usage | None
) -> Iterator[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of a streamed response, in order."""
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": response.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
        if usage is not None:
            out["usage"] = None
        return out

    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(response.content or "", chunk_size):
        yield chunk({"content": piece})
    for index, call in enumerate(response.tool_calls):
        for delta in _tool_call_deltas(index, call, chunk_size):
            yield chunk({"tool_calls": [delta]})
    yield chunk({}, response.finish_reason or "stop")
    if usage is not None:
        yield {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": response.model,
            "choices": [],
            "usage": _usage_json(usage),
        }


def _tool_call_deltas(index: int, call: ToolCall, chunk_size: int) -> Iterator[dict[str, Any]]:
    yield {
        "index": index,
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": ""},
    }
    for piece in _pieces(call.arguments, chunk_size):
        yield {"index": index, "function": {"arguments": piece}}


async def _sse(chunks: Iterator[dict[str, Any]]) -> AsyncIterator[str]:
    for chunk in chunks:
        yield f"data: {json.dumps(chunk)}\n\n"
    yield "data: [DONE]\n\n"


__all__ = ["Delayed", "FakeError", "FakeOpenAIServer", "FakeScript", "FakeStep", "RecordedRequest"]
