"""The LLM port, its adapters and the scripted model.

``ChatModel`` is the port; ``OpenAICompatibleModel`` (built by ``from_settings``) talks to any
OpenAI-compatible server and ``ScriptedModel`` replays answers with no network. Test helpers
are imported from their modules: ``assay.llm.fake_server`` (an OpenAI-compatible HTTP server
replaying a script) and ``assay.llm.local`` (llama.cpp's server on a bundled small model).
"""

from assay.llm.backoff import BackoffPolicy
from assay.llm.errors import (
    LLMConnectionError,
    LLMError,
    LLMRateLimitError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
)
from assay.llm.messages import Message, ModelResponse, ToolCall, ToolDefinition, Usage
from assay.llm.openai_compat import OpenAICompatibleModel, from_settings
from assay.llm.port import ChatModel
from assay.llm.scripted import ScriptedModel

__all__ = [
    "BackoffPolicy",
    "ChatModel",
    "LLMConnectionError",
    "LLMError",
    "LLMRateLimitError",
    "LLMRequestError",
    "LLMServerError",
    "LLMTimeoutError",
    "Message",
    "ModelResponse",
    "OpenAICompatibleModel",
    "ScriptedModel",
    "ToolCall",
    "ToolDefinition",
    "Usage",
    "from_settings",
]
