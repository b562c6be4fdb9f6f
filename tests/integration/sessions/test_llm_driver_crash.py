"""A process killed at any step boundary of an LLM-driven session: the next one carries on.

A *step boundary* is a committed write transaction or a model call that returned. The
simulated process dies at boundary k (a ``BaseException`` nothing in the loop catches; from
then on every database or model call of that process dies too, so its lease is not released),
its lease lapses, and a fresh process (a new :class:`SessionLoop` and driver on the same
database) continues the session. For every k: no tool call id has two tool results, no item
is served or answered twice, the model-call log has one entry per assistant message (the only
model call ever repeated is the one whose answer the dead process never committed), and the
transcript has the same steps as a session that never crashed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from tests.integration.sessions.helpers import Clock, next_action, request
from tests.integration.sessions.llm_scripts import faithful, recording_model

from assay.blobs import MemoryBlobStore
from assay.items import load_catalog
from assay.llm import Message, ModelResponse, ScriptedModel, ToolDefinition
from assay.sessions import ScriptDriver, SessionLoop, SessionService, store
from assay.sessions.llm_driver import LLMDriver
from assay.sessions.tables import session_items, session_messages, sessions
from assay.storage import Database

ITEMS = [
    {"stem": "What is 47 + 38?", "options": ["75", "85", "86", "95"], "correct": 1},
    {"stem": "Name the capital of France.", "item_type": "free_text", "answer": "Paris"},
    {"stem": "Which is a prime?", "options": ["4", "6", "7", "9"], "correct": 2},
]
ANSWERS = [{"index": 1}, {"text": "Lyon"}, {"index": 2}]
EXPECTED_CORRECT = [True, False, True]
NEVER = 10**9


class Crash(BaseException):
    """The process dies: not an ``Exception``, so no handler in the loop catches it."""


class Process:
    """Counts one simulated process's step boundaries and kills it at boundary ``crash_at``."""

    def __init__(self, crash_at: int) -> None:
        self.crash_at = crash_at
        self.boundaries = 0
        self.died_after: str | None = None

    def alive(self) -> None:
        if self.died_after is not None:
            raise Crash("the process is dead")

    def boundary(self, kind: str) -> None:
        self.alive()
        self.boundaries += 1
        if self.boundaries == self.crash_at:
            self.died_after = kind
            raise Crash(f"killed after {kind} (boundary {self.boundaries})")


class ProcessDatabase:
    """The database as one process sees it: each committed write is a boundary."""

    def __init__(self, db: Database, process: Process) -> None:
        self._db, self._process = db, process

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        self._process.alive()
        async with self._db.transaction() as conn:
            yield conn
        self._process.boundary("commit")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        self._process.alive()
        async with self._db.read() as conn:
            yield conn


class ProcessModel:
    """The model as one process sees it: each answer received is a boundary."""

    def __init__(self, model: ScriptedModel, process: Process) -> None:
        self._model, self._process = model, process

    @property
    def name(self) -> str:
        return self._model.name

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolDefinition] | None = None,
        **options: Any,
    ) -> ModelResponse:
        self._process.alive()
        response = await self._model.complete(messages, tools=tools, **options)
        self._process.boundary("model call")
        return response


def service_in(
    db: Database, model: ScriptedModel, process: Process, clock: Clock
) -> SessionService:
    loop = SessionLoop(
        db=ProcessDatabase(db, process),  # type: ignore[arg-type]
        catalog=load_catalog(),
        drivers={"script": ScriptDriver(), "llm": LLMDriver(ProcessModel(model, process))},
        blobs=MemoryBlobStore(),
        lease_ttl_s=5.0,
        clock=clock,
    )
    return SessionService(loop, default_driver="llm")


async def lapse_lease(db: Database, session_id: str) -> None:
    """The dead process's lease expires (what ``lease_ttl_s`` of waiting would do)."""
    async with db.transaction() as conn:
        await conn.execute(
            sessions.update()
            .where(sessions.c.id == session_id)
            .values(lease_owner=None, lease_expires_at=None)
        )


async def take_with_crash(
    db: Database, model: ScriptedModel, clock: Clock, user_id: str, crash_at: int
) -> tuple[str, Process, list[dict[str, Any]]]:
    """Take a session whose first process dies at boundary ``crash_at``; returns what happened."""
    process = Process(crash_at)
    service = service_in(db, model, process, clock)
    sid = (
        await service_in(db, model, Process(NEVER), clock).create(
            user_id=user_id, request=request({"items": ITEMS})
        )
    )["session_id"]
    actions: list[dict[str, Any]] = []
    pending: dict[str, Any] | None = None  # an answer the client has not seen accepted yet
    while True:
        try:
            if pending is not None:
                await service.respond(user_id=user_id, session_id=sid, **pending)
                pending = None
            action = await next_action(service, user_id=user_id, session_id=sid)
            if action is None:
                return sid, process, actions
            actions.append(action)
            pending = {
                "tool_call_id": action["tool_call_id"],
                "response": ANSWERS[action["item_number"] - 1],
            }
        except Crash:
            assert process.died_after is not None
            await lapse_lease(db, sid)
            service = service_in(db, model, Process(NEVER), clock)  # a new process


async def transcript(db: Database, session_id: str) -> list[Any]:
    async with db.read() as conn:
        return list(
            await conn.execute(
                sa.select(
                    session_messages.c.role,
                    session_messages.c.name,
                    session_messages.c.tool_call_id,
                    session_messages.c.tool_calls,
                    session_messages.c.meta,
                )
                .where(session_messages.c.session_id == session_id)
                .order_by(session_messages.c.seq)
            )
        )


def steps(rows: list[Any]) -> list[tuple[str, str]]:
    """The transcript without ids: (role, tool) per message."""
    return [(r.role, r.name or ",".join(tc["name"] for tc in (r.tool_calls or []))) for r in rows]


async def test_a_crash_at_any_step_boundary_repeats_no_effect(
    db: Database, clock: Clock, alice: str
) -> None:
    model = recording_model(faithful)
    sid, process, _ = await take_with_crash(db, model, clock, alice, NEVER)
    reference = steps(await transcript(db, sid))
    boundaries = process.boundaries
    assert boundaries > 3 * 10, boundaries  # every item has several commits and model calls
    crashed_after = Counter[str]()
    for crash_at in range(1, boundaries + 1):
        calls_before = len(model.calls)
        sid, process, actions = await take_with_crash(db, model, clock, alice, crash_at)
        assert process.died_after is not None
        crashed_after[process.died_after] += 1
        rows = await transcript(db, sid)
        assert steps(rows) == reference, f"crash at boundary {crash_at}"
        # A tool call id runs at most once: one result per call, ids unique.
        calls = [tc["id"] for r in rows if r.role == "assistant" for tc in r.tool_calls]
        results = [r.tool_call_id for r in rows if r.role == "tool"]
        assert len(set(calls)) == len(calls) and sorted(results) == sorted(calls)
        # The model-call log: one committed model call per assistant message; only a call whose
        # answer died with the process was made again.
        metas = [r.meta for r in rows if r.role == "assistant"]
        assert all(m["driver"] == "llm" and m["accepted"] for m in metas)
        lost = 1 if process.died_after == "model call" else 0
        assert len(model.calls) - calls_before == len(metas) + lost
        # Every item served once, presented verbatim and answered once with the first answer.
        async with db.read() as conn:
            items = await store.get_items(conn, sid)
            served = (
                (
                    await conn.execute(
                        sa.select(session_items.c.served_tool_call_id).where(
                            session_items.c.session_id == sid
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert [i.item_number for i in items] == [1, 2, 3] and len(set(served)) == 3
        assert [i.response for i in items] == ANSWERS
        assert [a["props"]["prompt"] for a in actions] == [i["stem"] for i in ITEMS]
        results_view = await service_in(db, model, Process(NEVER), clock).results(
            user_id=alice, session_id=sid
        )
        assert [i["correct"] for i in results_view["items"]] == EXPECTED_CORRECT
    assert set(crashed_after) == {"commit", "model call"}
    assert crashed_after["model call"] == 3 * 3 + 2  # every model call was a crash point once
