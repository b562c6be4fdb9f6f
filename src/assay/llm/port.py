"""The LLM port: one small async Protocol every model adapter implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from assay.llm.messages import Message, ModelResponse, ToolDefinition


@runtime_checkable
class ChatModel(Protocol):
    """An async chat model: messages and tool definitions in, a :class:`ModelResponse` out.

    Implementations: ``OpenAICompatibleModel`` (any OpenAI-compatible server) and
    ``ScriptedModel`` (responses from a list or a function, for tests and demos).
    """

    @property
    def name(self) -> str:
        """The model's name, as recorded with each call."""
        ...

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
        """Run one chat completion.

        Raises:
            assay.llm.errors.LLMError: On a transport, HTTP or protocol failure after retries.
        """
        ...


__all__ = ["ChatModel"]
