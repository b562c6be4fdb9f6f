"""When to retry a failed model call, and how long to wait first.

A pure policy object, like procrastinate's ``RetryStrategy``: it reads the attempt number and
what went wrong and returns a delay in seconds, or ``None`` to give up. The adapter does the
sleeping, so the policy is tested by tables with no clock.

Formula (exponential backoff with bounded jitter, after AWS's "Exponential Backoff and
Jitter", 2015)::

    base_n  = min(max_delay_s, base_delay_s * multiplier ** (n - 1))
    delay_n = base_n * (1 + jitter_ratio * (2 * u - 1))        u in [0, 1)

where ``n`` is the number of the attempt that just failed (1 for the first call). A
``Retry-After`` the server sent replaces the formula, capped at ``max_delay_s``.

Worked example with the defaults (``max_attempts=4``, ``base_delay_s=0.5``, ``multiplier=2``,
``max_delay_s=20``, ``jitter_ratio=0.25``) and ``u=0.5`` (no jitter): a 503 on attempt 1 waits
0.5 s, on attempt 2 waits 1.0 s, on attempt 3 waits 2.0 s, and on attempt 4 gives up
(``None``); with ``u=0`` attempt 1 waits 0.375 s, with ``u`` near 1 almost 0.625 s. A 429
with ``Retry-After: 3`` waits 3.0 s; a 400 never retries.
"""

from __future__ import annotations

from dataclasses import dataclass

RETRYABLE_STATUS_CODES = frozenset({429})
"""4xx statuses worth retrying (every 5xx is retried too)."""


def is_retryable(status_code: int | None) -> bool:
    """Whether a failure is transient.

    Args:
        status_code: The HTTP status, or ``None`` when no response arrived (connection refused
            or reset).

    Returns:
        True for 429, every 5xx and connection failures; False for other 4xx.
    """
    if status_code is None:
        return True
    return status_code in RETRYABLE_STATUS_CODES or 500 <= status_code <= 599


@dataclass(frozen=True, kw_only=True)
class BackoffPolicy:
    """Exponential backoff with jitter for model calls.

    Attributes:
        max_attempts: Total attempts, the first call included (1 disables retries).
        base_delay_s: Delay after the first failed attempt, in seconds.
        multiplier: Growth factor of the delay per attempt.
        max_delay_s: Upper bound of any delay, ``Retry-After`` included, in seconds.
        jitter_ratio: Spread of the delay around its base, as a fraction (0.25 = ±25 %).

    Raises:
        ValueError: On construction, naming the field, if a value is out of range.
    """

    max_attempts: int = 4
    base_delay_s: float = 0.5
    multiplier: float = 2.0
    max_delay_s: float = 20.0
    jitter_ratio: float = 0.25

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay_s < 0:
            raise ValueError("base_delay_s must be >= 0")
        if self.multiplier < 1:
            raise ValueError("multiplier must be >= 1")
        if self.max_delay_s < 0:
            raise ValueError("max_delay_s must be >= 0")
        if not 0 <= self.jitter_ratio <= 1:
            raise ValueError("jitter_ratio must be between 0 and 1")

    def retry_delay_s(
        self,
        *,
        attempt: int,
        status_code: int | None,
        retry_after_s: float | None = None,
        u: float = 0.5,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up.

        Args:
            attempt: Number of the attempt that just failed, starting at 1.
            status_code: Its HTTP status, or ``None`` for a connection failure.
            retry_after_s: The server's ``Retry-After``, in seconds, if it sent one.
            u: A uniform random number in [0, 1) for the jitter; 0.5 means no jitter.

        Returns:
            The delay in seconds (see the module docstring for the formula), or ``None`` when
            the failure is not transient or no attempts are left.
        """
        if attempt >= self.max_attempts or not is_retryable(status_code):
            return None
        if retry_after_s is not None and retry_after_s >= 0:
            return min(retry_after_s, self.max_delay_s)
        base = min(self.max_delay_s, self.base_delay_s * self.multiplier ** (attempt - 1))
        return base * (1 + self.jitter_ratio * (2 * u - 1))


def parse_retry_after_s(value: str | None) -> float | None:
    """Read a ``Retry-After`` header given in seconds (RFC 9110 §10.2.3).

    Args:
        value: The header value, e.g. ``"3"`` or ``"1.5"``; an HTTP date is not supported.

    Returns:
        The delay in seconds, or ``None`` if the header is absent or not a number of seconds.
    """
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


__all__ = ["RETRYABLE_STATUS_CODES", "BackoffPolicy", "is_retryable", "parse_retry_after_s"]
