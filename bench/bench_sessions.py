"""Benchmark: session turn latency and turns/s over real HTTP on loopback (issue 2).

    python bench/bench_sessions.py [--backends sqlite,postgresql] [--concurrency 1,10,100]
        [--sessions-per-student 1] [--think-ms 0] [--blueprint MATH-QUIZ-10]
        [--max-seconds 300] [--profile DIR]

For each backend and concurrency N a fresh database (SQLite file in a temporary directory;
PostgreSQL: a scratch database ``assay_bench_<hex>`` on ``ASSAY_BENCH_PG_URL``, dropped after)
gets a real ``python -m assay.cli.main serve`` subprocess and one user (``assay users create``).
After one warm-up session, N simulated students each take ``--sessions-per-student`` sessions of
the blueprint through one shared ``httpx.AsyncClient`` (N connections): ``POST /api/sessions``,
then ``GET .../stream`` (SSE, read until the server closes it) and ``POST .../respond`` with a
random option index (after ``--think-ms``, 0 by default), until ``session_completed``.

A *turn* is one answer: its latency runs from sending ``respond`` to receiving the next
``client_action`` event (or ``session_completed`` after the last answer), so it includes the
respond request and reopening the stream. A 10-item session is 10 turns. turns/s is all
students' turns over the configuration's wall time. Percentiles are nearest-rank:
``p_q = sorted(x)[ceil(q/100 * n) - 1]``. CPU ms/turn is the server process's user+system CPU
(``/proc/<pid>/stat``) and this process's (the client's) over the measured run, per turn: on a
shared machine it is steadier than wall time; srv busy % is server CPU over wall time (well under
100 % while latency grows means the server waits: on the database, or on a busy machine's
scheduler; load 1m is the machine's load average). Each configuration stops by itself: every
student finishes its sessions, or ``--max-seconds`` passes (unfinished sessions are errors).

With no think time the students form a closed system, so by Little's law the mean turn latency
is N / throughput (e.g. 100 students at 32 turns/s wait about 3.1 s): at N = 10 and 100 the
latency measures queueing on a saturated server, and the capacity figure is turns/s (about
1000 / srv CPU ms per turn for the single server process). ``--think-ms`` models real students.

PostgreSQL runs also print ``pg_stat_database``/``pg_stat_user_tables`` counters over the
measured run (transactions, connections opened, rows read, index and sequential scans per turn);
the warm-up's statistics are flushed first (an idle backend flushes within 10 s).

Errors are non-2xx answers, SSE ``error`` events and transport exceptions; they are listed by
kind below the table, with any ``Traceback``/``database is locked`` lines of the server log.
``--profile DIR`` runs each server under ``cProfile`` (written to ``DIR/<backend>-<N>.prof``
when the server stops) and prints its top functions by own time; profiled figures are slower
and are not comparable with unprofiled runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_artifacts import pg_drop, pg_scratch  # noqa: E402
from tests.acceptance._server import _wait_healthy as wait_healthy  # noqa: E402
from tests.acceptance._server import create_user, free_port  # noqa: E402

HTTP_TIMEOUT_S = 120.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: Seconds an idle PostgreSQL backend may keep its statistics unflushed (PGSTAT_IDLE_INTERVAL).
PG_IDLE_FLUSH_S = 11.0
LOG_PATTERNS = ("Traceback", "database is locked", "TimeoutError", " 500 ", " 503 ")


# -- measurements ------------------------------------------------------------------------------


@dataclass
class Stats:
    """What the students of one configuration measured (latencies in ms)."""

    turn_ms: list[float] = field(default_factory=list)
    respond_ms: list[float] = field(default_factory=list)
    stream_ms: list[float] = field(default_factory=list)
    first_action_ms: list[float] = field(default_factory=list)
    completed: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def error(self, kind: str) -> None:
        self.errors[kind[:160]] += 1


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile ``sorted(values)[ceil(q/100 * n) - 1]`` (NaN when empty).

    Example: ``percentile([5, 1, 3, 2, 4], 50)`` is ``3`` (rank ceil(2.5) = 3).
    """
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (Linux ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- one student -------------------------------------------------------------------------------


@dataclass
class StreamEnd:
    """What one stream request delivered: the pending action or the end, and when (perf s)."""

    action: dict[str, Any] | None = None
    completed: bool = False
    at_s: float = 0.0
    error: str | None = None


async def read_stream(client: httpx.AsyncClient, session_id: str) -> StreamEnd:
    """Open the session's SSE stream and read it until the server closes it."""
    end = StreamEnd()
    name: str | None = None
    data: list[str] = []
    async with client.stream("GET", f"/api/sessions/{session_id}/stream") as response:
        if response.status_code != 200:
            await response.aread()
            return StreamEnd(error=f"stream {response.status_code}: {response.text[:120]}")
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif not line and name is not None:
                payload = json.loads("\n".join(data)) if data else {}
                if name == "client_action":
                    end.action, end.at_s = payload, time.perf_counter()
                elif name == "session_completed":
                    end.completed, end.at_s = True, time.perf_counter()
                elif name == "error":
                    end.error = f"sse error: {payload.get('error')}: {payload.get('message')}"
                name, data = None, []
    if end.action is None and not end.completed and end.error is None:
        end.error = "stream closed without client_action or session_completed"
    return end


def answer(action: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A random answer fitting the action's widget."""
    props = action.get("props", {})
    if "options" in props:
        return {"index": rng.randrange(len(props["options"]))}
    key = "code" if action.get("tool_name") == "present_code_editor" else "text"
    return {key: str(rng.randrange(100))}


@dataclass(frozen=True)
class Workload:
    """What every student does: ``sessions`` sessions of ``blueprint_id``, thinking ``think_s``
    (uniform in [0.5, 1.5] x ``think_s``) before each answer, stopping at ``deadline_s``
    (``time.perf_counter()`` seconds). With think time, starts are spread over ``think_s``."""

    blueprint_id: str
    sessions: int
    think_s: float
    deadline_s: float


async def take_session(
    client: httpx.AsyncClient, work: Workload, *, rng: random.Random, stats: Stats
) -> None:
    """One student takes one session; records its turns, completion or error in ``stats``."""
    step = "create"
    try:
        started = time.perf_counter()
        body = {"session_type": "evaluation", "config": {"blueprint_id": work.blueprint_id}}
        created = await client.post("/api/sessions", json=body)
        if created.status_code != 201:
            stats.error(f"create {created.status_code}: {created.text[:120]}")
            return
        session_id = created.json()["session_id"]
        sent_s: float | None = None
        while time.perf_counter() < work.deadline_s:
            step, opened_s = "stream", time.perf_counter()
            end = await read_stream(client, session_id)
            if end.error is not None:
                stats.error(end.error)
                return
            if sent_s is None:
                stats.first_action_ms.append((end.at_s - started) * 1000)
            else:
                stats.turn_ms.append((end.at_s - sent_s) * 1000)
                stats.stream_ms.append((end.at_s - opened_s) * 1000)
            if end.completed:
                stats.completed += 1
                return
            assert end.action is not None
            if work.think_s > 0:
                await asyncio.sleep(work.think_s * rng.uniform(0.5, 1.5))
            step, sent_s = "respond", time.perf_counter()
            answer_body = {
                "tool_call_id": end.action["tool_call_id"],
                "response": answer(end.action, rng),
            }
            responded = await client.post(f"/api/sessions/{session_id}/respond", json=answer_body)
            stats.respond_ms.append((time.perf_counter() - sent_s) * 1000)
            if responded.status_code != 200:
                stats.error(f"respond {responded.status_code}: {responded.text[:120]}")
                return
        stats.error("unfinished at --max-seconds")
    except httpx.HTTPError as exc:
        stats.error(f"{step}: {exc!r}")


async def student(client: httpx.AsyncClient, work: Workload, *, seed: int, stats: Stats) -> None:
    rng = random.Random(seed)
    if work.think_s > 0:  # students with think time also start at different moments
        await asyncio.sleep(work.think_s * rng.random())
    for _ in range(work.sessions):
        await take_session(client, work, rng=rng, stats=stats)


# -- the server --------------------------------------------------------------------------------


@dataclass
class Server:
    base_url: str
    token: str
    proc: subprocess.Popen[bytes]
    log_path: Path


@asynccontextmanager
async def serve(
    database_url: str, work_dir: Path, *, profile_to: Path | None
) -> AsyncIterator[Server]:
    """``assay serve`` on ``database_url`` with one user; stopped on exit.

    The server gets SIGTERM, or SIGINT when profiled (see the comment below).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
    env["ASSAY_DATABASE_URL"] = database_url
    env["ASSAY_BLOB_DIR"] = str(work_dir / "blobs")
    token = await asyncio.to_thread(create_user, "bench", env=env)
    port = free_port()
    profiler = [] if profile_to is None else ["-m", "cProfile", "-o", str(profile_to)]
    command = [sys.executable, *profiler, "-m", "assay.cli.main", "serve", "--host", "127.0.0.1"]
    log_path = work_dir / "server.log"
    with log_path.open("wb") as log:
        proc = await asyncio.to_thread(
            subprocess.Popen,
            [*command, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(f"http://127.0.0.1:{port}", token, proc, log_path)
        try:
            await asyncio.to_thread(wait_healthy, server.base_url, proc, log_path)
            yield server
        finally:
            # uvicorn re-raises the signal after its graceful shutdown; under cProfile SIGINT
            # becomes KeyboardInterrupt, which still lets cProfile write its file.
            proc.send_signal(signal.SIGTERM if profile_to is None else signal.SIGINT)
            try:
                await asyncio.to_thread(proc.wait, 30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@asynccontextmanager
async def database(backend: str, work_dir: Path) -> AsyncIterator[str | None]:
    """A fresh database URL for ``backend`` (None when PostgreSQL is unreachable)."""
    if backend == "sqlite":
        yield f"sqlite:///{work_dir / 'assay.db'}"
        return
    scratch = await pg_scratch()
    if scratch is None:
        yield None
        return
    url, name = scratch
    try:
        yield url
    finally:
        await pg_drop(name)


# -- one configuration -------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    concurrency: int
    stats: Stats
    wall_s: float
    server_cpu_s: float
    client_cpu_s: float
    log_lines: list[str]
    load_1m: float
    pg: dict[str, int] | None = None


async def run_students(
    server: Server, *, n: int, sessions: int, args: argparse.Namespace, think_s: float
) -> Stats:
    """``n`` students, each taking ``sessions`` sessions; stops by ``--max-seconds`` at most."""
    stats = Stats()
    limits = httpx.Limits(max_connections=n + 4, max_keepalive_connections=n + 4)
    async with httpx.AsyncClient(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=HTTP_TIMEOUT_S,
        limits=limits,
    ) as client:
        deadline_s = time.perf_counter() + args.max_seconds
        work = Workload(args.blueprint, sessions, think_s, deadline_s)
        students = [
            asyncio.create_task(student(client, work, seed=i, stats=stats)) for i in range(n)
        ]
        _, late = await asyncio.wait(students, timeout=args.max_seconds + 10.0)
        for task in late:  # a request hung past the cap
            task.cancel()
            stats.error("cancelled: a request outlived --max-seconds")
        await asyncio.gather(*late, return_exceptions=True)
    return stats


async def run_config(backend: str, n: int, args: argparse.Namespace) -> Result | None:
    with tempfile.TemporaryDirectory(prefix="assay_bench_sessions_") as tmp:
        work_dir = Path(tmp)
        async with database(backend, work_dir) as url:
            if url is None:
                return None
            profile_to = None if args.profile is None else args.profile / f"{backend}-{n}.prof"
            async with serve(url, work_dir, profile_to=profile_to) as server:
                warm = await run_students(server, n=1, sessions=1, args=args, think_s=0.0)
                if warm.errors:
                    print(f"  warm-up errors on {backend}: {dict(warm.errors)}")
                if backend == "postgresql":
                    await asyncio.sleep(PG_IDLE_FLUSH_S)  # the warm-up's statistics reach the view
                    await pg_counters(url, reset=True)
                server_cpu0, client_cpu0, start = (
                    cpu_s(server.proc.pid),
                    own_cpu_s(),
                    time.perf_counter(),
                )
                stats = await run_students(
                    server,
                    n=n,
                    sessions=args.sessions_per_student,
                    args=args,
                    think_s=args.think_ms / 1000,
                )
                wall_s = time.perf_counter() - start
                server_cpu = cpu_s(server.proc.pid) - server_cpu0
                client_cpu = own_cpu_s() - client_cpu0
                load_1m = os.getloadavg()[0]
                log_lines = [  # read before the server stops (its shutdown is not measured)
                    line
                    for line in server.log_path.read_text(errors="replace").splitlines()
                    if any(p in line for p in LOG_PATTERNS)
                ]
            pg = None
            if backend == "postgresql":  # the server's backends flushed their statistics on exit
                await asyncio.sleep(1.0)
                pg = await pg_counters(url, reset=False)
    if profile_to is not None:
        print_profile(profile_to, backend, n)
    return Result(backend, n, stats, wall_s, server_cpu, client_cpu, log_lines, load_1m, pg)


async def pg_counters(url: str, *, reset: bool) -> dict[str, int]:
    """This database's ``pg_stat_database`` counters (transactions, connections opened, rows).

    With ``reset`` the counters are zeroed (``pg_stat_reset()``) and nothing is returned.
    Otherwise the reset's own connection and transaction are subtracted (counts are +-2).
    """
    import asyncpg

    conn = await asyncpg.connect(url, timeout=5)
    try:
        if reset:
            await conn.execute("SELECT pg_stat_reset()")
            return {}
        row = await conn.fetchrow(
            "SELECT xact_commit + xact_rollback - 1 AS xacts, xact_rollback AS rollbacks,"
            " sessions - 1 AS connections, tup_returned + tup_fetched AS rows_read"
            " FROM pg_stat_database WHERE datname = current_database()"
        )
        scans = await conn.fetchrow(
            "SELECT sum(seq_scan) AS seq_scans, sum(seq_tup_read) AS seq_rows,"
            " sum(idx_scan) AS idx_scans FROM pg_stat_user_tables"
        )
    finally:
        await conn.close()
    return {**dict(row), **{k: int(v or 0) for k, v in scans.items()}}


def print_profile(path: Path, backend: str, n: int) -> None:
    """Top 20 functions by own time, then Assay's top 25 by cumulative time (whole server run,
    start-up included; coroutine times include their waits)."""
    import pstats

    if not path.exists():
        print(f"  no profile written for {backend} N={n}")
        return
    print(f"\n-- cProfile of the server, {backend} N={n}: top 20 by own time --")
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(20)
    print(f"-- {backend} N={n}: assay functions, top 25 by cumulative time --")
    stats.sort_stats("cumulative").print_stats(r"/assay/", 25)


# -- report ------------------------------------------------------------------------------------


def print_table(title: str, columns: list[tuple[str, int]], rows: list[list[str]]) -> None:
    """Print ``rows`` under ``columns`` (header, width); the first column is left-aligned."""
    widths = [w for _, w in columns]

    def line(cells: list[str]) -> str:
        first, *rest = zip(cells, widths, strict=True)
        return f"{first[0]:<{first[1]}}" + "".join(f"{c:>{w}}" for c, w in rest)

    print(f"\n{title}\n\n{line([h for h, _ in columns])}\n{'-' * sum(widths)}")
    for row in rows:
        print(line(row))


def pair(values: list[float]) -> str:
    return f"{percentile(values, 50):.1f}/{percentile(values, 99):.1f}"


def print_tables(results: list[Result]) -> None:
    rows = []
    for r in results:
        s, turns = r.stats, len(r.stats.turn_ms)
        per_turn_ms = 1000 / turns if turns else math.nan
        rows.append(
            [
                r.backend,
                str(r.concurrency),
                str(turns),
                f"{percentile(s.turn_ms, 50):.1f}",
                f"{percentile(s.turn_ms, 99):.1f}",
                f"{turns / r.wall_s:.1f}",
                str(s.completed),
                str(sum(s.errors.values())),
                f"{r.server_cpu_s * per_turn_ms:.1f}",
                f"{r.client_cpu_s * per_turn_ms:.1f}",
                f"{100 * r.server_cpu_s / r.wall_s:.0f}",
                f"{r.load_1m:.1f}",
            ]
        )
    columns = [
        ("backend", 11),
        ("N", 4),
        ("turns", 7),
        ("p50 ms", 9),
        ("p99 ms", 9),
        ("turns/s", 9),
        ("sessions", 10),
        ("errors", 8),
        ("srv CPU ms/turn", 17),
        ("cli CPU ms/turn", 17),
        ("srv busy %", 12),
        ("load 1m", 9),
    ]
    print_table("turn latency: respond -> next client_action (or session_completed)", columns, rows)
    rows = [
        [
            r.backend,
            str(r.concurrency),
            pair(r.stats.respond_ms),
            pair(r.stats.stream_ms),
            pair(r.stats.first_action_ms),
            f"{max(r.stats.turn_ms, default=math.nan):.1f}",
            f"{r.wall_s:.1f}",
        ]
        for r in results
    ]
    columns = [
        ("backend", 11),
        ("N", 4),
        ("respond p50/p99", 18),
        ("stream p50/p99", 18),
        ("first action p50/p99", 23),
        ("turn max", 10),
        ("wall s", 8),
    ]
    print_table(
        "breakdown (ms): respond = POST respond; stream = reopen stream -> next event; "
        "first action = POST session -> first client_action",
        columns,
        rows,
    )
    rows = []
    for r in results:
        if r.pg:
            turns = max(1, len(r.stats.turn_ms))
            rows.append(
                [
                    r.backend,
                    str(r.concurrency),
                    str(r.pg["xacts"]),
                    f"{r.pg['xacts'] / turns:.1f}",
                    str(r.pg["rollbacks"]),
                    str(r.pg["connections"]),
                    f"{r.pg['rows_read'] / turns:.0f}",
                    f"{r.pg['idx_scans'] / turns:.1f}",
                    f"{r.pg['seq_scans'] / turns:.1f}",
                    f"{r.pg['seq_rows'] / turns:.0f}",
                ]
            )
    if rows:
        columns = [
            ("backend", 11),
            ("N", 4),
            ("xacts", 8),
            ("xacts/turn", 12),
            ("rollbacks", 11),
            ("conns opened", 14),
            ("rows read/turn", 16),
            ("idx scans/turn", 16),
            ("seq scans/turn", 16),
            ("seq rows/turn", 15),
        ]
        print_table(
            "PostgreSQL pg_stat_database over the measured run (per turn = per answer)",
            columns,
            rows,
        )
    for r in results:
        if r.stats.errors or r.log_lines:
            print(f"\n{r.backend} N={r.concurrency}: errors by kind")
            for kind, count in r.stats.errors.most_common():
                print(f"  {count:>5}  {kind}")
            if r.log_lines:
                print(f"  server log: {len(r.log_lines)} matching lines, first 10:")
                for line in r.log_lines[:10]:
                    print(f"    {line[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--concurrency", default="1,10,100", help="comma-separated student counts")
    parser.add_argument("--sessions-per-student", type=int, default=1)
    parser.add_argument(
        "--think-ms", type=float, default=0.0, help="mean think time before each answer (ms)"
    )
    parser.add_argument("--blueprint", default="MATH-QUIZ-10", help="assessment blueprint id")
    parser.add_argument(
        "--max-seconds", type=float, default=300.0, help="cap per configuration (s)"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="run servers under cProfile, .prof files here"
    )
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"--backends: unknown {sorted(unknown)}; must be sqlite and/or postgresql")
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    levels = [int(n) for n in args.concurrency.split(",")]
    results = []
    for backend in backends:
        for n in levels:
            print(f"running {backend} N={n} ...", flush=True)
            result = asyncio.run(run_config(backend, n, args))
            if result is not None:
                results.append(result)
    print_tables(results)


if __name__ == "__main__":
    main()
