"""Distractor strategies for arithmetic items: each models one documented error.

A strategy maps a problem to candidate wrong answers, best first; a candidate equal to the key,
negative, or already taken is skipped by the option assembly (:mod:`assay.items.options`),
which then falls back to the next strategy, then to :func:`nearby`.

========================  ======================================================  ==============
strategy                  error it models                                         47 + 38 = 85
========================  ======================================================  ==============
``off_by_10``             place-value slip: a carry lost or added in the tens      95 or 75
``off_by_1``              careless counting slip in the ones                       86 or 84
``wrong_operation``       the other operation applied (+ ↔ −, × -> +, ÷ -> −)      9
``no_carry``              carries never written: each column keeps its ones digit  75
                          (+), each digit product keeps its ones digit (× by one
                          digit)
``forgot_borrow``         "smaller from larger" in every column, no borrowing      (− only)
                          (Brown & VanLehn 1980): 52 − 38 -> 26
``digit_reversal``        digits of the result written in reverse order           58
``partial_product``       one partial product taken for the whole product:         (× only)
                          47 × 6 -> 240 or 42; 47 × 36 -> 1410 or 282
``zero_omitted``          a zero of the result dropped, typically the quotient    (÷: 206 -> 26)
                          digit of a partial dividend smaller than the divisor
========================  ======================================================  ==============
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assay.items.columns import column_digits, digit_count

__all__ = ["ARITHMETIC_STRATEGIES", "Problem", "nearby"]

SYMBOLS = {"addition": "+", "subtraction": "-", "multiplication": "×", "division": "÷"}


@dataclass(frozen=True)
class Problem:
    """``op1 <operation> op2 = answer`` with non-negative integers."""

    operation: str
    op1: int
    op2: int
    answer: int


Strategy = Callable[[Problem, random.Random], list[int]]


def _either(x: int, dx: int, rng: random.Random) -> list[int]:
    pair = [x + dx, x - dx]
    rng.shuffle(pair)
    return pair


def off_by_10(p: Problem, rng: random.Random) -> list[int]:
    """``answer ± 10``: a place-value slip (a carry or borrow lost or added in the tens)."""
    return _either(p.answer, 10, rng)


def off_by_1(p: Problem, rng: random.Random) -> list[int]:
    """``answer ± 1``: a careless counting slip."""
    return _either(p.answer, 1, rng)


def wrong_operation(p: Problem, rng: random.Random) -> list[int]:
    """The other operation: ``+`` -> ``|a − b|``, ``−`` -> ``a + b``, ``×`` -> ``a + b``,
    ``÷`` -> ``a − b``."""
    a, b = p.op1, p.op2
    if p.operation == "addition":
        return [abs(a - b)]
    if p.operation == "division":
        return [a - b, a * b]
    return [a + b]


def no_carry(p: Problem, rng: random.Random) -> list[int]:
    """Carries never written.

    ``+``: each column keeps the ones digit of its sum (47 + 38 -> 75). ``×`` by a one-digit
    multiplier: each digit product keeps its ones digit, the leftmost is written whole
    (47 × 6 -> "2" then "24" -> 242).
    """
    a, b = p.op1, p.op2
    if p.operation == "addition":
        width = max(digit_count(a), digit_count(b))
        cols = zip(column_digits(a, width), column_digits(b, width), strict=True)
        return [sum(((x + y) % 10) * 10**i for i, (x, y) in enumerate(cols))]
    if p.operation == "multiplication" and b < 10:
        digits = column_digits(a, digit_count(a))
        head = str(digits[-1] * b)
        tail = "".join(str(d * b % 10) for d in reversed(digits[:-1]))
        return [int(head + tail)]
    return []


def forgot_borrow(p: Problem, rng: random.Random) -> list[int]:
    """Subtraction without borrowing: the smaller digit from the larger in every column
    (Brown & VanLehn 1980, "smaller-from-larger"): 52 − 38 -> 26."""
    if p.operation != "subtraction":
        return []
    width = digit_count(p.op1)
    cols = zip(column_digits(p.op1, width), column_digits(p.op2, width), strict=True)
    return [sum(abs(x - y) * 10**i for i, (x, y) in enumerate(cols))]


def digit_reversal(p: Problem, rng: random.Random) -> list[int]:
    """The result's digits in reverse order (85 -> 58); none for one-digit results."""
    if p.answer < 10:
        return []
    return [int(str(p.answer)[::-1])]


def partial_product(p: Problem, rng: random.Random) -> list[int]:
    """One partial product given as the whole product (the others forgotten), largest first.

    One-digit multiplier: the products of the multiplicand's place values (47 × 6 -> 240, 42).
    Longer multiplier: the shifted rows (47 × 36 -> 1410, 282). Zero products are skipped.
    """
    if p.operation != "multiplication":
        return []
    a, b = p.op1, p.op2
    if b < 10:
        parts = [d * 10**i * b for i, d in enumerate(column_digits(a, digit_count(a)))]
    else:
        parts = [a * d * 10**i for i, d in enumerate(column_digits(b, digit_count(b)))]
    return sorted((x for x in parts if x), reverse=True)


def zero_omitted(p: Problem, rng: random.Random) -> list[int]:
    """A zero of the result dropped (206 -> 26, 120 -> 12): the quotient digit 0 of a partial
    dividend smaller than the divisor left out."""
    text = str(p.answer)
    if "0" not in text[1:]:
        return []
    return [int(text[0] + text[1:].replace("0", "", 1))]


#: Strategy name -> strategy.
ARITHMETIC_STRATEGIES: dict[str, Strategy] = {
    "off_by_10": off_by_10,
    "off_by_1": off_by_1,
    "wrong_operation": wrong_operation,
    "no_carry": no_carry,
    "forgot_borrow": forgot_borrow,
    "digit_reversal": digit_reversal,
    "partial_product": partial_product,
    "zero_omitted": zero_omitted,
}


def nearby(answer: int, rng: random.Random) -> Iterator[int]:
    """Fallback: ``answer ± k`` for k = 1, 2, 3, ... (sign order drawn from ``rng``).

    Endless, so the option assembly always fills its options; the assembly skips negatives.
    """
    k = 1
    while True:
        yield from _either(answer, k, rng)
        k += 1
