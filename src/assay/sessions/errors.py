"""Session errors. The API maps them to HTTP answers naming the field and the rule.

::

    SessionError
    ├── SessionNotFoundError   404: no such session for this user
    ├── SessionConfigError     422: a config field breaks a rule (``field``, ``rule``)
    ├── StaleToolCallError     409: ``tool_call_id`` is not the pending client action
    ├── AnswerConflictError    409: ``tool_call_id`` was answered before with another answer
    └── SessionExpiredError    409: the time limit passed; the session is now EXPIRED
    InvalidActionError         409: the status does not allow the action (status.py)
    ResponseError              422: the widget payload does not fit the item (items.instance)
"""

from __future__ import annotations


class SessionError(Exception):
    """Base class of session errors."""


class SessionNotFoundError(SessionError):
    """No session with this id belongs to the user."""

    def __init__(self, session_id: str) -> None:
        super().__init__(f"session {session_id!r} not found")
        self.session_id = session_id


class SessionConfigError(SessionError):
    """A session config breaks a rule."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class StaleToolCallError(SessionError):
    """A response names a tool call that is not the pending client action."""

    def __init__(self, tool_call_id: str, pending: str | None) -> None:
        detail = (
            "no client action is pending" if pending is None else f"the pending one is {pending!r}"
        )
        super().__init__(f"tool_call_id {tool_call_id!r} is stale or unknown: {detail}")
        self.tool_call_id = tool_call_id
        self.pending = pending


class AnswerConflictError(SessionError):
    """A second answer to a tool call differs from the one recorded; the first one stands.

    Attributes:
        tool_call_id: The tool call answered twice.
        answered_at: When the recorded answer arrived (UTC ISO-8601).
    """

    def __init__(self, tool_call_id: str, answered_at: str | None) -> None:
        super().__init__(
            f"tool call {tool_call_id!r} was already answered at {answered_at} with a different "
            "answer; the recorded answer stands (send the same answer again to read its result)"
        )
        self.tool_call_id = tool_call_id
        self.answered_at = answered_at


class SessionExpiredError(SessionError):
    """The session's time limit passed before the answer arrived."""

    def __init__(self, session_id: str, deadline_at: str | None) -> None:
        super().__init__(
            f"session {session_id!r} expired at {deadline_at}: the answer was not recorded; "
            "answers given before the deadline are kept"
        )
        self.session_id = session_id
        self.deadline_at = deadline_at


__all__ = [
    "AnswerConflictError",
    "SessionConfigError",
    "SessionError",
    "SessionExpiredError",
    "SessionNotFoundError",
    "StaleToolCallError",
]
