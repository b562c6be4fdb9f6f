"""Pure comparison of a returned JSON value with the expected one, and the partial-credit score."""

from __future__ import annotations

import math

DEFAULT_REL_TOL = 1e-9
DEFAULT_ABS_TOL = 1e-12


def values_equal(
    actual: object,
    expected: object,
    *,
    rel_tol: float = DEFAULT_REL_TOL,
    abs_tol: float = DEFAULT_ABS_TOL,
) -> bool:
    """Whether a returned value (decoded from JSON) matches the expected JSON value.

    Rules, applied recursively through lists and objects:

    - booleans equal booleans only (``True`` is not ``1``, as in JSON);
    - two integers compare exactly; a float on either side compares with
      ``math.isclose(actual, expected, rel_tol, abs_tol)``, and NaN matches NaN;
    - lists match element by element, objects key by key (same key set);
    - strings and ``null`` compare exactly.

    A tuple returned by the function arrives as a list, so it matches an expected list.

    Example:
        >>> values_equal(5, 5), values_equal(0.1 + 0.2, 0.3), values_equal(True, 1)
        (True, True, False)
        >>> values_equal({"a": [1, 2.0]}, {"a": [1, 2]}), values_equal("5", 5)
        (True, False)
    """
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        if isinstance(actual, int) and isinstance(expected, int):
            return actual == expected
        if math.isnan(actual) or math.isnan(expected):
            return math.isnan(actual) and math.isnan(expected)
        return math.isclose(actual, expected, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(
            values_equal(a, e, rel_tol=rel_tol, abs_tol=abs_tol)
            for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            values_equal(actual[key], expected[key], rel_tol=rel_tol, abs_tol=abs_tol)
            for key in expected
        )
    return type(actual) is type(expected) and actual == expected


def partial_credit_score(*, passed: int, total: int, partial_credit: bool) -> float:
    """Score of a programming item graded by running its tests (seed 002 §13.5).

    ``score = passed / total`` with partial credit ("based on % of test cases passed"),
    else ``1.0`` when every test passed and ``0.0`` otherwise.

    Example:
        2 of 3 tests passed:

        >>> round(partial_credit_score(passed=2, total=3, partial_credit=True), 4)
        0.6667
        >>> partial_credit_score(passed=2, total=3, partial_credit=False)
        0.0

    Raises:
        ValueError: ``total`` < 1, or ``passed`` outside ``0..total``.
    """
    if total < 1:
        raise ValueError(f"total: must be at least 1, got {total}")
    if not 0 <= passed <= total:
        raise ValueError(f"passed: must be within 0..{total}, got {passed}")
    if partial_credit:
        return passed / total
    return 1.0 if passed == total else 0.0


__all__ = ["DEFAULT_ABS_TOL", "DEFAULT_REL_TOL", "partial_credit_score", "values_equal"]
