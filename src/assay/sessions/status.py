"""The session status machine (seed 002 §3.1, issue 2 "Behaviour").

::

    PENDING ──start──> ACTIVE ──present──> AWAITING_CLIENT_ACTION ──respond──> ACTIVE ...
       │                 │                          │
       └─────────────────┴──────────┬───────────────┘
                                    ├─ complete  -> COMPLETED   (from ACTIVE only)
                                    ├─ terminate -> TERMINATED  (any non-terminal status)
                                    └─ expire    -> EXPIRED     (ACTIVE or AWAITING, past deadline)

An action the current status does not allow raises :class:`InvalidActionError`, which the API
answers with 409 naming the status in a sentence (:func:`refusal`).
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


def refusal(action: str, status: SessionStatus) -> str:
    """Why ``status`` does not allow ``action``, as a sentence ending in ``(status: <status>)``.

    Example:
        >>> refusal("results", SessionStatus.PENDING)
        'results are available once the session has ended (status: pending)'

    Raises:
        KeyError: For an unknown action.
    """
    ACTIONS[action]  # unknown actions raise KeyError
    if action == "respond":
        reason = (
            "the session has ended and takes no more answers"
            if status.is_terminal
            else "no question is waiting for an answer; open the stream to get the next one"
        )
    elif action in ("stream", "terminate") or (action == "expire" and status.is_terminal):
        reason = "the session has already ended"
    else:
        reason = _REFUSALS[action]
    return f"{reason} (status: {status.value})"


#: The sentence of an action whose refusal does not depend on the status.
_REFUSALS = {
    "start": "a session starts once, while it is pending",
    "present": "an item is presented only while the session is active",
    "complete": "a session completes only while it is active",
    "expire": "a session that has not started cannot expire",
    "results": "results are available once the session has ended",
}


class InvalidActionError(Exception):
    """``action`` is not allowed while the session is in ``status``.

    The message is a sentence naming the status (:func:`refusal`), e.g. "the session has
    already ended (status: terminated)".
    """

    def __init__(self, action: str, status: SessionStatus, detail: str | None = None) -> None:
        super().__init__(detail or refusal(action, status))
        self.action = action
        self.status = status

    @property
    def allowed(self) -> list[str]:
        """The statuses that allow the action, sorted."""
        return sorted(s.value for s in ACTIONS[self.action][0])


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


__all__ = [
    "ACTIONS",
    "TERMINAL",
    "InvalidActionError",
    "SessionStatus",
    "refusal",
    "transition",
]
