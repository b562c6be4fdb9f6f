"""Every distractor strategy reproduces the error it models; option assembly rules."""

import random

import pytest

from assay.items.distractors import ARITHMETIC_STRATEGIES, Problem, nearby
from assay.items.options import FALLBACK, Options, assemble_options

OPS = {
    "addition": lambda a, b: a + b,
    "subtraction": lambda a, b: a - b,
    "multiplication": lambda a, b: a * b,
    "division": lambda a, b: a // b,
}


def problem(operation: str, a: int, b: int) -> Problem:
    return Problem(operation, a, b, OPS[operation](a, b))


@pytest.mark.parametrize(
    ("strategy", "operation", "a", "b", "expected"),
    [
        ("off_by_10", "addition", 47, 38, {95, 75}),
        ("off_by_1", "addition", 47, 38, {86, 84}),
        ("wrong_operation", "addition", 47, 38, {9}),
        ("wrong_operation", "addition", 38, 47, {9}),
        ("wrong_operation", "subtraction", 52, 38, {90}),
        ("wrong_operation", "multiplication", 47, 6, {53}),
        ("wrong_operation", "division", 84, 4, {80, 336}),
        ("no_carry", "addition", 47, 38, {75}),  # seed 002 §13.2 distractor
        ("no_carry", "addition", 67, 58, {15}),  # 7+8 -> 5, 6+5 -> 1
        ("no_carry", "multiplication", 47, 6, {242}),  # "2" of 42, then 24
        ("no_carry", "multiplication", 47, 36, set()),  # one-digit multipliers only
        ("no_carry", "subtraction", 52, 38, set()),
        ("forgot_borrow", "subtraction", 52, 38, {26}),  # smaller from larger
        ("forgot_borrow", "subtraction", 302, 178, {276}),
        ("forgot_borrow", "addition", 47, 38, set()),
        ("digit_reversal", "addition", 47, 38, {58}),
        ("digit_reversal", "addition", 2, 3, set()),
        ("digit_reversal", "division", 84, 4, {12}),
        ("partial_product", "multiplication", 47, 6, {240, 42}),
        ("partial_product", "multiplication", 47, 36, {1410, 282}),
        ("partial_product", "multiplication", 30, 8, {240}),  # the 0·8 product is skipped
        ("partial_product", "multiplication", 7, 8, {56}),
        ("partial_product", "addition", 47, 38, set()),
        ("zero_omitted", "division", 824, 4, {26}),
        ("zero_omitted", "multiplication", 30, 4, {12}),
        ("zero_omitted", "addition", 47, 38, set()),
        ("zero_omitted", "division", 56, 7, set()),
    ],
)
def test_strategy_models_its_error(
    strategy: str, operation: str, a: int, b: int, expected: set[int]
) -> None:
    assert (
        set(ARITHMETIC_STRATEGIES[strategy](problem(operation, a, b), random.Random(0))) == expected
    )


def test_nearby_is_endless_and_symmetric() -> None:
    values = [v for _, v in zip(range(10), nearby(50, random.Random(1)), strict=False)]
    assert sorted(values) == [45, 46, 47, 48, 49, 51, 52, 53, 54, 55]


def propose_from(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    return lambda name: table.get(name, [])


def test_options_take_one_per_strategy_in_order() -> None:
    result = assemble_options(
        key="85",
        option_count=4,
        strategies=["off_by_10", "no_carry", "off_by_1"],
        propose=propose_from({"off_by_10": ["95", "75"], "no_carry": ["75"], "off_by_1": ["86"]}),
        fallback=iter(["84", "83"]),
        rng=random.Random(3),
    )
    assert result.distractors == [("off_by_10", "95"), ("no_carry", "75"), ("off_by_1", "86")]
    assert sorted(result.options) == ["75", "85", "86", "95"]
    assert result.options[result.correct_index] == "85"


def test_colliding_strategies_fall_back() -> None:
    # no_carry collides with off_by_10's first value, digit_reversal proposes the key
    result = assemble_options(
        key="11",
        option_count=5,
        strategies=["off_by_10", "no_carry", "digit_reversal"],
        propose=propose_from(
            {"off_by_10": ["21", "1"], "no_carry": ["21"], "digit_reversal": ["11"]}
        ),
        fallback=iter(["12", "11", "10", "13"]),
        rng=random.Random(3),
    )
    assert result.distractors == [
        ("off_by_10", "21"),
        ("off_by_10", "1"),
        (FALLBACK, "12"),
        (FALLBACK, "10"),
    ]
    assert len(set(result.options)) == 5
    assert result.options.count("11") == 1


def only_fallback(key: str, option_count: int, fallback: list[str], seed: int) -> Options:
    return assemble_options(
        key=key,
        option_count=option_count,
        strategies=[],
        propose=propose_from({}),
        fallback=iter(fallback),
        rng=random.Random(seed),
    )


def test_options_shuffle_is_reproducible_from_the_recorded_seed() -> None:
    a = only_fallback("85", 4, ["95", "75", "86"], 9)
    assert a == only_fallback("85", 4, ["95", "75", "86"], 9)
    replay = ["85", *(v for _, v in a.distractors)]
    random.Random(a.shuffle_seed).shuffle(replay)
    assert replay == a.options


def test_positions_of_the_key_vary_across_seeds() -> None:
    positions = {only_fallback("1", 4, ["2", "3", "4"], seed).correct_index for seed in range(200)}
    assert positions == {0, 1, 2, 3}


def test_running_out_of_candidates_is_an_error() -> None:
    with pytest.raises(ValueError, match="option_count: only 2 distinct options"):
        only_fallback("1", 4, ["2", "2", "1"], 0)


def test_option_count_below_two_is_rejected() -> None:
    with pytest.raises(ValueError, match="option_count: must be >= 2"):
        only_fallback("1", 1, [], 0)
