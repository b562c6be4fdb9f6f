"""The LLM port, its adapters and the scripted model."""

from assay.llm.errors import (
    LLMError,
    LLMRateLimitError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
)
from assay.llm.messages import Message, ModelResponse, ToolCall, ToolDefinition, Usage
from assay.llm.port import ChatModel
from assay.llm.scripted import ScriptedModel

__all__ = [
    "ChatModel",
    "LLMError",
    "LLMRateLimitError",
    "LLMRequestError",
    "LLMServerError",
    "LLMTimeoutError",
    "Message",
    "ModelResponse",
    "ScriptedModel",
    "ToolCall",
    "ToolDefinition",
    "Usage",
]
