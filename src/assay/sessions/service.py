"""Session use cases: create, view, stream, respond, terminate, results.

Every function checks ownership: another user's session is reported as not found.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import AsyncIterator
from typing import Any, NoReturn

from assay.grading import GradedResponse, code_tests, grade_response
from assay.items import UnknownBlueprintError, plan_assessment
from assay.items.instance import ItemInstance
from assay.llm.messages import Message
from assay.sandbox import CodeRunner, RunnerProbe, SandboxError, SandboxProbe, SandboxRunner
from assay.sessions import adaptive, store
from assay.sessions.availability import GradingDeferredError, check_available
from assay.sessions.calibration import latest_calibration
from assay.sessions.engine import Event, SessionLoop
from assay.sessions.errors import (
    AnswerConflictError,
    SessionConfigError,
    SessionExpiredError,
    SessionNotFoundError,
    StaleToolCallError,
)
from assay.sessions.requests import CreateSessionRequest
from assay.sessions.status import InvalidActionError, SessionStatus, transition
from assay.sessions.tables import sessions
from assay.sessions.views import session_results, session_view
from assay.storage import iso, new_id


class SessionService:
    """The session use cases over one :class:`SessionLoop` (its db, catalog and drivers).

    Args:
        loop: The session loop.
        default_driver: Driver of sessions whose config names none.
        code_runner: Where code items are graded; default a ``SandboxRunner``.
        sandbox: Says whether code can run (sessions of assessments that run code are refused
            when it cannot); default a ``RunnerProbe`` of ``code_runner``.
    """

    def __init__(
        self,
        loop: SessionLoop,
        *,
        default_driver: str = "script",
        code_runner: CodeRunner | None = None,
        sandbox: SandboxProbe | None = None,
    ) -> None:
        self.loop = loop
        self.db = loop.db
        self.default_driver = default_driver
        self.code_runner: CodeRunner = code_runner or SandboxRunner()
        self.sandbox: SandboxProbe = sandbox or RunnerProbe(self.code_runner)

    # -- create -------------------------------------------------------------------------
    async def create(self, *, user_id: str, request: CreateSessionRequest) -> dict[str, Any]:
        """Create a PENDING session; returns ``{"session_id", "status", "stream_url"}``.

        Raises:
            SessionConfigError: For an unknown blueprint or an unavailable driver.
            AssessmentUnavailableError: The assessment runs code and the sandbox does not work.
        """
        config = request.config
        seed = config.seed if config.seed is not None else secrets.randbits(63)
        driver = config.driver or self.default_driver
        if driver not in self.loop.drivers:
            raise SessionConfigError(
                "config.driver",
                f"must be one of {sorted(self.loop.drivers)}: the llm driver needs "
                "ASSAY_LLM_BASE_URL and ASSAY_LLM_MODEL",
            )
        if config.blueprint_id is not None:
            try:
                assessment = self.loop.catalog.assessment(config.blueprint_id)
            except UnknownBlueprintError as exc:
                known = ", ".join(sorted(self.loop.catalog.assessments))
                raise SessionConfigError(
                    "config.blueprint_id",
                    f"must name a known blueprint, not {config.blueprint_id!r} (known: {known})",
                ) from exc
            await check_available(assessment, catalog=self.loop.catalog, probe=self.sandbox)
            algorithm = config.item_selection_algorithm or assessment.item_selection_algorithm
            if algorithm != assessment.item_selection_algorithm:
                assessment = assessment.model_copy(update={"item_selection_algorithm": algorithm})
            slots = plan_assessment(assessment, rng=random.Random(seed))
            plan = [s.model_dump(mode="json") for s in slots]
            title = config.title or assessment.title
            minutes = config.time_limit_minutes or assessment.time_limit_minutes
        else:
            assessment = None
            items = config.items or []
            plan = [{"section_id": i.section, "skill_id": "inline", "band": None} for i in items]
            title = config.title or f"Evaluation ({len(items)} items)"
            minutes = config.time_limit_minutes
        now = self.loop.clock()
        session_id = new_id("sess")
        async with self.db.transaction() as conn:
            cat_state = None
            if assessment is not None:  # adaptive state and calibration snapshot, if any
                cat_state = adaptive.initial_state(
                    assessment,
                    algorithm=assessment.item_selection_algorithm,
                    calibration=await latest_calibration(conn, blueprint_id=config.blueprint_id),
                    now=now,
                )
            await conn.execute(
                sessions.insert().values(
                    id=session_id,
                    user_id=user_id,
                    session_type=request.session_type,
                    status=SessionStatus.PENDING.value,
                    driver=driver,
                    title=title,
                    blueprint_id=config.blueprint_id,
                    config=config.model_dump(mode="json", exclude_none=True),
                    plan=plan,
                    total_items=len(plan),
                    time_limit_s=None if minutes is None else round(minutes * 60),
                    seed=seed,
                    created_at=now,
                    updated_at=now,
                    cat_state=cat_state,
                )
            )
        return {
            "session_id": session_id,
            "status": SessionStatus.PENDING.value,
            "stream_url": f"/api/sessions/{session_id}/stream",
        }

    # -- read ---------------------------------------------------------------------------
    async def _owned(self, *, user_id: str, session_id: str) -> store.SessionRow:
        async with self.db.read() as conn:
            session = await store.get_session(conn, session_id, user_id=user_id)
        if session is None:
            raise SessionNotFoundError(session_id)
        if _due(session, self.loop.clock()):
            session = await self.loop.expire(session.id)
        return session

    async def view(self, *, user_id: str, session_id: str) -> dict[str, Any]:
        """The session view (no key, no correctness flag, no score).

        Raises:
            SessionNotFoundError: If the user owns no such session.
        """
        session = await self._owned(user_id=user_id, session_id=session_id)
        async with self.db.read() as conn:
            items = await store.get_items(conn, session_id)
            events = await store.get_events(conn, session_id)
        return session_view(session, items, events, self.loop.clock())

    async def list(self, *, user_id: str, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """A page of the user's sessions, newest first (short views).

        Args:
            user_id: The owner.
            limit: Page size (>= 1).
            offset: Sessions to skip (>= 0), in the same order.
        """
        import sqlalchemy as sa

        async with self.db.read() as conn:
            rows = (
                await conn.execute(
                    sa.select(
                        sessions.c.id,
                        sessions.c.title,
                        sessions.c.status,
                        sessions.c.created_at,
                        sessions.c.blueprint_id,
                        sessions.c.total_items,
                    )
                    .where(sessions.c.user_id == user_id)
                    .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
                    .limit(limit)
                    .offset(offset)
                )
            ).all()
        return [
            {
                "session_id": r.id,
                "title": r.title,
                "status": r.status,
                "blueprint_id": r.blueprint_id,
                "total_items": r.total_items,
                "created_at": iso(r.created_at),
            }
            for r in rows
        ]

    async def stream(self, *, user_id: str, session_id: str) -> AsyncIterator[Event]:
        """Run the session's loop; yields ``(event, data)`` until it suspends or ends.

        Raises:
            SessionNotFoundError: Before the first event, if the user owns no such session.
        """
        session = await self._owned(user_id=user_id, session_id=session_id)
        return self.loop.stream(session)

    # -- write --------------------------------------------------------------------------
    async def respond(
        self, *, user_id: str, session_id: str, tool_call_id: str, response: Any
    ) -> dict[str, Any]:
        """Record the answer to the pending client action (idempotent per ``tool_call_id``).

        The answer, its server-measured ``time_taken_ms`` and its score are committed with the
        tool result message in one transaction; the score is never returned.

        Returns:
            ``{"accepted": true, "session_id", "tool_call_id", "item_number", "status",
            "stream_url"}``; a repeat with the same ``tool_call_id`` and the same answer returns
            the first result.

        Raises:
            SessionNotFoundError: 404.
            AnswerConflictError: The tool call was answered before with another answer (409).
            SessionExpiredError: The deadline passed (the session is now EXPIRED).
            InvalidActionError: The status does not allow an answer (409).
            StaleToolCallError: ``tool_call_id`` is not the pending action (409).
            assay.items.instance.ResponseError: The payload does not fit the widget (422).
            GradingDeferredError: The sandbox failed while grading a code answer; the answer is
                kept (a ``grading_deferred`` event) and the action stays pending (503).
        """
        now = self.loop.clock()  # the answer's arrival time: grading time is not the student's
        graded: GradedResponse | None = None
        while True:
            async with self.db.transaction() as conn:
                session = await store.get_session(conn, session_id, user_id=user_id, lock=True)
                if session is None:
                    raise SessionNotFoundError(session_id)
                items = await store.get_items(conn, session_id)
                first = _first_result(items, tool_call_id, response)
                if first is not None:
                    return first
                expired = _due(session, now)
                if not expired:
                    row, pending = _pending_row(session, items, tool_call_id)
                    answer = row.item.validate_response(response)
                    if graded is None and code_tests(row.item) is None:
                        graded = GradedResponse(score=row.item.score(answer))
                    if graded is not None:
                        return await self._record(
                            conn, session, row, pending, answer, graded, tool_call_id, now
                        )
            if expired:
                ended = await self.loop.expire(session_id)
                if ended.status == SessionStatus.EXPIRED:
                    raise SessionExpiredError(session_id, iso(ended.deadline_at))
                raise InvalidActionError("respond", ended.status)
            # A code item: run its tests in the sandbox outside the write transaction, then
            # write in a new one that checks the pending action again.
            try:
                graded = await grade_response(row.item, response, runner=self._runner(row.item))
            except SandboxError as exc:
                number = row.item_number
                await self._keep_ungraded(session_id, number, tool_call_id, answer, exc, now)

    async def _keep_ungraded(
        self,
        session_id: str,
        item_number: int,
        tool_call_id: str,
        answer: dict[str, Any],
        exc: SandboxError,
        now: Any,
    ) -> NoReturn:
        """Keep an answer the sandbox failed to grade, then raise ``GradingDeferredError``."""
        self.sandbox.invalidate()  # the next session creation probes the sandbox again
        kept = {"tool_call_id": tool_call_id, "item_number": item_number, "response": answer}
        async with self.db.transaction() as conn:
            await store.add_event(
                conn,
                session_id=session_id,
                kind="grading_deferred",
                data={**kept, "error": str(exc)[-2000:]},
                now=now,
            )
        raise GradingDeferredError(
            session_id=session_id,
            tool_call_id=tool_call_id,
            item_number=item_number,
            cause=str(exc),
        ) from exc

    async def _record(
        self,
        conn: Any,
        session: store.SessionRow,
        row: store.ItemRow,
        pending: dict[str, Any],
        answer: dict[str, Any],
        graded: GradedResponse,
        tool_call_id: str,
        now: Any,
    ) -> dict[str, Any]:
        """Store a scored answer and its tool result; the session becomes ACTIVE again."""
        result = {
            "accepted": True,
            "session_id": session.id,
            "tool_call_id": tool_call_id,
            "item_number": row.item_number,
            "status": SessionStatus.ACTIVE.value,
            "stream_url": f"/api/sessions/{session.id}/stream",
        }
        presented = row.presented_at or now
        await store.update_item(
            conn,
            session_id=session.id,
            number=row.item_number,
            response=answer,
            respond_result=result,
            responded_at=now,
            time_taken_ms=max(0, round((now - presented).total_seconds() * 1000)),
            correct=graded.score.correct,
            score=graded.score.score,
        )
        await store.append_message(
            conn,
            session_id=session.id,
            message=Message.tool_result(tool_call_id, pending["tool_name"], {"response": answer}),
            now=now,
        )
        await store.update_session(
            conn,
            session,
            expect=SessionStatus.AWAITING_CLIENT_ACTION,
            status=SessionStatus.ACTIVE,
            pending_action=None,
            updated_at=now,
        )
        return result

    def _runner(self, item: ItemInstance) -> CodeRunner | None:
        """The code runner, for code items with tests (the others need none)."""
        return None if code_tests(item) is None else self.code_runner

    async def terminate(self, *, user_id: str, session_id: str) -> dict[str, Any]:
        """Terminate a session (DELETE); answers given so far are kept.

        Raises:
            SessionNotFoundError: 404.
            InvalidActionError: The session already ended (409).
        """
        now = self.loop.clock()
        await self._owned(user_id=user_id, session_id=session_id)
        async with self.db.transaction() as conn:
            session = await store.get_session(conn, session_id, user_id=user_id, lock=True)
            assert session is not None
            transition(session.status, "terminate")
            await store.update_session(
                conn,
                session,
                status=SessionStatus.TERMINATED,
                ended_at=now,
                end_reason="terminated_by_user",
                pending_action=None,
                updated_at=now,
            )
        await self.loop.archive(session_id)
        return await self.view(user_id=user_id, session_id=session_id)

    async def results(self, *, user_id: str, session_id: str) -> dict[str, Any]:
        """Results of an ended session (COMPLETED, EXPIRED or TERMINATED).

        Raises:
            SessionNotFoundError: 404.
            InvalidActionError: The session has not ended (409).
        """
        session = await self._owned(user_id=user_id, session_id=session_id)
        transition(session.status, "results")
        async with self.db.read() as conn:
            items = await store.get_items(conn, session_id)
        return session_results(session, items)


def _first_result(
    items: list[store.ItemRow], tool_call_id: str, response: Any
) -> dict[str, Any] | None:
    """The stored result of an earlier ``respond`` with this tool call id (idempotency).

    Raises:
        AnswerConflictError: The earlier answer differs from ``response`` (compared after the
            item's own validation, so ``{"index": 1}`` and ``{"index": 1.0}`` are the same).
        assay.items.instance.ResponseError: ``response`` does not fit the item (422).
    """
    done = next((i for i in items if i.presented_tool_call_id == tool_call_id), None)
    if done is None or done.respond_result is None:
        return None
    if response != done.response and done.item.validate_response(response) != done.response:
        raise AnswerConflictError(tool_call_id, iso(done.responded_at))
    return done.respond_result


def _pending_row(
    session: store.SessionRow, items: list[store.ItemRow], tool_call_id: str
) -> tuple[store.ItemRow, dict[str, Any]]:
    """The item the pending client action presents, if ``tool_call_id`` names that action.

    Raises:
        InvalidActionError: The session has ended.
        StaleToolCallError: ``tool_call_id`` is not the pending action.
    """
    if session.status.is_terminal:
        transition(session.status, "respond")
    pending = session.pending_action or {}
    if pending.get("tool_call_id") != tool_call_id:
        raise StaleToolCallError(tool_call_id, pending.get("tool_call_id"))
    row = next(i for i in items if i.item_number == pending["item_number"])
    return row, pending


def _due(session: store.SessionRow, now: Any) -> bool:
    return (
        not session.status.is_terminal
        and session.deadline_at is not None
        and now >= session.deadline_at
    )


__all__ = ["SessionService"]
