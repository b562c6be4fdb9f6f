"""A scripted chat model for tests, demos and users' own tests (no network).

Like pydantic-ai's ``FunctionModel``: give it a list of responses, replayed in order, or a
function of the messages (and tools) that returns the next response.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from assay.llm.errors import LLMRequestError
from assay.llm.messages import Message, ModelResponse, ToolCall, ToolDefinition, Usage

ScriptStep = str | ModelResponse | ToolCall | list[ToolCall]
ScriptFunction = Callable[[list[Message], list[ToolDefinition]], ScriptStep]


class ScriptedModel:
    """A :class:`~assay.llm.port.ChatModel` whose answers are scripted.

    Args:
        script: A list of steps replayed in order, or a function
            ``(messages, tools) -> step``. A step is a text (an answer with no tool call), a
            :class:`ToolCall` or a list of them (an answer that calls tools), or a full
            :class:`ModelResponse`.
        name: Model name reported in responses.

    Every call is kept in :attr:`calls` as ``(messages, tools)`` so that tests can inspect
    exactly what a model would have been sent. Usage is estimated as characters / 4.

    Raises:
        LLMRequestError: From :meth:`complete` when a list script is exhausted.

    Example:
        >>> model = ScriptedModel(["hello"])
        >>> import asyncio
        >>> asyncio.run(model.complete([Message.user("hi")])).content
        'hello'
    """

    def __init__(
        self, script: Sequence[ScriptStep] | ScriptFunction, *, name: str = "scripted"
    ) -> None:
        self._name = name
        self._function: ScriptFunction | None = None
        self._steps: list[ScriptStep] = []
        if callable(script):
            self._function = script
        else:
            self._steps = list(script)
        self._index = 0
        self.calls: list[tuple[list[Message], list[ToolDefinition]]] = []

    @property
    def name(self) -> str:
        return self._name

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
        started = time.perf_counter()
        msgs, tool_defs = list(messages), list(tools or [])
        self.calls.append((msgs, tool_defs))
        if self._function is not None:
            step = self._function(msgs, tool_defs)
        else:
            if self._index >= len(self._steps):
                raise LLMRequestError(
                    f"scripted model exhausted after {len(self._steps)} responses"
                )
            step = self._steps[self._index]
            self._index += 1
        response = _to_response(step, self._name)
        prompt_chars = sum(len(m.model_dump_json()) for m in msgs) + sum(
            len(t.model_dump_json()) for t in tool_defs
        )
        completion_chars = len(response.content or "") + sum(
            len(tc.arguments) + len(tc.name) for tc in response.tool_calls
        )
        return response.model_copy(
            update={
                "usage": response.usage
                if response.usage.prompt_tokens
                else Usage(
                    prompt_tokens=prompt_chars // 4, completion_tokens=completion_chars // 4
                ),
                "latency_ms": (time.perf_counter() - started) * 1000,
            }
        )


def _to_response(step: ScriptStep, model: str) -> ModelResponse:
    if isinstance(step, ModelResponse):
        return step if step.model else step.model_copy(update={"model": model})
    if isinstance(step, str):
        return ModelResponse(content=step, model=model, finish_reason="stop")
    calls = [step] if isinstance(step, ToolCall) else list(step)
    return ModelResponse(tool_calls=calls, model=model, finish_reason="tool_calls")


__all__ = ["ScriptFunction", "ScriptStep", "ScriptedModel"]
