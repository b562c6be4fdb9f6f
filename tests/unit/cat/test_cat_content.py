"""Content balancing: the Kingsbury-Zara deficit order over sections and bands."""

from __future__ import annotations

import pytest

from assay.cat.content import ContentPlan, SectionTarget, order_by_deficit

SEED_BLUEPRINT = {  # seed 002 §13.4, "MATH-FUNDAMENTALS-L1"
    "assessment_id": "MATH-FUNDAMENTALS-L1",
    "total_items": 20,
    "sections": [
        {
            "domain": d,
            "item_count": 5,
            "difficulty_distribution": {"easy": 2, "medium": 2, "hard": 1},
        }
        for d in ("Addition", "Subtraction", "Multiplication", "Division")
    ],
}


@pytest.mark.parametrize(
    ("quotas", "counts", "order"),
    [
        ([("A", 2), ("B", 1)], {}, ["A", "B"]),  # deficits 2/3, 1/3
        ([("A", 2), ("B", 1)], {"A": 1}, ["B", "A"]),  # worked example: 0.33 vs 0.67
        ([("A", 2), ("B", 1)], {"A": 1, "B": 1}, ["A", "B"]),  # B is full
        ([("A", 1), ("B", 1)], {}, ["A", "B"]),  # tie: blueprint order
        ([("A", 1), ("B", 1)], {"A": 1, "B": 1}, ["A", "B"]),  # both full: keep proportions
        ([("A", 1), ("B", 3)], {"A": 1, "B": 3}, ["B", "A"]),  # both full, B lags (3/4*5-3)
        ([("A", 0), ("B", 2)], {}, ["B"]),  # zero quota never drawn
        ([], {}, []),
    ],
)
def test_order_by_deficit_table(
    quotas: list[tuple[str, int]], counts: dict[str, int], order: list[str]
) -> None:
    assert order_by_deficit(quotas, counts) == order


def test_following_the_order_meets_every_quota_exactly() -> None:
    quotas = [("A", 5), ("B", 3), ("C", 1), ("D", 7)]
    counts: dict[str, int] = {}
    for _ in range(16):
        first = order_by_deficit(quotas, counts)[0]
        counts[first] = counts.get(first, 0) + 1
    assert counts == dict(quotas)


def test_groups_list_bands_then_the_whole_section() -> None:
    plan = ContentPlan.from_dict(SEED_BLUEPRINT)
    groups = plan.groups([("Addition", "easy")])
    assert groups[:4] == [
        ("Subtraction", "easy"),
        ("Subtraction", "medium"),
        ("Subtraction", "hard"),
        ("Subtraction", None),
    ]
    assert ("Addition", "medium") in groups and groups[-1] == ("Addition", None)


def test_band_order_follows_the_band_deficit() -> None:
    plan = ContentPlan(sections=(SectionTarget("S", 5, (("easy", 2), ("medium", 2), ("hard", 1))),))
    assert plan.groups([("S", "easy"), ("S", "medium")])[0] == ("S", "hard")
    assert plan.groups([("S", "easy")])[0] == ("S", "medium")


def test_from_dict_reads_the_seed_blueprint_and_round_trips() -> None:
    plan = ContentPlan.from_dict(SEED_BLUEPRINT)
    assert plan.total_items == 20
    assert plan.sections[0] == SectionTarget(
        "Addition", 5, (("easy", 2), ("medium", 2), ("hard", 1))
    )
    assert ContentPlan.from_dict(plan.to_dict()) == plan


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"sections": [{"item_count": 3}]}, r"sections\[0\].section_id"),
        ({"sections": [{"section_id": "A"}]}, r"sections\[0\].item_count"),
        ({"sections": []}, "at least one section"),
        ({"sections": [{"section_id": "A", "item_count": 1}] * 2}, "unique"),
        ({"sections": [{"section_id": "A", "item_count": -1}]}, "item_count"),
        (
            {
                "sections": [
                    {"section_id": "A", "item_count": 1, "difficulty_distribution": {"easy": -1}}
                ]
            },
            "difficulty_distribution",
        ),
    ],
)
def test_bad_blueprints_are_rejected_naming_the_field(data: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ContentPlan.from_dict(data)
