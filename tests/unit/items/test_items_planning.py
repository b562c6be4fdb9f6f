"""plan_assessment: counts, distributions, producible bands, determinism."""

import random
from collections import Counter

import pytest

from assay.items import AssessmentBlueprint, ItemSlot, generate_item, load_catalog, plan_assessment
from assay.items.blueprints import SectionSpec
from assay.items.difficulty import Band
from assay.items.planning import assign_skills

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


# ---- skills within a section (issue 14 item 21) ------------------------------------------------

SHIPPED = sorted(CATALOG.assessments)


def _fitting(section: SectionSpec, band: str) -> set[str]:
    skills = (section.band_skills or {}).get(band)  # type: ignore[call-overload]
    return set(skills or section.skill_blueprints)


@pytest.mark.parametrize("assessment_id", SHIPPED)
@pytest.mark.parametrize("seed", range(60))
def test_a_form_repeats_a_skill_only_when_no_unused_one_fits(assessment_id: str, seed: int) -> None:
    assessment = CATALOG.assessment(assessment_id)
    slots = plan_assessment(assessment, rng=random.Random(seed))
    assert slots == plan_assessment(assessment, rng=random.Random(seed))
    for section in assessment.sections:
        mine = [s for s in slots if s.section_id == section.section_id]
        used = Counter(s.skill_id for s in mine)
        for slot in mine:
            assert slot.skill_id in _fitting(section, slot.band)
            if used[slot.skill_id] > 1:
                unused = _fitting(section, slot.band) - set(used)
                assert not unused, f"{slot} repeats a skill while {unused} fit"
        # Every shipped section can use all its producible skills (or one per item).
        reachable = set().union(*(_fitting(section, b) for b in section.bands()))
        assert len(used) == min(len(reachable), section.item_count)
        # Uses of a skill differ by at most one between the skills of a section when every
        # skill fits every slot.
        if all(_fitting(section, b) == reachable for b in section.bands()):
            counts = [used.get(k, 0) for k in reachable]
            assert max(counts) - min(counts) <= 1


def test_py_functions_uses_every_skill_of_each_section() -> None:
    assessment = CATALOG.assessment("PY-FUNCTIONS-L1")
    for seed in range(100):
        slots = plan_assessment(assessment, rng=random.Random(seed))
        for section in assessment.sections:
            skills = [s.skill_id for s in slots if s.section_id == section.section_id]
            assert sorted(skills) == sorted(section.skill_blueprints)


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        # a greedy draw in slot order takes A for easy half the time, then repeats it
        ([("easy", ["A", "B"]), ("medium", ["A"]), ("hard", ["C"])], [["B", "A", "C"]]),
        ([("easy", ["A"]), ("medium", ["A"])], [["A", "A"]]),
        (
            [("easy", ["A", "B"]), ("easy", ["A", "B"]), ("medium", ["A", "B"])],
            [["A", "B", "A"], ["A", "B", "B"], ["B", "A", "A"], ["B", "A", "B"]],
        ),
        ([("hard", ["A", "A", "B"]), ("hard", ["B"])], [["A", "B"]]),
    ],
)
def test_assign_skills_table(
    slots: list[tuple[Band, list[str]]], expected: list[list[str]]
) -> None:
    seen = {tuple(assign_skills(slots, rng=random.Random(seed))) for seed in range(40)}
    assert seen == {tuple(e) for e in expected}


def test_assign_skills_refuses_a_slot_without_candidates() -> None:
    with pytest.raises(ValueError, match="at least one candidate"):
        assign_skills([("easy", [])], rng=random.Random(0))
