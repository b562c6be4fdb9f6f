"""Computed difficulty against the p-values of simulated students (issue 5, seed 002 §13.8).

Seed §13.8 asks whether "performance data validates difficulty factors". Here the data are
simulated, by a response model that is NOT the blueprint formula: a student of ability
``theta ~ N(0, 1)`` works the item's written solution step by step, and each step of type ``s``
succeeds with its own probability (a per-step slip model, VanLehn 1990 "Mind Bugs")::

    P(step s ok | theta) = 1 / (1 + exp(-1.7 * (theta - delta_s)))
    P(correct | theta)   = product over the solution's steps

The steps come from the item's parameters (digits, carries, borrows, long-division steps,
the subnet's prefix and class, the edge cases the tests exercise), with step difficulties
``delta_s`` on a logit scale set from what each step asks of a learner (fact retrieval easiest,
regrouping across a zero and block-size arithmetic hardest), not from the blueprint weights.
The formula adds weights; this model multiplies logistic step probabilities, counts every digit
column and computes powers of two by doubling, so the two disagree on the order of some items.

For each domain, many items across its skills and bands go to the same students; the classical
p-value of an item is the proportion who answer it correctly (a student who slips gives the
wrong answer the slip produces, scored by the item itself). The computed difficulty must rank
items like ``1 - p``: Spearman rho >= 0.8 within each domain. (Across domains the difficulty
scale is anchored only by the seed's scenario weights, so a pooled rank order is not claimed.)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from assay.items import Catalog, ItemInstance, generate_item, load_catalog
from assay.items.columns import digit_count
from assay.items.ipv4 import DEFAULT_PREFIX

STUDENTS = 1000
ITEMS_PER_BAND = 15
SCALE = 1.7  # logistic to normal-ogive scaling
MIN_RHO = 0.8

#: Step type -> difficulty ``delta_s`` (logits; a student at theta = delta_s slips half the time).
STEP_DIFFICULTY: dict[str, float] = {
    # arithmetic: one basic fact per digit column or digit product, regrouping on top
    "digit": -3.0,
    "hard_fact": -2.0,  # a product or quotient fact with both factors >= 6
    "carry": -1.8,
    "borrow": -1.6,
    "borrow_zero": -1.0,  # regrouping across a 0 digit needs two regroupings
    "partial_sum": -1.5,  # adding the partial products of a multi-digit multiplier
    "remainder": -2.0,  # multiply back and subtract in a long-division step
    "placeholder_zero": -1.0,  # writing the quotient digit 0
    # subnetting
    "copy_octets": -3.0,  # octets left of the boundary are copied
    "not_classful": -1.8,  # using the given prefix, not the class default
    "block_size": -1.0,  # 256 - mask octet, then the multiple at or below the octet
    "fill_octet": -2.2,  # a whole host octet set to 0 or 255
    "mask_octets": -2.6,  # 255 and 0 octets of a mask
    "mask_partial": -1.2,  # the one octet neither 0 nor 255
    "recall_octet_power": -2.4,  # 2^8, 2^16, 2^24
    "doubling": -3.2,  # one more power of two
    "combine_powers": -1.4,  # 2^12 = 256 * 16
    "minus_two": -2.2,  # network and broadcast addresses excluded
    # Python functions: the constructs of the solution, then each edge case the tests hold
    "loop": -2.0,
    "compare": -2.2,
    "split": -2.2,
    "reverse_join": -2.0,
    "filter": -1.6,
    "normalize": -1.8,
    "dict_count": -1.8,
    "spaces": -2.0,
    "unicode": -1.6,
    "empty_edge": -1.6,
    "all_negative": -1.0,  # a maximum initialised to 0
    "max_first": -1.8,
    "extra_spaces": -0.9,  # split(" ")
    "punctuation": -1.2,
    "mixed_case": -1.3,
}


def arithmetic_steps(params: dict[str, Any]) -> list[str]:
    op, a, b = params["operation"], params["op1"], params["op2"]
    if op in ("addition", "subtraction"):
        steps = ["digit"] * max(digit_count(a), digit_count(b))
        if op == "addition":
            return steps + ["carry"] * params["carries"]
        return (
            steps + ["borrow"] * params["borrows"] + ["borrow_zero"] * params["borrows_across_zero"]
        )
    if op == "multiplication":
        facts = [
            "hard_fact" if int(x) >= 6 and int(y) >= 6 else "digit" for x in str(a) for y in str(b)
        ]
        return facts + ["carry"] * params["carries"] + ["partial_sum"] * (digit_count(b) - 1)
    quotient = a // b
    facts = ["hard_fact" if b >= 6 and int(d) >= 6 else "digit" for d in str(quotient)]
    return (
        facts
        + ["remainder"] * params["remainder_steps"]
        + ["placeholder_zero"] * str(quotient).count("0")
    )


def subnet_steps(params: dict[str, Any]) -> list[str]:
    op, prefix = params["operation"], params["cidr"]
    if op in ("subnet_mask_to_prefix", "subnet_prefix_to_mask"):
        return ["mask_octets"] + ["mask_partial"] * (prefix % 8 != 0)
    if op == "subnet_usable_hosts":
        octets, bits = divmod(32 - prefix, 8)
        steps = ["recall_octet_power"] * octets + ["doubling"] * bits
        return steps + ["combine_powers"] * (octets > 0 and bits > 0) + ["minus_two"]
    steps = ["copy_octets"] + ["not_classful"] * (prefix != DEFAULT_PREFIX[params["address_class"]])
    if prefix % 8:
        steps += ["block_size"] + ["fill_octet"] * ((32 - prefix) // 8)
    return steps


TASK_STEPS = {
    "python_count_chars": ["loop"],
    "python_largest": ["loop", "compare"],
    "python_reverse_words": ["split", "reverse_join"],
    "python_is_palindrome": ["filter", "compare"],
    "python_word_counts": ["split", "normalize", "dict_count"],
}


def python_steps(params: dict[str, Any]) -> list[str]:
    edge_cases = [name for name, present in params["scenario"].items() if present]
    return TASK_STEPS[params["operation"]] + edge_cases


def p_correct(steps: list[str], theta: np.ndarray) -> np.ndarray:
    """Probability that each student works every step without a slip."""
    log_p = np.zeros_like(theta)
    for step in steps:
        log_p -= np.log1p(np.exp(-SCALE * (theta - STEP_DIFFICULTY[step])))
    return np.exp(log_p)


def right_and_wrong(item: ItemInstance) -> tuple[dict[str, Any], dict[str, Any]]:
    """The response of a student who works every step, and of one who slips."""
    if item.item_type == "multiple_choice":
        assert item.correct_index is not None
        return {"index": item.correct_index}, {
            "index": (item.correct_index + 1) % len(item.options or [])
        }
    if item.item_type == "free_text":
        return {"text": item.correct_answer}, {"text": "I slipped"}
    return {"code": item.correct_answer}, {"code": item.starter_code or ""}


def simulate(
    catalog: Catalog, prefix: str, steps_of: Callable[[dict[str, Any]], list[str]]
) -> tuple[list[float], list[float]]:
    """Computed difficulty and ``1 - p`` of every simulated item of the domain."""
    rng, noise = random.Random(f"validity:{prefix}"), np.random.default_rng(5)
    theta = noise.normal(0.0, 1.0, STUDENTS)
    difficulties: list[float] = []
    failure_rates: list[float] = []
    for skill_id in sorted(s for s in catalog.skills if s.startswith(prefix)):
        skill = catalog.skill(skill_id)
        for band in catalog.skill_bands(skill_id):
            for _ in range(ITEMS_PER_BAND):
                item = generate_item(skill, band=band, rng=rng)
                works = noise.random(STUDENTS) < p_correct(steps_of(item.generation_params), theta)
                right, wrong = right_and_wrong(item)
                scores = {True: item.score(right).correct, False: item.score(wrong).correct}
                assert scores == {True: True, False: False}, item.item_id
                p_value = float(np.mean([scores[bool(w)] for w in works]))
                difficulties.append(item.difficulty)
                failure_rates.append(1.0 - p_value)
    return difficulties, failure_rates


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("prefix", "steps_of"),
    [("MATH.", arithmetic_steps), ("NET.", subnet_steps), ("PROG.", python_steps)],
    ids=["arithmetic", "subnetting", "python"],
)
def test_computed_difficulty_ranks_items_like_simulated_p_values(
    catalog: Catalog, prefix: str, steps_of: Callable[[dict[str, Any]], list[str]]
) -> None:
    difficulties, failure_rates = simulate(catalog, prefix, steps_of)
    assert len(difficulties) >= 200
    rho = spearmanr(difficulties, failure_rates).statistic
    assert rho >= MIN_RHO, f"{prefix}: Spearman rho {rho:.3f} < {MIN_RHO}"
    assert rho < 0.99, "the response model must not be the blueprint formula in disguise"
