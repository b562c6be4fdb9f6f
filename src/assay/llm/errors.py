"""LLM errors.

Exception tree::

    LLMError
    ├── LLMTimeoutError      the call did not finish within ``timeout_s``
    ├── LLMRateLimitError    HTTP 429 after all retries
    ├── LLMServerError       HTTP 5xx after all retries
    └── LLMRequestError      HTTP 4xx other than 429, or a malformed response
"""


class LLMError(Exception):
    """Base class of every LLM failure."""


class LLMTimeoutError(LLMError):
    """The call did not finish in time."""


class LLMRateLimitError(LLMError):
    """The server kept answering 429."""


class LLMServerError(LLMError):
    """The server kept answering 5xx."""


class LLMRequestError(LLMError):
    """The request was refused (4xx) or the response could not be understood."""


__all__ = ["LLMError", "LLMRateLimitError", "LLMRequestError", "LLMServerError", "LLMTimeoutError"]
