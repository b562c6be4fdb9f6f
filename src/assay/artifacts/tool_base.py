"""A small tool protocol for LLM tools that need the caller's context.

:class:`ContextAwareTool` has a name, a description and a JSON Schema of its arguments
(:meth:`definition` gives the :class:`assay.llm.ToolDefinition` sent to a model).
:meth:`ContextAwareTool.execute_with_context` checks the arguments against the schema and
answers a bad or missing one with an error result naming the field (never an exception: a
model omitting an argument is routine), then calls the tool's :meth:`run`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from assay.llm import ToolDefinition


@dataclass
class ToolExecutionContext:
    """Who is calling a tool, and from where.

    Attributes:
        conversation_id: Conversation (session) id, if any.
        user_id: Acting user's id; artifact tools scope to that user's artifacts when set.
        client_id: Client identifier, if any.
        extra: Anything else.
    """

    conversation_id: str | None = None
    user_id: str | None = None
    client_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> ToolExecutionContext:
        """A context with nothing set (no user scope)."""
        return cls()


class ContextAwareTool(ABC):
    """Base of tools that receive a :class:`ToolExecutionContext`.

    Args:
        name: Tool name as the model sees it.
        description: What the tool does, for the model.
    """

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self._validator: Draft202012Validator | None = None

    @property
    @abstractmethod
    def schema(self) -> dict[str, Any]:
        """JSON Schema of the arguments (an ``object`` schema)."""

    @abstractmethod
    async def run(self, context: ToolExecutionContext, args: dict[str, Any]) -> dict[str, Any]:
        """Do the work with checked arguments (``None`` values dropped); return a JSON-ready
        result."""

    def definition(self) -> ToolDefinition:
        """The tool as offered to a model."""
        return ToolDefinition(name=self.name, description=self.description, parameters=self.schema)

    def argument_error(self, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """An error result for the first missing or invalid argument, or ``None``."""
        for name in self.schema.get("required", []):
            if arguments.get(name) is None:
                return _error(name, "is required", f"Missing required argument '{name}'")
        present = {k: v for k, v in arguments.items() if v is not None}
        if self._validator is None:
            self._validator = Draft202012Validator(self.schema)
        for err in sorted(self._validator.iter_errors(present), key=lambda e: list(e.path)):
            path = ".".join(str(p) for p in err.absolute_path) or "arguments"
            return _error(path, err.message, f"Invalid argument '{path}': {err.message}")
        return None

    async def execute_with_context(
        self, context: ToolExecutionContext, **arguments: Any
    ) -> dict[str, Any]:
        """Check ``arguments`` against :attr:`schema`, then :meth:`run` the tool.

        Returns:
            The tool's result, or ``{"error", "message", "field", "rule"}`` for a bad argument.
        """
        error = self.argument_error(arguments)
        if error is not None:
            return error
        return await self.run(context, {k: v for k, v in arguments.items() if v is not None})

    async def execute(
        self, _context: ToolExecutionContext | None = None, **arguments: Any
    ) -> dict[str, Any]:
        """:meth:`execute_with_context` with an empty context by default."""
        return await self.execute_with_context(
            _context or ToolExecutionContext.empty(), **arguments
        )


def _error(field_name: str, rule: str, message: str) -> dict[str, Any]:
    return {"error": "invalid_arguments", "message": message, "field": field_name, "rule": rule}


__all__ = ["ContextAwareTool", "ToolExecutionContext"]
