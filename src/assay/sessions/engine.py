"""The session loop (seed 002 §8.2, §11 D1): run a session until a client tool suspends it.

One stream request runs :meth:`SessionEngine.stream`. Each step re-reads the session, then
either asks the driver for the next assistant turn (committed before any effect), or runs the
oldest unanswered tool call of the last assistant turn in one transaction that also appends its
tool result. A tool call id therefore runs at most once, and a crash between any two steps
resumes exactly where it stopped. A client tool commits the pending action, emits
``client_action`` then ``run_suspended`` and ends the stream; ``respond`` records the answer and
the next stream continues the loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from assay.blobs import BlobStore
from assay.items import Catalog
from assay.items.instance import ItemInstance
from assay.llm.messages import Message, ToolCall
from assay.sessions import adaptive, lease, store
from assay.sessions.driver import Driver, DriverContext, Progress
from assay.sessions.fidelity import arguments_problem
from assay.sessions.prompts import START_MESSAGES, SYSTEM_PROMPTS
from assay.sessions.sources import next_item
from assay.sessions.status import SessionStatus
from assay.sessions.tools import CLIENT_TOOLS, EVALUATION_TOOLS, WIDGETS
from assay.sessions.turn_log import log_turn
from assay.sessions.views import archive_transcript, final_event, time_remaining_s
from assay.storage import Database, utcnow

log = logging.getLogger(__name__)

#: Loop steps one stream may run before it gives up (a misbehaving driver cannot spin forever).
MAX_STEPS_PER_STREAM = 64

Event = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class LoopState:
    """What the running loop knows of its session: the row, the message log, served items."""

    session: store.SessionRow
    messages: list[Message]
    items: list[store.ItemRow]
    deviations: int = 0
    """Fidelity events recorded so far (the LLM driver's guard counts them)."""
    staged: tuple[int, ...] = ()
    """Conversation-store outbox ids committed with the last step, to apply after it."""


def pending_tool_calls(messages: list[Message]) -> list[ToolCall]:
    """Tool calls of the last assistant message that have no tool result yet, in order."""
    answered = {m.tool_call_id for m in messages if m.role == "tool"}
    for message in reversed(messages):
        if message.role == "assistant":
            return [tc for tc in message.tool_calls if tc.id not in answered]
    return []


class SessionLoop:
    """Runs sessions' loops; shared by the API, the CLI and tests.

    Args:
        db: The database.
        catalog: Blueprints used to generate items.
        drivers: Drivers by name (``"script"``, ``"llm"``).
        blobs: Where finished sessions' transcripts are archived.
        lease_ttl_s: Seconds a stream's lease lasts without renewal.
        clock: Returns the current UTC time (injected for tests).
    """

    def __init__(
        self,
        *,
        db: Database,
        catalog: Catalog,
        drivers: Mapping[str, Driver],
        blobs: BlobStore | None = None,
        lease_ttl_s: float = 15.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.drivers = dict(drivers)
        self.blobs = blobs
        self.lease_ttl_s = lease_ttl_s
        self.clock = clock
        #: Where each turn's log and the timeline are written (``assay.conversations``).
        self.conversations: Any = None

    # -- the stream ---------------------------------------------------------------------
    async def stream(self, session: store.SessionRow) -> AsyncIterator[Event]:
        """Run ``session``'s loop under its lease; yield SSE events until it suspends or ends."""
        yield "connected", {"session_id": session.id, "status": session.status.value}
        if session.status.is_terminal:
            yield final_event(session)
            return
        owner = lease.new_owner()
        try:
            await lease.acquire(
                self.db,
                session_id=session.id,
                owner=owner,
                ttl_s=self.lease_ttl_s,
                wait_s=self.lease_ttl_s + 1.0,
            )
        except lease.LeaseUnavailableError:
            yield "error", {"error": "busy", "message": "another stream is running this session"}
            return
        try:
            async for event in self._run(session.id, owner):
                yield event
        except Exception as exc:  # the step in flight rolled back; the next stream retries it
            log.exception("session %s: the loop failed", session.id)
            yield "error", {"error": "loop_failed", "message": f"{type(exc).__name__}: {exc}"}
        finally:
            await asyncio.shield(lease.release(self.db, session_id=session.id, owner=owner))

    async def _load(self, session_id: str) -> LoopState:
        async with self.db.read() as conn:
            session = await store.get_session(conn, session_id)
            assert session is not None
            messages = await store.get_messages(conn, session_id)
            items = await store.get_items(conn, session_id)
            events = await store.get_events(conn, session_id)
        deviations = sum(1 for e in events if e["kind"] == "fidelity")
        return LoopState(session=session, messages=messages, items=items, deviations=deviations)

    async def _run(self, session_id: str, owner: str) -> AsyncIterator[Event]:
        # The lease makes this the only loop writing the session, so its state is kept in
        # memory and updated after each commit; a version conflict (a terminate, a respond)
        # raises StateChangedError and the state is re-read.
        state = await self._load(session_id)
        timer = asyncio.get_running_loop().time
        renewed_at = timer()
        for _ in range(MAX_STEPS_PER_STREAM):
            now = self.clock()
            if timer() - renewed_at > self.lease_ttl_s / 3:
                if not await lease.try_acquire(
                    self.db, session_id=session_id, owner=owner, ttl_s=self.lease_ttl_s, now=now
                ):
                    yield "error", {"error": "lease_lost", "message": "another stream took over"}
                    return
                renewed_at = timer()
            session = state.session
            if session.status.is_terminal:
                yield final_event(session)
                return
            if session.deadline_at is not None and now >= session.deadline_at:
                ended = await self.expire(session_id)
                yield final_event(ended)
                return
            try:
                if session.status == SessionStatus.PENDING:
                    state = await self._start(state, now)
                    continue
                if session.status == SessionStatus.AWAITING_CLIENT_ACTION:
                    yield "client_action", self._action_event(session, now)
                    yield "run_suspended", _suspended(session)
                    return
                calls = pending_tool_calls(state.messages)
                if not calls:
                    state = await self._driver_turn(state, now)
                elif calls[0].name in CLIENT_TOOLS:
                    state = await self._present(state, calls[0], now)
                    continue
                else:
                    state = await self._backend_tool(state, calls[0], now)
                state = await self._apply_staged(state)
                if state.session.status.is_terminal:
                    await self.archive(session_id)
                    yield final_event(state.session)
                    return
            except store.StateChangedError:
                state = await self._load(session_id)  # another writer won; re-read
        yield "error", {"error": "too_many_steps", "message": "the driver made no progress"}

    # -- steps --------------------------------------------------------------------------
    async def _start(self, state: LoopState, now: datetime) -> LoopState:
        session = state.session
        deadline = (
            None if session.time_limit_s is None else now + timedelta(seconds=session.time_limit_s)
        )
        opening = [
            Message.system(SYSTEM_PROMPTS[session.session_type]),
            Message.user(START_MESSAGES[session.session_type]),
        ]
        async with self.db.transaction() as conn:
            session = await store.update_session(
                conn,
                session,
                expect=SessionStatus.PENDING,
                status=SessionStatus.ACTIVE,
                started_at=now,
                deadline_at=deadline,
                updated_at=now,
            )
            for message in opening:
                await store.append_message(conn, session_id=session.id, message=message, now=now)
        return replace(state, session=session, messages=[*state.messages, *opening])

    def _driver(self, session: store.SessionRow) -> Driver:
        return self.drivers.get(session.driver) or self.drivers["script"]

    async def _driver_turn(self, state: LoopState, now: datetime) -> LoopState:
        session = state.session
        context = DriverContext(
            session_id=session.id,
            messages=state.messages,
            tools=EVALUATION_TOOLS,
            progress=_progress(session, state.items, now),
            deviations=state.deviations,
        )
        driver = self._driver(session)
        turn = await driver.next_turn(context)
        switch = {"driver": turn.switch_to} if turn.switch_to in self.drivers else {}
        calls = turn.message.tool_calls
        # A deterministic driver's decision and its effect commit together (the effect's own
        # compare-and-set on the session version then guards both).
        atomic = bool(getattr(driver, "atomic", False)) and len(calls) == 1 and not switch
        async with self.db.transaction() as conn:
            if not atomic:
                session = await store.update_session(
                    conn, session, expect=SessionStatus.ACTIVE, updated_at=now, **switch
                )
            await store.append_message(
                conn,
                session_id=session.id,
                message=turn.message,
                now=now,
                meta=turn.meta,
                seq=len(state.messages) + 1,
            )
            for event in turn.events:
                data = {k: v for k, v in event.items() if k != "kind"}
                await store.add_event(
                    conn,
                    session_id=session.id,
                    kind=str(event.get("kind", "driver")),
                    data=data,
                    now=now,
                )
            if switch:
                await store.add_event(
                    conn,
                    session_id=session.id,
                    kind="driver_fallback",
                    data={"from": state.session.driver, "to": turn.switch_to},
                    now=now,
                )
            fidelity = sum(1 for e in turn.events if e.get("kind") == "fidelity")
            state = replace(
                state,
                session=session,
                messages=[*state.messages, turn.message],
                deviations=state.deviations + fidelity,
            )
            if atomic:
                if calls[0].name in CLIENT_TOOLS:
                    state = await self._present_in(conn, state, calls[0], now)
                else:
                    state = await self._backend_tool_in(conn, state, calls[0], now)
        return state

    async def _present(self, state: LoopState, call: ToolCall, now: datetime) -> LoopState:
        async with self.db.transaction() as conn:
            return await self._present_in(conn, state, call, now)

    async def _present_in(
        self, conn: Any, state: LoopState, call: ToolCall, now: datetime
    ) -> LoopState:
        """Suspend on a client tool: commit the canonical pending action (one transaction)."""
        session, items = state.session, state.items
        current = _current_item(items)
        if current is None:
            await store.add_event(
                conn,
                session_id=session.id,
                kind="fidelity",
                data={
                    "tool_call_id": call.id,
                    "problem": "client tool called with no item served",
                },
                now=now,
            )
            reply = Message.tool_result(
                call.id, call.name, {"error": "no item is served: call get_next_item first"}
            )
            await store.append_message(
                conn, session_id=session.id, message=reply, now=now, seq=len(state.messages) + 1
            )
            session = await store.update_session(
                conn, session, expect=SessionStatus.ACTIVE, updated_at=now
            )
            return replace(
                state,
                session=session,
                messages=[*state.messages, reply],
                deviations=state.deviations + 1,
            )
        item = current.item
        canonical = item.client_props()
        problem = _fidelity_problem(call, item, canonical)
        if problem is not None:
            await store.add_event(
                conn,
                session_id=session.id,
                kind="fidelity",
                data={
                    "tool_call_id": call.id,
                    "item_number": current.item_number,
                    "problem": problem,
                },
                now=now,
            )
        action = {
            "tool_call_id": call.id,
            "tool_name": item.tool_name,
            "widget_type": WIDGETS[item.tool_name],
            "props": canonical,
            "item_number": current.item_number,
            "total_items": session.total_items,
        }
        session = await store.update_session(
            conn,
            session,
            expect=SessionStatus.ACTIVE,
            status=SessionStatus.AWAITING_CLIENT_ACTION,
            pending_action=action,
            updated_at=now,
        )
        presented = {
            "presented_tool_call_id": call.id,
            "presented_at": current.presented_at or now,
        }
        await store.update_item(
            conn, session_id=session.id, number=current.item_number, **presented
        )
        updated = current.model_copy(update=presented)
        return replace(
            state,
            session=session,
            items=[*items[:-1], updated],
            deviations=state.deviations + (problem is not None),
        )

    async def _backend_tool(self, state: LoopState, call: ToolCall, now: datetime) -> LoopState:
        """Run one backend tool and append its result, in one transaction."""
        async with self.db.transaction() as conn:
            return await self._backend_tool_in(conn, state, call, now)

    async def _apply_staged(self, state: LoopState) -> LoopState:
        """Write the blobs of the turn log staged with the step (a crash before this is rolled
        forward from the outbox by ``ConversationStore.recover``)."""
        if state.staged:
            try:
                await self.conversations.flush(state.staged)
            except Exception:
                log.exception("session %s: conversation blobs left in the outbox", state.session.id)
            state = replace(state, staged=())
        return state

    async def _backend_tool_in(
        self, conn: Any, state: LoopState, call: ToolCall, now: datetime
    ) -> LoopState:
        session, items = state.session, list(state.items)
        ended: dict[str, Any] = {}
        unknown = 0
        cat: dict[str, Any] = {}  # an adaptive session's CAT state, committed with the result
        if call.name == "get_next_item":
            result, served, cat_state = await self._get_next_item(conn, session, items, call, now)
            if served is not None:
                items.append(served)
            if cat_state is not None:
                cat["cat_state"] = cat_state
        elif call.name == "record_response":
            result, recorded = await _record_response(conn, session, items, call, now)
            if recorded is not None:
                items = [recorded if i.item_number == recorded.item_number else i for i in items]
            if adaptive.is_adaptive(session):
                cat_state = adaptive.synced(session, items)
                cat = {} if cat_state is None else {"cat_state": cat_state}
        elif call.name == "complete_session":
            answered = sum(1 for i in items if i.response is not None)
            stop = None
            if adaptive.is_adaptive(session):
                stop, cat["cat_state"] = adaptive.finish(session, items, now=now)
            if answered >= session.total_items or stop is not None:
                result = {"success": True, "summary": {"items_answered": answered}}
                ended = {
                    "status": SessionStatus.COMPLETED,
                    "ended_at": now,
                    "end_reason": "all_items_completed" if stop in (None, "max_items") else stop,
                    "pending_action": None,
                }
            else:
                remaining = session.total_items - answered
                result = {
                    "success": False,
                    "error": f"{remaining} items remain: call get_next_item",
                }
        else:
            result = {"error": f"unknown tool {call.name!r}"}
            unknown = 1
            await store.add_event(
                conn,
                session_id=session.id,
                kind="fidelity",
                data={"tool_call_id": call.id, "problem": f"unknown tool {call.name!r}"},
                now=now,
            )
        if call.name == "record_response":
            staged = await log_turn(self.conversations, conn, state, replace(state, items=items))
            state = replace(state, staged=tuple(staged))
        reply = Message.tool_result(call.id, call.name, result)
        await store.append_message(
            conn, session_id=session.id, message=reply, now=now, seq=len(state.messages) + 1
        )
        session = await store.update_session(
            conn, session, expect=SessionStatus.ACTIVE, updated_at=now, **ended, **cat
        )
        return replace(
            state,
            session=session,
            messages=[*state.messages, reply],
            items=items,
            deviations=state.deviations + unknown,
        )

    async def _get_next_item(
        self,
        conn: Any,
        session: store.SessionRow,
        items: list[store.ItemRow],
        call: ToolCall,
        now: datetime,
    ) -> tuple[dict[str, Any], store.ItemRow | None, dict[str, Any] | None]:
        """The next item's presentation (serving a new one if needed), the new row if any, and
        an adaptive session's new CAT state (chosen with the item, committed with it)."""
        current = _current_item(items)
        answered = sum(1 for i in items if i.response is not None)
        remaining_s = time_remaining_s(session, now)
        served: store.ItemRow | None = None
        choice = None
        if current is None and adaptive.is_adaptive(session):
            choice = adaptive.choose_item(session, items, catalog=self.catalog, now=now)
        if current is None and (
            answered >= session.total_items if choice is None else choice.item is None
        ):
            done = {
                "item": None,
                "has_more": False,
                "items_answered": answered,
                "total_items": session.total_items,
                "message": "All items completed"
                if choice is None
                else "The adaptive test has ended: call complete_session",
            }
            return done, None, None if choice is None else choice.cat_state
        if current is None:
            number = len(items) + 1
            item = (
                choice.item
                if choice is not None and choice.item is not None
                else next_item(
                    config=session.config,
                    plan=session.plan,
                    seed=session.seed,
                    number=number,
                    catalog=self.catalog,
                    served=[i.item for i in items],
                )
            )
            served = await store.insert_item(
                conn, session_id=session.id, number=number, item=item, tool_call_id=call.id, now=now
            )
        else:
            number, item = current.item_number, current.item
        result = {
            "item": item.presentation(),
            "item_number": number,
            "total_items": session.total_items,
            "items_remaining": session.total_items - answered,
            "time_remaining_s": remaining_s,
            "has_more": True,
        }
        return result, served, None if choice is None else choice.cat_state

    # -- terminal transitions -----------------------------------------------------------
    async def expire(self, session_id: str) -> store.SessionRow:
        """Move a session past its deadline to EXPIRED, keeping every answer; returns it."""
        now = self.clock()
        async with self.db.transaction() as conn:
            session = await store.get_session(conn, session_id, lock=True)
            assert session is not None
            if (
                not session.status.is_terminal
                and session.deadline_at is not None
                and now >= session.deadline_at
            ):
                await store.update_session(
                    conn,
                    session,
                    status=SessionStatus.EXPIRED,
                    ended_at=now,
                    end_reason="time_limit",
                    pending_action=None,
                    updated_at=now,
                )
            ended = await store.get_session(conn, session_id)
            assert ended is not None
        if ended.status == SessionStatus.EXPIRED and session.status != SessionStatus.EXPIRED:
            await self.archive(session_id)
        return ended

    async def archive(self, session_id: str) -> None:
        """Write the finished session's transcript to the blob store (best effort)."""
        if self.blobs is None:
            return
        try:
            await archive_transcript(self.db, self.blobs, session_id)
        except Exception:  # the database stays the source of truth
            log.exception("could not archive the transcript of %s", session_id)

    def _action_event(self, session: store.SessionRow, now: datetime) -> dict[str, Any]:
        action = dict(session.pending_action or {})
        action["time_remaining_s"] = time_remaining_s(session, now)
        return action


def _suspended(session: store.SessionRow) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "status": SessionStatus.AWAITING_CLIENT_ACTION.value,
        "tool_call_id": (session.pending_action or {}).get("tool_call_id"),
    }


def _current_item(items: list[store.ItemRow]) -> store.ItemRow | None:
    """The served item still waiting for an answer, if any."""
    if items and items[-1].response is None:
        return items[-1]
    return None


def _progress(session: store.SessionRow, items: list[store.ItemRow], now: datetime) -> Progress:
    answered = sum(1 for i in items if i.response is not None)
    return Progress(
        session_type=session.session_type,
        item_number=len(items),
        total_items=session.total_items,
        items_remaining=session.total_items - answered,
        time_remaining_s=time_remaining_s(session, now),
    )


def _fidelity_problem(call: ToolCall, item: ItemInstance, canonical: dict[str, Any]) -> str | None:
    """Why a client-tool call differs from the served item's canonical presentation, or None."""
    if call.name != item.tool_name:
        return f"presented with {call.name} instead of {item.tool_name}"
    try:
        args = call.parsed_arguments()
    except ValueError:
        return "malformed tool arguments"
    return arguments_problem(call.name, args, canonical)


async def _record_response(
    conn: Any, session: store.SessionRow, items: list[store.ItemRow], call: ToolCall, now: datetime
) -> tuple[dict[str, Any], store.ItemRow | None]:
    """Acknowledge the answered item named by the call (no verdict); returns its updated row."""
    try:
        wanted = call.parsed_arguments().get("tool_call_id")
    except ValueError:
        wanted = None
    answered = [i for i in items if i.response is not None]
    target = next((i for i in answered if i.presented_tool_call_id == wanted), None)
    if target is None:
        target = next((i for i in reversed(answered) if i.recorded_at is None), None)
    if target is None:
        return {"recorded": False, "error": "no answered item to record"}, None
    updated = None
    if target.recorded_at is None:
        await store.update_item(
            conn, session_id=session.id, number=target.item_number, recorded_at=now
        )
        updated = target.model_copy(update={"recorded_at": now})
    result = {
        "recorded": True,
        "item_number": target.item_number,
        "items_answered": len(answered),
        "items_remaining": session.total_items - len(answered),
    }
    return result, updated


def tool_result_payload(message: Message) -> dict[str, Any]:
    """Decode a tool message's JSON content (``{}`` if it is not JSON)."""
    try:
        value = json.loads(message.content or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


__all__ = [
    "MAX_STEPS_PER_STREAM",
    "Event",
    "SessionLoop",
    "pending_tool_calls",
    "tool_result_payload",
]
