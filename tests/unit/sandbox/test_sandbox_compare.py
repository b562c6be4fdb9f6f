"""values_equal and partial_credit_score: tables."""

from __future__ import annotations

import math

import pytest

from assay.sandbox import partial_credit_score, values_equal


@pytest.mark.parametrize(
    ("actual", "expected", "equal"),
    [
        (5, 5, True),
        (5, 6, False),
        (5.0, 5, True),
        (0.1 + 0.2, 0.3, True),
        (0.3001, 0.3, False),
        (True, True, True),
        (True, 1, False),
        (1, True, False),
        (0, False, False),
        ("5", 5, False),
        ("héllo", "héllo", True),
        (None, None, True),
        (None, 0, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ([1, 2], [1, 2, 3], False),
        ([[1.0], {"a": 2}], [[1], {"a": 2}], True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ({"a": True}, {"a": 1}, False),
        (math.nan, math.nan, True),
        (math.nan, 1.0, False),
        (math.inf, math.inf, True),
        ([1], {"0": 1}, False),
    ],
)
def test_values_equal(actual: object, expected: object, equal: bool) -> None:
    assert values_equal(actual, expected) is equal


def test_values_equal_tolerances_are_adjustable() -> None:
    assert not values_equal(1.01, 1.0)
    assert values_equal(1.01, 1.0, rel_tol=0.02)
    assert values_equal(1e-13, 0.0)  # default absolute tolerance
    assert not values_equal(1e-13, 0.0, abs_tol=0.0)


@pytest.mark.parametrize(
    ("passed", "total", "partial_credit", "score"),
    [
        (3, 3, True, 1.0),
        (2, 3, True, 2 / 3),
        (0, 3, True, 0.0),
        (1, 4, True, 0.25),
        (3, 3, False, 1.0),
        (2, 3, False, 0.0),
        (0, 1, False, 0.0),
    ],
)
def test_partial_credit_score(passed: int, total: int, partial_credit: bool, score: float) -> None:
    assert partial_credit_score(passed=passed, total=total, partial_credit=partial_credit) == score


@pytest.mark.parametrize(
    ("passed", "total", "message"),
    [(0, 0, "total: must be at least 1"), (4, 3, "passed: must be within 0..3"), (-1, 3, "passed")],
)
def test_partial_credit_score_rejects_impossible_counts(
    passed: int, total: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        partial_credit_score(passed=passed, total=total, partial_credit=True)
