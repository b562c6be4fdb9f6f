"""The retry policy of model calls, as tables."""

from __future__ import annotations

import pytest

from assay.llm.backoff import BackoffPolicy, is_retryable, parse_retry_after_s

DEFAULT = BackoffPolicy()  # 4 attempts, 0.5 s base, x2, 20 s cap, ±25 % jitter


@pytest.mark.parametrize(
    ("attempt", "status_code", "retry_after_s", "u", "expected_s"),
    [
        # the worked example of the module docstring
        (1, 503, None, 0.5, 0.5),
        (2, 503, None, 0.5, 1.0),
        (3, 503, None, 0.5, 2.0),
        (4, 503, None, 0.5, None),  # attempts exhausted
        (1, 503, None, 0.0, 0.375),  # lowest jitter: 0.5 * (1 - 0.25)
        (1, 503, None, 0.99, 0.5 * (1 + 0.25 * 0.98)),
        (1, 429, 3.0, 0.5, 3.0),  # Retry-After replaces the formula
        (1, 429, 3.0, 0.0, 3.0),  # ... and takes no jitter
        (1, 429, 60.0, 0.5, 20.0),  # ... capped at max_delay_s
        (1, 429, 0.0, 0.5, 0.0),
        (1, 429, None, 0.5, 0.5),
        (1, None, None, 0.5, 0.5),  # connection failure
        (1, 500, None, 0.5, 0.5),
        (1, 599, None, 0.5, 0.5),
        (1, 400, None, 0.5, None),  # not transient
        (1, 401, None, 0.5, None),
        (1, 404, None, 0.5, None),
        (1, 422, None, 0.5, None),
        (1, 400, 3.0, 0.5, None),  # a Retry-After does not make a 400 transient
        (3, 429, 3.0, 0.5, 3.0),
        (4, 429, 3.0, 0.5, None),
    ],
)
def test_default_policy_table(
    attempt: int,
    status_code: int | None,
    retry_after_s: float | None,
    u: float,
    expected_s: float | None,
) -> None:
    got = DEFAULT.retry_delay_s(
        attempt=attempt, status_code=status_code, retry_after_s=retry_after_s, u=u
    )
    assert got == (pytest.approx(expected_s) if expected_s is not None else None)


@pytest.mark.parametrize(
    ("policy", "attempt", "expected_s"),
    [
        (BackoffPolicy(max_attempts=10, base_delay_s=1.0, jitter_ratio=0), 6, 20.0),  # 32 -> cap
        (BackoffPolicy(max_attempts=10, base_delay_s=1.0, jitter_ratio=0), 5, 16.0),
        (BackoffPolicy(max_attempts=10, base_delay_s=1.0, multiplier=3, jitter_ratio=0), 3, 9.0),
        (BackoffPolicy(max_attempts=10, base_delay_s=2.0, multiplier=1, jitter_ratio=0), 7, 2.0),
        (BackoffPolicy(max_attempts=1), 1, None),  # retries disabled
        (BackoffPolicy(max_attempts=2, base_delay_s=0.001), 1, 0.001),
        (BackoffPolicy(max_attempts=2, base_delay_s=0.001), 2, None),
    ],
)
def test_policy_parameters(policy: BackoffPolicy, attempt: int, expected_s: float | None) -> None:
    got = policy.retry_delay_s(attempt=attempt, status_code=502)
    assert got == (pytest.approx(expected_s) if expected_s is not None else None)


def test_jitter_stays_within_its_ratio() -> None:
    policy = BackoffPolicy(base_delay_s=1.0, jitter_ratio=0.5)
    delays = [policy.retry_delay_s(attempt=1, status_code=500, u=i / 100) for i in range(100)]
    assert all(d is not None and 0.5 <= d < 1.5 for d in delays)
    assert delays == sorted(delays)  # monotone in u


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("max_attempts", {"max_attempts": 0}),
        ("base_delay_s", {"base_delay_s": -1}),
        ("multiplier", {"multiplier": 0.5}),
        ("max_delay_s", {"max_delay_s": -0.1}),
        ("jitter_ratio", {"jitter_ratio": 1.5}),
        ("jitter_ratio", {"jitter_ratio": -0.1}),
    ],
)
def test_bad_policy_names_the_field(field: str, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=field):
        BackoffPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status_code", "expected"),
    [
        *[(code, True) for code in (None, 429, 500, 502, 503, 504, 599)],
        *[(code, False) for code in (400, 401, 403, 404, 408, 422, 200, 600)],
    ],
)
def test_is_retryable(status_code: int | None, expected: bool) -> None:
    assert is_retryable(status_code) is expected


@pytest.mark.parametrize(
    ("header", "expected_s"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        (None, None),
        ("", None),
        ("-2", None),
        ("soon", None),
        ("nan", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),  # HTTP-date form is not supported
    ],
)
def test_parse_retry_after(header: str | None, expected_s: float | None) -> None:
    assert parse_retry_after_s(header) == expected_s
