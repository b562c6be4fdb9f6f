"""Chat messages, tool calls and tool definitions in the OpenAI chat-completions shape.

One transcript format for every driver: the script driver and the LLM driver both write
these messages to a session's message log, and an LLM adapter sends them unchanged.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant", "tool"]


class ToolCall(BaseModel):
    """One tool call proposed by an assistant message.

    Attributes:
        id: Tool call id, unique within a session (for example ``"call_3_present_choices"``).
        name: Name of the tool to run.
        arguments: The arguments as a JSON text, exactly as a model produced them (may be
            malformed; parse with :meth:`parsed_arguments`).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    arguments: str = "{}"

    def parsed_arguments(self) -> dict[str, Any]:
        """Return the arguments as a dict.

        Raises:
            ValueError: If the arguments are not a JSON object.
        """
        value = json.loads(self.arguments or "{}")
        if not isinstance(value, dict):
            raise ValueError("tool call arguments must be a JSON object")
        return value

    def to_openai(self) -> dict[str, Any]:
        """Return the OpenAI wire shape ``{"id", "type": "function", "function": {...}}``."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


class Message(BaseModel):
    """One chat message.

    Attributes:
        role: ``system``, ``user``, ``assistant`` or ``tool``.
        content: Text content; ``None`` for an assistant message that only calls tools.
        tool_calls: Tool calls of an assistant message.
        tool_call_id: For a ``tool`` message, the id of the call it answers.
        name: For a ``tool`` message, the tool's name.
    """

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def system(cls, content: str) -> Message:
        return cls(role="system", content=content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls(role="user", content=content)

    @classmethod
    def assistant(
        cls, content: str | None = None, tool_calls: list[ToolCall] | None = None
    ) -> Message:
        return cls(role="assistant", content=content, tool_calls=list(tool_calls or []))

    @classmethod
    def tool_result(cls, tool_call_id: str, name: str, result: Any) -> Message:
        """Build a ``tool`` message; ``result`` is JSON-encoded unless it is already text."""
        content = result if isinstance(result, str) else json.dumps(result, sort_keys=True)
        return cls(role="tool", content=content, tool_call_id=tool_call_id, name=name)

    def to_openai(self) -> dict[str, Any]:
        """Return the OpenAI chat-completions wire shape of this message."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [tc.to_openai() for tc in self.tool_calls]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.role == "tool" and self.name is not None:
            out["name"] = self.name
        return out


class ToolDefinition(BaseModel):
    """A tool offered to a model: a name, a description and a JSON Schema for its arguments."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    parameters: dict[str, Any]

    def to_openai(self) -> dict[str, Any]:
        """Return the OpenAI ``tools`` entry ``{"type": "function", "function": {...}}``."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


class Usage(BaseModel):
    """Token usage of one model call."""

    prompt_tokens: int = 0
    """Tokens in the request (system, messages and tool definitions)."""
    completion_tokens: int = 0
    """Tokens the model generated."""

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ModelResponse(BaseModel):
    """What one model call returned.

    Attributes:
        content: Text content, if any.
        tool_calls: Tool calls, possibly empty.
        usage: Token usage.
        model: Model name as the server reported it.
        latency_ms: Wall time of the call in milliseconds.
        finish_reason: The server's finish reason (``stop``, ``tool_calls``, ``length``...).
    """

    content: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    model: str = ""
    latency_ms: float = 0.0
    finish_reason: str | None = None

    def as_message(self) -> Message:
        """The assistant message this response adds to a transcript."""
        return Message.assistant(self.content, self.tool_calls)


__all__ = ["Message", "ModelResponse", "Role", "ToolCall", "ToolDefinition", "Usage"]
