"""Errors of the conversation store (each names the field and the rule it broke)."""

from __future__ import annotations


class ConversationError(Exception):
    """Base class: ``field`` and ``rule`` say what was wrong (for the 4xx body)."""

    def __init__(self, message: str, *, field: str, rule: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


class ConversationNotFoundError(ConversationError):
    """No such conversation (or turn) for this user: another user's id is not found either."""

    def __init__(self, value: str, *, field: str = "conversation_id") -> None:
        super().__init__(
            f"no {field.replace('_id', '')} {value!r}",
            field=field,
            rule="must name one of your conversations"
            if field == "conversation_id"
            else "must name a turn of the conversation",
        )
        self.value = value


class ConversationInputError(ConversationError):
    """A value the store refuses (unknown kind, reaction, origin, bad embedding ...)."""


__all__ = ["ConversationError", "ConversationInputError", "ConversationNotFoundError"]
