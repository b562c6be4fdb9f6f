"""Sessions: the status machine, the persisted loop, drivers and the use cases."""

from assay.sessions.driver import Driver, DriverContext, DriverTurn, Progress, ScriptDriver
from assay.sessions.engine import SessionLoop
from assay.sessions.errors import (
    AnswerConflictError,
    SessionConfigError,
    SessionError,
    SessionExpiredError,
    SessionNotFoundError,
    StaleToolCallError,
)
from assay.sessions.llm_driver import LLMDriver
from assay.sessions.requests import (
    CreateSessionRequest,
    EvaluationConfig,
    InlineItem,
    RespondRequest,
)
from assay.sessions.service import SessionService
from assay.sessions.status import InvalidActionError, SessionStatus

__all__ = [
    "AnswerConflictError",
    "CreateSessionRequest",
    "Driver",
    "DriverContext",
    "DriverTurn",
    "EvaluationConfig",
    "InlineItem",
    "InvalidActionError",
    "LLMDriver",
    "Progress",
    "RespondRequest",
    "ScriptDriver",
    "SessionConfigError",
    "SessionError",
    "SessionExpiredError",
    "SessionLoop",
    "SessionNotFoundError",
    "SessionService",
    "SessionStatus",
    "StaleToolCallError",
]
