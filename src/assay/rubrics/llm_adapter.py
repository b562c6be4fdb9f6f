"""Accept the seed's LLM objects where Assay expects its :class:`~assay.llm.ChatModel` port.

The seed passes an ``AsyncLLMProvider`` (``await llm.complete(messages)`` with message objects
that have ``.role`` and ``.content``, returning an object with ``.content``, ``.model`` and
``.usage``). :func:`as_chat_model` wraps such an object - or a plain async function
``(messages) -> str`` - in :class:`ProviderChatModel`; a real ``ChatModel`` (for example
:class:`~assay.llm.ScriptedModel`) passes through unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from assay.llm import (
    ChatModel,
    LLMError,
    LLMRequestError,
    Message,
    ModelResponse,
    ToolDefinition,
    Usage,
)


def _usage(raw: Any) -> Usage:
    if isinstance(raw, Usage):
        return raw
    if isinstance(raw, dict):
        get = raw.get
    elif raw is not None:

        def get(key: str, default: Any = 0) -> Any:
            return getattr(raw, key, default)

    else:
        return Usage()
    return Usage(
        prompt_tokens=int(get("prompt_tokens", 0) or get("input_tokens", 0) or 0),
        completion_tokens=int(get("completion_tokens", 0) or get("output_tokens", 0) or 0),
    )


class ProviderChatModel:
    """A :class:`~assay.llm.ChatModel` over a seed-style provider or an async function.

    Messages are passed as :class:`~assay.llm.Message` objects (they have ``.role`` and
    ``.content``); generation parameters are forwarded only when the provider's ``complete``
    accepts them. Tools are not supported. A provider's own exceptions are raised as
    :class:`~assay.llm.LLMRequestError`.

    Args:
        provider: An object with ``async complete(messages, ...)``, or an async callable
            ``(messages) -> str | response``.
        name: Model name to record; defaults to the provider's ``model`` or ``name``.
    """

    def __init__(self, provider: Any, *, name: str | None = None) -> None:
        self._provider = provider
        self._call = provider.complete if hasattr(provider, "complete") else provider
        self._name = name or str(
            getattr(provider, "model", None) or getattr(provider, "name", "provider")
        )
        try:
            self._params = set(inspect.signature(self._call).parameters)
        except (TypeError, ValueError):  # pragma: no cover - builtins without signatures
            self._params = set()

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
        wanted = {
            "temperature": temperature,
            "max_tokens": max_tokens,
            "response_format": response_format,
        }
        kwargs = {k: v for k, v in wanted.items() if v is not None and k in self._params}
        try:
            raw = await self._call(list(messages), **kwargs)
        except LLMError:
            raise
        except Exception as exc:  # a foreign provider's error becomes the port's error
            raise LLMRequestError(f"{self._name}: {type(exc).__name__}: {exc}") from exc
        if isinstance(raw, ModelResponse):
            return raw
        if isinstance(raw, str):
            return ModelResponse(content=raw, model=self._name)
        content = getattr(raw, "content", None)
        return ModelResponse(
            content=None if content is None else str(content),
            model=str(getattr(raw, "model", "") or self._name),
            usage=_usage(getattr(raw, "usage", None)),
        )


def as_chat_model(llm: Any) -> ChatModel | None:
    """``llm`` as a :class:`~assay.llm.ChatModel` (``None`` stays ``None``).

    Raises:
        TypeError: If ``llm`` has no ``complete`` method and is not callable.
    """
    if llm is None or isinstance(llm, ChatModel):
        return llm
    if hasattr(llm, "complete") or callable(llm):
        return ProviderChatModel(llm)
    raise TypeError(
        "llm must be an assay.llm.ChatModel, an object with async complete(), or an async function"
    )


__all__ = ["ProviderChatModel", "as_chat_model"]
