"""Column analysis of the written algorithms: carries, borrows, long-division steps."""

import pytest

from assay.items.columns import (
    add_carries,
    column_digits,
    digit_count,
    long_division,
    multiplication_carries,
    subtraction_borrows,
)


@pytest.mark.parametrize(
    ("a", "b", "carries"),
    [
        (23, 41, 0),
        (47, 38, 1),  # seed 002 §13.6: single carry
        (67, 58, 2),  # carry in ones and tens
        (50, 50, 1),  # carry out of the tens only
        (999, 1, 3),
        (5, 4, 0),
        (7, 8, 1),
        (0, 0, 0),
        (455, 545, 3),
    ],
)
def test_add_carries(a: int, b: int, carries: int) -> None:
    assert add_carries(a, b) == carries


@pytest.mark.parametrize(
    ("a", "b", "borrows", "across_zero"),
    [
        (58, 23, 0, 0),
        (52, 38, 1, 0),
        (302, 178, 2, 1),  # ones borrow from a 0 ten, which borrows again
        (1000, 1, 3, 2),
        (91, 19, 1, 0),
        (600, 599, 2, 1),
        (9, 9, 0, 0),
        (405, 127, 2, 1),  # 5 < 7 borrows from the 0 ten, which (now -1) borrows from the 4
    ],
)
def test_subtraction_borrows(a: int, b: int, borrows: int, across_zero: int) -> None:
    assert subtraction_borrows(a, b) == (borrows, across_zero)


def test_subtraction_borrows_rejects_negative_difference() -> None:
    with pytest.raises(ValueError, match="a: must be >= b"):
        subtraction_borrows(3, 4)


@pytest.mark.parametrize(
    ("a", "b", "carries"),
    [
        (47, 6, 1),  # 7·6 = 42 carries; 4·6 + 4 = 28 is written whole
        (21, 3, 0),
        (7, 8, 0),  # a single fact is written whole
        (999, 9, 2),
        (105, 5, 1),  # 5·5 = 25 carries; 0·5 + 2 = 2 does not; 1·5 written whole
        (47, 36, 2),  # one carry per row
        (12, 11, 0),
    ],
)
def test_multiplication_carries(a: int, b: int, carries: int) -> None:
    assert multiplication_carries(a, b) == carries


@pytest.mark.parametrize(
    ("dividend", "divisor", "steps"),
    [
        (672, 8, [(8, 3), (4, 0)]),
        (824, 4, [(2, 0), (0, 2), (6, 0)]),
        (56, 7, [(8, 0)]),
        (96, 8, [(1, 1), (2, 0)]),
        (0, 5, [(0, 0)]),
        (3, 5, [(0, 3)]),
    ],
)
def test_long_division(dividend: int, divisor: int, steps: list[tuple[int, int]]) -> None:
    result = long_division(dividend, divisor)
    assert result == steps
    assert int("".join(str(q) for q, _ in result)) == dividend // divisor


def test_long_division_rejects_zero_divisor() -> None:
    with pytest.raises(ValueError, match="divisor"):
        long_division(10, 0)


@pytest.mark.parametrize(("n", "count"), [(0, 1), (9, 1), (10, 2), (999, 3), (1000, 4)])
def test_digit_count(n: int, count: int) -> None:
    assert digit_count(n) == count


def test_column_digits_pads_from_the_ones_up() -> None:
    assert column_digits(47, 4) == [7, 4, 0, 0]
