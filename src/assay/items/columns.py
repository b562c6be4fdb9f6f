"""Column (place-value) analysis of the four written algorithms on non-negative integers.

Pure functions used by the arithmetic generators to read difficulty features off the operands
and by the distractor strategies to reproduce classic procedural bugs.
"""

from __future__ import annotations

__all__ = [
    "add_carries",
    "column_digits",
    "digit_count",
    "long_division",
    "multiplication_carries",
    "subtraction_borrows",
]


def digit_count(n: int) -> int:
    """Number of decimal digits of ``n >= 0`` (``digit_count(0) == 1``)."""
    return len(str(abs(n)))


def column_digits(n: int, width: int) -> list[int]:
    """Digits of ``n >= 0`` from the ones column up, zero-padded to ``width`` columns."""
    out = []
    for _ in range(width):
        out.append(n % 10)
        n //= 10
    return out


def add_carries(a: int, b: int) -> int:
    """Number of columns of ``a + b`` that carry (a carry out of the top column counts).

    Example: 47 + 38 -> 1 (7 + 8 = 15); 67 + 58 -> 2; 23 + 41 -> 0.
    """
    carry = count = 0
    while a or b:
        carry = 1 if a % 10 + b % 10 + carry >= 10 else 0
        count += carry
        a //= 10
        b //= 10
    return count


def subtraction_borrows(a: int, b: int) -> tuple[int, int]:
    """``(borrows, borrows_across_zero)`` of the written subtraction ``a - b`` (``a >= b``).

    A column borrows when its (already lent-from) minuend digit is smaller than the subtrahend
    digit; a borrow is *across zero* when the digit it borrows from is a 0 of the minuend, which
    forces a chain of borrows (302 - 178: two borrows, one across zero).

    Raises:
        ValueError: ``a < b``.
    """
    if a < b:
        raise ValueError(f"a: must be >= b for a non-negative difference, got {a} < {b}")
    width = digit_count(a)
    top, bottom = column_digits(a, width), column_digits(b, width)
    borrow = borrows = across_zero = 0
    for i in range(width):
        if top[i] - borrow < bottom[i]:
            borrows += 1
            if i + 1 < width and top[i + 1] == 0:
                across_zero += 1
            borrow = 1
        else:
            borrow = 0
    return borrows, across_zero


def multiplication_carries(a: int, b: int) -> int:
    """Carries written while forming the partial products of ``a × b`` (``b`` the multiplier).

    For each multiplier digit, each digit product of the multiplicand that (with the incoming
    carry) reaches 10 and is not the leftmost one counts once: 47 × 6 -> 1 (7·6 = 42 carries
    4; 4·6 + 4 = 28 is written whole).
    """
    count = 0
    for m in (int(ch) for ch in str(b)):
        carry = 0
        digits = column_digits(a, digit_count(a))
        for i, d in enumerate(digits):
            p = d * m + carry
            carry = p // 10
            if carry and i < len(digits) - 1:
                count += 1
    return count


def long_division(dividend: int, divisor: int) -> list[tuple[int, int]]:
    """Steps ``(quotient_digit, remainder)`` of the written long division.

    Leading partial dividends smaller than the divisor are brought down without a step, so the
    steps match the quotient's digits: 672 ÷ 8 -> ``[(8, 3), (4, 0)]``; 824 ÷ 4 ->
    ``[(2, 0), (0, 2), (6, 0)]``.

    Raises:
        ValueError: ``divisor < 1`` or ``dividend < 0``.
    """
    if divisor < 1 or dividend < 0:
        raise ValueError(f"divisor: must be >= 1 and dividend >= 0, got {dividend} ÷ {divisor}")
    steps: list[tuple[int, int]] = []
    current = 0
    for ch in str(dividend):
        current = current * 10 + int(ch)
        if not steps and current < divisor:
            continue
        steps.append((current // divisor, current % divisor))
        current %= divisor
    return steps or [(0, dividend)]
