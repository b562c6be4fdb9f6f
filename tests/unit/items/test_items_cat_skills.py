"""The free-text arithmetic skills of MATH-CAT: typed answers, computed keys, unclipped
difficulties that reach both ends of the ability scale."""

from __future__ import annotations

import random
import re

import pytest

from assay.items import generate_item, load_catalog
from assay.items.difficulty import band_of

CATALOG = load_catalog()
TEXT = sorted(s for s in CATALOG.skills if s.startswith("MATH.ARITH.") and s.endswith(".TEXT"))
STEM = re.compile(r"(\d+)\D+?(\d+)")
OPS = {
    "addition": lambda a, b: a + b,
    "subtraction": lambda a, b: a - b,
    "multiplication": lambda a, b: a * b,
    "division": lambda a, b: a // b,
}


@pytest.mark.parametrize("skill_id", TEXT)
def test_text_skills_type_a_computed_integer(skill_id: str) -> None:
    skill = CATALOG.skill(skill_id)
    for seed in range(40):
        item = generate_item(skill, rng=random.Random(seed))
        assert item.item_type == "free_text" and item.options is None
        assert item.answer_kind == "integer"
        p = item.generation_params
        assert str(p["op1"]) in item.stem and str(p["op2"]) in item.stem
        assert item.correct_answer == str(OPS[skill.operation](p["op1"], p["op2"]))
        assert item.score({"text": f" {item.correct_answer} "}).correct
        assert not item.score({"text": str(int(item.correct_answer) + 1)}).correct
        # never clipped: the IRT-lite b stays finite and inside about (-3, +3.3)
        assert 0.04 <= item.difficulty <= 0.97
        assert item.difficulty_band == band_of(item.difficulty)


def test_text_skills_reach_both_ends() -> None:
    from assay.items.targeting import compile_skill

    lows = {s: min(x.difficulty for x in compile_skill(CATALOG.skill(s)).scenarios) for s in TEXT}
    highs = {s: max(x.difficulty for x in compile_skill(CATALOG.skill(s)).scenarios) for s in TEXT}
    for op in ("ADD", "SUB", "MUL", "DIV"):
        mine = [s for s in TEXT if s.startswith(f"MATH.ARITH.{op}.")]
        assert min(lows[s] for s in mine) <= 0.08  # b <= -2.44
        assert max(highs[s] for s in mine) >= 0.92  # b >= +2.44
