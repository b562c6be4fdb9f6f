"""Integer arithmetic generators: addition, subtraction, multiplication, division.

Each reads its ``generation_rules`` (:class:`ArithmeticRules`), draws two operands, computes the
key and the difficulty features of the written algorithm (seed 002 §13.5-13.6; formula in
:mod:`assay.items.difficulty`). Default feature weights (a blueprint overrides any of them, and
``base``, in ``difficulty_factors``):

================  ==================================================================  ======
operation         feature: what it counts                                             weight
================  ==================================================================  ======
addition          ``carries``: columns that carry (47 + 38 -> 1)                      0.15
                  ``large_numbers``: both operands > 3·10^(digits−1) (47 and 38 > 30) 0.05
subtraction       ``borrows``: columns that borrow (52 − 38 -> 1)                     0.15
                  ``borrows_across_zero``: borrows from a 0 digit (302 − 178 -> 1)    0.10
                  ``large_numbers``: as for addition                                  0.05
multiplication    ``carries``: carries inside the partial products (47 × 6 -> 1)      0.10
                  ``partial_products``: multiplier digits beyond the first            0.15
                  ``hard_facts``: some digit pair has both factors >= 6 (problem-     0.10
                  size effect, Campbell & Graham 1985)
division          ``quotient_digits``: quotient digits beyond the first               0.10
                  ``remainder_steps``: long-division steps leaving a remainder        0.10
                  ``zero_in_quotient``: the quotient has a 0 digit (824 ÷ 4 = 206)    0.10
                  ``hard_facts``: one-digit divisor >= 6 and a quotient digit >= 6    0.10
================  ==================================================================  ======

Default base by digits of the largest operand bound: 1 -> 0.2, 2 -> 0.4 (seed §13.6,
"2-digit addition"), 3 -> 0.5, more -> 0.6; division by digits of the dividend bound:
1 -> 0.2, 2 -> 0.3, 3 -> 0.4, more -> 0.5 (the quotient-digit feature adds the rest).

Subtraction keeps the larger operand as minuend (non-negative answers); division draws divisor
and quotient and multiplies, so the quotient is always an exact integer.
"""

from __future__ import annotations

import random
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assay.items.columns import (
    add_carries,
    digit_count,
    long_division,
    multiplication_carries,
    subtraction_borrows,
)
from assay.items.distractors import ARITHMETIC_STRATEGIES, SYMBOLS, Problem, nearby
from assay.items.generator import Generator, Params, register_generator
from assay.items.instance import AnswerKind

__all__ = [
    "AdditionGenerator",
    "ArithmeticGenerator",
    "ArithmeticRules",
    "DivisionGenerator",
    "MultiplicationGenerator",
    "OperandRange",
    "SubtractionGenerator",
]

Operation = Literal["addition", "subtraction", "multiplication", "division"]


class OperandRange(BaseModel):
    """Inclusive integer range ``[min, max]`` with ``0 <= min <= max``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> OperandRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must be <= max ({self.max})")
        return self


class ArithmeticRules(BaseModel):
    """``generation_rules`` of an arithmetic skill (seed 002 §13.5).

    Attributes:
        operation: ``addition``, ``subtraction``, ``multiplication`` or ``division``.
        operand_count: Always 2.
        operand_range: One range for both operands, or
        operand_ranges: one range per operand (division: dividend, divisor).
        quotient_range: Division only: the range of the quotient (default ``[1, ∞)``).
        answer_type: Always ``"integer"``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: Operation
    operand_count: Literal[2] = 2
    operand_range: OperandRange | None = None
    operand_ranges: list[OperandRange] | None = Field(default=None, min_length=2, max_length=2)
    quotient_range: OperandRange | None = None
    answer_type: Literal["integer"] = "integer"

    @model_validator(mode="after")
    def _one_range_form(self) -> ArithmeticRules:
        if (self.operand_range is None) == (self.operand_ranges is None):
            raise ValueError("give exactly one of operand_range and operand_ranges")
        if self.quotient_range is not None and self.operation != "division":
            raise ValueError("quotient_range applies to division only")
        first, second = self.ranges
        if self.operation == "subtraction" and first.max < second.min:
            raise ValueError("subtraction needs some op1 >= op2: operand ranges cannot allow it")
        if self.operation == "division":
            if second.min < 1:
                raise ValueError("division: the divisor range must start at 1 or more")
            if not any(self._quotients(d) for d in range(second.min, min(second.max, 10**4) + 1)):
                raise ValueError("division: no divisor in range divides any dividend in range")
        return self

    @property
    def ranges(self) -> tuple[OperandRange, OperandRange]:
        """``(op1 range, op2 range)``."""
        if self.operand_ranges is not None:
            return self.operand_ranges[0], self.operand_ranges[1]
        assert self.operand_range is not None
        return self.operand_range, self.operand_range

    def _quotients(self, divisor: int) -> range:
        """Quotients ``q`` with ``q · divisor`` in the dividend range (and in quotient_range)."""
        dividend = self.ranges[0]
        low = max(-(-dividend.min // divisor), 1)
        high = dividend.max // divisor
        if self.quotient_range is not None:
            low = max(low, self.quotient_range.min)
            high = min(high, self.quotient_range.max)
        return range(low, high + 1)


_BASE = {1: 0.2, 2: 0.4, 3: 0.5}
_DIVISION_BASE = {1: 0.2, 2: 0.3, 3: 0.4}


def _large(n: int) -> bool:
    """``n > 3·10^(digits−1)``: 47 and 38 are large (> 30), 29 is not."""
    threshold: int = 3 * 10 ** (digit_count(n) - 1)
    return n > threshold


class ArithmeticGenerator(Generator):
    """Shared behaviour: two operands, an integer key, arithmetic distractors."""

    rules_model: ClassVar[type[BaseModel]] = ArithmeticRules
    template_fields: ClassVar[frozenset[str]] = frozenset({"op1", "op2", "symbol"})
    answer_kind: ClassVar[AnswerKind] = "integer"
    distractor_names: ClassVar[frozenset[str]] = frozenset(ARITHMETIC_STRATEGIES)

    def default_base(self, rules: Any) -> float:
        digits = max(digit_count(r.max) for r in rules.ranges)
        return _BASE.get(digits, 0.6)

    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        first, second = rules.ranges
        return self._params(rng.randint(first.min, first.max), rng.randint(second.min, second.max))

    def _params(self, op1: int, op2: int) -> Params:
        return {"operation": self.operation, "op1": op1, "op2": op2}

    @abstractmethod
    def compute(self, op1: int, op2: int) -> int:
        """The exact result of ``op1 <operation> op2``."""

    def answer(self, params: Params) -> str:
        return str(self.compute(params["op1"], params["op2"]))

    def template_values(self, params: Params) -> dict[str, Any]:
        return {"op1": params["op1"], "op2": params["op2"], "symbol": SYMBOLS[self.operation]}

    def _problem(self, params: Params) -> Problem:
        op1, op2 = params["op1"], params["op2"]
        return Problem(self.operation, op1, op2, self.compute(op1, op2))

    def propose_distractors(self, strategy: str, params: Params, rng: random.Random) -> list[str]:
        values = ARITHMETIC_STRATEGIES[strategy](self._problem(params), rng)
        return [str(v) for v in values if v >= 0]

    def fallback_distractors(self, params: Params, rng: random.Random) -> Iterable[str]:
        return _non_negative(nearby(self._problem(params).answer, rng))


def _non_negative(values: Iterator[int]) -> Iterator[str]:
    return (str(v) for v in values if v >= 0)


class AdditionGenerator(ArithmeticGenerator):
    """``op1 + op2``; features ``carries``, ``large_numbers``."""

    operation: ClassVar[str] = "addition"
    default_weights: ClassVar[dict[str, float]] = {"carries": 0.15, "large_numbers": 0.05}

    def compute(self, op1: int, op2: int) -> int:
        return op1 + op2

    def features(self, params: Params) -> dict[str, int]:
        a, b = params["op1"], params["op2"]
        return {"carries": add_carries(a, b), "large_numbers": int(_large(a) and _large(b))}


class SubtractionGenerator(ArithmeticGenerator):
    """``op1 − op2`` with ``op1 >= op2``; features ``borrows``, ``borrows_across_zero``,
    ``large_numbers``."""

    operation: ClassVar[str] = "subtraction"
    default_weights: ClassVar[dict[str, float]] = {
        "borrows": 0.15,
        "borrows_across_zero": 0.10,
        "large_numbers": 0.05,
    }

    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        first, second = rules.ranges
        a, b = rng.randint(first.min, first.max), rng.randint(second.min, second.max)
        if a < b:
            a, b = b, a
            if not (first.min <= a <= first.max and second.min <= b <= second.max):
                return None
        return self._params(a, b)

    def compute(self, op1: int, op2: int) -> int:
        return op1 - op2

    def features(self, params: Params) -> dict[str, int]:
        a, b = params["op1"], params["op2"]
        borrows, across_zero = subtraction_borrows(a, b)
        return {
            "borrows": borrows,
            "borrows_across_zero": across_zero,
            "large_numbers": int(_large(a) and _large(b)),
        }


class MultiplicationGenerator(ArithmeticGenerator):
    """``op1 × op2`` (``op2`` the multiplier); features ``carries``, ``partial_products``,
    ``hard_facts``."""

    operation: ClassVar[str] = "multiplication"
    default_weights: ClassVar[dict[str, float]] = {
        "carries": 0.10,
        "partial_products": 0.15,
        "hard_facts": 0.10,
    }

    def compute(self, op1: int, op2: int) -> int:
        return op1 * op2

    def features(self, params: Params) -> dict[str, int]:
        a, b = params["op1"], params["op2"]
        hard = any(int(x) >= 6 and int(y) >= 6 for x in str(a) for y in str(b))
        return {
            "carries": multiplication_carries(a, b),
            "partial_products": digit_count(b) - 1,
            "hard_facts": int(hard),
        }


class DivisionGenerator(ArithmeticGenerator):
    """``op1 ÷ op2`` with an exact integer quotient; features ``quotient_digits``,
    ``remainder_steps``, ``zero_in_quotient``, ``hard_facts``."""

    operation: ClassVar[str] = "division"
    default_weights: ClassVar[dict[str, float]] = {
        "quotient_digits": 0.10,
        "remainder_steps": 0.10,
        "zero_in_quotient": 0.10,
        "hard_facts": 0.10,
    }

    def default_base(self, rules: Any) -> float:
        return _DIVISION_BASE.get(digit_count(rules.ranges[0].max), 0.5)

    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        divisors = rules.ranges[1]
        divisor = rng.randint(divisors.min, divisors.max)
        quotients = rules._quotients(divisor)
        if not quotients:
            return None
        return self._params(rng.choice(quotients) * divisor, divisor)

    def compute(self, op1: int, op2: int) -> int:
        quotient, remainder = divmod(op1, op2)
        if remainder:
            raise ValueError(f"op1: {op1} is not a multiple of op2 ({op2})")
        return quotient

    def features(self, params: Params) -> dict[str, int]:
        a, b = params["op1"], params["op2"]
        q = self.compute(a, b)
        steps = long_division(a, b)
        hard = b < 10 and b >= 6 and any(int(d) >= 6 for d in str(q))
        return {
            "quotient_digits": digit_count(q) - 1,
            "remainder_steps": sum(1 for _, rem in steps[:-1] if rem),
            "zero_in_quotient": int("0" in str(q)),
            "hard_facts": int(hard),
        }


for _generator in (
    AdditionGenerator(),
    SubtractionGenerator(),
    MultiplicationGenerator(),
    DivisionGenerator(),
):
    register_generator(_generator, replace=True)
