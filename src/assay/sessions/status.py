"""The session status machine (seed 002 §3.1, issue 2 "Behaviour").

::

    PENDING ──start──> ACTIVE ──present──> AWAITING_CLIENT_ACTION ──respond──> ACTIVE ...
       │                 │                          │
       └─────────────────┴──────────┬───────────────┘
                                    ├─ complete  -> COMPLETED   (from ACTIVE only)
                                    ├─ terminate -> TERMINATED  (any non-terminal status)
                                    └─ expire    -> EXPIRED     (ACTIVE or AWAITING, past deadline)

An action the current status does not allow raises :class:`InvalidActionError`, which the API
answers with 409 naming the status.
"""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    """Lifecycle status of a session; the value is what the API shows."""

    PENDING = "pending"
    ACTIVE = "active"
    AWAITING_CLIENT_ACTION = "awaiting_client_action"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({SessionStatus.COMPLETED, SessionStatus.TERMINATED, SessionStatus.EXPIRED})

#: action -> (statuses it is allowed from, status it leads to; None = unchanged)
ACTIONS: dict[str, tuple[frozenset[SessionStatus], SessionStatus | None]] = {
    "start": (frozenset({SessionStatus.PENDING}), SessionStatus.ACTIVE),
    "stream": (
        frozenset(
            {SessionStatus.PENDING, SessionStatus.ACTIVE, SessionStatus.AWAITING_CLIENT_ACTION}
        ),
        None,
    ),
    "present": (frozenset({SessionStatus.ACTIVE}), SessionStatus.AWAITING_CLIENT_ACTION),
    "respond": (frozenset({SessionStatus.AWAITING_CLIENT_ACTION}), SessionStatus.ACTIVE),
    "complete": (frozenset({SessionStatus.ACTIVE}), SessionStatus.COMPLETED),
    "terminate": (
        frozenset(
            {SessionStatus.PENDING, SessionStatus.ACTIVE, SessionStatus.AWAITING_CLIENT_ACTION}
        ),
        SessionStatus.TERMINATED,
    ),
    "expire": (
        frozenset({SessionStatus.ACTIVE, SessionStatus.AWAITING_CLIENT_ACTION}),
        SessionStatus.EXPIRED,
    ),
    "results": (TERMINAL, None),
}


class InvalidActionError(Exception):
    """``action`` is not allowed while the session is in ``status``."""

    def __init__(self, action: str, status: SessionStatus, detail: str | None = None) -> None:
        allowed = ", ".join(sorted(s.value for s in ACTIONS[action][0]))
        message = detail or (
            f"cannot {action} a session whose status is '{status.value}' (allowed from: {allowed})"
        )
        super().__init__(message)
        self.action = action
        self.status = status


def transition(status: SessionStatus, action: str) -> SessionStatus:
    """The status after ``action`` from ``status``.

    Example:
        >>> transition(SessionStatus.ACTIVE, "present")
        <SessionStatus.AWAITING_CLIENT_ACTION: 'awaiting_client_action'>

    Raises:
        InvalidActionError: If ``status`` does not allow ``action``.
        KeyError: For an unknown action.
    """
    allowed, target = ACTIONS[action]
    if status not in allowed:
        raise InvalidActionError(action, status)
    return status if target is None else target


__all__ = ["ACTIONS", "TERMINAL", "InvalidActionError", "SessionStatus", "transition"]
