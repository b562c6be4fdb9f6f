"""Computed difficulty (seed 002 §13.5-13.6) and its bands, per generator, as tables."""

import pytest

from assay.items import get_generator, load_catalog
from assay.items.difficulty import BANDS, band_of, in_band, weighted_difficulty
from assay.items.targeting import compile_skill

CATALOG = load_catalog()


def difficulty_of(skill_id: str, op1: int, op2: int) -> float:
    compiled = compile_skill(CATALOG.skill(skill_id))
    params = {"op1": op1, "op2": op2}
    return compiled.difficulty(compiled.generator.features(params))


def test_worked_example_47_plus_38_is_060() -> None:
    # seed 002 §13.6: base 0.4 + single carry 0.15 + both operands > 30 0.05
    assert difficulty_of("MATH.ARITH.ADD.2DIGIT", 47, 38) == 0.6
    assert band_of(0.6) == "medium"


@pytest.mark.parametrize(
    ("skill_id", "op1", "op2", "difficulty"),
    [
        # addition: base + 0.15 per carry + 0.05 if both operands are large
        ("MATH.ARITH.ADD.2DIGIT", 23, 41, 0.40),  # no carry, 23 not > 30
        ("MATH.ARITH.ADD.2DIGIT", 42, 35, 0.45),  # no carry, both large
        ("MATH.ARITH.ADD.2DIGIT", 29, 14, 0.55),  # single carry, small
        ("MATH.ARITH.ADD.2DIGIT", 67, 58, 0.75),  # double carry, large
        ("MATH.ARITH.ADD.2DIGIT", 19, 81, 0.70),  # double carry, 19 small
        ("MATH.ARITH.ADD.1DIGIT", 2, 3, 0.20),
        ("MATH.ARITH.ADD.1DIGIT", 7, 8, 0.40),
        ("MATH.ARITH.ADD.3DIGIT", 999, 999, 1.0),  # 0.5 + 0.45 + 0.05
        ("MATH.ARITH.ADD.3DIGIT", 123, 210, 0.50),
        # subtraction: base + 0.15 per borrow + 0.10 per borrow across zero + 0.05 large
        ("MATH.ARITH.SUB.2DIGIT", 58, 23, 0.40),
        ("MATH.ARITH.SUB.2DIGIT", 52, 38, 0.60),
        ("MATH.ARITH.SUB.2DIGIT", 91, 19, 0.55),
        ("MATH.ARITH.SUB.3DIGIT", 302, 178, 0.90),  # two borrows, one across zero
        ("MATH.ARITH.SUB.3DIGIT", 987, 654, 0.55),
        ("MATH.ARITH.SUB.1DIGIT", 9, 4, 0.25),
        # multiplication: base + 0.10 per carry + 0.15 per extra multiplier digit + 0.10 facts
        ("MATH.ARITH.MUL.1DIGIT", 3, 4, 0.20),
        ("MATH.ARITH.MUL.1DIGIT", 7, 8, 0.30),  # both factors >= 6
        ("MATH.ARITH.MUL.2DIGIT", 21, 3, 0.40),
        ("MATH.ARITH.MUL.2DIGIT", 47, 6, 0.60),  # one carry (7·6 = 42); 7 and 6 both >= 6
        ("MATH.ARITH.MUL.2DIGIT", 78, 7, 0.60),
        ("MATH.ARITH.MUL.3DIGIT", 999, 9, 0.80),
        ("MATH.ARITH.MUL.3DIGIT", 111, 2, 0.50),
        # division: base + 0.10 per extra quotient digit, remainder step, zero, hard facts
        ("MATH.ARITH.DIV.1DIGIT", 56, 7, 0.30),  # 7 >= 6 and 8 >= 6
        ("MATH.ARITH.DIV.1DIGIT", 12, 3, 0.20),
        ("MATH.ARITH.DIV.2DIGIT", 84, 4, 0.40),  # 21, no remainder step
        ("MATH.ARITH.DIV.2DIGIT", 72, 4, 0.50),  # 18: 7 ÷ 4 leaves 3
        ("MATH.ARITH.DIV.2DIGIT", 60, 3, 0.50),  # 20: zero in the quotient
        ("MATH.ARITH.DIV.3DIGIT", 824, 4, 0.80),  # 206: 0.4 + 0.2 + 2 ÷ 4 leaves 2 + zero
        ("MATH.ARITH.DIV.3DIGIT", 672, 8, 0.70),  # 84: 0.4 + 0.1 + step 0.1 + 8 and 8 >= 6
    ],
)
def test_difficulty_table(skill_id: str, op1: int, op2: int, difficulty: float) -> None:
    assert difficulty_of(skill_id, op1, op2) == pytest.approx(difficulty)


def test_blueprint_weights_override_generator_defaults() -> None:
    skill = CATALOG.skill("MATH.ARITH.ADD.2DIGIT")
    heavier = skill.model_copy(
        update={
            "difficulty_factors": {
                **skill.difficulty_factors,
                "carries": skill.difficulty_factors["carries"].model_copy(update={"weight": 0.3}),
            }
        }
    )
    compiled = compile_skill(heavier)
    assert compiled.difficulty(compiled.generator.features({"op1": 47, "op2": 38})) == 0.75


def test_generator_defaults_apply_without_factors() -> None:
    skill = CATALOG.skill("MATH.ARITH.ADD.2DIGIT").model_copy(update={"difficulty_factors": {}})
    compiled = compile_skill(skill)
    assert compiled.base == 0.4  # default base of 2-digit operands
    assert compiled.weights == dict(get_generator("addition").default_weights)
    assert compiled.difficulty({"carries": 1, "large_numbers": 1}) == 0.6


@pytest.mark.parametrize(
    ("difficulty", "band"),
    [
        (0.0, "easy"),
        (0.49, "easy"),
        (0.5, "medium"),
        (0.69, "medium"),
        (0.7, "hard"),
        (1.0, "hard"),
    ],
)
def test_band_of(difficulty: float, band: str) -> None:
    assert band_of(difficulty) == band
    assert in_band(difficulty, band)  # type: ignore[arg-type]


@pytest.mark.parametrize("difficulty", [-0.01, 1.01])
def test_band_of_rejects_out_of_range(difficulty: float) -> None:
    with pytest.raises(ValueError, match=r"difficulty: must be in \[0, 1\]"):
        band_of(difficulty)


def test_bands_partition_the_unit_interval() -> None:
    grid = [i / 1000 for i in range(1001)]
    for d in grid:
        assert sum(in_band(d, b) for b in BANDS) == 1


@pytest.mark.parametrize(
    ("base", "features", "expected"),
    [(0.9, {"carries": 3}, 1.0), (0.1, {"carries": -2}, 0.0), (0.4, {}, 0.4)],
)
def test_weighted_difficulty_clamps(base: float, features: dict[str, int], expected: float) -> None:
    assert weighted_difficulty(features, {"carries": 0.15}, base=base) == expected
