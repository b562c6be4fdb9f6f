"""Items generated per second: per skill and band, and per assessment (plan + generate).

Run: ``python bench/bench_items.py [--seconds 0.5]``. Prints a table per scope; each row is
timed for about ``--seconds`` of wall time on a fresh ``random.Random`` (seed 0). Also times
``load_catalog()`` (cold: first load in the process, profiles computed; warm: profiles cached).
The "unconstrained" column (``band=None``) is the peer: the ratio shows what band targeting
costs.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from assay.items import generate_item, load_catalog, plan_assessment
from assay.items.catalog import Catalog


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    fn()  # warm-up (compiles the skill's profile)
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            fn()
        n += 20
    return n / elapsed


def bench_skills(catalog: Catalog, seconds: float) -> None:
    print(f"{'skill':<26}{'band':<8}{'items/s':>10}{'unconstrained/s':>17}{'ratio':>7}")
    for skill_id in sorted(catalog.skills):
        skill = catalog.skill(skill_id)
        rng = random.Random(0)
        free = rate(lambda: generate_item(skill, rng=rng), seconds)  # noqa: B023
        for band in catalog.skill_bands(skill_id):
            targeted = rate(lambda: generate_item(skill, band=band, rng=rng), seconds)  # noqa: B023
            print(f"{skill_id:<26}{band:<8}{targeted:>10,.0f}{free:>17,.0f}{free / targeted:>7.2f}")


def bench_assessments(catalog: Catalog, seconds: float) -> None:
    print(f"\n{'assessment':<24}{'items':>6}{'plans/s':>10}{'items/s':>10}")
    for assessment_id in sorted(catalog.assessments):
        assessment = catalog.assessment(assessment_id)
        rng = random.Random(0)

        def run() -> None:
            for n, slot in enumerate(plan_assessment(assessment, rng=rng)):  # noqa: B023
                generate_item(
                    catalog.skill(slot.skill_id),
                    band=slot.band,
                    rng=rng,  # noqa: B023
                    item_id=f"gen_{n}",
                    section_id=slot.section_id,
                )

        plans = rate(run, seconds)
        total = assessment.total_items
        print(f"{assessment_id:<24}{total:>6}{plans:>10,.1f}{plans * total:>10,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="wall time per row (s)")
    args = parser.parse_args()
    start = time.perf_counter()
    catalog = load_catalog()
    cold_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    load_catalog()
    warm_ms = (time.perf_counter() - start) * 1000
    print(f"load_catalog: cold {cold_ms:.1f} ms, warm {warm_ms:.1f} ms\n")
    bench_skills(catalog, args.seconds)
    bench_assessments(catalog, args.seconds)


if __name__ == "__main__":
    main()
