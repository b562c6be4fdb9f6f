"""Benchmark: grading latency per code submission (goal: p99 <= 300 ms with the sandbox).

    python bench/bench_grading.py [--submissions 60] [--concurrency 1 4]

One submission is ``grade_python_function`` on seed 002 §13.5 PYTHON_STRING_LENGTH
(``count_chars``, the seed's three example tests plus a unicode one), all cases in one
sandboxed process. Measured per submission, wall clock, from the call to the ``GradeResult``:

- ``bwrap``: ``SandboxRunner(isolation="bwrap")`` (skipped when bubblewrap is unusable);
- ``rlimits-only``: ``SandboxRunner(isolation="rlimits-only")`` (as root with an interpreter
  other users can read: ``sys.executable``, else ``/usr/bin/python3``);
- ``bare``, the peer: the same harness and submission in a plain ``python -I -S`` subprocess,
  no launcher, no limits, no isolation: what grading costs without a sandbox.

Each mode runs ``--submissions`` gradings one at a time, then with each ``--concurrency``
level in flight. Printed: p50, p99 and mean latency in ms, submissions per second, and the
ratio of each sandbox's p50 to the bare peer's, and the interpreter each used (start-up time
differs between builds: a shared-libpython build such as pyenv's starts slower than Debian's
``/usr/bin/python3``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from assay.sandbox import (
    GradeResult,
    Limits,
    RunResult,
    SandboxRunner,
    SandboxUnavailableError,
    grade_python_function,
    scripted_result,
)
from assay.sandbox.runner import PYTHON_FLAGS

GOAL_MS = 300.0
SUBMISSION = "def count_chars(s: str) -> int:\n    return len(s)\n"
TESTS = [
    {"input": "hello", "expected": 5},
    {"input": "hello world", "expected": 11},
    {"input": "", "expected": 0},
    {"input": "naïve café", "expected": 10},
]


def write_files(directory: str, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        Path(directory, name).write_text(text, encoding="utf-8")


class BareRunner:
    """The peer: a plain subprocess in a temporary directory, nothing enforced."""

    async def run(
        self,
        source: str,
        *,
        stdin: str | bytes = b"",
        args: Sequence[str] = (),
        files: Mapping[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        with tempfile.TemporaryDirectory() as tmp:
            await asyncio.to_thread(write_files, tmp, {"main.py": source, **(files or {})})
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *PYTHON_FLAGS,
                str(Path(tmp, "main.py")),
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=tmp,
            )
            data = stdin.encode() if isinstance(stdin, str) else stdin
            out, err = await process.communicate(data)
        return scripted_result(out.decode(), stderr=err.decode(), exit_code=process.returncode)


async def grade_once(runner: object) -> tuple[float, GradeResult]:
    started = time.perf_counter()
    result = await grade_python_function(
        SUBMISSION,
        function_name="count_chars",
        test_cases=TESTS,
        runner=runner,  # type: ignore[arg-type]
        timeout_s=5.0,
    )
    return (time.perf_counter() - started) * 1000.0, result


async def measure(
    runner: object, *, submissions: int, concurrency: int
) -> tuple[list[float], float]:
    """Latencies (ms) of ``submissions`` gradings with ``concurrency`` in flight; and wall s."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one() -> None:
        async with gate:
            latency_ms, result = await grade_once(runner)
            if result.score != 1.0:
                raise RuntimeError(f"grading went wrong: {result.error} {result.run.stderr}")
            latencies.append(latency_ms)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(submissions)))
    return latencies, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def interpreter(runner: object) -> str:
    if isinstance(runner, SandboxRunner):
        return runner.python_executable
    return os.path.realpath(sys.executable)


async def runners() -> dict[str, object]:
    found: dict[str, object] = {"bare": BareRunner()}
    bwrap = SandboxRunner(isolation="bwrap")
    try:
        await bwrap.resolve_isolation()
        found["bwrap"] = bwrap
    except SandboxUnavailableError as exc:
        print(f"bwrap: skipped ({exc})")
    for python in (sys.executable, "/usr/bin/python3"):
        fallback = SandboxRunner(isolation="rlimits-only", python_executable=python)
        try:
            await fallback.resolve_isolation()
        except SandboxUnavailableError:
            continue
        found["rlimits-only"] = fallback
        break
    return found


async def main(submissions: int, levels: list[int]) -> None:
    found = await runners()
    print(f"grading latency per submission, {len(TESTS)} test cases, {submissions} submissions")
    load = os.getloadavg()[0]
    print(f"cpu count {os.cpu_count()}, load average {load:.2f}, goal p99 <= {GOAL_MS:g} ms")
    header = ("mode", "in flight", "p50 ms", "p99 ms", "mean ms", "per s", "p50/bare", "python")
    print("{:<13} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9}  {}".format(*header))
    bare_p50: dict[int, float] = {}
    for name in ("bare", "bwrap", "rlimits-only"):
        if name not in found:
            continue
        await grade_once(found[name])  # warm up (bubblewrap probe, caches)
        for level in levels:
            latencies, wall_s = await measure(
                found[name], submissions=submissions, concurrency=level
            )
            p50 = percentile(latencies, 0.5)
            bare_p50.setdefault(level, p50)
            print(
                f"{name:<13} {level:>9} {p50:>8.1f} {percentile(latencies, 0.99):>8.1f} "
                f"{statistics.fmean(latencies):>8.1f} {submissions / wall_s:>7.1f} "
                f"{p50 / bare_p50[level]:>9.2f}  {interpreter(found[name])}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    options = parser.parse_args()
    asyncio.run(main(options.submissions, options.concurrency))
