"""Items generated per second: per skill and band, per domain, and per assessment.

Run: ``python bench/bench_items.py [--seconds 0.5] [--grading 20]``. Prints a table per scope;
each row is timed for about ``--seconds`` of wall time on a fresh ``random.Random`` (seed 0).
Also times ``load_catalog()`` (cold: first load in the process, profiles computed; warm:
profiles cached). The "unconstrained" column (``band=None``) is the peer: the ratio shows what
band targeting costs. Domains: arithmetic (``MATH.``), IPv4 subnetting (``NET.``), Python
functions (``PROG.``); the domain row is the mean of its skills' unconstrained rates.

With ``--grading N``: latency of ``assay.grading.score_response`` per item type, N responses
each (multiple choice and free text in-process; code items through ``SandboxRunner`` with the
item's reference solution, one sandboxed run per response), p50 and p99 in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from assay.grading import score_response
from assay.items import ItemInstance, generate_item, load_catalog, plan_assessment
from assay.items.catalog import Catalog
from assay.sandbox import SandboxRunner

DOMAINS = {"MATH": "arithmetic", "NET": "subnetting", "PROG": "python"}


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
    print(f"{'skill':<34}{'band':<8}{'items/s':>10}{'unconstrained/s':>17}{'ratio':>7}")
    by_domain: dict[str, list[float]] = defaultdict(list)
    for skill_id in sorted(catalog.skills):
        skill = catalog.skill(skill_id)
        rng = random.Random(0)
        free = rate(lambda: generate_item(skill, rng=rng), seconds)  # noqa: B023
        by_domain[DOMAINS.get(skill_id.split(".")[0], "other")].append(free)
        for band in catalog.skill_bands(skill_id):
            targeted = rate(lambda: generate_item(skill, band=band, rng=rng), seconds)  # noqa: B023
            print(f"{skill_id:<34}{band:<8}{targeted:>10,.0f}{free:>17,.0f}{free / targeted:>7.2f}")
    print(f"\n{'domain':<14}{'skills':>7}{'items/s (mean)':>16}")
    for domain, rates in sorted(by_domain.items()):
        print(f"{domain:<14}{len(rates):>7}{statistics.fmean(rates):>16,.0f}")


def bench_grading(catalog: Catalog, responses: int) -> None:
    """p50/p99 of score_response per item type (code: real sandbox, reference solutions)."""
    samples = {
        "multiple_choice": "NET.IP.SUBNET.CALC",
        "free_text": "NET.IP.SUBNET.CALC.TEXT",
        "code": "PROG.PYTHON.STRING.LENGTH",
    }
    runner = SandboxRunner()

    def response(item: ItemInstance) -> dict[str, object]:
        if item.item_type == "multiple_choice":
            return {"index": item.correct_index}
        return {"text" if item.item_type == "free_text" else "code": item.correct_answer}

    async def run() -> None:
        isolation = await runner.resolve_isolation()
        print(f"\nscore_response latency (code: SandboxRunner, isolation {isolation})")
        print(f"{'item type':<18}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}")
        for item_type, skill_id in samples.items():
            rng = random.Random(0)
            items = [generate_item(catalog.skill(skill_id), rng=rng) for _ in range(responses)]
            latencies = []
            for item in items:
                start = time.perf_counter()
                score = await score_response(item, response(item), runner=runner)
                latencies.append((time.perf_counter() - start) * 1000)
                assert score.correct
            latencies.sort()
            p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
            print(f"{item_type:<18}{responses:>5}{statistics.median(latencies):>10.3f}{p99:>10.3f}")

    asyncio.run(run())


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
    parser.add_argument("--grading", type=int, default=0, help="responses per item type (0: skip)")
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
    if args.grading:
        bench_grading(catalog, args.grading)


if __name__ == "__main__":
    main()
