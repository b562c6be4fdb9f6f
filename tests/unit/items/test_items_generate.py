"""generate_item: band targeting, keys recomputed from the stem, options, determinism.

Key and stem checks here are for the arithmetic skills; subnetting and Python skills have their
own (test_items_subnet.py, test_items_python_tasks.py).
"""

import random
import re

import pytest

from assay.items import (
    GenerationError,
    ItemInstance,
    SkillBlueprint,
    band_of,
    generate_item,
    load_catalog,
)
from assay.items.difficulty import in_band

CATALOG = load_catalog()
SKILLS = sorted(CATALOG.skills)
ARITHMETIC = [s for s in SKILLS if s.startswith("MATH.ARITH.") and not s.endswith(".TEXT")]
#: Free-text arithmetic skills (the adaptive MATH-CAT's); tested in test_items_cat_skills.py.
ARITHMETIC_TEXT = [s for s in SKILLS if s.startswith("MATH.ARITH.") and s.endswith(".TEXT")]
SKILL_BANDS = [(s, b) for s in SKILLS for b in CATALOG.skill_bands(s)]
STEM = re.compile(r"(\d+)\s*([-+×÷])\s*(\d+)")


def recompute(stem: str) -> int:
    """The key, recomputed independently from the stem text."""
    match = STEM.search(stem)
    assert match, stem
    a, symbol, b = int(match.group(1)), match.group(2), int(match.group(3))
    if symbol == "+":
        return a + b
    if symbol == "-":
        return a - b
    if symbol == "×":
        return a * b
    quotient, remainder = divmod(a, b)
    assert remainder == 0, f"{stem}: not an exact division"
    return quotient


def test_every_shipped_skill_produces_some_band() -> None:
    assert len(ARITHMETIC) == 12 and len(ARITHMETIC_TEXT) == 18
    assert {s.split(".")[0] for s in SKILLS} == {"MATH", "NET", "PROG"}
    for skill_id in SKILLS:
        assert CATALOG.skill_bands(skill_id)


@pytest.mark.parametrize(
    ("skill_id", "bands"),
    [
        ("MATH.ARITH.ADD.1DIGIT", ["easy"]),
        ("MATH.ARITH.ADD.2DIGIT", ["easy", "medium", "hard"]),
        ("MATH.ARITH.ADD.3DIGIT", ["medium", "hard"]),
        ("MATH.ARITH.SUB.2DIGIT", ["easy", "medium"]),
        ("MATH.ARITH.SUB.3DIGIT", ["medium", "hard"]),
        ("MATH.ARITH.MUL.3DIGIT", ["medium", "hard"]),
        ("MATH.ARITH.DIV.3DIGIT", ["medium", "hard"]),
    ],
)
def test_skill_bands(skill_id: str, bands: list[str]) -> None:
    assert CATALOG.skill_bands(skill_id) == bands


@pytest.mark.parametrize(("skill_id", "band"), SKILL_BANDS)
def test_band_targeting_over_many_seeds(skill_id: str, band: str) -> None:
    skill = CATALOG.skill(skill_id)
    scenarios = set()
    for seed in range(60):
        item = generate_item(skill, band=band, rng=random.Random(seed))  # type: ignore[arg-type]
        assert in_band(item.difficulty, band)  # type: ignore[arg-type]
        assert item.difficulty_band == band == band_of(item.difficulty)
        scenarios.add(tuple(sorted(item.generation_params["scenario"].items())))
    assert scenarios  # recorded


@pytest.mark.parametrize("skill_id", ARITHMETIC)
def test_key_options_and_stem_agree(skill_id: str) -> None:
    skill = CATALOG.skill(skill_id)
    for seed in range(80):
        item = generate_item(skill, rng=random.Random(seed))
        key = recompute(item.stem)
        assert item.correct_answer == str(key)
        assert item.options is not None and item.correct_index is not None
        assert len(item.options) == skill.presentation.option_count
        assert len(set(item.options)) == len(item.options)
        assert item.options.count(str(key)) == 1
        assert item.options[item.correct_index] == str(key)
        assert all(int(option) >= 0 for option in item.options)
        params = item.generation_params
        assert (params["op1"], params["op2"], params["answer"]) == (
            *map(int, STEM.search(item.stem).groups()[::2]),  # type: ignore[union-attr]
            str(key),
        )


def test_distractors_follow_the_blueprint_strategies() -> None:
    skill = CATALOG.skill("MATH.ARITH.ADD.2DIGIT")
    item = generate_item(skill, band="medium", rng=random.Random(4))
    strategies = [d["strategy"] for d in item.generation_params["distractors"]]
    assert strategies[0] == "off_by_10"
    values = {d["value"] for d in item.generation_params["distractors"]}
    assert values == set(item.options or []) - {item.correct_answer}


def test_same_seed_same_item_different_seed_different_item() -> None:
    skill = CATALOG.skill("MATH.ARITH.SUB.3DIGIT")
    first = generate_item(skill, band="hard", rng=random.Random(42))
    again = generate_item(skill, band="hard", rng=random.Random(42))
    assert first == again
    assert first.item_id.startswith("gen_")
    others = {generate_item(skill, band="hard", rng=random.Random(s)).stem for s in range(20)}
    assert len(others) > 10


def test_shuffle_seed_replays_the_option_order() -> None:
    item = generate_item(CATALOG.skill("MATH.ARITH.MUL.2DIGIT"), rng=random.Random(8))
    unshuffled = [item.correct_answer, *(d["value"] for d in item.generation_params["distractors"])]
    random.Random(item.shuffle_seed).shuffle(unshuffled)
    assert unshuffled == item.options


def test_given_ids_are_recorded() -> None:
    item = generate_item(
        CATALOG.skill("MATH.ARITH.ADD.1DIGIT"),
        band="easy",
        rng=random.Random(1),
        item_id="gen_x",
        section_id="addition",
    )
    assert (item.item_id, item.section_id, item.skill_id) == (
        "gen_x",
        "addition",
        "MATH.ARITH.ADD.1DIGIT",
    )


def test_unproducible_band_is_a_clear_error() -> None:
    with pytest.raises(GenerationError, match="cannot produce a 'hard' item") as caught:
        generate_item(CATALOG.skill("MATH.ARITH.ADD.1DIGIT"), band="hard", rng=random.Random(0))
    assert caught.value.skill_id == "MATH.ARITH.ADD.1DIGIT"
    assert caught.value.band == "hard"


@pytest.mark.parametrize(("target", "expected"), [(0.0, 0.4), (0.58, 0.6), (1.0, 0.75)])
def test_target_difficulty_picks_the_nearest_scenario(target: float, expected: float) -> None:
    skill = CATALOG.skill("MATH.ARITH.ADD.2DIGIT")
    for seed in range(10):
        item = generate_item(skill, target_difficulty=target, rng=random.Random(seed))
        assert item.difficulty == expected


def test_target_difficulty_out_of_range() -> None:
    with pytest.raises(ValueError, match="target_difficulty"):
        generate_item(
            CATALOG.skill("MATH.ARITH.ADD.2DIGIT"), target_difficulty=2, rng=random.Random()
        )


def free_text_skill() -> SkillBlueprint:
    skill = CATALOG.skill("MATH.ARITH.DIV.2DIGIT")
    presentation = skill.presentation.model_copy(update={"item_type": "free_text"})
    return SkillBlueprint.model_validate(
        {**skill.model_dump(), "presentation": presentation.model_dump()}
    )


def test_free_text_items_have_an_integer_key_and_no_options() -> None:
    item = generate_item(free_text_skill(), band="medium", rng=random.Random(5))
    assert item.item_type == "free_text"
    assert item.options is None and item.correct_index is None and item.shuffle_seed is None
    assert item.answer_kind == "integer"
    key = recompute(item.stem)
    assert item.correct_answer == str(key)
    assert item.score({"text": f" +{key} "}).correct
    assert not item.score({"text": str(key + 1)}).correct


def test_multiple_choice_scoring_uses_the_key() -> None:
    item = generate_item(CATALOG.skill("MATH.ARITH.ADD.2DIGIT"), rng=random.Random(2))
    assert item.score({"index": item.correct_index}).correct
    wrong = (item.correct_index or 0) + 1
    assert not item.score({"index": wrong % 4}).correct


def test_served_item_round_trips_through_json() -> None:
    item = generate_item(CATALOG.skill("MATH.ARITH.DIV.3DIGIT"), band="hard", rng=random.Random(3))
    assert ItemInstance.model_validate_json(item.model_dump_json()) == item
    assert "correct_index" not in item.presentation()


def test_eight_options_fill_from_fallbacks() -> None:
    skill = CATALOG.skill("MATH.ARITH.ADD.1DIGIT")
    wide = skill.model_copy(
        update={"presentation": skill.presentation.model_copy(update={"option_count": 8})}
    )
    for seed in range(50):
        item = generate_item(wide, rng=random.Random(seed))
        assert item.options is not None and len(set(item.options)) == 8
        assert item.options.count(item.correct_answer) == 1
        assert all(int(o) >= 0 for o in item.options)
        assert any(d["strategy"] == "fallback" for d in item.generation_params["distractors"])
