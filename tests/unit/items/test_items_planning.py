"""plan_assessment: counts, distributions, producible bands, determinism."""

import random
from collections import Counter

import pytest

from assay.items import AssessmentBlueprint, ItemSlot, generate_item, load_catalog, plan_assessment

CATALOG = load_catalog()


@pytest.mark.parametrize("assessment_id", ["MATH-FUNDAMENTALS-L1", "MATH-QUIZ-10"])
@pytest.mark.parametrize("seed", range(25))
def test_plan_honours_counts_and_distributions(assessment_id: str, seed: int) -> None:
    assessment = CATALOG.assessment(assessment_id)
    slots = plan_assessment(assessment, rng=random.Random(seed))
    assert len(slots) == assessment.total_items
    for section in assessment.sections:
        mine = [s for s in slots if s.section_id == section.section_id]
        assert len(mine) == section.item_count
        bands = Counter(s.band for s in mine)
        assert bands == Counter({b: n for b, n in section.difficulty_distribution.items() if n})
        for slot in mine:
            assert slot.skill_id in section.skill_blueprints
            assert slot.band in CATALOG.skill_bands(slot.skill_id)


def test_fixed_plan_keeps_section_order_and_ramps_difficulty() -> None:
    assessment = CATALOG.assessment("MATH-FUNDAMENTALS-L1")
    slots = plan_assessment(assessment, rng=random.Random(1))
    assert [s.section_id for s in slots[::5]] == [
        "addition",
        "subtraction",
        "multiplication",
        "division",
    ]
    for start in range(0, 20, 5):
        assert [s.band for s in slots[start : start + 5]] == [
            "easy",
            "easy",
            "medium",
            "medium",
            "hard",
        ]


def test_skills_spread_within_a_band() -> None:
    # two easy slots, two skills able to produce easy: each used once
    section = CATALOG.assessment("MATH-FUNDAMENTALS-L1").section("addition")
    for seed in range(20):
        slots = plan_assessment(CATALOG.assessment("MATH-FUNDAMENTALS-L1"), rng=random.Random(seed))
        easy = [s.skill_id for s in slots if s.section_id == "addition" and s.band == "easy"]
        assert sorted(easy) == sorted(section.band_skills["easy"])  # type: ignore[index]


def test_same_seed_same_plan() -> None:
    assessment = CATALOG.assessment("MATH-QUIZ-10")
    assert plan_assessment(assessment, rng=random.Random(7)) == plan_assessment(
        assessment, rng=random.Random(7)
    )
    plans = {tuple(plan_assessment(assessment, rng=random.Random(s))) for s in range(30)}
    assert len(plans) > 1


def test_random_from_pool_shuffles_bands_within_sections() -> None:
    assessment = CATALOG.assessment("MATH-FUNDAMENTALS-L1").model_copy(
        update={"item_selection_algorithm": "random_from_pool"}
    )
    orders = set()
    for seed in range(30):
        slots = plan_assessment(assessment, rng=random.Random(seed))
        assert {s.section_id for s in slots[:5]} == {"addition"}
        orders.add(tuple(s.band for s in slots[:5]))
    assert len(orders) > 3


def test_slots_are_json_serialisable() -> None:
    slots = plan_assessment(CATALOG.assessment("MATH-QUIZ-10"), rng=random.Random(0))
    dumped = [slot.model_dump(mode="json") for slot in slots]
    assert [ItemSlot.model_validate(d) for d in dumped] == slots
    assert set(dumped[0]) == {"section_id", "skill_id", "band"}


def test_a_whole_plan_generates() -> None:
    rng = random.Random(11)
    assessment = CATALOG.assessment("MATH-FUNDAMENTALS-L1")
    items = [
        generate_item(
            CATALOG.skill(slot.skill_id),
            band=slot.band,
            rng=rng,
            item_id=f"gen_{n}",
            section_id=slot.section_id,
        )
        for n, slot in enumerate(plan_assessment(assessment, rng=rng))
    ]
    assert [i.difficulty_band for i in items] == [
        s.band for s in plan_assessment(assessment, rng=random.Random(11))
    ]
    assert len({i.stem for i in items}) == 20


def test_plan_without_catalog_uses_all_section_skills() -> None:
    raw = AssessmentBlueprint.model_validate(
        CATALOG.assessment("MATH-QUIZ-10").model_dump(
            exclude={"sections": {"__all__": {"band_skills"}}}
        )
    )
    assert raw.sections[0].band_skills is None
    slots = plan_assessment(raw, rng=random.Random(0))
    assert len(slots) == 10
