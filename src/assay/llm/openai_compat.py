"""The adapter for any OpenAI-compatible chat-completions server.

Works with OpenAI, Ollama (``http://127.0.0.1:11434/v1``), vLLM (``http://host:8000/v1``) and
llama.cpp's servers (``http://127.0.0.1:8080/v1``), on the official ``openai`` SDK. The SDK's
own retries are switched off: :class:`~assay.llm.backoff.BackoffPolicy` decides, so that
every adapter retries the same way and the policy is tested on its own.

Failures map onto :mod:`assay.llm.errors`:

===============================  ===========  ==========================
What happened                    Retried?     Raised when retries run out
===============================  ===========  ==========================
no answer within ``timeout_s``   no           ``LLMTimeoutError``
connection refused or reset      yes          ``LLMConnectionError``
HTTP 429                         yes          ``LLMRateLimitError``
HTTP 5xx, error event in stream  yes          ``LLMServerError``
other HTTP 4xx                   no           ``LLMRequestError``
unreadable response              no           ``LLMRequestError``
===============================  ===========  ==========================

Tool-call arguments are passed through verbatim, malformed JSON included: judging them is
the caller's business (see :meth:`assay.llm.messages.ToolCall.parsed_arguments`). Messages
go out in :meth:`Message.to_openai` shape, except that an assistant message with no text is
sent with ``"content": ""`` (llama-cpp-python's server rejects ``null``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import openai

from assay.llm.backoff import BackoffPolicy, parse_retry_after_s
from assay.llm.errors import (
    LLMConnectionError,
    LLMError,
    LLMRateLimitError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
)
from assay.llm.messages import Message, ModelResponse, ToolCall, ToolDefinition, Usage

logger = logging.getLogger(__name__)

NO_KEY = "no-key"
"""API key sent to servers that need none (the SDK insists on some text)."""


class OpenAICompatibleModel:
    """A :class:`~assay.llm.port.ChatModel` over an OpenAI-compatible HTTP server.

    Args:
        base_url: The server's base URL, ending in ``/v1``.
        model: Model name sent with each request (``"gpt-4o-mini"``, ``"llama3.2"``...).
        api_key: API key; ``None`` for servers that need none.
        timeout_s: Limit of one attempt, in seconds, from sending the request to the last
            streamed byte.
        backoff: When to retry and how long to wait; ``BackoffPolicy()`` by default.
        stream: Ask for a streamed response and assemble its deltas (the result is the same
            :class:`ModelResponse`).
        stream_usage: When streaming, ask for a final usage chunk with
            ``stream_options: {"include_usage": true}``; turn off for servers that reject it.
        extra_body: Extra JSON fields merged into every request (server-specific options,
            e.g. vLLM's ``guided_json`` or Ollama's ``options``).
        sleep: Coroutine used to wait between attempts (tests pass a recorder).
        uniform: Source of uniform numbers in [0, 1) for the backoff jitter.

    Use it as an async context manager, or call :meth:`aclose`, to release connections.

    Example:
        >>> model = OpenAICompatibleModel(base_url="http://127.0.0.1:11434/v1", model="llama3.2")
        >>> # response = await model.complete([Message.user("hi")])
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        backoff: BackoffPolicy | None = None,
        stream: bool = False,
        stream_usage: bool = True,
        extra_body: Mapping[str, Any] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        if not base_url:
            raise ValueError("base_url is required (e.g. http://127.0.0.1:11434/v1)")
        if not model:
            raise ValueError("model is required (the model name the server knows)")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be > 0")
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.backoff = backoff or BackoffPolicy()
        self.stream = stream
        self.stream_usage = stream_usage
        self.extra_body = dict(extra_body or {})
        self._model = model
        self._sleep = sleep
        self._uniform = uniform
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or NO_KEY, timeout=timeout_s, max_retries=0
        )

    @property
    def name(self) -> str:
        return self._model

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    async def __aenter__(self) -> OpenAICompatibleModel:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolDefinition] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> ModelResponse:
        """Run one chat completion, retrying transient failures.

        ``latency_ms`` of the result covers the whole call, waits between retries included.

        Raises:
            LLMTimeoutError: An attempt took longer than ``timeout_s``.
            LLMConnectionError: The server could not be reached, after all attempts.
            LLMRateLimitError: The server kept answering 429.
            LLMServerError: The server kept answering 5xx.
            LLMRequestError: The server refused the request (other 4xx) or its response could
                not be read.
        """
        params: dict[str, Any] = {
            "model": self._model,
            "messages": [_wire_message(m) for m in messages],
        }
        if tools:
            params["tools"] = [t.to_openai() for t in tools]
            if tool_choice is not None:
                params["tool_choice"] = tool_choice
        optional = {
            "temperature": temperature,
            "max_tokens": max_tokens,
            "response_format": response_format,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        if self.extra_body:
            params["extra_body"] = self.extra_body
        started = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(self.timeout_s):
                    if self.stream:
                        response = await self._create_streamed(params)
                    else:
                        response = await self._create(params)
            except Exception as exc:
                failure = self._failure(exc)
                delay_s = (
                    None
                    if isinstance(failure.error, LLMTimeoutError)
                    else self.backoff.retry_delay_s(
                        attempt=attempt,
                        status_code=failure.status_code,
                        retry_after_s=failure.retry_after_s,
                        u=self._uniform(),
                    )
                )
                if delay_s is None:
                    failure.error.attempts = attempt
                    raise failure.error from exc
                logger.warning(
                    "LLM call failed (%s), attempt %d; retrying in %.2f s",
                    failure.error,
                    attempt,
                    delay_s,
                )
                await self._sleep(delay_s)
                continue
            latency_ms = (time.perf_counter() - started) * 1000
            return response.model_copy(update={"latency_ms": latency_ms})

    async def _create(self, params: dict[str, Any]) -> ModelResponse:
        completion = await self._client.chat.completions.create(**params, stream=False)
        if not completion.choices:
            raise LLMRequestError(f"{self.base_url} returned a completion with no choices")
        choice = completion.choices[0]
        calls = [
            _tool_call(tc.id, getattr(tc, "function", None), i)
            for i, tc in enumerate(choice.message.tool_calls or [])
        ]
        return ModelResponse(
            content=choice.message.content,
            tool_calls=[c for c in calls if c is not None],
            usage=_usage(completion.usage),
            model=completion.model or self._model,
            finish_reason=choice.finish_reason,
        )

    async def _create_streamed(self, params: dict[str, Any]) -> ModelResponse:
        if self.stream_usage:
            params = {**params, "stream_options": {"include_usage": True}}
        stream = await self._client.chat.completions.create(**params, stream=True)
        builder = StreamAssembler(model=self._model)
        async with stream:
            async for chunk in stream:
                builder.add(chunk)
        return builder.build()

    def _failure(self, exc: Exception) -> _Failure:
        """Map an exception of one attempt onto an LLM error and a retry hint."""
        where = self.base_url
        if isinstance(exc, LLMError):
            return _Failure(exc, exc.status_code)
        if isinstance(exc, TimeoutError | openai.APITimeoutError):
            return _Failure(
                LLMTimeoutError(f"{where} did not answer within {self.timeout_s:g} s"), None
            )
        if isinstance(exc, openai.APIConnectionError):
            return _Failure(LLMConnectionError(f"cannot reach {where}: {exc}"), None)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            message = f"{where} answered HTTP {status}: {_server_message(exc)}"
            if status == 429:
                headers = exc.response.headers
                ms = parse_retry_after_s(headers.get("retry-after-ms"))
                retry_after_s = ms / 1000 if ms is not None else None
                if retry_after_s is None:
                    retry_after_s = parse_retry_after_s(headers.get("retry-after"))
                error = LLMRateLimitError(message, status_code=status)
                return _Failure(error, status, retry_after_s)
            if status >= 500:
                return _Failure(LLMServerError(message, status_code=status), status)
            return _Failure(LLMRequestError(message, status_code=status), status)
        if isinstance(exc, openai.APIResponseValidationError | ValueError | TypeError):
            return _Failure(LLMRequestError(f"unreadable response from {where}: {exc}"), 400)
        if isinstance(exc, openai.APIError):
            # An error event inside a stream: the server failed mid-answer.
            return _Failure(LLMServerError(f"{where} failed mid-stream: {exc.message}"), 500)
        raise exc


def _wire_message(message: Message) -> dict[str, Any]:
    """The wire shape, with ``""`` for an assistant message's missing text.

    llama-cpp-python's server refuses ``"content": null`` (HTTP 500, a validation error) and
    its templates need the key; OpenAI, Ollama and vLLM accept ``""`` as well.
    """
    wire = message.to_openai()
    if message.role == "assistant" and wire["content"] is None:
        wire["content"] = ""
    return wire


@dataclass
class _Failure:
    error: LLMError
    status_code: int | None
    retry_after_s: float | None = None


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return exc.message


def _usage(usage: Any) -> Usage:
    if usage is None:
        return Usage()
    return Usage(
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
    )


def _arguments_text(arguments: Any) -> str:
    """Arguments as the model wrote them; a server that sent an object gets it re-encoded."""
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments)


def _tool_call(call_id: str | None, function: Any, index: int) -> ToolCall | None:
    if function is None:  # a non-function ("custom") tool call: not ours
        return None
    return ToolCall(
        id=call_id or _fresh_call_id(index),
        name=str(function.name or ""),
        arguments=_arguments_text(function.arguments),
    )


def _fresh_call_id(index: int) -> str:
    return f"call_{uuid.uuid4().hex[:16]}_{index}"


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class StreamAssembler:
    """Assembles ``chat.completion.chunk`` deltas into one :class:`ModelResponse`.

    Content pieces are concatenated; tool calls are keyed by their ``index`` (their position
    in the delta when a server omits it), the first delta of each bringing ``id`` and
    ``name`` and later ones argument fragments; usage comes from the final chunk when the
    server sends one (``choices`` empty). Only choice 0 is read.

    Args:
        model: Model name to report if no chunk names one.

    Example:
        >>> assembler = StreamAssembler(model="m")
        >>> for chunk in stream:  # doctest: +SKIP
        ...     assembler.add(chunk)  # an openai ``ChatCompletionChunk``
        >>> response = assembler.build()  # doctest: +SKIP
    """

    model: str
    content: list[str] = field(default_factory=list)
    calls: dict[int, _PartialCall] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    saw_content: bool = False

    def add(self, chunk: Any) -> None:
        """Fold one ``ChatCompletionChunk`` in."""
        if chunk.model:
            self.model = chunk.model
        if chunk.usage is not None:
            self.usage = _usage(chunk.usage)
        for choice in chunk.choices or []:
            if choice.index != 0:
                continue
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
            delta = choice.delta
            if delta is None:
                continue
            if delta.content is not None:
                self.saw_content = True
                self.content.append(delta.content)
            for position, tc in enumerate(delta.tool_calls or []):
                index = tc.index if tc.index is not None else position
                partial = self.calls.setdefault(index, _PartialCall())
                if tc.id:
                    partial.id = tc.id
                if tc.function is not None:
                    if tc.function.name and not partial.name:
                        partial.name = tc.function.name
                    if tc.function.arguments:
                        partial.arguments.append(_arguments_text(tc.function.arguments))

    def build(self) -> ModelResponse:
        """The response so far; content is ``None`` when the model only called tools."""
        text = "".join(self.content)
        return ModelResponse(
            content=text if text or (self.saw_content and not self.calls) else None,
            tool_calls=[
                ToolCall(id=p.id or _fresh_call_id(i), name=p.name, arguments="".join(p.arguments))
                for i, p in sorted(self.calls.items())
            ],
            usage=self.usage,
            model=self.model,
            finish_reason=self.finish_reason,
        )


def from_settings(
    *,
    base_url: str | None,
    model: str | None,
    api_key: str | None = None,
    timeout_s: float = 60.0,
    stream: bool = False,
) -> OpenAICompatibleModel:
    """Build the adapter from settings (``ASSAY_LLM_BASE_URL``, ``_MODEL``, ``_API_KEY``...).

    Args:
        base_url: ``Settings.llm_base_url``.
        model: ``Settings.llm_model``.
        api_key: ``Settings.llm_api_key``.
        timeout_s: ``Settings.llm_timeout_s``.
        stream: Stream responses (same result, earlier first byte, per-chunk timeouts).

    Raises:
        ValueError: If ``base_url`` or ``model`` is missing, naming the environment variable.
    """
    if not base_url:
        raise ValueError("ASSAY_LLM_BASE_URL is not set (e.g. http://127.0.0.1:11434/v1)")
    if not model:
        raise ValueError("ASSAY_LLM_MODEL is not set (the model name the server knows)")
    return OpenAICompatibleModel(
        base_url=base_url, model=model, api_key=api_key, timeout_s=timeout_s, stream=stream
    )


__all__ = ["NO_KEY", "OpenAICompatibleModel", "StreamAssembler", "from_settings"]
