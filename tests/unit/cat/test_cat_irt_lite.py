"""IRT-lite: computed difficulty in [0, 1] to b on the theta scale, and back."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assay.cat.irt import information, probability
from assay.cat.irt_lite import (
    b_to_difficulty,
    difficulty_band,
    difficulty_to_b,
    item_from_difficulty,
    target_difficulty,
    template_bank,
)


@pytest.mark.parametrize(
    ("difficulty", "a", "b"),
    [
        (0.60, 1.0, 0.405465),  # seed 002 §13.6: 47 + 38, single carry
        (0.50, 1.0, 0.0),
        (0.30, 1.0, -0.847298),
        (0.70, 2.0, 0.423649),  # a doubles: b halves
        (0.0, 1.0, -4.595120),  # clipped at 0.01
        (1.0, 1.0, 4.595120),  # clipped at 0.99
    ],
)
def test_difficulty_to_b_table(difficulty: float, a: float, b: float) -> None:
    assert difficulty_to_b(difficulty, a=a) == pytest.approx(b, abs=1e-6)


@pytest.mark.parametrize("difficulty", [0.05, 0.3, 0.5, 0.72, 0.95])
def test_difficulty_is_the_failure_rate_at_average_ability(difficulty: float) -> None:
    for a in (0.7, 1.0, 1.8):
        b = difficulty_to_b(difficulty, a=a)
        assert 1.0 - float(probability(0.0, a, b)) == pytest.approx(difficulty, abs=1e-12)
        assert b_to_difficulty(b, a=a) == pytest.approx(difficulty, abs=1e-12)


@pytest.mark.parametrize(("theta", "a", "c"), [(0.0, 1.0, 0.0), (0.8, 1.5, 0.0), (-1.2, 1.2, 0.25)])
def test_target_difficulty_gives_the_most_informative_item(
    theta: float, a: float, c: float
) -> None:
    bs = np.linspace(-5, 5, 200001)
    best_b = bs[int(np.argmax(information(theta, a, bs, c)))]
    assert target_difficulty(theta, a=a, c=c) == pytest.approx(
        b_to_difficulty(best_b, a=a), abs=1e-4
    )


@pytest.mark.parametrize(
    ("difficulty", "band"),
    [(0.0, "easy"), (0.3, "easy"), (0.5, "medium"), (0.7, "hard"), (1.0, "hard")],
)
def test_difficulty_band(difficulty: float, band: str) -> None:
    assert difficulty_band(difficulty) == band


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan])
def test_difficulty_out_of_range_is_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="difficulty: must be in"):
        difficulty_to_b(bad)


def test_non_positive_discrimination_is_rejected() -> None:
    with pytest.raises(ValueError, match="a: discrimination"):
        difficulty_to_b(0.5, a=0.0)


def test_item_from_difficulty_fills_b_and_band() -> None:
    item = item_from_difficulty("gen_1", 0.6, discrimination=1.3, guessing=0.25, section_id="add")
    assert item.b == pytest.approx(math.log(1.5) / 1.3)
    assert (item.a, item.c, item.section_id, item.band) == (1.3, 0.25, "add", "medium")


def test_template_bank_crosses_skills_and_difficulties_and_is_reusable() -> None:
    bank = template_bank(
        [("ADD.2DIGIT", "add"), ("SUB.BORROW", "sub")], difficulties=(0.2, 0.5, 0.8)
    )
    assert bank.reusable and len(bank) == 6
    assert bank.item_ids[:3] == ("ADD.2DIGIT@0.20", "ADD.2DIGIT@0.50", "ADD.2DIGIT@0.80")
    assert bank.bands[:3] == ("easy", "medium", "hard")
    assert bank.section_ids[3:] == ("sub", "sub", "sub")
