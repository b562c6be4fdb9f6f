"""LLM errors.

Exception tree::

    LLMError
    ├── LLMTimeoutError      the call did not finish within ``timeout_s``
    ├── LLMRateLimitError    HTTP 429 after all retries
    ├── LLMServerError       HTTP 5xx after all retries
    │   └── LLMConnectionError   no response at all (refused, reset) after all retries
    └── LLMRequestError      HTTP 4xx other than 429, or a malformed response

Every error carries the HTTP ``status_code`` (``None`` when no response arrived) and the
number of ``attempts`` made.
"""


class LLMError(Exception):
    """Base class of every LLM failure.

    Args:
        message: What went wrong, for people.
        status_code: The last HTTP status, or ``None`` when no response arrived.
        attempts: How many attempts were made before giving up.
    """

    def __init__(self, message: str, *, status_code: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.attempts = attempts


class LLMTimeoutError(LLMError):
    """The call did not finish in time."""


class LLMRateLimitError(LLMError):
    """The server kept answering 429."""


class LLMServerError(LLMError):
    """The server kept answering 5xx."""


class LLMConnectionError(LLMServerError):
    """The server could not be reached (connection refused or reset)."""


class LLMRequestError(LLMError):
    """The request was refused (4xx) or the response could not be understood."""


__all__ = [
    "LLMConnectionError",
    "LLMError",
    "LLMRateLimitError",
    "LLMRequestError",
    "LLMServerError",
    "LLMTimeoutError",
]
