"""Every generated Python item's reference solution passes its own tests in the real sandbox."""

import random

import pytest

from assay.grading import grade_response
from assay.items import load_catalog
from assay.items.generate import generate_item
from assay.sandbox import SandboxRunner

CATALOG = load_catalog()
PY_SKILL_BANDS = [
    (skill_id, band)
    for skill_id in sorted(s for s in CATALOG.skills if s.startswith("PROG."))
    for band in CATALOG.skill_bands(skill_id)
]
SEEDS = range(3)


@pytest.fixture(scope="module")
def runner() -> SandboxRunner:
    return SandboxRunner()  # bubblewrap where usable, else rlimits only


@pytest.mark.parametrize(("skill_id", "band"), PY_SKILL_BANDS)
async def test_reference_passes_every_generated_test(
    runner: SandboxRunner, skill_id: str, band: str
) -> None:
    for seed in SEEDS:
        item = generate_item(CATALOG.skill(skill_id), band=band, rng=random.Random(seed))  # type: ignore[arg-type]
        graded = await grade_response(item, {"code": item.correct_answer}, runner=runner)
        assert graded.error is None, graded.error
        assert [t.status.value for t in graded.tests] == ["passed"] * len(
            item.generation_params["tests"]
        )
        assert graded.score.correct and graded.score.score == 1.0
