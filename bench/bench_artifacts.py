"""Benchmark: artifact create + submit_for_review cycles per second, one deterministic rubric.

    python bench/bench_artifacts.py [--cycles 600] [--concurrency 32] [--ref-python PATH]

One cycle is ``registry.create(...)`` followed by ``registry.submit_for_review(id)`` with the
seed's ``quiz_quality`` rubric (one deterministic criterion), the artifact ending APPROVED.
Assay runs on three databases: in-memory SQLite, a durable SQLite file (WAL) in a temporary
directory, and PostgreSQL (``ASSAY_BENCH_PG_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``; a scratch database is created and dropped;
skipped when unreachable). Each runs sequentially (one cycle at a time, as the reference
does) and with ``--concurrency`` cycles in flight.

The reference library (dataknobs-bots, its in-memory database) runs in its own interpreter,
``--ref-python`` (default ``/work/ref-venv/bin/python`` when it exists), through this file's
``--worker`` mode, with the same cycle code (:func:`cycle_steps`); it is never imported by
Assay. Ratios are Assay / the reference's best figure (its sequential and concurrent runs).
Figures are the best of ``--repeat`` runs: other load on a shared machine only slows a run.
Install the reference with: ``python -m venv /work/ref-venv &&
/work/ref-venv/bin/pip install --ignore-requires-python dataknobs-bots "numpy<2.4"``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

DEFAULT_REF = Path("/work/ref-venv/bin/python")
PG_ADMIN_URL = os.environ.get("ASSAY_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CONTENT = {"questions": ["Q1", "Q2", "Q3", "Q4", "Q5"]}


def check_question_count(content: dict[str, Any]) -> str:
    return "pass" if len(content.get("questions", [])) >= 5 else "fail"


def rubric_dict() -> dict[str, Any]:
    """The seed's end-to-end rubric, as a dict both libraries accept."""
    return {
        "id": "quiz_quality",
        "name": "Quiz Quality",
        "description": "Validates quiz content",
        "version": "1.0.0",
        "target_type": "content",
        "criteria": [
            {
                "id": "question_count",
                "name": "Question Count",
                "description": "Sufficient number of questions",
                "weight": 1.0,
                "levels": [
                    {"id": "fail", "label": "Fail", "description": "Too few", "score": 0.0},
                    {"id": "pass", "label": "Pass", "description": "Enough", "score": 1.0},
                ],
                "scoring_method": {
                    "type": "deterministic",
                    "function_ref": "scoring:check_question_count",
                },
                "required": True,
            }
        ],
        "pass_threshold": 0.7,
        "metadata": {},
    }


def cycle_steps(
    registry: Any, create_provenance: Callable[..., Any]
) -> tuple[Callable[[], Awaitable[str]], Callable[[str], Awaitable[None]]]:
    """The two steps of a cycle, written once against the seed's API: both libraries run this
    same code (only their imports differ)."""

    async def create() -> str:
        artifact = await registry.create(
            artifact_type="quiz",
            name="Biology Quiz",
            content=CONTENT,
            provenance=create_provenance("bot:quizbot", "generator"),
        )
        return str(artifact.id)

    async def review(artifact_id: str) -> None:
        evaluations = await registry.submit_for_review(artifact_id)
        assert evaluations[0]["passed"] is True

    return create, review


def cpu_s() -> float:
    """CPU seconds used by this process so far (every thread, user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_cycles(
    create: Callable[[], Awaitable[Any]],
    review: Callable[[Any], Awaitable[Any]],
    cycles: int,
    concurrency: int,
) -> tuple[float, float]:
    """``(cycles per second, process CPU microseconds per cycle)`` of ``review(await
    create())``, ``concurrency`` cycles in flight."""

    async def worker(n: int) -> None:
        for _ in range(n):
            await review(await create())

    share = [cycles // concurrency + (i < cycles % concurrency) for i in range(concurrency)]
    cpu0, start = cpu_s(), time.perf_counter()
    await asyncio.gather(*(worker(n) for n in share if n))
    wall, cpu = time.perf_counter() - start, cpu_s() - cpu0
    return cycles / wall, cpu / cycles * 1e6


# -- Assay ------------------------------------------------------------------------------------


async def assay_rate(url: str | None, cycles: int, concurrency: int) -> tuple[float, float]:
    from assay.artifacts import ArtifactRegistry, ArtifactStatus, ArtifactTypeDefinition
    from assay.artifacts.provenance import create_provenance
    from assay.rubrics import FunctionRegistry, Rubric, RubricExecutor, RubricRegistry
    from assay.storage import Database

    db = Database.memory() if url is None else await Database.connect(url)
    try:
        rubrics = RubricRegistry(db)
        await rubrics.register(Rubric.from_dict(rubric_dict()))
        functions = FunctionRegistry()
        functions.register("scoring:check_question_count", check_question_count)
        registry = ArtifactRegistry(
            db,
            rubric_registry=rubrics,
            rubric_executor=RubricExecutor(function_registry=functions),
            type_definitions={"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])},
        )

        create, review = cycle_steps(registry, create_provenance)
        await run_cycles(create, review, max(10, cycles // 10), 1)  # warm-up
        measured = await run_cycles(create, review, cycles, concurrency)
        approved = await registry.query(status=ArtifactStatus.APPROVED, limit=1)
        assert approved, "cycles must end approved"
        return measured
    finally:
        await db.close()


async def pg_scratch() -> tuple[str, str] | None:
    try:
        import asyncpg

        name = f"assay_bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", name
    except Exception as exc:
        print(f"  PostgreSQL unreachable ({exc!r}); skipped")
        return None


async def pg_drop(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# -- reference (runs in its own interpreter) ---------------------------------------------------


async def reference_rate(cycles: int, concurrency: int) -> tuple[float, float]:
    from dataknobs_bots.artifacts import ArtifactRegistry, ArtifactTypeDefinition
    from dataknobs_bots.artifacts.provenance import create_provenance
    from dataknobs_bots.rubrics import FunctionRegistry, Rubric, RubricExecutor, RubricRegistry
    from dataknobs_data.backends.memory import AsyncMemoryDatabase

    functions = FunctionRegistry()
    functions.register("scoring:check_question_count", check_question_count)
    rubrics = RubricRegistry(AsyncMemoryDatabase())
    await rubrics.register(Rubric.from_dict(rubric_dict()))
    registry = ArtifactRegistry(
        db=AsyncMemoryDatabase(),
        rubric_registry=rubrics,
        rubric_executor=RubricExecutor(function_registry=functions),
        type_definitions={"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])},
    )

    create, review = cycle_steps(registry, create_provenance)
    await run_cycles(create, review, max(10, cycles // 10), 1)
    return await run_cycles(create, review, cycles, concurrency)


def run_reference(python: Path, cycles: int, concurrency: int) -> tuple[float, float] | None:
    proc = subprocess.run(
        [
            str(python),
            __file__,
            "--worker",
            "--cycles",
            str(cycles),
            "--concurrency",
            str(concurrency),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  reference failed: {proc.stderr.strip()[-500:]}")
        return None
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(out["cycles_per_s"]), float(out["cpu_us_per_cycle"])


# -- main ---------------------------------------------------------------------------------------


def remove_sqlite_files(path: Path) -> None:
    """Delete a SQLite database file and its WAL files (a fresh database per run)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The best rate and the lowest CPU per cycle of repeated runs (other load only slows)."""
    return max(r for r, _ in runs), min(c for _, c in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best counts")
    parser.add_argument(
        "--ref-python", type=Path, default=DEFAULT_REF if DEFAULT_REF.exists() else None
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        rate, cpu = asyncio.run(reference_rate(args.cycles, args.concurrency))
        print(json.dumps({"cycles_per_s": rate, "cpu_us_per_cycle": cpu}))
        return

    print(
        f"artifact create + submit_for_review, one deterministic rubric, {args.cycles} cycles, "
        f"best of {args.repeat}; CPU = this process's CPU time per cycle (all threads)"
    )
    ref: tuple[float, float] | None = None  # the reference's best, the ratios' base
    if args.ref_python is not None:
        for conc in (1, args.concurrency):
            runs = [run_reference(args.ref_python, args.cycles, conc) for _ in range(args.repeat)]
            ok = [r for r in runs if r is not None]
            if not ok:
                continue
            rate, cpu = best(ok)
            print(
                f"  reference (dataknobs-bots, in-memory) concurrency {conc:3d}: {rate:7.0f} "
                f"cycles/s {cpu:7.0f} us CPU/cycle"
            )
            if ref is None or rate > ref[0]:
                ref = (rate, cpu)
    if ref is None:
        print("  reference: not run (no --ref-python)")

    async def assay_all() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            db_file = Path(tmp) / "bench.db"
            targets: list[tuple[str, str | None]] = [
                ("in-memory SQLite", None),
                ("file SQLite (WAL)", f"sqlite:///{db_file}"),
            ]
            scratch = await pg_scratch()
            if scratch is not None:
                targets.append(("PostgreSQL", scratch[0]))
            try:
                for label, url in targets:
                    for conc in (1, args.concurrency):
                        runs = []
                        for _ in range(args.repeat):
                            remove_sqlite_files(db_file)
                            runs.append(await assay_rate(url, args.cycles, conc))
                        rate, cpu = best(runs)
                        ratio = ""
                        if ref is not None:
                            ratio = f"  rate x{rate / ref[0]:4.2f}, CPU x{cpu / ref[1]:4.2f} of ref"
                        print(
                            f"  assay {label:17s} concurrency {conc:3d}: {rate:7.0f} cycles/s "
                            f"{cpu:7.0f} us CPU/cycle{ratio}"
                        )
            finally:
                if scratch is not None:
                    await pg_drop(scratch[1])

    asyncio.run(assay_all())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()
